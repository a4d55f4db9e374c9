import canonicalize from 'canonicalize';

export class CanonicalizationError extends Error {
  override name = 'CanonicalizationError';
}

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization.
 * Throws on values JSON cannot carry (NaN, Infinity, lone surrogates, cycles, undefined at the top).
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (err) {
    throw new CanonicalizationError((err as Error).message);
  }
  if (text === undefined) throw new CanonicalizationError('value has no JSON representation');
  return text;
}

const encoder = new TextEncoder();

export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value));
}

/**
 * Parses UTF-8 JSON and reports whether the text is already in canonical form.
 * Non-canonical text (extra whitespace, unsorted or duplicate keys, non-shortest
 * number forms, escaped characters that JCS writes literally) is refused so that
 * every implementation derives the same object id from the same bytes.
 */
export function parseCanonical(
  bytes: Uint8Array,
): { ok: true; value: unknown } | { ok: false; reason: 'not_json' | 'not_canonical' } {
  let text: string;
  let value: unknown;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text (JSON.parse then refuses it) instead of silently dropping it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  let again: string;
  try {
    again = canonicalJson(value);
  } catch {
    return { ok: false, reason: 'not_canonical' };
  }
  return again === text ? { ok: true, value } : { ok: false, reason: 'not_canonical' };
}
