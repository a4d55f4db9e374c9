import {
  ATTACK_VECTORS,
  type BulletinStatus,
  FUNCTIONAL_IMPACTS,
  INCIDENT_TAXONOMY,
  INFORMATION_IMPACTS,
  JURISDICTION_SIZES,
  NOTE_TOPICS,
  POSTURE_LEVELS,
  SEVERITIES,
} from '@citylink/protocol';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "1 report", "3 reports" (and irregular plurals when given). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(s)) return iso;
  const abs = Math.abs(s);
  if (abs < 60) return relative.format(s, 'second');
  if (abs < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(s / 3600), 'hour');
  return relative.format(Math.round(s / 86_400), 'day');
}

/** `cyber.phishing` → "Cyber: phishing" with its explanation. */
export function categoryLabel(code: string | null | undefined): string {
  if (!code) return '—';
  const [cat, sub] = code.split('.') as [string, string | undefined];
  const def = INCIDENT_TAXONOMY[cat as keyof typeof INCIDENT_TAXONOMY];
  if (!def) return code;
  return sub ? `${def.label}: ${sub.replace(/-/g, ' ')}` : def.label;
}

export function categoryHelp(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  const [cat, sub] = code.split('.') as [string, string | undefined];
  const def = INCIDENT_TAXONOMY[cat as keyof typeof INCIDENT_TAXONOMY];
  return def && sub ? (def.subcategories as Record<string, string>)[sub] : undefined;
}

export const humanize = (s: string | null | undefined) => (s ? s.replace(/[-_]/g, ' ') : '—');

export const severityHelp = (s: string) => (SEVERITIES as Record<string, string>)[s];
export const topicLabel = (t: string | null | undefined) =>
  t ? ((NOTE_TOPICS as Record<string, string>)[t] ?? humanize(t)) : '—';
export const sizeLabel = (s: string) => (JURISDICTION_SIZES as Record<string, string>)[s] ?? s;
export const vectorHelp = (v: string) => (ATTACK_VECTORS as Record<string, string>)[v];
export const functionalHelp = (v: string) => (FUNCTIONAL_IMPACTS as Record<string, string>)[v];
export const informationHelp = (v: string) => (INFORMATION_IMPACTS as Record<string, string>)[v];
export const postureHelp = (v: string) => (POSTURE_LEVELS as Record<string, string>)[v];

/** Plain-words meaning of each bulletin status (GUIDE: published → acknowledged → … → closed). */
export const STATUS_HELP: Record<BulletinStatus, string> = {
  published: 'Reported; nobody has acknowledged it yet',
  acknowledged: 'Seen and accepted for follow-up',
  investigating: 'Someone is looking into it',
  confirmed: 'Confirmed as a real incident',
  unfounded: 'Looked into; not a real incident',
  duplicate: 'Same incident as another report',
  mitigated: 'The harm has been contained',
  closed: 'No further action',
};

export const KIND_LABELS: Record<string, string> = {
  bulletin: 'Incident report',
  note: 'Best-practice note',
  'bulletin-status': 'Status change',
  acknowledgement: 'Acknowledgement',
  endorsement: 'Endorsement',
  retraction: 'Retraction',
  posture: 'Statewide posture',
};

/** RFC 3339 UTC from a `datetime-local` input value (interpreted in the browser's time zone). */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The `datetime-local` value for an ISO time, in the browser's time zone. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
