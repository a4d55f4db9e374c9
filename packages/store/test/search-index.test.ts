import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { NewItem, Store } from '../src/index.js';
import { Store as StoreClass } from '../src/index.js';
import { knexOf } from '../src/testing.js';
import { freshDatabase, itemInput, openSqlite } from './fixtures.js';

/** A store whose background indexer waits a minute, so what is queued stays queued during the test. */
async function quietStore(): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'citylink-fts-'));
  const store = await StoreClass.open({ sqlitePath: join(dir, 'node.sqlite'), searchIndexIdleMs: 60_000 });
  onTestFinished(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

/** SQLite keeps its FTS5 index out of the append: items are queued, then indexed in bulk. */
async function seed(store: Store, origin: string, items: Partial<NewItem>[]): Promise<string[]> {
  const inputs = items.map((i) => itemInput({ origin, ...i }));
  await store.append(inputs);
  return inputs.map((i) => i.object.id);
}

const queued = async (store: Store) =>
  ((await knexOf(store).raw('select count(*) as n from items_fts_pending')) as { n: number }[])[0]!.n;
/** FTS5's own consistency check of the index against its content table: throws if they differ. */
const integrity = (store: Store) => knexOf(store).raw("insert into items_fts(items_fts) values ('integrity-check')");

describe('the SQLite search index, filled from a queue', () => {
  it('an append only queues its items; a search indexes the queue first, so it sees them', async () => {
    const store = await quietStore();
    const [a] = await seed(store, 'wi-a', [{ searchText: 'ballot drop box damaged' }, { searchText: 'scanner jam' }]);
    expect(await queued(store)).toBe(2);
    expect((await store.queryItems({ text: 'ballots', limit: 10 })).map((i) => i.id)).toEqual([a]);
    expect(await queued(store)).toBe(0);
    await integrity(store);
  });

  it('deleting an item still queued, or one already indexed, keeps the index exact', async () => {
    const store = await quietStore();
    const [indexed, kept] = await seed(store, 'wi-b', [
      { searchText: 'phishing madison' },
      { searchText: 'phishing dane' },
    ]);
    expect(await store.queryItems({ text: 'phishing', limit: 10 })).toHaveLength(2); // both indexed now
    const [stillQueued] = await seed(store, 'wi-b', [{ searchText: 'phishing waukesha' }]);
    expect(await queued(store)).toBe(1);
    await store.exclusive(() =>
      store.quarantineLocked({ ids: [indexed!, stillQueued!], reason: 'test', itemPatches: [], audits: [] }),
    );
    expect(await queued(store)).toBe(0);
    await integrity(store);
    expect((await store.queryItems({ text: 'phishing', limit: 10 })).map((i) => i.id)).toEqual([kept]);
    expect(await store.queryItems({ text: 'waukesha', limit: 10 })).toEqual([]);
  });

  it('the background indexer empties the queue without any search', async () => {
    const { store } = await freshDatabase(openSqlite);
    await seed(store, 'wi-c', [{ searchText: 'tornado warning' }, { searchText: 'power outage' }]);
    await vi.waitFor(async () => expect(await queued(store)).toBe(0), { timeout: 10_000, interval: 25 });
    await integrity(store);
    expect(await store.queryItems({ text: 'outage', limit: 10 })).toHaveLength(1);
  });
});
