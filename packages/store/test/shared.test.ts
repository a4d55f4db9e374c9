import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DatabaseInUseError, Store } from '../src/index.js';
import { knexOf } from '../src/testing.js';
import { followLog, freshDatabase, newObject, openHubProcess, openPostgres, uniqueName } from './fixtures.js';

// Several hub processes on one PostgreSQL database (src/shared.ts). Each Store below
// stands for one hub process: its own pool, its own sessions.

const FUTURE = new Date('2100-01-01T00:00:00.000Z');

const hub = openHubProcess;

async function logSeqs(store: Store): Promise<number[]> {
  const rows: { seq: number | string }[] = await knexOf(store)('log').select('seq').orderBy('seq');
  return rows.map((r) => Number(r.seq));
}

describe('hub processes sharing a PostgreSQL database', () => {
  it('hub processes share it; a city beside them (or they beside a city) is refused', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const a = await hub(url);
    const b = await hub(url);
    expect(a.coordinator).toBeDefined();
    expect(b.coordinator).toBeDefined();
    const city = Store.open({ databaseUrl: url }, { node: true });
    await expect(city).rejects.toThrow(DatabaseInUseError);
    await expect(city).rejects.toThrow(/only hub processes may share a database/);
    await a.close();
    await b.close();

    const cityFirst = await Store.open({ databaseUrl: url }, { node: true });
    onTestFinished(() => cityFirst.close());
    await expect(hub(url)).rejects.toThrow(/a city node holds it/);
  });

  it('concurrent appends from three processes: every sequence number once, no gap, committed in order', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const stores = [await hub(url), await hub(url), await hub(url)];
    // A reader that follows the log by cursor, as a peer pulling changes does, while the
    // appends run: it must never see seq n+1 before n.
    const follower = followLog(stores[0]!);
    // The same object offered by every process counts once.
    const sharedObject = newObject();
    await Promise.all(
      stores.map(async (store) => {
        for (let n = 0; n < 40; n++) {
          await store.append([{ object: newObject() }, { object: newObject() }]);
          if (n === 20) await store.append([{ object: sharedObject }]);
        }
      }),
    );
    const skipped = await follower.stop();
    const seqs = await logSeqs(stores[0]!);
    expect(seqs).toEqual(Array.from({ length: 3 * 40 * 2 + 1 }, (_, i) => i + 1));
    expect(skipped).toBe(false);
    // Every process's head follows the others' (read under the lock, or told by NOTIFY).
    const next = await stores[1]!.append([{ object: newObject() }]);
    expect(next[0]!.seq).toBe(seqs.length + 1);
  });

  it('a wake-up reaches the other processes when an append commits', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const a = await hub(url);
    const b = await hub(url);
    const heard = once(b.coordinator!, 'log');
    await a.append([{ object: newObject() }, { object: newObject() }]);
    const [notice] = (await heard) as [{ firstSeq: number; head: number }];
    expect(notice).toMatchObject({ firstSeq: 1, head: 2 });
    expect(b.headSeq).toBe(2);
  });

  it('outbox rows are claimed by one process for a lease; a dead claim runs out', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const a = await hub(url, 60_000);
    const b = await hub(url, 60_000);
    const recipient = uniqueName('city');
    await a.append(Array.from({ length: 5 }, () => ({ object: newObject(), recipients: [recipient] })));
    const [byA, byB] = await Promise.all([a.dueFor(recipient, FUTURE, 3), b.dueFor(recipient, FUTURE, 3)]);
    // Together they hold the five rows, none twice.
    const ids = [...byA, ...byB].map((r) => r.rowId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(5);
    // Each process gets back its own claims only, never the other's.
    expect((await b.dueFor(recipient, FUTURE, 10)).map((r) => r.rowId)).toEqual(byB.map((r) => r.rowId));
    // A process's own claims stay its own: after the first row it pushed, the rest of its batch.
    const mine = await a.dueFor(recipient, FUTURE, 10, byA[0]!.rowId);
    expect(mine.map((r) => r.rowId)).toEqual(byA.slice(1).map((r) => r.rowId));
    expect(await a.recipientsWithDue(FUTURE)).not.toContain(recipient);
    // The claims' lease end is when they are due again.
    const leaseEnd = new Date(FUTURE.getTime() + 60_000);
    expect((await a.nextDueAt())?.getTime()).toBe(leaseEnd.getTime());
    // A's process dies with its claims: once the lease has run out, B takes them (and its own, expired too).
    await a.close();
    const after = new Date(leaseEnd.getTime() + 1);
    expect((await b.dueFor(recipient, after, 10)).map((r) => r.rowId).sort()).toEqual([...ids].sort());
    // A failed attempt ends the claim: the rows are due again at their next attempt.
    await b.recordAttemptFailure(
      byA.map((r) => r.rowId),
      'refused',
      FUTURE,
    );
    const stillClaimed = await knexOf(b)('outbox')
      .whereIn(
        'id',
        byA.map((r) => r.rowId),
      )
      .whereNotNull('claimed_until');
    expect(stillClaimed).toEqual([]);
    expect((await b.dueFor(recipient, FUTURE, 10)).length).toBe(5);
  });

  it('one leader at a time; the next one takes over when the leader is gone', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const a = await hub(url);
    const b = await hub(url);
    expect(await a.coordinator!.tryLead()).toBe(true);
    expect(await b.coordinator!.tryLead()).toBe(false);
    expect(await a.coordinator!.tryLead()).toBe(true);
    await a.close();
    expect(await b.coordinator!.tryLead()).toBe(true);
  });

  it('roster publishers are serialized across processes', async () => {
    const db = await freshDatabase(openPostgres);
    const url = db.config.databaseUrl!;
    const a = await hub(url);
    const b = await hub(url);
    const order: string[] = [];
    let releaseA!: () => void;
    const aHolds = new Promise<void>((r) => {
      releaseA = r;
    });
    let aEntered!: () => void;
    const entered = new Promise<void>((r) => {
      aEntered = r;
    });
    const first = a.serializedRoster(async () => {
      order.push('a in');
      aEntered();
      await aHolds;
      order.push('a out');
    });
    await entered;
    const second = b.serializedRoster(async () => {
      order.push('b in');
    });
    // B waits on the database's lock (PostgreSQL shows the ungranted advisory lock).
    for (;;) {
      const [row] = (await knexOf(a)('pg_locks').count({ n: '*' }).where({ locktype: 'advisory', granted: false })) as {
        n: string;
      }[];
      if (Number(row!.n) > 0) break;
    }
    expect(order).toEqual(['a in']);
    releaseA();
    await Promise.all([first, second]);
    expect(order).toEqual(['a in', 'a out', 'b in']);
  });
});
