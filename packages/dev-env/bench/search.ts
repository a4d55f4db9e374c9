/**
 * Full-text search over 100,000 items, on SQLite and on PostgreSQL: a search that
 * matches nothing (the worst case for the old LIKE scan, which read every row),
 * beside a plain page of the same table in the same run (newest 50, no text).
 *
 *   npm run bench -w @citylink/dev-env -- search   (BENCH_SEARCH_ITEMS=n sets the count)
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppendInput, Store } from '@citylink/store';
import { createTestPostgresDatabase, knexOf } from '@citylink/store/testing';
import { machineLine, median, ms, peakRssLine, result, size, watchdog } from './lib.js';

const count = size('SEARCH_ITEMS', 100_000, 5_000);
const timer = watchdog(300_000, 'search');
const WORDS = [
  'phishing',
  'ballot',
  'scanner',
  'outage',
  'clerk',
  'voicemail',
  'tabulator',
  'dropbox',
  'vendor',
  'turnout',
];
const id = (n: number) => createHash('sha256').update(`search-${n}`).digest('base64url');

function input(n: number): AppendInput {
  const objectId = id(n);
  const created = new Date(Date.UTC(2026, 9, 1) + n * 1000);
  const words = [WORDS[n % 10], WORDS[(n * 7) % 10], `ward${n % 500}`, `report ${n}`];
  return {
    object: {
      id: objectId,
      kind: 'bulletin',
      origin: `wi-city-${n % 50}`,
      kid: id(-1),
      created,
      receivedFrom: 'wi-hub',
      tlp: 'GREEN',
      audience: ['*'],
      recipients: null,
      target: null,
      jws: `h.p-${objectId}.s`,
    },
    item: {
      id: objectId,
      kind: 'bulletin',
      origin: `wi-city-${n % 50}`,
      created,
      tlp: 'GREEN',
      title: `Report ${n}`,
      category: 'cyber.phishing',
      severity: 'medium',
      topic: null,
      status: 'published',
      retracted: false,
      supersededBy: null,
      searchText: `${words.join(' ')}\nlook-alike domain seen at the polling place\nwi-city-${n % 50}`,
    },
  };
}

async function measure(store: Store, label: string): Promise<number> {
  const t0 = performance.now();
  for (let n = 0; n < count; n += 1000) {
    await store.append(Array.from({ length: Math.min(1000, count - n) }, (_, i) => input(n + i)));
  }
  console.log(`${label}: ${count} items stored in ${ms(performance.now() - t0)}`);
  // PostgreSQL plans from statistics, which autovacuum refreshes within a minute of
  // a bulk load; a benchmark that queries the same second refreshes them itself.
  if (store.dialect === 'postgresql') await knexOf(store).raw('analyze items, items_fts');
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const hit = await store.queryItems({ text: 'tabulator ward42', limit: 50 });
  if (hit.length === 0) throw new Error(`${label}: a search that must match found nothing`);
  const misses: number[] = [];
  const pages: number[] = [];
  const scans: number[] = [];
  const knex = knexOf(store);
  for (let i = 0; i < 20; i++) {
    misses.push(await time(() => store.queryItems({ text: `zebra${i}`, limit: 50 })));
    pages.push(await time(() => store.queryItems({ limit: 50 })));
    // What a search was before the index: LIKE over every row.
    scans.push(
      await time(() => knex('items').where('search_text', 'like', `%zebra${i}%`).orderBy('created', 'desc').limit(50)),
    );
  }
  const miss = median(misses);
  console.log(
    `${label}: search miss median ${miss.toFixed(2)} ms; plain page of 50 (baseline) ${median(pages).toFixed(2)} ms; the LIKE scan it replaces ${median(scans).toFixed(2)} ms`,
  );
  return miss;
}

console.log(machineLine());
const dir = await mkdtemp(join(tmpdir(), 'citylink-search-'));
const pg = await createTestPostgresDatabase();
try {
  const sqlite = await Store.open({ sqlitePath: join(dir, 'search.db') });
  const onSqlite = await measure(sqlite, 'SQLite (FTS5)').finally(() => sqlite.close());
  const postgres = await Store.open({ databaseUrl: pg.url });
  const onPostgres = await measure(postgres, 'PostgreSQL (tsvector)').finally(() => postgres.close());
  console.log(peakRssLine());
  const worst = Math.max(onSqlite, onPostgres);
  result('search-miss', worst, 'ms', '<', 20);
} finally {
  clearTimeout(timer);
  await pg.drop();
  await rm(dir, { recursive: true, force: true });
}
