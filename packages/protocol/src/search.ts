import { NOTE_TOPICS } from './taxonomy.js';

/**
 * The text a bulletin or note is found by: title, narrative, the note fields and
 * topic, indicator values, location and origin, lower-cased. Nodes index it and the
 * console filters live arrivals with it, so both agree on what a search matches.
 */
export function searchTextOf(o: { origin: string; body: unknown }): string {
  const b = o.body as Record<string, unknown>;
  const topic = typeof b.topic === 'string' ? (NOTE_TOPICS as Record<string, string>)[b.topic] : undefined;
  const parts = [b.title, b.narrative, b.problem, b.whatWorked, b.whatDidNot, b.affectedAsset, topic, o.origin];
  for (const i of (b.indicators as { value: string }[] | undefined) ?? []) parts.push(i.value);
  const loc = b.location as { description?: string } | undefined;
  if (loc?.description) parts.push(loc.description);
  return parts
    .filter((p): p is string => typeof p === 'string')
    .join('\n')
    .toLowerCase();
}

/** At most this many words of a search are used. */
const MAX_WORDS = 8;

/**
 * The words of a search, each as its tokens: letters and digits, lower-cased; every
 * other character separates tokens and is never syntax. Nodes search with these
 * (full-text, stemmed) and the console matches live arrivals with `matchesSearch`.
 */
export function searchWords(text: string): string[][] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.split(/[^\p{L}\p{N}]+/u).filter(Boolean))
    .filter((tokens) => tokens.length > 0)
    .slice(0, MAX_WORDS);
}

/**
 * Whether a search text holds every word of the query: each word's tokens in a row,
 * the last one as a prefix. (The node also stems words; this does not, so a live
 * arrival may wait for the next page load to match a different word form.)
 */
export function matchesSearch(searchText: string, query: string): boolean {
  const hay = searchText.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return searchWords(query).every((tokens) =>
    hay.some((_, start) =>
      tokens.every((t, i) => (i === tokens.length - 1 ? hay[start + i]?.startsWith(t) : hay[start + i] === t)),
    ),
  );
}
