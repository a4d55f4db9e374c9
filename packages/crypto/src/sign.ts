import {
  base64url,
  canonicalBytes,
  maxBytesForKind,
  objectIdOfPayload,
  type SignedObject,
  SignedObjectSchema,
  typOf,
} from '@citylink/protocol';
import { CompactSign } from 'jose';
import type { NodeKey } from './keys.js';

export class SignObjectError extends Error {
  override name = 'SignObjectError';
  constructor(
    message: string,
    readonly issues: readonly { path: PropertyKey[]; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface SignedEnvelope<T extends SignedObject = SignedObject> {
  id: string;
  jws: string;
  object: T;
  /** The exact canonical payload bytes that were signed. */
  payload: Uint8Array;
}

/**
 * Validates, canonicalizes and signs an object as a compact JWS
 * (`alg` EdDSA, `typ` per kind, `kid` = signer key thumbprint).
 */
export async function signObject<T extends SignedObject>(input: T, key: NodeKey): Promise<SignedEnvelope<T>> {
  const parsed = SignedObjectSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
    throw new SignObjectError(
      `object is not valid: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  const object = parsed.data as T;
  const payload = canonicalBytes(object);
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: typOf(object.kind), kid: key.kid })
    .sign(key.privateKey);
  const limit = maxBytesForKind(object.kind);
  if (jws.length > limit) {
    throw new SignObjectError(`signed ${object.kind} is ${jws.length} bytes; the limit is ${limit}`);
  }
  return { id: objectIdOfPayload(payload), jws, object, payload };
}

/** Splits a compact JWS without checking anything; for callers that already verified it. */
export function payloadOfJws(jws: string): Uint8Array {
  const [, payload = ''] = jws.split('.');
  return base64url.decode(payload);
}
