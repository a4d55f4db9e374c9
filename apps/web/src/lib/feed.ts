import { matchesSearch, searchTextOf } from '@citylink/protocol';
import type { FeedEntry, ItemView } from './api';
import { localInputToIso } from './format';
import type { Overlay } from './live';

export interface Filters {
  kind: '' | 'bulletin' | 'note';
  /** '' | `cat:<category>` | `code:<category.subcategory>` */
  category: string;
  severity: string;
  tlp: string;
  origin: string;
  status: string;
  topic: string;
  since: string;
  until: string;
  text: string;
  includeRetracted: boolean;
}

export const NO_FILTERS: Filters = {
  kind: '',
  category: '',
  severity: '',
  tlp: '',
  origin: '',
  status: '',
  topic: '',
  since: '',
  until: '',
  text: '',
  includeRetracted: false,
};

/** The `staff.feed` input for a set of filters (the cursor is added per page). */
export function feedInput(f: Filters, categoryCodes: (category: string) => string[], limit = 50) {
  const categories = f.category.startsWith('cat:')
    ? categoryCodes(f.category.slice(4))
    : f.category.startsWith('code:')
      ? [f.category.slice(5)]
      : undefined;
  const since = localInputToIso(f.since);
  const until = localInputToIso(f.until);
  const text = f.text.trim().slice(0, 200);
  return {
    limit,
    ...(f.kind && { kinds: [f.kind] }),
    ...(categories && { categories }),
    ...(f.severity && { severities: [f.severity] }),
    ...(f.tlp && { tlps: [f.tlp as 'GREEN'] }),
    ...(f.origin && { origins: [f.origin] }),
    ...(f.status && { statuses: [f.status as 'published'] }),
    ...(f.topic && { topic: f.topic }),
    ...(since && { since }),
    ...(until && { until }),
    ...(text && { text }),
    ...(f.includeRetracted && { includeRetracted: true }),
  };
}

type Input = ReturnType<typeof feedInput>;

/** The list row for a bulletin or note that arrived live. */
export function entryToItem(e: FeedEntry): ItemView {
  const b = e.object.body as { title?: string; category?: string; severity?: string; topic?: string };
  return {
    id: e.id,
    kind: e.kind,
    origin: e.origin,
    created: e.created,
    tlp: e.tlp,
    title: b.title ?? '',
    category: b.category ?? null,
    severity: b.severity ?? null,
    topic: b.topic ?? null,
    status: e.kind === 'bulletin' ? 'published' : null,
    retracted: false,
    supersededBy: null,
  };
}

/** Does a live entry pass the same filters the node applies to `staff.feed`? */
export function entryMatches(e: FeedEntry, q: Input): boolean {
  if (e.kind !== 'bulletin' && e.kind !== 'note') return false;
  const item = entryToItem(e);
  if (q.kinds && !q.kinds.includes(e.kind as 'bulletin')) return false;
  if (q.categories && !q.categories.includes(item.category ?? '')) return false;
  if (q.severities && !q.severities.includes(item.severity ?? '')) return false;
  if (q.tlps && !(q.tlps as string[]).includes(e.tlp)) return false;
  if (q.origins && !q.origins.includes(e.origin)) return false;
  if (q.statuses && !(q.statuses as string[]).includes(item.status ?? '')) return false;
  if (q.topic && item.topic !== q.topic) return false;
  if (q.since && Date.parse(e.created) < Date.parse(q.since)) return false;
  if (q.until && Date.parse(e.created) >= Date.parse(q.until)) return false;
  if (q.text && !matchesSearch(searchTextOf({ origin: e.origin, body: e.object.body }), q.text)) return false;
  return true;
}

/**
 * The list to show: live arrivals not yet in the pages, then the pages; each object
 * once, with live status and retraction changes applied, superseded versions and
 * (unless asked for) retracted ones left out.
 */
export function mergeFeed(
  pages: ItemView[],
  live: FeedEntry[],
  overlay: ReadonlyMap<string, Overlay>,
  q: Input,
): ItemView[] {
  const seen = new Set<string>();
  const fresh: ItemView[] = [];
  for (let i = live.length - 1; i >= 0; i--) {
    const e = live[i]!;
    if (entryMatches(e, q)) fresh.push(entryToItem(e));
  }
  fresh.sort((a, b) => (a.created === b.created ? (a.id < b.id ? 1 : -1) : a.created < b.created ? 1 : -1));
  const out: ItemView[] = [];
  for (const item of [...fresh, ...pages]) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    const o = overlay.get(item.id);
    const merged = o
      ? {
          ...item,
          ...(o.status && item.kind === 'bulletin' && { status: o.status }),
          ...(o.retracted && { retracted: true }),
          ...(o.supersededBy && { supersededBy: o.supersededBy }),
        }
      : item;
    if (merged.supersededBy) continue;
    if (merged.retracted && !q.includeRetracted) continue;
    if (o?.status && q.statuses && !(q.statuses as string[]).includes(merged.status ?? '')) continue;
    out.push(merged);
  }
  return out;
}
