import type { StatementText } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import { ConflictError } from '../errors.js';
import { decodeStored } from '../ingest/projection.js';
import type { RosterState } from '../membership/roster-state.js';
import { fundingAnnexRows } from './funding-annex.js';
import type { VerifiedEntry } from './statement-fold.js';
import type { StatementReader } from './statement-reader.js';

type State = NonNullable<Awaited<ReturnType<StatementReader['state']>>>;

/**
 * The final document three ways: the General JWS, a verification bundle (the JWS
 * plus the hub-signed roster and the hub key needed to check it offline), and a
 * printable HTML page.
 */
export async function exportStatement(
  n: { reader: StatementReader; store: Pick<Store, 'getObject' | 'getObjects'>; roster: RosterState },
  s: State,
) {
  const ctx = s.final && (await n.reader.context(s.id));
  const signOn = s.final && ctx?.signOns.find((so) => so.id === s.final?.signOn);
  const text = signOn && ctx?.frozenFor(signOn)?.text;
  if (!s.final || !text) throw new ConflictError('the statement is not final yet');
  const hub = n.roster.member(n.roster.hubNode);
  const finalJws = (await n.store.getObject(s.final.id))!.jws;
  const revision = await n.store.getObject(text.revision);
  const annexIds = revision ? (decodeStored(revision).body as { fundingAnnex?: string[] }).fundingAnnex : undefined;
  const annex = text.fundingAnnex && annexIds ? await fundingAnnexRows(n.store, annexIds) : [];
  const bundle = {
    format: 'citylink-statement-bundle/1',
    statement: s.id,
    final: s.final.id,
    finalJws,
    title: text.title,
    addressees: text.addressees,
    textHash: s.final.textHash,
    document: s.final.document,
    roster: n.roster.jws ?? null,
    hub: { node: n.roster.hubNode, keys: n.roster.hubKeys },
    /** The funding annex: each city's signed funding-need object, in table order (its hash is in the signed text). */
    ...(annex.length > 0 && { fundingAnnex: annex.map((r) => r.jws) }),
  };
  return {
    document: s.final.document,
    bundle,
    html: renderHtml(text, s.final.verified, s.final.unverified.length, s.final.textHash, hub?.name, annex),
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A self-contained printable page: the text, the signature blocks, and a short
 * verification fingerprint. Only entries verified here are listed: a block is
 * whatever its signer wrote, and only its signature makes it a city's.
 */
function renderHtml(
  text: StatementText,
  entries: readonly VerifiedEntry[],
  unverified: number,
  textHash: string,
  hubName: string | undefined,
  annex: readonly { origin: string; item: string; amount: number; buys: string }[],
): string {
  const table =
    annex.length === 0
      ? ''
      : `<h2>How federal funding would benefit each city</h2>
<table><thead><tr><th>City</th><th>Item</th><th>Amount (USD)</th><th>What it buys</th></tr></thead><tbody>
${annex.map((r) => `<tr><td>${escapeHtml(r.origin)}</td><td>${escapeHtml(r.item)}</td><td>${r.amount.toLocaleString('en-US')}</td><td>${escapeHtml(r.buys)}</td></tr>`).join('\n')}
</tbody></table>
<p><small>Each row is signed by its city; the table's hash (${escapeHtml(text.fundingAnnex ?? '')}) is part of the signed text.</small></p>`;
  const blocks = entries.map(
    (e) =>
      `<li><strong>${escapeHtml(e.block.name)}</strong><br>${escapeHtml(e.block.title)}, ${escapeHtml(e.block.city)}<br><small>signed ${escapeHtml(e.signedAt)} · node ${escapeHtml(e.node)}</small></li>`,
  );
  const fingerprint = textHash.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(text.title)}</title>
<style>body{font:12pt/1.5 Georgia,serif;max-width:42rem;margin:2rem auto;color:#111}h1{font-size:18pt}ol{list-style:none;padding:0;columns:2}li{margin:0 0 1rem;break-inside:avoid}footer{margin-top:2rem;border-top:1px solid #999;font:9pt/1.4 monospace}</style>
</head><body>
<p>To: ${text.addressees.map(escapeHtml).join('; ')}</p>
<h1>${escapeHtml(text.title)}</h1>
${text.text
  .split(/\n{2,}/)
  .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
  .join('\n')}
${table}
<h2>Signed</h2>
<ol>${blocks.join('\n')}</ol>
<footer>Verification fingerprint ${fingerprint} (SHA-256 of the signed text: ${escapeHtml(textHash)}).
${entries.length} signatures, each by the signing city's key, checkable offline with the verification bundle (citylink verify)${hubName ? `; membership attested by ${escapeHtml(hubName)}` : ''}.${unverified > 0 ? ` ${unverified} further entries of the document do not verify here and are not listed.` : ''}</footer>
</body></html>
`;
}
