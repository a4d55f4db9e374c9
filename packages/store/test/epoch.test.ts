import { describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, itemInput, newObject } from './fixtures.js';

describe.each(BACKENDS)('log epoch (%s)', (_dialect, factory) => {
  it('is random on a fresh database, stored in node_meta, with an empty log', async () => {
    const { store } = await freshDatabase(factory);
    expect(store.epoch).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await store.getMeta('log_epoch')).toBe(store.epoch);
    expect(store.headSeq).toBe(0);
    expect(await store.logAfter(0, 10)).toEqual([]);
  });

  it('survives a restart on the same database, together with headSeq', async () => {
    const db = await freshDatabase(factory);
    const first = db.store;
    await first.append([itemInput(), itemInput()]);
    await first.append([{ object: newObject() }]);
    expect(first.headSeq).toBe(3);
    const epoch = first.epoch;
    await first.close();

    const reopened = await db.open();
    expect(reopened.epoch).toBe(epoch);
    expect(reopened.headSeq).toBe(3);
    expect(await reopened.getMeta('log_epoch')).toBe(epoch);
    // The restarted store continues the log where it stopped.
    const [next] = await reopened.append([{ object: newObject() }]);
    expect(next).toMatchObject({ seq: 4, duplicate: false });
    expect((await reopened.logAfter(0, 10)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('differs between two databases', async () => {
    const a = await freshDatabase(factory);
    const b = await freshDatabase(factory);
    expect(a.store.epoch).not.toBe(b.store.epoch);
  });
});
