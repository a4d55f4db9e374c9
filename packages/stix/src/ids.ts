import { canonicalJson } from '@citylink/protocol';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/**
 * The namespace of CityLink's STIX ids: every id CityLink emits for an object is a
 * UUIDv5 of the CityLink object id (a hash of the signed payload) under it, so
 * exporting the same object again, on any node, gives the same STIX id.
 */
export const CITYLINK_STIX_NAMESPACE = 'a6a3e0c1-4f2b-5d7e-9c35-3f1b8e0d2c47';

/** The namespace STIX 2.1 (§2.9) fixes for deterministic Cyber-observable ids. */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

// The namespaces as bytes, parsed once: uuid's v5 would parse a string namespace on every call.
const CITYLINK_NS = parseUuid(CITYLINK_STIX_NAMESPACE);
const SCO_NS = parseUuid(SCO_NAMESPACE);

/** `type--uuidv5(name)` under CityLink's namespace; `name` says what the id is of. */
export function stixId(type: string, name: string): string {
  return `${type}--${uuidv5(name, CITYLINK_NS)}`;
}

/** A Cyber-observable's id from its id-contributing properties, as STIX 2.1 §2.9 specifies. */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(contributing), SCO_NS)}`;
}

const identities = new Map<string, string>();
/** A node's identity id (memoized: every exported object names its author's). */
export function identityId(node: string): string {
  let id = identities.get(node);
  if (!id) {
    id = stixId('identity', `node:${node}`);
    if (identities.size < 10_000) identities.set(node, id);
  }
  return id;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const ID_PATTERN = new RegExp(`^[a-z][a-z0-9-]*[a-z0-9]--${UUID}$`);

/** `type--UUID` with a lowercase RFC 4122 UUID (STIX 2.1 §2.9). */
export function isStixId(id: unknown, type?: string): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id) && (type === undefined || id.startsWith(`${type}--`));
}
