import { createHash } from 'node:crypto';

/**
 * Node-native base64url decoding for the verification hot path, as strict as the
 * protocol's portable decoder: only the base64url alphabet, no padding, and zero
 * trailing bits, so one byte string has exactly one encoding.
 */
export function decodeBase64urlStrict(text: string): Uint8Array | undefined {
  // Node's decoder skips what is not base64url (and '=' padding) and ignores
  // trailing bits; re-encoding gives back exactly `text` only when it had neither,
  // no padding, a valid length and zero trailing bits. Cheaper on a 400 KB roster
  // than a regular expression over it.
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function sha256Base64urlNative(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}
