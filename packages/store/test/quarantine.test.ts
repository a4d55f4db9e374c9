import { describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, itemInput, newObject, uniqueName } from './fixtures.js';

describe.each(BACKENDS)('object holds (%s)', (_dialect, factory) => {
  it('a quarantined object is kept but left out of reads, feeds and the outbox; log pages flag it', async () => {
    const { store } = await freshDatabase(factory);
    const origin = uniqueName('origin');
    const peer = uniqueName('peer');
    const keep = itemInput({ origin, title: 'kept' }, { recipients: [peer] });
    const bad = itemInput({ origin, title: 'bad' }, { recipients: [peer] });
    const status = { object: newObject({ origin, kind: 'bulletin-status', target: keep.object.id }) };
    await store.append([keep, bad, status]);

    await store.exclusive(() =>
      store.quarantineLocked({
        ids: [bad.object.id, status.object.id],
        reason: 'test',
        itemPatches: [{ id: keep.object.id, patch: { status: 'published' } }],
        audits: [{ actor: 'node:hub', action: 'object.quarantined', subject: bad.object.id, detail: null }],
      }),
    );

    // Kept: still held (a second delivery is a duplicate), and listed as quarantined.
    expect((await store.heldIds([bad.object.id])).size).toBe(1);
    expect((await store.objectsHeldAs('quarantined')).map((o) => o.id).sort()).toEqual(
      [bad.object.id, status.object.id].sort(),
    );
    // Left out of every read.
    expect((await store.getObjects([keep.object.id, bad.object.id])).map((o) => o.id)).toEqual([keep.object.id]);
    expect(await store.objectsTargeting(keep.object.id)).toEqual([]);
    expect((await store.objectsSignedWith(origin, [keep.object.kid])).map((o) => o.id)).toEqual([keep.object.id]);
    expect((await store.objectsCreatedSince(new Date(0), undefined, 100)).map((o) => o.id)).not.toContain(
      bad.object.id,
    );
    expect((await store.queryItems({ limit: 100, origins: [origin] })).map((i) => i.id)).toEqual([keep.object.id]);
    expect((await store.getItem(keep.object.id))?.status).toBe('published');
    // Its pending delivery is cancelled, the other one still due.
    const due = await store.dueFor(peer, new Date(Date.now() + 60_000), 100);
    expect(due.map((d) => d.objectId)).toEqual([keep.object.id]);
    expect((await store.deliveriesOf(bad.object.id))[0]).toMatchObject({
      outcome: 'cancelled',
      reason: 'quarantined here: test',
    });
    // The log keeps its place (cursors move past it) and says what it is.
    const log = await store.logAfter(0, 100);
    expect(log.map((r) => [r.object.id, r.object.hold])).toEqual([
      [keep.object.id, null],
      [bad.object.id, 'quarantined'],
      [status.object.id, 'quarantined'],
    ]);
    expect(await store.listAudit({ action: 'object.quarantined', limit: 10 })).toHaveLength(1);
  });

  it('unconfirmed objects are confirmed by arrival time, never a quarantined one', async () => {
    const { store } = await freshDatabase(factory);
    const early = { object: newObject({ hold: 'unconfirmed' }) };
    await store.append([early]);
    const [{ receivedAt }] = (await store.getObjects([early.object.id])) as [{ receivedAt: Date }];
    const late = { object: newObject({ hold: 'unconfirmed' }) };
    const doomed = { object: newObject({ hold: 'unconfirmed' }) };
    await store.append([late, doomed]);
    await store.exclusive(() =>
      store.quarantineLocked({ ids: [doomed.object.id], reason: 'test', itemPatches: [], audits: [] }),
    );

    expect(await store.confirmArrivedBy(new Date(receivedAt.getTime() - 1))).toBe(0);
    expect(await store.confirmArrivedBy(receivedAt)).toBeGreaterThanOrEqual(1);
    expect((await store.getObject(early.object.id))?.hold).toBeNull();
    await store.confirmArrivedBy(new Date(Date.now() + 60_000));
    expect((await store.getObject(late.object.id))?.hold).toBeNull();
    expect((await store.objectsHeldAs('quarantined')).map((o) => o.id)).toEqual([doomed.object.id]);
    expect(await store.objectsHeldAs('unconfirmed')).toEqual([]);
  });
});
