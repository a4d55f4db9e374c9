import { fundingAnnexHash, LIMITS } from '@citylink/protocol';
import type { KeyResolver } from './key-ring.js';
import { verifyObject } from './verify.js';

export interface AnnexRowResult {
  index: number;
  ok: boolean;
  id?: string;
  node?: string;
  item?: string;
  amount?: number;
  /** Why the row does not verify. */
  reason?: string;
}

/**
 * Checks a statement's funding annex offline: every row is a `funding-need` object
 * signed by its city's key (from the bundle's roster), and the hash of the rows'
 * ids is the one inside the co-signed text. A changed amount fails both ways: a
 * re-encoded row no longer verifies, and a re-signed one has another id.
 */
export async function verifyFundingAnnex(
  rows: unknown,
  signedHash: string | undefined,
  resolveKey: KeyResolver,
): Promise<{ rows: AnnexRowResult[]; problems: string[] }> {
  const problems: string[] = [];
  if (rows === undefined) return { rows: [], problems: ['the signed text names a funding annex the bundle lacks'] };
  if (!Array.isArray(rows) || rows.length > LIMITS.maxFundingAnnexRows) {
    return { rows: [], problems: ['the funding annex is not a list of signed rows'] };
  }
  if (signedHash === undefined) problems.push('the bundle carries a funding annex the signed text does not name');
  const results: AnnexRowResult[] = [];
  const ids: string[] = [];
  for (const [index, jws] of rows.entries()) {
    const v = await verifyObject(jws, { resolveKey, kinds: ['funding-need'] });
    if (!v.ok) {
      results.push({ index, ok: false, reason: `${v.reason}: ${v.detail}` });
      problems.push(`funding annex row ${index + 1}: ${v.reason}`);
      continue;
    }
    const body = v.object.body as { item: string; amount: number };
    ids.push(v.id);
    results.push({ index, ok: true, id: v.id, node: v.object.origin, item: body.item, amount: body.amount });
  }
  if (signedHash !== undefined && ids.length === rows.length && fundingAnnexHash(ids) !== signedHash) {
    problems.push('the funding annex differs from the table the mayors signed (its hash does not match)');
  }
  return { rows: results, problems };
}
