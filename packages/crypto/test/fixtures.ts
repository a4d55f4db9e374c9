import { type Bulletin, base64url, type KeyRecord, type Note, utf8 } from '@citylink/protocol';
import type { CryptoKey } from 'jose';
import { generateNodeKey, KeyRing, type NodeKey } from '../src/index.js';

/** Fixed clock for every test: nothing here depends on the wall clock. */
export const CREATED = '2026-11-03T14:00:00.000Z';
export const NOW = new Date('2026-11-03T14:01:00Z');
export const VALID_FROM = '2026-01-01T00:00:00Z';

export const ORIGIN = 'wi-madison';

export function newKey(): Promise<NodeKey> {
  return generateNodeKey(new Date(VALID_FROM));
}

export function recordOf(key: NodeKey, extra: Partial<KeyRecord> = {}): KeyRecord {
  return { kid: key.kid, jwk: key.publicJwk, validFrom: VALID_FROM, ...extra };
}

/** A ring holding one record per entry. */
export function ringOf(...entries: { node: string; key: NodeKey; record?: Partial<KeyRecord> }[]): KeyRing {
  const byNode = new Map<string, KeyRecord[]>();
  for (const e of entries) byNode.set(e.node, [...(byNode.get(e.node) ?? []), recordOf(e.key, e.record)]);
  return new KeyRing([...byNode].map(([node, keys]) => ({ node, keys })));
}

export function bulletin(overrides: Partial<Bulletin> = {}): Bulletin {
  return {
    v: 1,
    kind: 'bulletin',
    origin: ORIGIN,
    created: CREATED,
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      title: 'Phishing e-mails impersonating the state elections office',
      narrative: 'Poll workers received e-mails asking them to confirm their credentials on a look-alike site.',
      category: 'cyber.phishing',
      severity: 'medium',
      attackVector: 'email',
      indicators: [{ type: 'domain', value: 'elections-wi-gov.example' }],
    },
    ...overrides,
  };
}

export function note(overrides: Partial<Note> = {}): Note {
  return {
    v: 1,
    kind: 'note',
    origin: ORIGIN,
    created: CREATED,
    tlp: 'CLEAR',
    audience: ['*'],
    body: {
      topic: 'phishing-training',
      title: 'Quarterly phishing drills',
      problem: 'Staff clicked on test phishing links.',
      whatWorked: 'Short monthly drills with immediate feedback.',
      jurisdictionSize: 'm',
    },
    ...overrides,
  };
}

const asBytes = (part: Uint8Array | string | object): Uint8Array =>
  part instanceof Uint8Array ? part : utf8.encode(typeof part === 'string' ? part : JSON.stringify(part));

/**
 * Builds a compact JWS by hand, with any header and payload bytes, and a genuine
 * Ed25519 signature over them, so a test can reach the one check it targets.
 * Objects are serialized with JSON.stringify (not canonicalized); strings and bytes are used verbatim.
 */
export async function rawJws(
  header: Uint8Array | string | object,
  payload: Uint8Array | string | object,
  privateKey: CryptoKey,
): Promise<string> {
  const input = `${base64url.encode(asBytes(header))}.${base64url.encode(asBytes(payload))}`;
  const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, utf8.encode(input)));
  return `${input}.${base64url.encode(sig)}`;
}

export const segments = (jws: string): [string, string, string] => {
  const [h = '', p = '', s = ''] = jws.split('.');
  return [h, p, s];
};

export const decodeSegment = (segment: string): unknown => JSON.parse(utf8.decode(base64url.decode(segment)));
