/**
 * The hub's statewide preparedness grid, 2,000 cities × 10 recommendations, on SQLite
 * and on PostgreSQL: the grid query when the read model is up to date (one row per
 * city, the ten statuses as letters: `ScorecardGrid.rows` reads it twice, for the age
 * check and for the answer), beside a plain select of the same 20,000 cells as one
 * row each (city, recommendation, status) in the same run, and the read with reasons.
 *
 *   cd packages/dev-env && npx tsx bench/preparedness-grid.ts   (BENCH_GRID_CITIES=n sets the count)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECOMMENDATIONS } from '@citylink/protocol';
import { type CityScorecard, Store } from '@citylink/store';
import { createTestPostgresDatabase, knexOf } from '@citylink/store/testing';
import { machineLine, median, ms, peakRssLine, result, size, watchdog } from './lib.js';

const cities = size('GRID_CITIES', 2_000, 200);
const timer = watchdog(240_000, 'preparedness-grid');
const STATUSES = ['done', 'partial', 'stale', 'missing'] as const;

const reason = (c: number) => `machine-malfunction plan last exercised ${(c % 20) + 1} months ago`;

function lines(): CityScorecard[] {
  const at = new Date();
  return Array.from({ length: cities }, (_, c) => ({
    city: `wi-city-${String(c).padStart(4, '0')}`,
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
  for (let i = 0; i < 20; i++) {
    reads.push(
      await time(async () => {
        await store.read((r) => r.scorecards.grid());
        await store.read((r) => r.scorecards.grid());
      }),
    );
    plain.push(await time(() => knex('bench_cells').select('city', 'recommendation', 'status')));
    detailed.push(await time(() => store.read((r) => r.scorecards.details())));
  }
  const query = median(reads);
  console.log(
    `${label}: grid query (age check + answer, ${cities * 10} cells) median ${query.toFixed(1)} ms; plain select of the same ${cities * 10} cells (baseline) ${median(plain).toFixed(1)} ms; with reasons and next steps ${median(detailed).toFixed(1)} ms`,
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
