import type { RouterOutputs } from '@citylink/client';

export type FeedEntry = RouterOutputs['staff']['objects']['items'][number];

/** One feed line for machines: the whole entry (`seq`, `id`, `kind`, `origin`, `created`, `tlp`, `object`, `jws`, …). */
export function feedJsonLine(entry: FeedEntry): string {
  return JSON.stringify(entry);
}

/** One feed line for people: created, origin, kind, TLP, a summary, id. */
export function feedHumanLine(entry: FeedEntry): string {
  return [entry.created, entry.origin, entry.kind, entry.tlp, summarize(entry), entry.id].filter(Boolean).join('  ');
}

function summarize(entry: FeedEntry): string {
  const body = (entry.object as { body?: unknown }).body;
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const tag = [b.severity, b.category ?? b.topic].filter((v) => typeof v === 'string').join(' ');
  if (typeof b.title === 'string') return `${tag ? `[${tag}] ` : ''}${JSON.stringify(b.title)}`;
  if (typeof b.status === 'string') return `status ${b.status}${entry.target ? ` of ${entry.target}` : ''}`;
  if (entry.target) return `about ${entry.target}`;
  return '';
}
