import { type KeyRecord, type Member, StatementTextSchema, utf8 } from '@citylink/protocol';
import { type SignerResult, verifyCosignatures } from './cosign.js';
import { type AnnexRowResult, verifyFundingAnnex } from './funding-annex.js';
import { KeyRing } from './key-ring.js';
import { thumbprint } from './keys.js';
import { verifyObject } from './verify.js';

export const STATEMENT_BUNDLE_FORMAT = 'citylink-statement-bundle/1';

export interface StatementBundleReport {
  ok: boolean;
  /** From the signed text, never from the bundle's unsigned copy. */
  title?: string;
  addressees?: string[];
  text?: string;
  textHash?: string;
  hub?: { node: string; kids: string[] };
  signers: (SignerResult & { name?: string })[];
  /** The funding annex's rows, each checked against its city's key, when the statement has one. */
  fundingAnnex?: AnnexRowResult[];
  problems: string[];
}

/**
 * Checks a joint statement's verification bundle offline: the hub keys (against a
 * fingerprint the reader trusts, if given), the hub-signed roster, every
 * co-signature against the roster's keys, the text hash, and the originator's
 * signed final. Never throws on bad input; every failure is in `problems` or in
 * the signer's result.
 */
export async function verifyStatementBundle(
  input: unknown,
  opts: { hubFingerprint?: string } = {},
): Promise<StatementBundleReport> {
  const problems: string[] = [];
  const b = (input ?? {}) as {
    format?: unknown;
    document?: unknown;
    roster?: unknown;
    finalJws?: unknown;
    textHash?: unknown;
    title?: unknown;
    addressees?: unknown;
    hub?: { node?: unknown; keys?: KeyRecord[] };
    fundingAnnex?: unknown;
  };
  if (b.format !== STATEMENT_BUNDLE_FORMAT) {
    return { ok: false, signers: [], problems: [`not a statement bundle (format ${JSON.stringify(b.format)})`] };
  }
  const hubNode = typeof b.hub?.node === 'string' ? b.hub.node : '';
  const hubKeys = Array.isArray(b.hub?.keys) ? b.hub.keys : [];
  for (const k of hubKeys) {
    if ((await thumbprint(k.jwk).catch(() => '')) !== k.kid)
      problems.push(`hub key ${k.kid} is not its own thumbprint`);
  }
  if (opts.hubFingerprint && !hubKeys.some((k) => k.kid === opts.hubFingerprint)) {
    problems.push(`the bundle's hub keys do not include the fingerprint you trust (${opts.hubFingerprint})`);
  }
  const roster = await verifyObject(b.roster, {
    resolveKey: new KeyRing([{ node: hubNode, keys: hubKeys }]).resolve,
    kinds: ['roster'],
  });
  let members: Member[] = [];
  if (!roster.ok) problems.push(`roster: ${roster.reason}: ${roster.detail}`);
  else if (roster.object.origin !== hubNode) problems.push('roster is not signed by the hub');
  else members = (roster.object.body as { members: Member[] }).members;
  const ring = new KeyRing(members);

  const result = await verifyCosignatures(b.document, ring.resolve);
  if (result.signers.length === 0) problems.push('the document has no readable signatures');
  if (result.textHash !== b.textHash) problems.push('the text hash does not match the signed text');
  let title: string | undefined;
  let addressees: string[] | undefined;
  let text: string | undefined;
  let annexHash: string | undefined;
  if (result.payload) {
    try {
      const doc = StatementTextSchema.parse(JSON.parse(utf8.decode(result.payload)));
      title = doc.title;
      addressees = doc.addressees;
      text = doc.text;
      annexHash = doc.fundingAnnex;
    } catch {
      problems.push('the signed payload is not a statement text');
    }
  }
  // The bundle repeats the title and addressees outside the signatures, for readers: they must say what was signed.
  if (b.title !== undefined && b.title !== title) {
    problems.push('the bundle’s title differs from the title in the signed text');
  }
  if (b.addressees !== undefined && JSON.stringify(b.addressees) !== JSON.stringify(addressees)) {
    problems.push('the bundle’s addressees differ from the addressees in the signed text');
  }
  const annex =
    annexHash !== undefined || b.fundingAnnex !== undefined
      ? await verifyFundingAnnex(b.fundingAnnex, annexHash, ring.resolve)
      : undefined;
  if (annex) problems.push(...annex.problems);
  const final = await verifyObject(b.finalJws, { resolveKey: ring.resolve, kinds: ['statement-final'] });
  if (!final.ok) problems.push(`final: ${final.reason}: ${final.detail}`);
  else if (JSON.stringify((final.object.body as { document: unknown }).document) !== JSON.stringify(b.document)) {
    problems.push('the document differs from the one in the originator’s signed final');
  }
  const names = new Map(members.map((m) => [m.node, m.name]));
  const signers = result.signers.map((s) => ({
    ...s,
    ...(s.node && names.has(s.node) && { name: names.get(s.node) }),
  }));
  return {
    ok: problems.length === 0 && result.allValid,
    ...(title !== undefined && { title }),
    ...(addressees !== undefined && { addressees }),
    ...(text !== undefined && { text }),
    ...(result.textHash && { textHash: result.textHash }),
    hub: { node: hubNode, kids: hubKeys.map((k) => k.kid) },
    signers,
    ...(annex && { fundingAnnex: annex.rows }),
    problems,
  };
}
