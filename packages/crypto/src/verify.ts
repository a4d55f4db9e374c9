import { verify as cryptoVerify, type JsonWebKey, KeyObject } from 'node:crypto';
import {
  kindOfTyp,
  LIMITS,
  maxBytesForKind,
  type ObjectKind,
  parseCanonical,
  type SignedObject,
  SignedObjectSchema,
} from '@citylink/protocol';
import type { CryptoKey } from 'jose';
import { decodeBase64urlStrict, sha256Base64urlNative } from './fast-encoding.js';
import { type KeyResolver, keyValidAt, type ResolvedKey } from './key-ring.js';

/** Every way an object can be refused, in the order the checks run. See docs/protocol.md. */
export const REJECT_REASONS = [
  'too_large',
  'malformed',
  'bad_alg',
  'wrong_typ',
  'not_canonical',
  'schema',
  'unknown_kid',
  'key_not_yet_valid',
  'key_expired',
  'key_revoked',
  'bad_signature',
  'future',
  'expired',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface VerifiedObject {
  ok: true;
  id: string;
  kind: ObjectKind;
  kid: string;
  object: SignedObject;
  jws: string;
  payload: Uint8Array;
}
export interface Rejection {
  ok: false;
  reason: RejectReason;
  detail: string;
}
export type VerifyResult = VerifiedObject | Rejection;

export interface VerifyOptions {
  resolveKey: KeyResolver;
  now?: Date;
  maxClockSkewMs?: number;
  /** Only these kinds are acceptable here (e.g. a roster endpoint). */
  kinds?: readonly ObjectKind[];
}

/** Details quote attacker-supplied values; keep them short enough for logs and the audit trail. */
const reject = (reason: RejectReason, detail: string): Rejection => ({
  ok: false,
  reason,
  detail: detail.length > 200 ? `${detail.slice(0, 200)}…` : detail,
});
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * What the checks that need no key found in a compact JWS: everything about it but
 * the key and the signature. Produced by `checkEnvelope` (in this thread or a
 * worker of the `VerifyPool`), finished by `finishVerify`.
 */
export interface Envelope {
  ok: true;
  id: string;
  kind: ObjectKind;
  kid: string;
  object: SignedObject;
  payload: Uint8Array;
  signature: Uint8Array;
}

/**
 * The checks of `verifyObject` that need no key, in its order: size, segments,
 * header, kind, canonical form, schema. Pure and synchronous (a worker runs it).
 */
export function checkEnvelope(jws: unknown, kinds?: readonly ObjectKind[]): Envelope | Rejection {
  if (typeof jws !== 'string') return reject('malformed', 'a signed object is a compact JWS string');
  if (jws.length > LIMITS.absoluteMaxObjectBytes) {
    return reject('too_large', `${jws.length} bytes exceeds ${LIMITS.absoluteMaxObjectBytes}`);
  }
  const parts = jws.split('.');
  const [h, p, s] = parts.map(decodeBase64urlStrict);
  if (parts.length !== 3 || !h || !p || !s || h.length === 0 || p.length === 0) {
    return reject('malformed', 'expected three non-empty base64url segments separated by dots');
  }
  let header: unknown;
  try {
    header = JSON.parse(utf8Strict.decode(h));
  } catch {
    return reject('malformed', 'protected header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return reject('malformed', 'protected header is not a JSON object');
  }
  const extra = Object.keys(header).filter((k) => !ALLOWED_HEADER.has(k));
  if (extra.length > 0) return reject('malformed', `unexpected header parameter(s): ${extra.join(', ')}`);
  const { alg, typ, kid } = header as Record<string, unknown>;
  if (alg !== 'EdDSA') return reject('bad_alg', `alg must be EdDSA, got ${JSON.stringify(alg)}`);
  if (s.length !== 64) return reject('malformed', 'an Ed25519 signature is 64 bytes');
  const kind = typeof typ === 'string' ? kindOfTyp(typ) : undefined;
  if (!kind) return reject('wrong_typ', `unknown typ ${JSON.stringify(typ)}`);
  if (kinds && !kinds.includes(kind)) {
    return reject('wrong_typ', `${kind} is not accepted here (expected ${kinds.join(', ')})`);
  }
  if (typeof kid !== 'string' || kid.length === 0) return reject('malformed', 'kid is missing');
  const limit = maxBytesForKind(kind);
  if (jws.length > limit) return reject('too_large', `${kind} of ${jws.length} bytes exceeds ${limit}`);

  const payload = p;
  const parsedJson = parseCanonical(payload);
  if (!parsedJson.ok) {
    return parsedJson.reason === 'not_json'
      ? reject('malformed', 'payload is not UTF-8 JSON')
      : reject('not_canonical', 'payload is not RFC 8785 canonical JSON');
  }
  const parsed = SignedObjectSchema.safeParse(parsedJson.value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return reject('schema', `${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`);
  }
  const object = parsed.data;
  if (object.kind !== kind) return reject('wrong_typ', `typ says ${kind} but the payload is a ${object.kind}`);
  return { ok: true, id: sha256Base64urlNative(payload), kind, kid, object, payload, signature: s };
}

/** node:crypto's handle of each imported key, made once: `verify` with a callback runs on libuv's pool. */
const keyObjects = new WeakMap<CryptoKey, KeyObject>();
const keyObjectOf = (key: CryptoKey): KeyObject => {
  let k = keyObjects.get(key);
  if (!k) {
    k = KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    keyObjects.set(key, k);
  }
  return k;
};

/** The JWK of exactly the key `key` is (for a `VerifyPool` worker to check a signature with), made once. */
const jwks = new WeakMap<CryptoKey, JsonWebKey>();
export const jwkOf = (key: CryptoKey): JsonWebKey => {
  let jwk = jwks.get(key);
  if (!jwk) {
    jwk = keyObjectOf(key).export({ format: 'jwk' });
    jwks.set(key, jwk);
  }
  return jwk;
};

/** The JWS signing input (`header.payload`, ASCII). */
export const signingInputOf = (jws: string): string => jws.slice(0, jws.lastIndexOf('.'));

/** Ed25519 over the JWS signing input, off the event loop. */
function signatureValid(jws: string, signature: Uint8Array, key: CryptoKey): Promise<boolean> {
  const keyObject = keyObjectOf(key);
  if (keyObject.asymmetricKeyType !== 'ed25519') return Promise.resolve(false);
  const signingInput = Buffer.from(signingInputOf(jws), 'latin1');
  return new Promise((resolve) =>
    cryptoVerify(null, signingInput, keyObject, signature, (err, ok) => resolve(!err && ok)),
  );
}

/** The key checks of `finishVerify`: the key is known and was valid when the object was created. */
export async function keyFor(e: Envelope, options: VerifyOptions): Promise<ResolvedKey | Rejection> {
  const { object, kid } = e;
  const resolved = await options.resolveKey(object.origin, kid);
  if (!resolved) return reject('unknown_kid', `no key ${kid} for node ${object.origin}`);
  const validity = keyValidAt(resolved.record, object.created);
  if (!validity.ok) return reject(validity.reason, `key ${kid} of ${object.origin} was not valid at ${object.created}`);
  return resolved;
}

/** The last checks of `finishVerify`, once the signature verified: the clock. */
export function afterSignature(jws: string, e: Envelope, signatureOk: boolean, options: VerifyOptions): VerifyResult {
  const { object, kid } = e;
  if (!signatureOk) return reject('bad_signature', `signature does not verify with key ${kid} of ${object.origin}`);
  const now = (options.now ?? new Date()).getTime();
  const skew = options.maxClockSkewMs ?? LIMITS.maxClockSkewMs;
  if (Date.parse(object.created) > now + skew) {
    return reject('future', `created ${object.created} is more than ${skew / 1000}s ahead of this node's clock`);
  }
  if (object.expires !== undefined && Date.parse(object.expires) <= now) {
    return reject('expired', `expired at ${object.expires}`);
  }
  return { ok: true, id: e.id, kind: e.kind, kid, object, jws, payload: e.payload };
}

/**
 * The rest of `verifyObject` for an envelope that passed `checkEnvelope`: the key
 * (known, valid when the object was created), the signature, and the clock.
 */
export async function finishVerify(jws: string, e: Envelope, options: VerifyOptions): Promise<VerifyResult> {
  const resolved = await keyFor(e, options);
  if ('ok' in resolved) return resolved;
  return afterSignature(jws, e, await signatureValid(jws, e.signature, resolved.key), options);
}

/**
 * Verifies a compact JWS as a CityLink object. Never throws on bad input: every
 * failure is a `Rejection` naming the first check that failed.
 */
export async function verifyObject(jws: unknown, options: VerifyOptions): Promise<VerifyResult> {
  const envelope = checkEnvelope(jws, options.kinds);
  if (!envelope.ok) return envelope;
  return finishVerify(jws as string, envelope, options);
}
