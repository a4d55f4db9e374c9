import { describe, expect, it } from 'vitest';
import type { AppendInput, Item, ItemQuery, NewItem, Store } from '../src/index.js';
import { at, BACKENDS, itemInput, newObject, sharedDatabase, uniqueName } from './fixtures.js';

/** Every test scopes its queries to an origin of its own, so tests sharing a database stay independent. */
async function seed(store: Store, origin: string, items: Partial<NewItem>[]): Promise<string[]> {
  const inputs: AppendInput[] = items.map((i) => itemInput({ origin, ...i }));
  await store.append(inputs);
  return inputs.map((i) => i.object.id);
}

const ids = (items: Item[]) => items.map((i) => i.id);

describe.each(BACKENDS)('queryItems (%s)', (_dialect, factory) => {
  const db = sharedDatabase(factory);

  it('returns items newest first, limited', async () => {
    const { store } = db();
    const origin = uniqueName('newest');
    const [a, b, c] = await seed(store, origin, [{ created: at(1) }, { created: at(3) }, { created: at(2) }]);
    expect(ids(await store.queryItems({ origins: [origin], limit: 10 }))).toEqual([b, c, a]);
    expect(ids(await store.queryItems({ origins: [origin], limit: 2 }))).toEqual([b, c]);
    const [item] = await store.queryItems({ origins: [origin], limit: 1 });
    expect(item).toMatchObject({ id: b, origin, kind: 'bulletin', created: at(3), retracted: false });
  });

  it('filters by kinds, categories, severities, tlps and statuses', async () => {
    const { store } = db();
    const origin = uniqueName('filters');
    const [note, phishing, high, red, resolved] = await seed(store, origin, [
      { kind: 'note', category: null, severity: null },
      { category: 'cyber.phishing', severity: 'low', tlp: 'GREEN', status: 'open' },
      { category: 'physical.threat', severity: 'high', tlp: 'GREEN', status: 'open' },
      { category: 'physical.threat', severity: 'low', tlp: 'RED', status: 'open' },
      { category: 'cyber.ddos', severity: 'low', tlp: 'GREEN', status: 'resolved' },
    ]);
    const q = (extra: Partial<ItemQuery>) =>
      store.queryItems({ origins: [origin], limit: 50, ...extra }).then((r) => ids(r).sort());
    const sorted = (...xs: (string | undefined)[]) => (xs as string[]).sort();

    expect(await q({ kinds: ['note'] })).toEqual([note]);
    expect(await q({ kinds: ['bulletin'] })).toEqual(sorted(phishing, high, red, resolved));
    expect(await q({ kinds: ['note', 'bulletin'] })).toEqual(sorted(note, phishing, high, red, resolved));
    expect(await q({ categories: ['physical.threat'] })).toEqual(sorted(high, red));
    expect(await q({ categories: ['cyber.phishing', 'cyber.ddos'] })).toEqual(sorted(phishing, resolved));
    expect(await q({ severities: ['high'] })).toEqual([high]);
    expect(await q({ tlps: ['RED'] })).toEqual([red]);
    expect(await q({ tlps: ['RED', 'GREEN'] })).toEqual(sorted(note, phishing, high, red, resolved));
    expect(await q({ statuses: ['resolved'] })).toEqual([resolved]);
    expect(await q({ statuses: ['open'] })).toEqual(sorted(note, phishing, high, red));
    // Filters combine with AND.
    expect(await q({ categories: ['physical.threat'], severities: ['low'] })).toEqual([red]);
    expect(await q({ categories: ['physical.threat'], tlps: ['GREEN'], severities: ['low'] })).toEqual([]);
    // An empty list is no filter.
    expect(await q({ kinds: [], categories: [] })).toHaveLength(5);
  });

  it('filters by origins and topic', async () => {
    const { store } = db();
    const [o1, o2, o3] = [uniqueName('org'), uniqueName('org'), uniqueName('org')];
    const [a] = await seed(store, o1, [{ topic: 'drop-boxes' }]);
    const [b] = await seed(store, o2, [{ topic: null }]);
    await seed(store, o3, [{ topic: 'drop-boxes' }]);
    expect(ids(await store.queryItems({ origins: [o1], limit: 10 }))).toEqual([a]);
    expect(ids(await store.queryItems({ origins: [o1, o2], limit: 10 })).sort()).toEqual([a, b].sort());
    expect(ids(await store.queryItems({ origins: [o1, o2], topic: 'drop-boxes', limit: 10 }))).toEqual([a]);
  });

  it('filters by since (inclusive) and until (exclusive)', async () => {
    const { store } = db();
    const origin = uniqueName('time');
    const [t0, t1, t2, t3] = await seed(store, origin, [
      { created: at(0) },
      { created: at(10) },
      { created: at(20) },
      { created: at(30) },
    ]);
    const q = (since?: Date, until?: Date) =>
      store.queryItems({ origins: [origin], limit: 10, ...(since && { since }), ...(until && { until }) }).then(ids);
    expect(await q(at(10))).toEqual([t3, t2, t1]);
    expect(await q(undefined, at(20))).toEqual([t1, t0]);
    expect(await q(at(10), at(30))).toEqual([t2, t1]);
    expect(await q(new Date(at(10).getTime() + 1), at(30))).toEqual([t2]);
    expect(await q(at(31))).toEqual([]);
  });

  it('matches every word of the text, case-insensitively', async () => {
    const { store } = db();
    const origin = uniqueName('text');
    const [both, phishingOnly, madisonOnly] = await seed(store, origin, [
      { searchText: 'phishing e-mails impersonating the madison clerk' },
      { searchText: 'phishing campaign against poll workers' },
      { searchText: 'madison drop box damaged' },
    ]);
    const q = (text: string) => store.queryItems({ origins: [origin], text, limit: 10 }).then((r) => ids(r).sort());
    expect(await q('phishing')).toEqual([both, phishingOnly].sort());
    expect(await q('PHISHING  Madison')).toEqual([both]);
    expect(await q('madison')).toEqual([both, madisonOnly].sort());
    expect(await q('Phish')).toEqual([both, phishingOnly].sort()); // prefix match
    expect(await q('phishing tornado')).toEqual([]);
    expect(await q('   ')).toHaveLength(3); // blank text is no filter
  });

  it('stems words and takes the last token of a word as a prefix, the same on both databases', async () => {
    const { store } = db();
    const origin = uniqueName('stem');
    const [ballots, scanner, sender, address] = await seed(store, origin, [
      { searchText: 'ballots found in the wrong box' },
      { searchText: 'the scanner jammed twice' },
      { searchText: 'e-mails from training@wec-wisvote.example' },
      { searchText: 'scanning from 203.0.113.41 at night' },
    ]);
    const q = (text: string) => store.queryItems({ origins: [origin], text, limit: 10 }).then((r) => ids(r).sort());
    expect(await q('ballot')).toEqual([ballots]);
    expect(await q('jamming')).toEqual([scanner]); // porter / english: jam
    expect(await q('scan')).toEqual([scanner, address].sort()); // prefix of scanner and scanning
    expect(await q('wec-wisvote.example')).toEqual([sender]); // an address inside an e-mail sender
    expect(await q('203.0.113')).toEqual([address]);
    expect(await q('wisvote example')).toEqual([sender]);
    expect(await q('ballot scanner')).toEqual([]);
  });

  it('treats punctuation and query syntax in the text as separators, never as syntax', async () => {
    const { store } = db();
    const origin = uniqueName('syntax');
    const [percent, underscore, backslash] = await seed(store, origin, [
      { searchText: 'turnout up 50% on election day' },
      { searchText: 'poll_book outage' },
      { searchText: 'path c:\\temp\\ballots' },
    ]);
    const q = (text: string) => store.queryItems({ origins: [origin], text, limit: 10 }).then((r) => ids(r).sort());
    expect(await q('50%')).toEqual([percent]);
    expect(await q('poll_book')).toEqual([underscore]);
    expect(await q('c:\\temp')).toEqual([backslash]);
    // FTS5 and tsquery operators are only separators here.
    expect(await q('"outage" OR turnout*')).toEqual([]);
    expect(await q("poll' & !book")).toEqual([underscore]);
    expect(await q('(poll) {book}^*')).toEqual([underscore]);
    expect(await q('%')).toHaveLength(3); // no word to look for: no filter
  });

  it('hides retracted and superseded items unless asked', async () => {
    const { store } = db();
    const origin = uniqueName('hidden');
    const [live, retracted, superseded] = await seed(store, origin, [{}, {}, {}]);
    const [replacement] = await seed(store, origin, [{}]);
    await store.append([
      { object: newObject({ kind: 'retraction' }), effects: [{ id: retracted!, patch: { retracted: true } }] },
      { object: newObject({ kind: 'bulletin' }), effects: [{ id: superseded!, patch: { supersededBy: replacement } }] },
    ]);
    const q = (flags: { includeRetracted?: boolean; includeSuperseded?: boolean }) =>
      store.queryItems({ origins: [origin], limit: 10, ...flags }).then((r) => ids(r).sort());
    expect(await q({})).toEqual([live, replacement].sort());
    expect(await q({ includeRetracted: true })).toEqual([live, retracted, replacement].sort());
    expect(await q({ includeSuperseded: true })).toEqual([live, superseded, replacement].sort());
    expect(await q({ includeRetracted: true, includeSuperseded: true })).toEqual(
      [live, retracted, superseded, replacement].sort(),
    );
  });

  it('pages with `before` without overlap or gap, newest first, across runs of equal `created`', async () => {
    const { store } = db();
    const origin = uniqueName('pages');
    // Eleven items over six distinct times, so several pages split a run of equal `created`.
    const minutes = [5, 3, 3, 3, 9, 1, 3, 7, 7, 0, 5];
    const all = await seed(
      store,
      origin,
      minutes.map((m) => ({ created: at(m) })),
    );
    const everything = await store.queryItems({ origins: [origin], limit: 100 });
    expect(ids(everything).sort()).toEqual([...all].sort());
    // Newest first. Among equal `created` the order is the database's id order (collation-dependent),
    // which is why paging is compared against the database's own full listing below.
    for (let n = 1; n < everything.length; n++) {
      expect(everything[n - 1]!.created.getTime()).toBeGreaterThanOrEqual(everything[n]!.created.getTime());
    }

    for (const size of [1, 2, 3, 4]) {
      const seen: string[] = [];
      let before: { created: Date; id: string } | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.queryItems({ origins: [origin], limit: size, ...(before && { before }) });
        expect(page.length).toBeLessThanOrEqual(size);
        if (page.length === 0) break;
        seen.push(...ids(page));
        const last = page[page.length - 1]!;
        before = { created: last.created, id: last.id };
      }
      expect(seen, `page size ${size}`).toEqual(ids(everything));
    }
  });

  it('combines `before` with other filters', async () => {
    const { store } = db();
    const origin = uniqueName('pagefilter');
    const [a, , c, , e] = await seed(store, origin, [
      { created: at(1), severity: 'high' },
      { created: at(2), severity: 'low' },
      { created: at(3), severity: 'high' },
      { created: at(4), severity: 'low' },
      { created: at(5), severity: 'high' },
    ]);
    const first = await store.queryItems({ origins: [origin], severities: ['high'], limit: 2 });
    expect(ids(first)).toEqual([e, c]);
    const last = first[1]!;
    const second = await store.queryItems({
      origins: [origin],
      severities: ['high'],
      limit: 2,
      before: { created: last.created, id: last.id },
    });
    expect(ids(second)).toEqual([a]);
  });
});

