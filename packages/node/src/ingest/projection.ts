import { payloadOfJws } from '@citylink/crypto';
import { type Marked, type SignedObject, searchTextOf, utf8 } from '@citylink/protocol';
import type { ItemPatch, NewItem, NewObject, StoredObject } from '@citylink/store';
import { mayRetract, maySupersede } from './rules.js';

/** Kinds whose `period` names the operational period they answer (other kinds' `period` is a date range). */
const PERIOD_TARGETED: ReadonlySet<string> = new Set(['checkin', 'shift-note']);

/** The object a signed object refers to, if any (what it acknowledges, retracts, supersedes…). */
export function targetOf(o: SignedObject): string | undefined {
  const body = o.body as { target?: string; supersedes?: string; statement?: string; period?: string };
  return body.target ?? body.supersedes ?? body.statement ?? (PERIOD_TARGETED.has(o.kind) ? body.period : undefined);
}

/** The marking fields of a stored object, as the TLP rules take them. */
export function marked(o: Pick<StoredObject, 'origin' | 'tlp' | 'audience' | 'recipients'>): Marked {
  return {
    origin: o.origin,
    tlp: o.tlp as SignedObject['tlp'],
    audience: o.audience,
    recipients: o.recipients ?? undefined,
  };
}

export function decodeStored(o: Pick<StoredObject, 'jws'>): SignedObject {
  return JSON.parse(utf8.decode(payloadOfJws(o.jws))) as SignedObject;
}

export function storedRecord(
  verified: { id: string; kid: string; jws: string; object: SignedObject },
  receivedFrom: string,
): NewObject {
  const o = verified.object;
  return {
    id: verified.id,
    kind: o.kind,
    origin: o.origin,
    kid: verified.kid,
    created: new Date(o.created),
    receivedFrom,
    tlp: o.tlp,
    audience: [...o.audience],
    recipients: o.recipients ? [...o.recipients] : null,
    target: targetOf(o) ?? null,
    jws: verified.jws,
  };
}

/**
 * Projection changes for one object, derived from what the store already holds so
 * that arrival order does not matter (a status or retraction may arrive before its
 * target). `refsOf` must be read inside `store.exclusive`.
 */
export function projectionOf(
  id: string,
  o: SignedObject,
  /** Objects already held that refer to an id, oldest first (prefetched once per batch). */
  refsOf: (target: string) => readonly StoredObject[],
): { item?: NewItem; effects: { id: string; patch: ItemPatch }[] } {
  const effects: { id: string; patch: ItemPatch }[] = [];
  if (o.kind === 'bulletin' || o.kind === 'note') {
    const refs = refsOf(id);
    let status: string | null = o.kind === 'bulletin' ? 'published' : null;
    let retracted = false;
    let supersededBy: string | null = null;
    for (const r of refs) {
      if (r.kind === 'retraction' && mayRetract(r, o)) retracted = true;
      if (r.kind === o.kind && maySupersede(r, o)) supersededBy = r.id;
      if (r.kind === 'bulletin-status') status = (decodeStored(r).body as { status: string }).status;
    }
    if (o.body.supersedes) effects.push({ id: o.body.supersedes, patch: { supersededBy: id } });
    const body = o.body as { title: string; category?: string; severity?: string; topic?: string };
    return {
      item: {
        id,
        kind: o.kind,
        origin: o.origin,
        created: new Date(o.created),
        tlp: o.tlp,
        title: body.title,
        category: body.category ?? null,
        severity: body.severity ?? null,
        topic: body.topic ?? null,
        status,
        retracted,
        supersededBy,
        searchText: searchTextOf(o),
      },
      effects,
    };
  }
  if (o.kind === 'retraction') effects.push({ id: o.body.target, patch: { retracted: true } });
  if (o.kind === 'bulletin-status') {
    // Latest status by signing time wins, whatever the arrival order.
    const later = refsOf(o.body.target).some(
      (r) => r.kind === 'bulletin-status' && r.created.getTime() > Date.parse(o.created),
    );
    if (!later) effects.push({ id: o.body.target, patch: { status: o.body.status } });
  }
  return { effects };
}
