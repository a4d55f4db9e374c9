import { keyValidAt } from '@citylink/crypto';
import type { KeyRecord, Member } from '@citylink/protocol';
import type { ItemPatch, NewAuditEvent, SignedWith, Store, StoredObject } from '@citylink/store';
import { Mutex } from 'async-mutex';
import type { Logger } from 'pino';
import { decodeStored, projectionOf } from '../ingest/projection.js';

/**
 * Why an object held (or about to be stored) must not stand under this roster entry,
 * or undefined if it may. The signature was checked against the key window at the
 * object's `created` time, which its signer chooses; so a key whose window the
 * roster has since closed also disowns what reached us after the close:
 * - a compromised key: everything it signed;
 * - a key no longer in the roster, or no longer valid at the object's `created` time;
 * - a revoked key (`revokedAt`), and any key of a revoked or decommissioned member
 *   (`validUntil`): what arrived at or after that instant, whatever `created` says.
 * A key that was only rotated (its member still active) keeps what it signed before
 * its `validUntil` even if that arrives later: honest objects are often delivered
 * late, and the rotation was the member's own act.
 */
export function quarantineReason(
  member: Member,
  record: KeyRecord | undefined,
  o: Pick<StoredObject, 'kid' | 'created' | 'receivedAt'>,
): string | undefined {
  if (!record) return `key ${o.kid} of ${member.node} is no longer in the roster`;
  if (record.compromised) return `key ${o.kid} of ${member.node} is compromised`;
  const atCreation = keyValidAt(record, o.created.toISOString());
  if (!atCreation.ok) return `${atCreation.reason}: key ${o.kid} of ${member.node} was not valid when it was signed`;
  const arrived = o.receivedAt.getTime();
  if (record.revokedAt !== undefined && arrived >= Date.parse(record.revokedAt)) {
    return `key_revoked: key ${o.kid} of ${member.node} was revoked at ${record.revokedAt}, before it arrived`;
  }
  const gone = member.status === 'revoked' || member.status === 'decommissioned';
  if (gone && record.validUntil !== undefined && arrived >= Date.parse(record.validUntil)) {
    return `key_expired: ${member.node} is ${member.status}; key ${o.kid} ended at ${record.validUntil}, before it arrived`;
  }
  return undefined;
}

/** Kids per member node whose record changed (or that left); all of a member's kids if its status changed. */
function changedKeys(before: ReadonlyMap<string, Member>, after: readonly Member[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of after) {
    const prev = before.get(m.node);
    if (!prev) continue; // nothing of a new member can be held
    const now = new Map(m.keys.map((k) => [k.kid, k]));
    const kids =
      prev.status !== m.status
        ? [...new Set([...prev.keys, ...m.keys].map((k) => k.kid))]
        : prev.keys.filter((k) => JSON.stringify(k) !== JSON.stringify(now.get(k.kid))).map((k) => k.kid);
    if (kids.length > 0) out.set(m.node, kids);
  }
  return out;
}

/** Keys still to re-check, kept in the database so that a crash before the re-check does not skip it. */
const PENDING_META = 'quarantine_recheck';

/**
 * Re-checks, when a roster is adopted, what was accepted under the keys it changed,
 * and quarantines what no longer stands (see `quarantineReason`): the object stays
 * for audit but leaves every view and every outgoing path.
 *
 * The work runs in a queue of its own, after the adoption: it needs the append lock,
 * and code holding that lock may wait for an adoption (a forced roster refresh for an
 * unknown kid), so an adoption must never wait for it. Objects verified under the old
 * roster but stored after the adoption are judged by the pipeline itself.
 */
export class Quarantine {
  #queue: Promise<void> = Promise.resolve();
  /** Serializes the read-modify-writes of the pending keys (adoptions add, runs remove). */
  readonly #pendingLock = new Mutex();

  constructor(
    private readonly n: {
      self: string;
      hubNode: string;
      store: Store;
      log: Logger;
      /** The roster now held. */
      member: (node: string) => Member | undefined;
      rosterVersion: () => number;
    },
  ) {}

  /** Resolves when every re-check and confirmation queued so far has run. */
  settled(): Promise<void> {
    return this.#queue;
  }

  /**
   * Called by the roster, under its adoption lock, once a newer roster is installed:
   * runs `write` (the adoption's own transaction) with the keys that changed recorded
   * in that same transaction, and queues their re-check once it has committed. The
   * pending lock is taken before the transaction, as the re-check takes it before
   * its writes, so neither waits on the other holding the database.
   */
  async schedule(
    before: ReadonlyMap<string, Member>,
    after: readonly Member[],
    write: () => Promise<void> = async () => {},
  ): Promise<void> {
    const changed = changedKeys(before, after);
    changed.delete(this.n.self);
    if (changed.size === 0) {
      await write();
      return;
    }
    await this.#pendingLock.runExclusive(() =>
      this.n.store.transact(async (tx) => {
        const pending = await this.#pending();
        for (const [node, kids] of changed) pending.set(node, [...new Set([...(pending.get(node) ?? []), ...kids])]);
        await this.n.store.setMeta(PENDING_META, JSON.stringify([...pending]));
        await write();
        tx.onCommit(() => this.#enqueue(() => this.#run()));
      }),
    );
  }

