/**
 * The hub's statewide preparedness grid, 2,000 cities × 10 recommendations, on SQLite
 * and on PostgreSQL: the grid query when the read model is up to date (one row per
 * city, the ten statuses as letters: `ScorecardGrid.rows` reads it twice, for the age
 * check and for the answer), beside a plain select of the same 20,000 cells as one
 * row each (city, recommendation, status) in the same run, and the read with reasons.
 * With filters: the cities of one county, and of one size class (most cities: a long
 * `in` list), picked from a roster of the same size by `citiesMatching`, as the hub does.
 *
 *   cd packages/dev-env && npx tsx bench/preparedness-grid.ts   (BENCH_GRID_CITIES=n sets the count)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { citiesMatching } from '@citylink/node';
import { type Member, RECOMMENDATIONS } from '@citylink/protocol';
import { type CityScorecard, Store } from '@citylink/store';
import { createTestPostgresDatabase, knexOf } from '@citylink/store/testing';
import { machineLine, median, ms, peakRssLine, result, size, watchdog } from './lib.js';

const cities = size('GRID_CITIES', 2_000, 200);
const timer = watchdog(240_000, 'preparedness-grid');
const STATUSES = ['done', 'partial', 'stale', 'missing'] as const;

const reason = (c: number) => `machine-malfunction plan last exercised ${(c % 20) + 1} months ago`;

const cityName = (c: number) => `wi-city-${String(c).padStart(4, '0')}`;
/** Wisconsin has 72 counties; populations from a few hundred to ~600,000 (most cities small). */
const members: Pick<Member, 'node' | 'county' | 'population'>[] = Array.from({ length: cities }, (_, c) => ({
  node: cityName(c),
  county: `County ${c % 72}`,
  population: c % 100 === 0 ? 300_000 + c : c % 10 === 0 ? 60_000 + c : 800 + ((c * 37) % 40_000),
}));

function lines(): CityScorecard[] {
  const at = new Date();
  return Array.from({ length: cities }, (_, c) => ({
    city: cityName(c),
    statuses: RECOMMENDATIONS.map((r) => STATUSES[(c * 7 + r.n) % 4]![0]).join(''),
    detail: JSON.stringify(
      RECOMMENDATIONS.map((r) => ({ key: r.key, reason: reason(c), next: 'schedule a tabletop' })),
    ),
    computedAt: at,
  }));
}

async function measure(store: Store, label: string): Promise<number> {
  const knex = knexOf(store);
  const t0 = performance.now();
  await store.transact((tx) => tx.scorecards.replace(lines()));
  // The baseline: the same cells as a plain table, one row per city and recommendation.
  await knex.schema.createTable('bench_cells', (t) => {
    t.string('city', 63);
    t.integer('recommendation');
    t.string('status', 16);
    t.primary(['city', 'recommendation']);
  });
  const cells = lines().flatMap((l) =>
    RECOMMENDATIONS.map((r, i) => ({
      city: l.city,
      recommendation: r.n,
      status: STATUSES.find((s) => s[0] === l.statuses[i]),
    })),
  );
  for (let n = 0; n < cells.length; n += 500) await knex('bench_cells').insert(cells.slice(n, n + 500));
  console.log(`${label}: ${cities} grid rows (${cities * 10} cells) stored in ${ms(performance.now() - t0)}`);
  if (store.dialect === 'postgresql') await knex.raw('analyze city_scorecards, bench_cells');
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const read = await store.read((r) => r.scorecards.grid());
  if (read.length !== cities) throw new Error(`${label}: the grid has ${read.length} rows, not ${cities}`);
  const reads: number[] = [];
  const plain: number[] = [];
  const detailed: number[] = [];
  const byCounty: number[] = [];
  const bySize: number[] = [];
  const filtered = (q: Parameters<typeof citiesMatching>[1]) => async () => {
    const only = citiesMatching(members, q) ?? [];
    await store.read((r) => r.scorecards.grid());
    const got = await store.read((r) => r.scorecards.grid({ cities: only }));
    if (got.length !== only.length) throw new Error(`${label}: ${got.length} rows for ${only.length} cities`);
  };
  const county = citiesMatching(members, { county: 'County 7' })!.length;
  const small = citiesMatching(members, { size: 'small' })!.length;
  for (let i = 0; i < 20; i++) {
    reads.push(
      await time(async () => {
        await store.read((r) => r.scorecards.grid());
        await store.read((r) => r.scorecards.grid());
      }),
    );
    plain.push(await time(() => knex('bench_cells').select('city', 'recommendation', 'status')));
    detailed.push(await time(() => store.read((r) => r.scorecards.details())));
    byCounty.push(await time(filtered({ county: 'County 7' })));
    bySize.push(await time(filtered({ size: 'small' })));
  }
  const query = Math.max(median(reads), median(byCounty), median(bySize));
  console.log(
    `${label}: grid query (age check + answer, ${cities * 10} cells) median ${median(reads).toFixed(1)} ms; plain select of the same ${cities * 10} cells (baseline) ${median(plain).toFixed(1)} ms; with reasons and next steps ${median(detailed).toFixed(1)} ms`,
  );
  console.log(
    `${label}: filtered by county (${county} cities) median ${median(byCounty).toFixed(1)} ms; by size class small (${small} cities) median ${median(bySize).toFixed(1)} ms`,
  );
  return query;
}

console.log(machineLine());
const dir = await mkdtemp(join(tmpdir(), 'citylink-grid-'));
const pg = await createTestPostgresDatabase();
try {
  const sqlite = await Store.open({ sqlitePath: join(dir, 'grid.db') });
  const onSqlite = await measure(sqlite, 'SQLite').finally(() => sqlite.close());
  const postgres = await Store.open({ databaseUrl: pg.url });
  const onPostgres = await measure(postgres, 'PostgreSQL').finally(() => postgres.close());
  console.log(peakRssLine());
  result('preparedness-grid-query', Math.max(onSqlite, onPostgres), 'ms', '<', 100);
} finally {
  clearTimeout(timer);
  await pg.drop();
  await rm(dir, { recursive: true, force: true });
}
