import { canonicalBytes } from './canonical.js';
import { sha256Base64url } from './encoding.js';

/**
 * A joint statement's funding annex: a table of the signing cities' `funding-need`
 * objects, each signed by its city. The statement's revision lists their ids; the
 * co-signed text carries this hash of them, so a changed amount (a different
 * object, hence a different id) no longer matches what the mayors signed.
 */
export function fundingAnnexHash(rows: readonly string[]): string {
  return sha256Base64url(canonicalBytes({ kind: 'funding-annex', rows: [...rows] }));
}
