import {
  type CityEvidence,
  EMPTY_EVIDENCE,
  EVIDENCE_FIELD,
  type Evidence,
  isPreparednessKind,
  PREPAREDNESS_KINDS,
  type PreparednessKind,
} from '@citylink/protocol';
import type { Store, StoredObject } from '@citylink/store';
import { decodeStored } from '../ingest/projection.js';
import { mayRetract, maySupersede } from '../ingest/rules.js';

/** One piece of evidence as the console lists it. */
export interface EvidenceEntry {
  id: string;
  kind: PreparednessKind;
  created: string;
  tlp: string;
  audience: string[];
  body: unknown;
}

/** The objects none of which its author has retracted. */
export async function withoutRetracted(store: Store, objects: StoredObject[]): Promise<StoredObject[]> {
  const refs = await store.read((r) => r.objects.targetingAny(objects.map((o) => o.id)));
  return objects.filter((o) => !(refs.get(o.id) ?? []).some((r) => r.kind === 'retraction' && mayRetract(r, o)));
}

/**
 * A city's preparedness evidence as this node holds it, of what `show` lets through
 * (the reader's TLP check): retracted objects and superseded plans left out.
 */
export async function loadEvidence(
  store: Store,
  city: string,
  show: (objects: StoredObject[]) => Promise<StoredObject[]>,
): Promise<{ evidence: CityEvidence; entries: EvidenceEntry[] }> {
  const held = await withoutRetracted(
    store,
    await show(await store.read((r) => r.objects.ofOrigin(city, PREPAREDNESS_KINDS))),
  );
  const gone = new Set<string>();
  const decoded = held.map((o) => ({ stored: o, object: decodeStored(o) }));
  for (const { stored, object } of decoded) {
    const replaces = (object.body as { supersedes?: string }).supersedes;
    const old = replaces && held.find((o) => o.id === replaces);
    if (old && maySupersede(stored, old)) gone.add(old.id);
  }
  const evidence: CityEvidence = structuredClone(EMPTY_EVIDENCE);
  const entries: EvidenceEntry[] = [];
  for (const { stored, object } of decoded) {
    if (gone.has(stored.id) || !isPreparednessKind(object.kind)) continue;
    const item: Evidence<unknown> = { id: stored.id, created: object.created, body: object.body };
    (evidence[EVIDENCE_FIELD[object.kind]] as Evidence<unknown>[]).push(item);
    entries.push({
      id: stored.id,
      kind: object.kind,
      created: object.created,
      tlp: stored.tlp,
      audience: stored.audience,
      body: object.body,
    });
  }
  return { evidence, entries };
}
