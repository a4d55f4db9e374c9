import { canonicalBytes } from './canonical.js';
import { sha256Base64url } from './encoding.js';

/**
 * Object id: base64url (no padding) of SHA-256 over the canonical payload bytes,
 * which are exactly the bytes carried in the JWS payload segment.
 */
export function objectIdOfPayload(payloadBytes: Uint8Array): string {
  return sha256Base64url(payloadBytes);
}

export function objectIdOf(payload: unknown): string {
  return sha256Base64url(canonicalBytes(payload));
}
