import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AppendRaceError, type Store } from '../src/index.js';
import { LOCK_KEYS } from '../src/shared.js';
import { knexOf } from '../src/testing.js';
import {
  CREATED,
  fakeId,
  followLog,
  freshDatabase,
  newObject,
  ORIGIN,
  openHubProcess,
  openPostgres,
} from './fixtures.js';

// Hub processes on one PostgreSQL database append plain bulletins with the database's
// append lock taken late (src/shared-append.ts): the rows are written by every process
// at once, only the log write and the commit take turns. Each Store stands for a process.

const hub = (url: string) => openHubProcess(url);

/** A session holding the append lock, as another process in the middle of its log write. */
async function holdAppendLock(url: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('select pg_advisory_lock($1::bigint)', [LOCK_KEYS.append]);
  return {
    release: async () => {
      await client.query('select pg_advisory_unlock($1::bigint)', [LOCK_KEYS.append]);
      await client.end();
    },
  };
}

/** Sessions waiting for the append lock that have already written to `objects` in their transaction. */
async function waitingAfterWriting(store: Store): Promise<number> {
  const { rows } = (await knexOf(store).raw(`
    select count(*) as n from pg_locks l
    where l.locktype = 'advisory' and not l.granted and exists (
      select 1 from pg_locks m join pg_class c on c.oid = m.relation
      where m.pid = l.pid and c.relname = 'objects' and m.mode = 'RowExclusiveLock')`)) as { rows: { n: string }[] };
  return Number(rows[0]!.n);
}

const until = async (check: () => Promise<boolean>) => {
  for (let n = 0; n < 500 && !(await check()); n++) await new Promise((r) => setTimeout(r, 10));
};

const independent = (store: Store, objects: ReturnType<typeof newObject>[]) =>
  store.exclusive(() => store.appendLocked(objects.map((object) => ({ object }))), { independent: true });

describe('the late append lock of hub processes on PostgreSQL', () => {
  it('writes the rows before it waits for the lock, and numbers them under it', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const [a, b] = [await hub(url), await hub(url)];
    await b.append([{ object: newObject() }]);
    const lock = await holdAppendLock(url);
    const pending = independent(a, [newObject(), newObject()]);
    await until(async () => (await waitingAfterWriting(b)) === 1);
    expect(await waitingAfterWriting(b)).toBe(1);
    await lock.release();
    // Numbered after what another process committed before: the head is read under the lock.
    expect((await pending).map((r) => r.seq)).toEqual([2, 3]);
  });

  it('three processes at once: every sequence number once, no gap, and a reader never skips one', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const stores = [await hub(url), await hub(url), await hub(url)];
    const follower = followLog(stores[0]!);
    await Promise.all(
      stores.map(async (store, i) => {
        for (let n = 0; n < 30; n++) {
          // Plain bulletins late-locked, now and then an append under the whole lock between them.
          if (n % 10 === i) await store.append([{ object: newObject() }]);
          else await independent(store, [newObject(), newObject()]);
        }
      }),
    );
    const skipped = await follower.stop();
    const rows: { seq: string | number }[] = await knexOf(stores[0]!)('log').select('seq').orderBy('seq');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.length).toBe(3 * (3 * 1 + 27 * 2));
    expect(skipped).toBe(false);
  });

  it('an answer to the object committed meanwhile by another process: nothing written, AppendRaceError', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const [a, b] = [await hub(url), await hub(url)];
    const bulletin = newObject();
    const lock = await holdAppendLock(url);
    const pending = independent(a, [bulletin]);
    // Handled from the start: it may reject while the lock is being released below.
    const refused = expect(pending).rejects.toThrow(AppendRaceError);
    await until(async () => (await waitingAfterWriting(b)) === 1);
    // Another process's answer to it commits first (written here as that process's rows would be).
    await knexOf(b)('objects').insert({
      id: fakeId('answer'),
      kind: 'status',
      origin: ORIGIN,
      kid: fakeId('kid'),
      created: CREATED,
      received_at: CREATED,
      received_from: ORIGIN,
      tlp: 'GREEN',
      audience: JSON.stringify(['*']),
      recipients: null,
      target: bulletin.id,
      jws: 'h.p.s',
      hold: null,
    });
    await lock.release();
    await refused;
    expect(await a.heldIds([bulletin.id])).toEqual(new Set());
    // Under the whole lock it goes in.
    expect((await a.append([{ object: bulletin }]))[0]!.seq).toBe(1);
  });
});
