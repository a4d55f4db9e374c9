import { describe, expect, it } from 'vitest';
import type { OutboxEntry, Store } from '../src/index.js';
import { BACKENDS, freshDatabase, newObject, sharedDatabase, uniqueName } from './fixtures.js';

/**
 * Rows are queued with nextAttemptAt = the wall-clock time of the append. Every
 * time below is explicit and far from "now", so nothing depends on the clock.
 */
const PAST = new Date('2000-01-01T00:00:00.000Z');
const FUTURE = new Date('2100-01-01T00:00:00.000Z');
const LATER = new Date('2100-01-01T01:00:00.000Z');

/** Appends one object per recipient list and returns the object ids in append order. */
async function queue(store: Store, ...recipientLists: string[][]): Promise<string[]> {
  const inputs = recipientLists.map((recipients) => ({ object: newObject(), recipients }));
  await store.append(inputs);
  return inputs.map((i) => i.object.id);
}

async function rowOf(store: Store, objectId: string, recipient: string): Promise<OutboxEntry> {
  const row = (await store.deliveriesOf(objectId)).find((r) => r.recipient === recipient);
  if (!row) throw new Error(`no outbox row for ${objectId} → ${recipient}`);
  return row;
}

async function dueAmong(store: Store, now: Date, mine: string[]): Promise<string[]> {
  return (await store.recipientsWithDue(now)).filter((r) => mine.includes(r)).sort();
}

