import { NotNullConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import type { AppendInput, Store } from '../src/index.js';
import {
  BACKENDS,
  CREATED,
  freshDatabase,
  itemInput,
  newItem,
  newObject,
  nextId,
  sharedDatabase,
  uniqueName,
} from './fixtures.js';

/** Everything a failed or duplicate append must leave untouched. */
async function snapshot(store: Store, ids: string[]) {
  return {
    headSeq: store.headSeq,
    log: (await store.logAfter(0, 10_000)).map((r) => [r.seq, r.object.id]),
    objects: (await store.getObjects(ids)).map((o) => o.id).sort(),
    items: await Promise.all(ids.map((id) => store.getItem(id))),
    deliveries: await Promise.all(ids.map((id) => store.deliveriesOf(id))),
    pending: await store.pendingCount(),
  };
}

describe.each(BACKENDS)('append (%s)', (_dialect, factory) => {
  const db = sharedDatabase(factory);

  it('numbers a fresh log from 1, gap-free, in call order', async () => {
    const { store } = await freshDatabase(factory);
    const batches = [
      [{ object: newObject() }, { object: newObject() }],
      [{ object: newObject() }],
      [{ object: newObject() }, { object: newObject() }, { object: newObject() }],
    ];
    // Started together, without awaiting in between: the lock serves them in call order.
    const results = await Promise.all(batches.map((b) => store.append(b)));
    expect(results.map((r) => r.map((x) => x.seq))).toEqual([[1, 2], [3], [4, 5, 6]]);
    expect(results.flat().every((r) => !r.duplicate)).toBe(true);
    expect(results.flat().map((r) => r.id)).toEqual(batches.flat().map((b) => b.object.id));
    expect(store.headSeq).toBe(6);
    const log = await store.logAfter(0, 100);
    expect(log.map((r) => [r.seq, r.object.id])).toEqual(batches.flat().map((b, n) => [n + 1, b.object.id]));
    for (const [n, b] of batches.flat().entries()) expect(await store.seqOf(b.object.id)).toBe(n + 1);
  });

  it('gives 20 concurrent appends the distinct, gap-free seqs 1..20', async () => {
    const { store } = await freshDatabase(factory);
    const inputs = Array.from({ length: 20 }, () => itemInput({}, { recipients: ['il-chicago'] }));
    const results = await Promise.all(inputs.map((i) => store.append([i])));
    const seqs = results.map((r) => r[0]!.seq);
    expect(new Set(seqs).size).toBe(20);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, n) => n + 1)); // FIFO lock: call order
    expect(store.headSeq).toBe(20);
    const log = await store.logAfter(0, 100);
    expect(log.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    for (const [n, input] of inputs.entries()) {
      expect(log.find((r) => r.object.id === input.object.id)?.seq).toBe(results[n]![0]!.seq);
    }
    expect(await store.pendingCount('il-chicago')).toBe(20);
  });

  it('continues from headSeq across separate appends', async () => {
    const { store } = db();
    const head = store.headSeq;
    const first = await store.append([{ object: newObject() }]);
    const second = await store.append([{ object: newObject() }, { object: newObject() }]);
    expect([...first, ...second].map((r) => r.seq)).toEqual([head + 1, head + 2, head + 3]);
    expect(store.headSeq).toBe(head + 3);
  });

  it('stores the object exactly as given', async () => {
    const { store } = db();
    const object = newObject({
      kind: 'ack',
      audience: ['wi-madison', 'il-chicago'],
      recipients: [{ node: 'il-chicago', user: 'clerk' }],
      target: nextId(),
      tlp: 'AMBER',
      created: new Date('2026-11-03T14:05:06.789Z'),
    });
    const before = Date.now();
    await store.append([{ object }]);
    const stored = await store.getObject(object.id);
    expect(stored).toMatchObject({ ...object });
    expect(stored!.created.toISOString()).toBe('2026-11-03T14:05:06.789Z');
    expect(stored!.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(stored!.receivedAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await store.heldIds([object.id, nextId()])).toEqual(new Set([object.id]));
    expect((await store.objectsTargeting(object.target!)).map((o) => o.id)).toEqual([object.id]);
    expect(await store.objectsTargeting(object.target!, ['bulletin'])).toEqual([]);
  });

  it('reports an object already held as a duplicate and changes nothing', async () => {
    const { store } = db();
    const original = itemInput({ title: 'Original' }, { recipients: ['il-chicago', 'mi-detroit'] });
    const [first] = await store.append([original]);
    expect(first).toMatchObject({ id: original.object.id, duplicate: false });
    const ids = [original.object.id];
    const before = await snapshot(store, ids);

    const again: AppendInput = {
      object: { ...original.object, jws: 'a.different.jws' },
      item: newItem(original.object.id, { title: 'Changed' }),
      effects: [{ id: original.object.id, patch: { retracted: true, status: 'closed' } }],
      recipients: ['il-chicago', 'oh-columbus'],
    };
    const result = await store.append([again]);
    expect(result).toEqual([{ id: original.object.id, seq: 0, duplicate: true }]);
    expect(await snapshot(store, ids)).toEqual(before);
    expect((await store.getObject(original.object.id))!.jws).toBe(original.object.jws);
    expect(await store.getItem(original.object.id)).toMatchObject({ title: 'Original', retracted: false });
    expect((await store.deliveriesOf(original.object.id)).map((d) => d.recipient)).toEqual([
      'il-chicago',
      'mi-detroit',
    ]);
  });

  it('stores an id appearing twice in one batch once, and still numbers the rest gap-free', async () => {
    const { store } = db();
    const head = store.headSeq;
    const a = newObject();
    const b = newObject();
    const results = await store.append([
      { object: a, recipients: ['il-chicago'] },
      { object: { ...a, jws: 'second.copy.jws' }, recipients: ['mi-detroit'] },
      { object: b },
    ]);
    expect(results).toEqual([
      { id: a.id, seq: head + 1, duplicate: false },
      { id: a.id, seq: 0, duplicate: true },
      { id: b.id, seq: head + 2, duplicate: false },
    ]);
    expect(store.headSeq).toBe(head + 2);
    expect((await store.getObject(a.id))!.jws).toBe(a.jws);
    expect((await store.deliveriesOf(a.id)).map((d) => d.recipient)).toEqual(['il-chicago']);
    expect((await store.logAfter(head, 10)).map((r) => r.object.id)).toEqual([a.id, b.id]);
  });

  it('reports duplicates and new objects of one batch each correctly', async () => {
    const { store } = db();
    const held = newObject();
    await store.append([{ object: held }]);
    const head = store.headSeq;
    const fresh = newObject();
    expect(await store.append([{ object: held }, { object: fresh }])).toEqual([
      { id: held.id, seq: 0, duplicate: true },
      { id: fresh.id, seq: head + 1, duplicate: false },
    ]);
    expect(await store.append([])).toEqual([]);
    expect(store.headSeq).toBe(head + 1);
  });

  it('queues one pending outbox row per recipient', async () => {
    const { store } = db();
    const recipients = [uniqueName('r'), uniqueName('r'), uniqueName('r')];
    const input = { object: newObject(), recipients };
    const before = Date.now();
    await store.append([input, { object: newObject() }]);
    const rows = await store.deliveriesOf(input.object.id);
    expect(rows.map((r) => r.recipient)).toEqual([...recipients].sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        objectId: input.object.id,
        attempts: 0,
        outcome: 'pending',
        lastError: null,
        reason: null,
        deliveredAt: null,
      });
      expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(row.nextAttemptAt.getTime()).toBe(row.createdAt.getTime());
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    for (const r of recipients) expect(await store.pendingCount(r)).toBe(1);
  });

  it('creates the items projection row', async () => {
    const { store } = db();
    const input = itemInput({
      kind: 'note',
      title: 'Ballot drop box damaged',
      category: 'physical.vandalism',
      severity: 'high',
      topic: 'drop-boxes',
      status: 'open',
      searchText: 'ballot drop box damaged',
      created: new Date('2026-11-03T15:00:00.000Z'),
    });
    const before = Date.now();
    await store.append([input, { object: newObject() }]);
    const item = await store.getItem(input.object.id);
    expect(item).toMatchObject({ ...input.item });
    expect(item!.created.toISOString()).toBe('2026-11-03T15:00:00.000Z');
    expect(item!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('applies effects (status, retraction, supersession) to existing items', async () => {
    const { store } = db();
    const [a, b, c, untouched] = [itemInput(), itemInput(), itemInput(), itemInput()];
    await store.append([a!, b!, c!, untouched!]);
    const before = Date.now();
    const replacement = itemInput();
    await store.append([
      {
        object: newObject({ kind: 'status', target: a!.object.id }),
        effects: [{ id: a!.object.id, patch: { status: 'resolved' } }],
      },
      {
        object: newObject({ kind: 'retraction', target: b!.object.id }),
        effects: [{ id: b!.object.id, patch: { retracted: true } }],
      },
      { ...replacement, effects: [{ id: c!.object.id, patch: { supersededBy: replacement.object.id } }] },
      // An effect on an item this node does not hold is a no-op, not an error.
      { object: newObject(), effects: [{ id: nextId(), patch: { status: 'resolved' } }] },
    ]);
    expect(await store.getItem(a!.object.id)).toMatchObject({
      status: 'resolved',
      retracted: false,
      supersededBy: null,
    });
    expect(await store.getItem(b!.object.id)).toMatchObject({ status: 'open', retracted: true, supersededBy: null });
    expect(await store.getItem(c!.object.id)).toMatchObject({
      status: 'open',
      retracted: false,
      supersededBy: replacement.object.id,
    });
    expect(await store.getItem(untouched!.object.id)).toMatchObject({
      status: 'open',
      retracted: false,
      supersededBy: null,
    });
    for (const x of [a, b, c])
      expect((await store.getItem(x!.object.id))!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect((await store.getItem(untouched!.object.id))!.updatedAt.getTime()).toBeLessThanOrEqual(before);
  });

  it('applies an effect on an item created earlier in the same batch', async () => {
    const { store } = db();
    const original = itemInput();
    await store.append([
      original,
      {
        object: newObject({ kind: 'retraction', target: original.object.id }),
        effects: [{ id: original.object.id, patch: { retracted: true } }],
      },
    ]);
    expect((await store.getItem(original.object.id))!.retracted).toBe(true);
  });

  it('logAfter is exclusive of its seq, ordered and limited', async () => {
    const { store } = db();
    const objects = Array.from({ length: 6 }, () => newObject({ created: CREATED }));
    const results = await store.append(objects.map((object) => ({ object })));
    const seqs = results.map((r) => r.seq);
    const start = seqs[0]!;

    const page = await store.logAfter(start, 3);
    expect(page.map((r) => r.seq)).toEqual([start + 1, start + 2, start + 3]);
    expect(page.map((r) => r.object.id)).toEqual(objects.slice(1, 4).map((o) => o.id));
    expect(page[0]!.object).toMatchObject({ jws: objects[1]!.jws, audience: ['*'] });

    const rest = await store.logAfter(start + 3, 100);
    expect(rest.map((r) => r.object.id).slice(0, 2)).toEqual(objects.slice(4).map((o) => o.id));
    expect(await store.logAfter(store.headSeq, 10)).toEqual([]);
    expect((await store.logAfter(start - 1, 1)).map((r) => r.object.id)).toEqual([objects[0]!.id]);
  });
});

describe.each(BACKENDS)('append atomicity (%s)', (_dialect, factory) => {
  const db = sharedDatabase(factory);

  async function expectNothingStored(
    store: Store,
    failed: AppendInput[],
    error: abstract new (...args: never[]) => Error,
    run: () => Promise<unknown>,
  ) {
    const ids = failed.map((i) => i.object.id);
    const before = await snapshot(store, ids);
    await expect(run()).rejects.toBeInstanceOf(error);
    expect(await snapshot(store, ids)).toEqual(before);
    expect(await store.heldIds(ids)).toEqual(new Set());
    for (const id of ids) expect(await store.seqOf(id)).toBeUndefined();
    expect(await store.logAfter(before.headSeq, 10)).toEqual([]);
    // The next valid append takes the very next seq: no gap.
    const [next] = await store.append([{ object: newObject() }]);
    expect(next).toMatchObject({ seq: before.headSeq + 1, duplicate: false });
    expect(store.headSeq).toBe(before.headSeq + 1);
  }

  it('stores nothing of a batch whose item violates NOT NULL', async () => {
    const { store } = db();
    await store.append([{ object: newObject() }]); // so the log is not empty
    const good = itemInput({}, { recipients: ['il-chicago'] });
    const bad = itemInput({ title: null as unknown as string }, { recipients: ['mi-detroit'] });
    await expectNothingStored(store, [good, bad], NotNullConstraintViolationException, () => store.append([good, bad]));
  });

  it('stores nothing of a batch whose outbox insert violates the unique constraint', async () => {
    const { store } = db();
    const good = itemInput({}, { recipients: ['il-chicago'] });
    const bad = itemInput({}, { recipients: ['mi-detroit', 'mi-detroit'] });
    await expectNothingStored(store, [good, bad], UniqueConstraintViolationException, () => store.append([good, bad]));
  });

  it('stores nothing of a batch whose effect fails, and keeps earlier effects of it undone', async () => {
    const { store } = db();
    const existing = itemInput();
    await store.append([existing]);
    const retraction: AppendInput = {
      object: newObject({ kind: 'retraction', target: existing.object.id }),
      effects: [{ id: existing.object.id, patch: { retracted: true } }],
    };
    const bad: AppendInput = {
      object: newObject({ kind: 'status', target: existing.object.id }),
      // NOT NULL violation in the UPDATE, after the retraction's UPDATE ran.
      effects: [{ id: existing.object.id, patch: { retracted: null as unknown as boolean } }],
    };
    await expectNothingStored(store, [retraction, bad], NotNullConstraintViolationException, () =>
      store.append([retraction, bad]),
    );
    expect((await store.getItem(existing.object.id))!.retracted).toBe(false);
  });

  it("writes a local post's audit row in the same transaction, once, and never for a failed batch", async () => {
    const { store } = db();
    const actor = `user:${uniqueName('audit')}`;
    const audit = (subject: string) => ({ actor, action: 'object.bulletin', subject, detail: { tlp: 'GREEN' } });
    const posted = itemInput();
    await store.append([{ ...posted, audit: audit(posted.object.id) }]);
    // The same object again (a retry) is a duplicate and records nothing more.
    await store.append([{ ...posted, audit: audit(posted.object.id) }]);
    const good = itemInput();
    const bad = itemInput({ title: null as unknown as string });
    await expect(
      store.append([
        { ...good, audit: audit(good.object.id) },
        { ...bad, audit: audit(bad.object.id) },
      ]),
    ).rejects.toBeInstanceOf(NotNullConstraintViolationException);
    const events = await store.listAudit({ actor, limit: 10 });
    expect(events.map((e) => [e.action, e.subject, e.detail])).toEqual([
      ['object.bulletin', posted.object.id, { tlp: 'GREEN' }],
    ]);
  });

  it('stores nothing of a batch whose object row violates NOT NULL', async () => {
    const { store } = db();
    const good = { object: newObject() };
    const bad = { object: newObject({ jws: null as unknown as string }) };
    await expectNothingStored(store, [good, bad], NotNullConstraintViolationException, () => store.append([good, bad]));
  });

  it('refuses appendLocked outside exclusive()', async () => {
    const { store } = db();
    const head = store.headSeq;
    await expect(store.appendLocked([{ object: newObject() }])).rejects.toThrow(/outside exclusive/);
    expect(store.headSeq).toBe(head);
  });

  it('lets exclusive() read and append consistently', async () => {
    const { store } = db();
    const object = newObject();
    const [result] = await store.exclusive(async () => {
      expect(await store.heldIds([object.id])).toEqual(new Set());
      return store.appendLocked([{ object }]);
    });
    expect(result).toMatchObject({ id: object.id, seq: store.headSeq, duplicate: false });
  });
});
