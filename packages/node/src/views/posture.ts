import type { Store } from '@citylink/store';
import { decodeStored } from '../ingest/projection.js';

/** The statewide posture the hub set last, or null. */
export async function currentPosture(store: Store) {
  const latest = await store.latestOfKind('posture');
  if (!latest) return null;
  const o = decodeStored(latest);
  return { id: latest.id, created: o.created, ...(o.body as object) };
}
