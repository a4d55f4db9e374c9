import { createHash } from 'node:crypto';

/**
 * Node-native base64url decoding for the verification hot path, as strict as the
 * protocol's portable decoder: only the base64url alphabet, no padding, and zero
 * trailing bits, so one byte string has exactly one encoding.
 */
const ALPHABET = /^[A-Za-z0-9_-]*$/;
export function decodeBase64urlStrict(text: string): Uint8Array | undefined {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  const rest = text.length % 4;
  if (rest !== 0) {
    const last = text.charCodeAt(text.length - 1);
    const value = last === 45 ? 62 : last === 95 ? 63 : last >= 97 ? last - 71 : last >= 65 ? last - 65 : last + 4;
    if ((value & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function sha256Base64urlNative(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}
