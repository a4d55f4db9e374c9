import { keyValidAt } from '@citylink/crypto';
import type { KeyRecord, Member } from '@citylink/protocol';
import type { ItemPatch, NewAuditEvent, SignedWith, Store, StoredObject } from '@citylink/store';
import type { Logger } from 'pino';
import { decodeStored, projectionOf } from './projection.js';

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

/** Keys of `after` whose record changed (or that left), per member; all of a member's keys if its status changed. */
function changedKeys(before: ReadonlyMap<string, Member>, after: readonly Member[]): Map<Member, string[]> {
  const out = new Map<Member, string[]>();
  for (const m of after) {
    const prev = before.get(m.node);
    if (!prev) continue; // nothing of a new member can be held
    const now = new Map(m.keys.map((k) => [k.kid, k]));
    const kids =
      prev.status !== m.status
        ? [...new Set([...prev.keys, ...m.keys].map((k) => k.kid))]
        : prev.keys.filter((k) => JSON.stringify(k) !== JSON.stringify(now.get(k.kid))).map((k) => k.kid);
    if (kids.length > 0) out.set(m, kids);
  }
  return out;
}

/**
 * Re-checks, when a roster is adopted, what was accepted under the keys it changed,
 * and quarantines what no longer stands (see `quarantineReason`): the object stays
 * for audit but leaves every view and every outgoing path.
 */
export class Quarantine {
  constructor(private readonly n: { self: string; hubNode: string; store: Store; log: Logger }) {}

  async recheck(before: ReadonlyMap<string, Member>, after: readonly Member[], version: number): Promise<number> {
    let total = 0;
    for (const [member, kids] of changedKeys(before, after)) {
      if (member.node === this.n.self) continue;
      const records = new Map(member.keys.map((k) => [k.kid, k]));
      const held = await this.n.store.objectsSignedWith(member.node, kids);
      const found = held.flatMap((o) => {
        const reason = quarantineReason(member, records.get(o.kid), o);
        return reason ? [{ o, reason }] : [];
      });
      if (found.length === 0) continue;
      await this.n.store.exclusive(() => this.#quarantine(found, version));
      total += found.length;
    }
    return total;
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