describe.each(BACKENDS)('countItemsBy (%s)', (_dialect, factory) => {
  const db = sharedDatabase(factory);

  it('groups live items by category, severity, origin and status', async () => {
    const { store } = db();
    // A kind of its own scopes the counts to this test.
    const kind = uniqueName('kind-count');
    const [o1, o2] = [uniqueName('origin'), uniqueName('origin')];
    const inputs = [
      { origin: o1, category: 'cyber.phishing', severity: 'high', status: 'open' },
      { origin: o1, category: 'cyber.phishing', severity: 'low', status: 'open' },
      { origin: o2, category: 'physical.threat', severity: 'high', status: 'resolved' },
      { origin: o2, category: null, severity: null, status: null },
    ].map((i) => itemInput({ kind, ...i }));
    const hidden = [itemInput({ kind, origin: o1, category: 'cyber.phishing' }), itemInput({ kind, origin: o1 })];
    await store.append([...inputs, ...hidden]);
    await store.append([
      { object: newObject(), effects: [{ id: hidden[0]!.object.id, patch: { retracted: true } }] },
      { object: newObject(), effects: [{ id: hidden[1]!.object.id, patch: { supersededBy: inputs[0]!.object.id } }] },
    ]);

    expect(await store.countItemsBy('category', { kinds: [kind] })).toEqual({
      'cyber.phishing': 2,
      'physical.threat': 1,
      none: 1,
    });
    expect(await store.countItemsBy('severity', { kinds: [kind] })).toEqual({ high: 2, low: 1, none: 1 });
    expect(await store.countItemsBy('origin', { kinds: [kind] })).toEqual({ [o1]: 2, [o2]: 2 });
    expect(await store.countItemsBy('status', { kinds: [kind] })).toEqual({ open: 2, resolved: 1, none: 1 });
  });

  it('counts only the given kinds, created at or after `since`', async () => {
    const { store } = db();
    const [k1, k2] = [uniqueName('kind-since'), uniqueName('kind-since')];
    await store.append([
      itemInput({ kind: k1, category: 'a', created: at(0) }),
      itemInput({ kind: k1, category: 'a', created: at(10) }),
      itemInput({ kind: k1, category: 'b', created: at(20) }),
      itemInput({ kind: k2, category: 'a', created: at(20) }),
    ]);
    expect(await store.countItemsBy('category', { kinds: [k1] })).toEqual({ a: 2, b: 1 });
    expect(await store.countItemsBy('category', { kinds: [k1, k2] })).toEqual({ a: 3, b: 1 });
    expect(await store.countItemsBy('category', { kinds: [k1], since: at(10) })).toEqual({ a: 1, b: 1 });
    expect(await store.countItemsBy('category', { kinds: [k1], since: new Date(at(10).getTime() + 1) })).toEqual({
      b: 1,
    });
    expect(await store.countItemsBy('category', { kinds: [k1], since: at(21) })).toEqual({});
  });

  it('counts across all kinds without a filter', async () => {
    const { store } = db();
    const category = uniqueName('cat-all');
    await store.append([
      itemInput({ kind: 'bulletin', category }),
      itemInput({ kind: 'note', category }),
      itemInput({ kind: uniqueName('kind-all'), category }),
    ]);
    expect((await store.countItemsBy('category'))[category]).toBe(3);
  });
});