describe.each(BACKENDS)('outbox (%s)', (_dialect, factory) => {
  const db = sharedDatabase(factory);

  it('recipientsWithDue lists each recipient with a due pending row once, respecting nextAttemptAt', async () => {
    const { store } = db();
    const [a, b] = [uniqueName('due'), uniqueName('due')];
    const [x, y] = await queue(store, [a, b], [a, b]);
    // Not yet due before the rows were queued.
    expect(await dueAmong(store, PAST, [a, b])).toEqual([]);
    expect(await dueAmong(store, FUTURE, [a, b])).toEqual([a, b].sort());

    const bRows = [await rowOf(store, x!, b), await rowOf(store, y!, b)];
    await store.recordAttemptFailure(
      bRows.map((r) => r.id),
      'connect ECONNREFUSED',
      LATER,
    );
    expect(await dueAmong(store, FUTURE, [a, b])).toEqual([a]);
    // nextAttemptAt itself is due (inclusive bound).
    expect(await dueAmong(store, LATER, [a, b])).toEqual([a, b].sort());
    expect(await dueAmong(store, new Date(LATER.getTime() - 1), [a, b])).toEqual([a]);

    // Delivered rows are never due again.
    await store.recordOutcomes(a, [
      { objectId: x!, outcome: 'accepted' },
      { objectId: y!, outcome: 'duplicate' },
    ]);
    expect(await dueAmong(store, LATER, [a, b])).toEqual([b]);
  });

  it('dueFor returns the due rows of one recipient with their jws, in id order, limited', async () => {
    const { store } = db();
    const [r, other] = [uniqueName('peer'), uniqueName('peer')];
    const ids: string[] = [];
    // Separate appends, so row ids increase in this order.
    for (let n = 0; n < 5; n++) ids.push(...(await queue(store, [r, other])));
    const objects = await store.getObjects(ids);
    const jwsOf = new Map(objects.map((o) => [o.id, o.jws]));

    const firstThree = await store.dueFor(r, FUTURE, 3);
    expect(firstThree.map((d) => d.objectId)).toEqual(ids.slice(0, 3));
    expect(firstThree.map((d) => d.jws)).toEqual(ids.slice(0, 3).map((id) => jwsOf.get(id)));
    expect(firstThree.every((d) => d.attempts === 0)).toBe(true);
    const rowIds = firstThree.map((d) => d.rowId);
    expect(rowIds).toEqual([...rowIds].sort((p, q) => p - q));
    for (const d of firstThree) expect((await rowOf(store, d.objectId, r)).id).toBe(d.rowId);

    expect(await store.dueFor(r, PAST, 10)).toEqual([]);
    expect((await store.dueFor(r, FUTURE, 10)).map((d) => d.objectId)).toEqual(ids);
    // The next page starts after a given row (rows pushed but not yet recorded).
    expect((await store.dueFor(r, FUTURE, 10, rowIds[1])).map((d) => d.objectId)).toEqual(ids.slice(2));

    // A deferred row and a delivered row drop out; the order of the rest is kept.
    await store.recordAttemptFailure([firstThree[0]!.rowId], 'HTTP 503', LATER);
    await store.recordOutcomes(r, [{ objectId: ids[2]!, outcome: 'accepted' }]);
    const due = await store.dueFor(r, FUTURE, 10);
    expect(due.map((d) => d.objectId)).toEqual([ids[1], ids[3], ids[4]]);
    const afterRetry = await store.dueFor(r, LATER, 10);
    expect(afterRetry.map((d) => [d.objectId, d.attempts])).toEqual([
      [ids[0], 1],
      [ids[1], 0],
      [ids[3], 0],
      [ids[4], 0],
    ]);
    // The other recipient is unaffected.
    expect((await store.dueFor(other, FUTURE, 10)).map((d) => d.objectId)).toEqual(ids);
  });

  it('recordAttemptFailure counts attempts, keeps the last error and reschedules', async () => {
    const { store } = db();
    const [r, other] = [uniqueName('fail'), uniqueName('fail')];
    const [id] = await queue(store, [r, other]);
    const row = await rowOf(store, id!, r);

    await store.recordAttemptFailure([row.id], 'first error', FUTURE);
    expect(await rowOf(store, id!, r)).toMatchObject({
      attempts: 1,
      lastError: 'first error',
      nextAttemptAt: FUTURE,
      outcome: 'pending',
      deliveredAt: null,
    });
    expect(await store.dueFor(r, new Date(FUTURE.getTime() - 1), 10)).toEqual([]);
    expect((await store.dueFor(r, FUTURE, 10)).map((d) => d.objectId)).toEqual([id]);

    const long = 'x'.repeat(3000);
    await store.recordAttemptFailure([row.id], long, LATER);
    const after = await rowOf(store, id!, r);
    expect(after).toMatchObject({ attempts: 2, nextAttemptAt: LATER, outcome: 'pending' });
    expect(after.lastError).toBe('x'.repeat(2000));

    // Only the given rows change.
    expect(await rowOf(store, id!, other)).toMatchObject({ attempts: 0, lastError: null });
    await store.recordAttemptFailure([], 'nothing', LATER);
    expect((await rowOf(store, id!, r)).attempts).toBe(2);
  });

  it('recordOutcomes records accepted, duplicate and rejected with reason and delivery time', async () => {
    const { store } = db();
    const [r, other] = [uniqueName('out'), uniqueName('out')];
    const [acc, dup, rej, untouched] = await queue(store, [r, other], [r, other], [r, other], [r, other]);
    await store.recordAttemptFailure([(await rowOf(store, acc!, r)).id], 'timeout', PAST);
    const pendingBefore = await store.pendingCount(r);
    expect(pendingBefore).toBe(4);

    const before = Date.now();
    await store.recordOutcomes(r, [
      { objectId: acc!, outcome: 'accepted' },
      { objectId: dup!, outcome: 'duplicate' },
      { objectId: rej!, outcome: 'rejected', reason: 'unknown signing key' },
    ]);
    const after = Date.now();

    const accepted = await rowOf(store, acc!, r);
    expect(accepted).toMatchObject({ outcome: 'accepted', reason: null, lastError: null, attempts: 1 });
    expect(await rowOf(store, dup!, r)).toMatchObject({ outcome: 'duplicate', reason: null });
    expect(await rowOf(store, rej!, r)).toMatchObject({ outcome: 'rejected', reason: 'unknown signing key' });
    for (const id of [acc!, dup!, rej!]) {
      const delivered = (await rowOf(store, id, r)).deliveredAt;
      expect(delivered).toBeInstanceOf(Date);
      expect(delivered!.getTime()).toBeGreaterThanOrEqual(before);
      expect(delivered!.getTime()).toBeLessThanOrEqual(after);
    }
    expect(await rowOf(store, untouched!, r)).toMatchObject({ outcome: 'pending', deliveredAt: null });
    // The same objects to another recipient stay pending.
    for (const id of [acc!, dup!, rej!]) expect((await rowOf(store, id, other)).outcome).toBe('pending');

    expect(await store.pendingCount(r)).toBe(1);
    expect(await store.pendingCount(other)).toBe(4);
    expect((await store.dueFor(r, FUTURE, 10)).map((d) => d.objectId)).toEqual([untouched]);
  });

  it('recordAllOutcomes writes the outcomes of many recipients in one call', async () => {
    const { store } = db();
    const recipients = Array.from({ length: 8 }, () => uniqueName('grp'));
    const [x, y] = await queue(store, recipients, recipients);
    const answered = new Date(Date.now() - 60_000);
    await store.recordAllOutcomes(
      recipients.map((r, i) => ({
        recipient: r,
        outcomes: [
          { objectId: x!, outcome: 'accepted' as const },
          { objectId: y!, outcome: i % 2 ? 'duplicate' : 'rejected', reason: i % 2 ? undefined : 'not_addressed' },
        ],
        at: answered,
      })),
    );
    expect((await rowOf(store, x!, recipients[0]!)).deliveredAt).toEqual(answered);
    for (const [i, r] of recipients.entries()) {
      expect(await rowOf(store, x!, r)).toMatchObject({ outcome: 'accepted' });
      expect(await rowOf(store, y!, r)).toMatchObject(
        i % 2 ? { outcome: 'duplicate', reason: null } : { outcome: 'rejected', reason: 'not_addressed' },
      );
    }
    expect(await store.pendingCount(recipients[0])).toBe(0);
  });

  it('pendingCount and pendingByRecipient count pending rows only', async () => {
    const { store } = db();
    const [a, b, c] = [uniqueName('cnt'), uniqueName('cnt'), uniqueName('cnt')];
    const totalBefore = await store.pendingCount();
    const [x, y, z] = await queue(store, [a, b], [a, b], [a, c]);
    expect(await store.pendingCount(a)).toBe(3);
    expect(await store.pendingCount(b)).toBe(2);
    expect(await store.pendingCount(c)).toBe(1);
    expect(await store.pendingCount(uniqueName('nobody'))).toBe(0);
    expect(await store.pendingCount()).toBe(totalBefore + 6);

    await store.recordOutcomes(a, [{ objectId: x!, outcome: 'accepted' }]);
    await store.recordOutcomes(c, [{ objectId: z!, outcome: 'rejected', reason: 'tlp' }]);
    // A failed attempt stays pending.
    await store.recordAttemptFailure([(await rowOf(store, y!, b)).id], 'timeout', FUTURE);

    const byRecipient = await store.pendingByRecipient();
    expect({ [a]: byRecipient[a], [b]: byRecipient[b], [c]: byRecipient[c] }).toEqual({
      [a]: 2,
      [b]: 2,
      [c]: undefined,
    });
    expect(Object.values(byRecipient).every((n) => typeof n === 'number' && n > 0)).toBe(true);
    expect(await store.pendingCount()).toBe(totalBefore + 4);
  });

  it('nextDueAt is the earliest nextAttemptAt of a pending row', async () => {
    const { store } = await freshDatabase(factory);
    expect(await store.nextDueAt()).toBeUndefined();
    const [r] = [uniqueName('next')];
    const [x, y] = await queue(store, [r], [r]);
    const rowX = await rowOf(store, x!, r);
    const rowY = await rowOf(store, y!, r);
    expect((await store.nextDueAt())?.getTime()).toBe(
      Math.min(rowX.nextAttemptAt.getTime(), rowY.nextAttemptAt.getTime()),
    );

    await store.recordAttemptFailure([rowX.id], 'e', LATER);
    await store.recordAttemptFailure([rowY.id], 'e', FUTURE);
    expect(await store.nextDueAt()).toEqual(FUTURE);
    // Delivered rows do not count, however early.
    await store.recordAttemptFailure([rowX.id], 'e', PAST);
    await store.recordOutcomes(r, [{ objectId: x!, outcome: 'accepted' }]);
    expect(await store.nextDueAt()).toEqual(FUTURE);
    await store.recordOutcomes(r, [{ objectId: y!, outcome: 'duplicate' }]);
    expect(await store.nextDueAt()).toBeUndefined();
  });

  it('deferRecipient moves earlier pending rows of that recipient forward, and nothing else', async () => {
    const { store } = db();
    const [r, other] = [uniqueName('defer'), uniqueName('defer')];
    const [early, late, done] = await queue(store, [r, other], [r, other], [r, other]);
    const lateRow = await rowOf(store, late!, r);
    await store.recordAttemptFailure([lateRow.id], 'e', LATER);
    await store.recordOutcomes(r, [{ objectId: done!, outcome: 'accepted' }]);
    const doneBefore = await rowOf(store, done!, r);

    await store.deferRecipient(r, FUTURE);

    expect((await rowOf(store, early!, r)).nextAttemptAt).toEqual(FUTURE);
    expect((await rowOf(store, late!, r)).nextAttemptAt).toEqual(LATER); // already later: kept
    expect(await rowOf(store, done!, r)).toEqual(doneBefore); // delivered: untouched
    expect((await rowOf(store, early!, r)).attempts).toBe(0);
    for (const id of [early!, late!, done!]) {
      expect((await rowOf(store, id, other)).nextAttemptAt.getTime()).toBeLessThan(FUTURE.getTime());
    }
    expect(await dueAmong(store, new Date(FUTURE.getTime() - 1), [r, other])).toEqual([other]);
    expect(await store.dueFor(r, new Date(FUTURE.getTime() - 1), 10)).toEqual([]);
    expect((await store.dueFor(r, FUTURE, 10)).map((d) => d.objectId)).toEqual([early]);
  });
});
