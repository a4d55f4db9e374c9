import { type CityLinkEntry, type ExportContext, MAX_VERSION_CHAIN } from '@citylink/stix';
import type { Store, StoredObject } from '@citylink/store';
import { decodeStored } from '../ingest/projection.js';

/**
 * Rounds of "fetch the objects these answer or supersede" for the export context, and
 * of "the rows below" for a version family: as deep as the STIX mapping follows a chain,
 * or a bulletin corrected more than a few times (rows apart) changed STIX id, and its
 * retraction never revoked the id clients hold. Each round is one query, only while
 * some link is unresolved.
 */
export const CONTEXT_ROUNDS = MAX_VERSION_CHAIN + 1;

export const entryOf = (o: StoredObject): CityLinkEntry => ({ id: o.id, jws: o.jws, object: decodeStored(o) });

/** What the mapping may look up: the objects these answer or supersede, and theirs, a few links deep. */
export async function exportContext(store: Store, entries: readonly CityLinkEntry[]): Promise<ExportContext> {
  const known = new Map(entries.map((e) => [e.id, e]));
  let wave = entries;
  for (let round = 0; round < CONTEXT_ROUNDS && wave.length > 0; round++) {
    const wanted = new Set<string>();
    for (const e of wave) {
      const body = e.object.body as { target?: string; supersedes?: string };
      for (const id of [body.target, body.supersedes]) if (id && !known.has(id)) wanted.add(id);
    }
    if (wanted.size === 0) break;
    wave = (await store.getObjects([...wanted])).map(entryOf);
    for (const e of wave) known.set(e.id, e);
  }
  return { lookup: (id) => known.get(id) };
}
