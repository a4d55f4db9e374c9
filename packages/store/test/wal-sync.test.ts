import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Checkpointer } from '../src/checkpointer.js';
import { Store } from '../src/index.js';
import { knexOf } from '../src/testing.js';
import { WalSync, walSyncOf } from '../src/wal-sync.js';

/** An fsync that finishes only when the test says so. */
function heldFlush() {
  const pending: (() => void)[] = [];
  let calls = 0;
  return {
    flush: () => {
      calls += 1;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    get calls() {
      return calls;
    },
    release: () => {
      for (const r of pending.splice(0)) r();
    },
  };
}

const settledYet = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  // Let every already-runnable continuation run (no timer: only queued I/O and microtasks).
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('WalSync', () => {
  it('a request made while an fsync runs waits for one that starts after it; requests meanwhile share it', async () => {
    const sync = new WalSync('/dev/null');
    const held = heldFlush();
    sync.flush = held.flush;
    const first = sync.request();
    const second = sync.request();
    const third = sync.request();
    expect(held.calls).toBe(1);
    held.release();
    await first;
    expect(await settledYet(second)).toBe(false);
    expect(held.calls).toBe(2);
    held.release();
    await Promise.all([second, third]);
    expect(held.calls).toBe(2);
    await sync.close();
  });
});

describe('a file database (SQLite)', () => {
  let dir: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('commits with synchronous = NORMAL and answers only once the WAL is fsynced; readers wait for it too', async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-walsync-'));
    store = await Store.open({ sqlitePath: join(dir, 'node.db') });
    const knex = knexOf(store);
    expect(await knex.raw('pragma synchronous')).toEqual([{ synchronous: 1 }]);
    const sync = walSyncOf(knex)!;
    expect(sync).toBeDefined();
    const held = heldFlush();
    sync.flush = held.flush;

    const write = store.setMeta('posture', 'elevated');
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.calls).toBe(1);
    const read = store.getMeta('posture');
    expect(await settledYet(write)).toBe(false);
    expect(await settledYet(read)).toBe(false);
    held.release();
    await write;
    expect(await read).toBe('elevated');

    // A transaction, too: its commit hooks run only after the fsync.
    let hooked = false;
    const tx = store.transact(async (t) => {
      await t.meta.set('posture', 'normal');
      t.onCommit(() => {
        hooked = true;
      });
    });
    const before = held.calls;
    expect(await settledYet(tx)).toBe(false);
    expect(held.calls).toBe(before + 1);
    expect(hooked).toBe(false);
    const after = store.getMeta('posture');
    expect(await settledYet(after)).toBe(false);
    held.release();
    await tx;
    expect(hooked).toBe(true);
    expect(await after).toBe('normal');
  });

  it('checkpoints in a worker once the WAL passes the threshold, never inside a commit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-walsync-'));
    const path = join(dir, 'node.db');
    store = await Store.open({ sqlitePath: path });
    const knex = knexOf(store);
    expect(await knex.raw('pragma wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    const sync = walSyncOf(knex)!;
    const checkpointer = new Checkpointer(
      path,
      (err) => {
        throw err;
      },
      64 * 1024,
    );
    sync.checkpointer = checkpointer;
    const before = statSync(path).size;
    for (let i = 0; i < 40; i++) await store.setMeta(`k${i}`, 'x'.repeat(4000));
    await vi.waitFor(() => expect(checkpointer.done).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    expect(statSync(path).size).toBeGreaterThan(before);
    expect(await store.getMeta('k39')).toBe('x'.repeat(4000));
  });

  it('an in-memory database has none (nothing to fsync)', async () => {
    store = await Store.open({ sqlitePath: ':memory:' });
    expect(walSyncOf(knexOf(store))).toBeUndefined();
  });
});
