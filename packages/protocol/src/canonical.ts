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
  if (isCanonicalQuick(text, value)) return { ok: true, value };
  let again: string;
  try {
    again = canonicalJson(value);
  } catch {
    return { ok: false, reason: 'not_canonical' };
  }
  return again === text ? { ok: true, value } : { ok: false, reason: 'not_canonical' };
}

/**
 * The common case of the check above, without re-serializing in JavaScript: JCS
 * writes strings and numbers exactly as `JSON.stringify` does, so text equal to
 * `JSON.stringify(value)` whose object keys are in code-unit order at every level
 * is canonical. `false` only means "cannot tell here": text with an escaped
 * surrogate (JCS refuses lone ones) or with keys JSON.parse reorders (integer-like
 * ones) takes the full check.
 */
function isCanonicalQuick(text: string, value: unknown): boolean {
  try {
    return !text.includes('\\ud') && JSON.stringify(value) === text && keysSorted(value);
  } catch {
    return false; // e.g. nesting too deep for the stack: the full check decides (and refuses it)
  }
}

function keysSorted(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(keysSorted);
  let previous: string | undefined;
  for (const [key, child] of Object.entries(value)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!keysSorted(child)) return false;
    previous = key;
  }
  return true;
}
