import { sha256 } from '@noble/hashes/sha2';
import { base64urlnopad } from '@scure/base';

export const base64url = {
  encode: (bytes: Uint8Array): string => base64urlnopad.encode(bytes),
  /** Strict decoding: padding, `+`, `/` and stray characters are refused. */
  decode: (text: string): Uint8Array => base64urlnopad.decode(text),
};

export function sha256Base64url(bytes: Uint8Array): string {
  return base64url.encode(sha256(bytes));
}

export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  decode: (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes),
};