  /** Queues clearing `unconfirmed` from what arrived by `upTo` (after any re-check queued before). */
  confirm(upTo: Date): void {
    this.#enqueue(async () => {
      // A re-check that failed must run before anything it may quarantine is confirmed.
      if ((await this.#pending()).size > 0) return;
      const n = await this.n.store.confirmArrivedBy(upTo);
      if (n > 0)
        this.n.log.info({ confirmed: n, upTo: upTo.toISOString() }, 'unconfirmed objects confirmed by the roster');
    });
  }

  /** At start-up: a re-check a crash interrupted runs again. */
  async resume(): Promise<void> {
    if ((await this.#pending()).size > 0) this.#enqueue(() => this.#run());
  }

  #enqueue(task: () => Promise<unknown>): void {
    this.#queue = this.#queue.then(task).then(
      () => undefined,
      (err) =>
        this.n.log.error({ err: String(err) }, 'quarantine re-check failed; it runs again on the next roster or start'),
    );
  }

  async #pending(): Promise<Map<string, string[]>> {
    const raw = await this.n.store.getMeta(PENDING_META);
    return new Map(raw ? (JSON.parse(raw) as [string, string[]][]) : []);
  }

  async #run(): Promise<void> {
    const version = this.n.rosterVersion();
    const todo = await this.#pending();
    for (const [node, kids] of todo) {
      const member = this.n.member(node);
      if (!member) continue;
      const records = new Map(member.keys.map((k) => [k.kid, k]));
      const held = await this.n.store.objectsSignedWith(node, kids);
      const found = held.flatMap((o) => {
        const reason = quarantineReason(member, records.get(o.kid), o);
        return reason ? [{ o, reason }] : [];
      });
      if (found.length > 0) await this.n.store.exclusive(() => this.#quarantine(found, version));
    }
    // A roster adopted meanwhile may have changed these keys again: its run takes them all.
    if (this.n.rosterVersion() !== version) return;
    // Done with what was read; keys an adoption added meanwhile stay for the run it queued.
    await this.#pendingLock.runExclusive(async () => {
      const pending = await this.#pending();
      for (const [node, kids] of todo) {
        const left = (pending.get(node) ?? []).filter((k) => !kids.includes(k));
        if (left.length > 0) pending.set(node, left);
        else pending.delete(node);
      }
      await this.n.store.setMeta(PENDING_META, JSON.stringify([...pending]));
    });
  }

  async #quarantine(found: { o: SignedWith; reason: string }[], version: number): Promise<void> {
    const { store, log } = this.n;
    const ids = new Set(found.map((f) => f.o.id));
    // Undo their effects on other items: recompute each target from what still stands.
    const targets = [...new Set(found.flatMap((f) => (f.o.target && !ids.has(f.o.target) ? [f.o.target] : [])))];
    const itemPatches: { id: string; patch: ItemPatch }[] = [];
    for (const target of await store.getObjects(targets)) {
      if (target.kind !== 'bulletin' && target.kind !== 'note') continue;
      const refs = (await store.objectsTargeting(target.id)).filter((r) => !ids.has(r.id));
      const { item } = projectionOf(target.id, decodeStored(target), (id) => (id === target.id ? refs : []));
      if (item) {
        itemPatches.push({
          id: target.id,
          patch: { status: item.status ?? null, retracted: item.retracted, supersededBy: item.supersededBy ?? null },
        });
      }
    }
    const audits: NewAuditEvent[] = found.map(({ o, reason }) => ({
      actor: `node:${this.n.hubNode}`,
      action: 'object.quarantined',
      subject: o.id,
      detail: {
        origin: o.origin,
        kind: o.kind,
        kid: o.kid,
        created: o.created.toISOString(),
        receivedAt: o.receivedAt.toISOString(),
        receivedFrom: o.receivedFrom,
        reason,
        rosterVersion: version,
      },
    }));
    await store.quarantineLocked({
      ids: [...ids],
      reason: `roster version ${version} closed the signing key's window`,
      itemPatches,
      audits,
    });
    for (const { o, reason } of found) {
      log.warn(
        { id: o.id, origin: o.origin, kind: o.kind, receivedFrom: o.receivedFrom, reason, rosterVersion: version },
        'object quarantined: the roster ended its key before it arrived',
      );
    }
  }
}
