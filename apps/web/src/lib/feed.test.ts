import { describe, expect, it } from 'vitest';
import { categoryCodes } from '../screens/feed';
import type { FeedEntry, ItemView } from './api';
import { entryMatches, feedInput, mergeFeed, NO_FILTERS } from './feed';

const ID = (n: number) => `${String(n).padStart(3, '0')}${'a'.repeat(40)}`;

function entry(n: number, body: Record<string, unknown>, over: Partial<FeedEntry> = {}): FeedEntry {
  const kind = (over.kind ?? 'bulletin') as 'bulletin';
  return {
    seq: n,
    id: ID(n),
    kind,
    origin: 'springfield',
    created: `2026-11-03T10:00:${String(n).padStart(2, '0')}.000Z`,
    tlp: 'GREEN',
    audience: ['*'],
    target: null,
    jws: 'x.y.z',
    object: {
      v: 1,
      kind,
      origin: 'springfield',
      created: `2026-11-03T10:00:${String(n).padStart(2, '0')}.000Z`,
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: `t${n}`, narrative: 'n', category: 'cyber.phishing', severity: 'low', ...body },
    } as FeedEntry['object'],
    ...over,
  };
}

const item = (n: number, over: Partial<ItemView> = {}): ItemView => ({
  id: ID(n),
  kind: 'bulletin',
  origin: 'shelbyville',
  created: `2026-11-03T09:00:${String(n).padStart(2, '0')}.000Z`,
  tlp: 'GREEN',
  title: `page ${n}`,
  category: 'cyber.scanning',
  severity: 'low',
  topic: null,
  status: 'published',
  retracted: false,
  supersededBy: null,
  ...over,
});

describe('feed filters', () => {
  it('turn into the staff.feed input, a whole category into its codes', () => {
    expect(
      feedInput({ ...NO_FILTERS, category: 'cat:information', tlp: 'AMBER', text: '  ballot  ' }, categoryCodes),
    ).toEqual({
      limit: 50,
      categories: ['information.misinformation', 'information.disinformation', 'information.malinformation'],
      tlps: ['AMBER'],
      text: 'ballot',
    });
    expect(feedInput(NO_FILTERS, categoryCodes)).toEqual({ limit: 50 });
  });

  it('are applied to live entries as the node applies them', () => {
    const q = feedInput(
      { ...NO_FILTERS, category: 'code:cyber.phishing', text: 'CLERK domain.example' },
      categoryCodes,
    );
    const e = entry(1, {
      title: 'Fake clerk mail',
      indicators: [{ type: 'domain', value: 'evil-domain.example' }],
    });
    expect(entryMatches(e, q)).toBe(true);
    expect(entryMatches(entry(2, { category: 'cyber.ddos', title: 'clerk domain.example' }), q)).toBe(false);
    expect(entryMatches(entry(3, { title: 'nothing relevant' }), q)).toBe(false);
    expect(entryMatches(entry(4, {}, { kind: 'acknowledgement' }), feedInput(NO_FILTERS, categoryCodes))).toBe(false);
  });
});

describe('mergeFeed', () => {
  const q = feedInput(NO_FILTERS, categoryCodes);

  it('puts live arrivals first, newest first, and lists each object once', () => {
    const pages = [item(2), item(1)];
    const live = [entry(5, {}), entry(6, {}), entry(5, {})];
    // The page query may already contain a live arrival (it was re-read after the subscription started).
    const merged = mergeFeed([{ ...item(5), title: 't5' }, ...pages], live, new Map(), q);
    expect(merged.map((i) => i.id)).toEqual([ID(6), ID(5), ID(2), ID(1)]);
  });

  it('applies live status changes, retractions and corrections', () => {
    const overlay = new Map([
      [ID(1), { status: 'acknowledged' }],
      [ID(2), { retracted: true }],
      [ID(3), { supersededBy: ID(9) }],
    ]);
    const merged = mergeFeed([item(3), item(2), item(1)], [], overlay, q);
    expect(merged.map((i) => [i.id, i.status])).toEqual([[ID(1), 'acknowledged']]);
    const withRetracted = mergeFeed([item(2)], [], overlay, { ...q, includeRetracted: true });
    expect(withRetracted[0]).toMatchObject({ retracted: true });
    // A status filter drops an item whose live status no longer matches.
    const published = feedInput({ ...NO_FILTERS, status: 'published' }, categoryCodes);
    expect(mergeFeed([item(1)], [], overlay, published)).toEqual([]);
  });
});
