import type { ObjectDetail, RouterOutputs } from './api';
import { categoryLabel, humanize } from './format';
import type { PdfBlock, PdfDocument } from './pdf';

type StatementState = RouterOutputs['statements']['get'];

/** A date in the reader's own time zone, with the zone named (a printout travels). */
export function localDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(d);
}

/** "1A2B 3C4D …": the first 16 characters of a hash or key id, grouped for reading aloud. */
export const fingerprint = (s: string) => s.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 ');

const field = (label: string, value: string | undefined | null, mono = false): PdfBlock[] =>
  value ? [{ label, value, mono }] : [];

/** A bulletin (or note) as it reads on the detail page, with its signature and origin. */
export function bulletinDocument(
  detail: ObjectDetail,
  nodeName: (node: string) => string,
  now = new Date(),
): PdfDocument {
  const o = detail.object;
  const title = 'title' in o.body ? String(o.body.title) : humanize(o.kind);
  const blocks: PdfBlock[] = [];
  if (o.kind === 'bulletin') {
    const b = o.body;
    blocks.push({ heading: 'What happened' }, { text: b.narrative });
    blocks.push(
      { heading: 'Facts' },
      ...field('Category', categoryLabel(b.category)),
      ...field('Severity', humanize(b.severity)),
      ...field('Status', detail.item?.status ? humanize(detail.item.status) : undefined),
      ...field('Observed', b.observedAt && localDate(b.observedAt)),
      ...field('Detected', b.detectedAt && localDate(b.detectedAt)),
      ...field(
        'Location',
        b.location &&
          [
            b.location.description,
            b.location.county && `${b.location.county} County`,
            b.location.precinct && `precinct ${b.location.precinct}`,
          ]
            .filter(Boolean)
            .join(', '),
      ),
      ...field('Attack vector', b.attackVector && humanize(b.attackVector)),
      ...field('Affected asset', b.affectedAsset),
      ...field(
        'Point of contact',
        b.contact && [b.contact.name, b.contact.role, b.contact.email, b.contact.phone].filter(Boolean).join(' · '),
      ),
      ...field('Also informed', b.informed?.join(', ')),
    );
    if (b.indicators?.length) {
      blocks.push({ heading: 'Indicators' });
      for (const i of b.indicators)
        blocks.push({ label: humanize(i.type), value: i.note ? `${i.value}  (${i.note})` : i.value, mono: true });
    }
  } else if (o.kind === 'note') {
    const b = o.body;
    blocks.push({ heading: 'The problem' }, { text: b.problem }, { heading: 'What worked' }, { text: b.whatWorked });
    if (b.whatDidNot) blocks.push({ heading: 'What did not' }, { text: b.whatDidNot });
  }
  if (detail.item?.retracted) blocks.push({ heading: 'Retracted' }, { text: 'The author has retracted this report.' });
  blocks.push(
    { heading: 'Signature and origin' },
    { label: 'Origin', value: `${nodeName(detail.origin)} (${detail.origin})` },
    { label: 'Signed at', value: localDate(detail.created) },
    { label: 'Key (kid)', value: detail.kid, mono: true },
    { label: 'Object id', value: detail.id, mono: true },
    {
      label: 'Shared with',
      value: `TLP:${detail.tlp}, ${
        detail.audience.includes('*') ? 'the whole network' : detail.audience.map(nodeName).join(', ') || 'nobody else'
      }${detail.recipients ? `; only ${detail.recipients.map((r) => `${r.user} at ${nodeName(r.node)}`).join(', ')}` : ''}`,
    },
  );
  return {
    tlp: detail.tlp,
    title,
    byline: `From ${nodeName(detail.origin)} · ${localDate(detail.created)}`,
    blocks,
    footer: `Verification fingerprint ${fingerprint(detail.id)} (object id, the hash of the signed payload). Signed by ${nodeName(detail.origin)} with key ${fingerprint(detail.kid)}; the signature was verified by this node on receipt. Exported ${localDate(now.toISOString())}.`,
  };
}

/** A final joint statement: the frozen text, every verified signature block, and the fingerprint. */
export function statementDocument(
  s: StatementState,
  nodeName: (node: string) => string,
  now = new Date(),
): PdfDocument {
  const text = s.signOn?.text;
  const final = s.final;
  if (!final || !text) throw new Error('the statement is not final yet');
  const blocks: PdfBlock[] = [];
  if (text.addressees.length) blocks.push({ label: 'To', value: text.addressees.join('; ') });
  for (const para of text.text.split(/\n{2,}/)) blocks.push({ text: para });
  blocks.push({ heading: `Signed (${final.verified.length})` });
  for (const e of final.verified) {
    blocks.push({
      label: e.block.city || nodeName(e.node),
      value: `${e.block.name}, ${e.block.title}\nsigned ${localDate(e.signedAt)} with the key of ${nodeName(e.node)}`,
    });
  }
  if (final.unverified.length > 0) {
    blocks.push({
      text: `${final.unverified.length} further ${final.unverified.length === 1 ? 'entry' : 'entries'} of the document do not verify here and are not listed.`,
    });
  }
  blocks.push(
    { heading: 'Verification' },
    { label: 'Text hash', value: final.textHash, mono: true },
    { label: 'Final document', value: final.id, mono: true },
    { label: 'Issued', value: localDate(final.created) },
  );
  return {
    tlp: s.tlp,
    title: text.title,
    byline: `Joint statement · final, issued ${localDate(final.created)}`,
    blocks,
    footer: `Verification fingerprint ${fingerprint(final.textHash)} (SHA-256 of the signed text). Each signature is by the signing city's key; check it offline with the verification bundle (citylink verify). Exported ${localDate(now.toISOString())}.`,
  };
}
