import { isPublic, isPublicResponse, isResponseKind, type Member, type SignedObject } from '@citylink/protocol';
import { type CityLinkEntry, type ExportContext, type StixObject, tlpOfMarking, toStixObjects } from '@citylink/stix';
import type { Store, StoredObject } from '@citylink/store';
import type { SessionUser } from '../accounts/accounts.js';
import { marked, targetOf } from '../ingest/projection.js';
import type { Views } from '../views/views.js';
import { yieldToLoop } from '../yield-to-loop.js';
import type { Collection } from './collections.js';
import { CONTEXT_ROUNDS, entryOf, exportContext } from './export-context.js';
import type { Cursor, Match } from './query.js';
import { ReferencedObjects } from './referenced.js';
import type { StixIndex } from './stix-index.js';

/** Kinds that have a STIX form (packages/stix `toStixObjects`); the others never enter a collection. */
export const STIX_KINDS = [
  'bulletin',
  'note',
  'posture',
  'endorsement',
  'acknowledgement',
  'bulletin-status',
  'retraction',
] as const;

/** Log rows one request looks at at most before it answers with what it has (and a `next`). */
const MAX_ROWS_SCANNED = 50_000;
/** Rows checked and decoded together. */
const CHUNK = 100;

export interface PageObject {
  object: StixObject;
  dateAdded: Date;
  seq: number;
}

export interface Page {
  objects: PageObject[];
  more: boolean;
  next?: Cursor;
}

/** Who reads: a person or machine account (TLP as in the console), or nobody (CLEAR only). */
export type TaxiiViewer = SessionUser | undefined;

const versionOf = (o: StixObject) => o.modified ?? o.created;

/**
 * Whether a STIX object's markings are all of the collection's: a row can map to a
 * stricter object (a status change becomes a version of its bulletin, with the
 * bulletin's marking), and AMBER content is never listed under `network`.
 */
function markedFor(o: StixObject, c: Collection): boolean {
  return (o.object_marking_refs ?? []).every((m) => {
    const tlp = tlpOfMarking(m);
    return tlp !== undefined && c.tlps.includes(tlp);
  });
}

function matches(o: StixObject, m: Match): boolean {
  if (m.types && !m.types.includes(o.type)) return false;
  if (m.ids && !m.ids.includes(o.id)) return false;
  if (m.specVersions && !m.specVersions.includes(o.spec_version)) return false;
  return true;
}

/** The oldest and newest version of each STIX id among some objects' families. */
type VersionSpan = Map<string, { first: number; last: number }>;

/**
 * `match[version]` (TAXII 2.1 §3.4.1; absent means `last`): `all`, the first or
 * last version of its id in the collection as this viewer sees it, or timestamps.
 */
function versionMatches(o: StixObject, versions: readonly string[], span: VersionSpan): boolean {
  const stamp = versionOf(o);
  // Cyber observables have no versions: each is the one there is.
  if (versions.includes('all') || stamp === undefined) return true;
  const v = Date.parse(stamp);
  const known = span.get(o.id);
  if (versions.includes('last') && (!known || v >= known.last)) return true;
  if (versions.includes('first') && (!known || v <= known.first)) return true;
  return versions.some((t) => t !== 'first' && t !== 'last' && Date.parse(t) === v);
}

/**
 * The objects of a collection, in log order, as STIX: the rows of the log whose
 * marking the collection holds (asked of the database), then the same visibility
 * the console applies (`Views.visible`, or CLEAR-only for nobody), then the STIX
 * mapping, then `match[…]`. A page ends after `limit` objects, possibly inside a
 * row (the cursor says how many of that row's objects were served).
 */
export class TaxiiSource {
  constructor(
    private readonly n: {
      store: Store;
      views: Views;
      index: StixIndex;
      /** The roster's members: the identities objects name (referenced.ts). */
      members: () => readonly Member[];
    },
  ) {}

  async page(viewer: TaxiiViewer, c: Collection, start: Cursor, limit: number, match: Match): Promise<Page> {
    const versions = match.versions ?? ['last'];
    const referenced = new ReferencedObjects(this.n.members());
    const out: PageObject[] = [];
    let after = start.seq - 1;
    let scanned = 0;
    const batch = Math.min(2_000, limit * 2 + 10);
    while (scanned < MAX_ROWS_SCANNED) {
      const slice = await this.n.store.read((r) =>
        r.log.slice({ afterSeq: after, limit: batch, tlps: c.tlps, kinds: STIX_KINDS }),
      );
      if (slice.last === undefined) return { objects: out, more: false };
      const rows = slice.rows;
      scanned += slice.read;
      // Visibility and decoding a chunk at a time: a page usually ends well inside the batch.
      for (let c0 = 0; c0 < rows.length; c0 += CHUNK) {
        // Back to the event loop between chunks: SQLite reads resolve at once, so a long scan
        // would otherwise hold the whole node (every other request, federation) until it ends.
        await yieldToLoop();
        const chunk = rows.slice(c0, c0 + CHUNK);
        const shown = await this.#visible(
          viewer,
          chunk.map((r) => r.object),
        );
        const entries = new Map([...shown].map((o) => [o.id, entryOf(o)]));
        const lookup = await exportContext(this.n.store, [...entries.values()]);
        // Each entry mapped once, for the version span and for the page.
        const mapped = new Map<string, ReturnType<typeof toStixObjects>>();
        const stixOf = (e: CityLinkEntry, ctx = lookup) => {
          if (!mapped.has(e.id)) mapped.set(e.id, toStixObjects(e, ctx));
          return mapped.get(e.id)!;
        };
        const span = versions.includes('all') ? new Map() : await this.#versionSpan(viewer, c, entries, lookup, stixOf);
        for (const row of chunk) {
          after = row.seq;
          const entry = entries.get(row.object.id);
          if (!entry) continue;
          const stix = stixOf(entry);
          if (!Array.isArray(stix)) continue;
          const offset = row.seq === start.seq ? start.skip : 0;
          const list = stix
            .filter((o) => markedFor(o, c) && matches(o, match) && versionMatches(o, versions, span))
            .slice(offset);
          // What the row's objects name, served before them on this page (referenced.ts). A
          // page too small for them and the row's next object goes without them (a limit
          // of one or two must still move forward).
          const needs = stix
            .flatMap((o) => referenced.missing(o))
            .filter((x, j, all) => all.findIndex((y) => y.id === x.id) === j && matches(x, match));
          const room = limit - out.length;
          if (needs.length > 0 && needs.length + Math.min(1, list.length) <= room) {
            for (const x of needs) out.push({ object: x, dateAdded: row.appendedAt, seq: row.seq });
            referenced.served(needs);
          } else if (needs.length > 0 && out.length > 0) {
            return { objects: out, more: true, next: { seq: row.seq, skip: offset } };
          }
          for (let i = 0; i < list.length; i++) {
            if (out.length === limit) return { objects: out, more: true, next: { seq: row.seq, skip: offset + i } };
            out.push({ object: list[i]!, dateAdded: row.appendedAt, seq: row.seq });
          }
        }
      }
      after = slice.last;
      if (slice.read < batch) return { objects: out, more: false };
    }
    return { objects: out, more: true, next: { seq: after + 1, skip: 0 } };
  }

  /**
   * Every version of one STIX id in the collection (deduplicated by `modified`),
   * oldest first; `match[version]` `first`/`last` picks among them. The index
   * (stix-index.ts) names the rows whose STIX forms may carry the id; those the
   * collection holds and the viewer may see are mapped and filtered.
   */
  async versions(viewer: TaxiiViewer, c: Collection, id: string, match: Match): Promise<PageObject[]> {
    const { versions = ['all'], ...rest } = match;
    const other = new ReferencedObjects(this.n.members()).byId(id);
    if (other) {
      if (!matches(other, { ...rest, ids: [id] })) return [];
      return [{ object: other, dateAdded: new Date(other.modified ?? other.created ?? 0), seq: 0 }];
    }
    const candidates = await this.n.index.objectsOf(id);
    const rows = (await this.n.store.read((r) => r.log.ofObjects(candidates))).filter(
      (r) =>
        (STIX_KINDS as readonly string[]).includes(r.object.kind) &&
        (c.tlps as readonly string[]).includes(r.object.tlp),
    );
    const shown = await this.#visible(
      viewer,
      rows.map((r) => r.object),
    );
    const entries = new Map([...shown].map((o) => [o.id, entryOf(o)]));
    const lookup = await exportContext(this.n.store, [...entries.values()]);
    const all = new Map<string, PageObject>();
    for (const row of rows) {
      const entry = entries.get(row.object.id);
      const stix = entry ? toStixObjects(entry, lookup) : undefined;
      if (!Array.isArray(stix)) continue;
      for (const o of stix) {
        if (o.id !== id || !matches(o, { ...rest, ids: [id] })) continue;
        const key = versionOf(o) ?? '';
        if (!all.has(key)) all.set(key, { object: o, dateAdded: row.appendedAt, seq: row.seq });
      }
    }
    const sorted = [...all.values()].sort(
      (a, b) => Date.parse(versionOf(a.object) ?? '') - Date.parse(versionOf(b.object) ?? '') || a.seq - b.seq,
    );
    if (versions.includes('all')) return sorted;
    const stamps = new Set(versions.filter((v) => v !== 'first' && v !== 'last').map((v) => Date.parse(v)));
    return sorted.filter(
      (p, i) =>
        (versions.includes('first') && i === 0) ||
        (versions.includes('last') && i === sorted.length - 1) ||
        stamps.has(Date.parse(versionOf(p.object) ?? '')),
    );
  }

  /** The rows this viewer may see: as `Views.visible` for an account; CLEAR (and answers to CLEAR) for nobody. */
  async #visible(viewer: TaxiiViewer, objects: StoredObject[]): Promise<Set<StoredObject>> {
    const held = objects.filter((o) => o.hold !== 'quarantined');
    if (viewer) return new Set(await this.n.views.visible(viewer, held));
    const targets = new Map(
      (
        await this.n.store.getObjects([
          ...new Set(held.filter((o) => isResponseKind(o.kind) && o.target).map((o) => o.target!)),
        ])
      ).map((t) => [t.id, t]),
    );
    return new Set(
      held.filter((o) => {
        if (!isPublic({ tlp: o.tlp as SignedObject['tlp'] })) return false;
        if (!isResponseKind(o.kind)) return true;
        const target = o.target ? targets.get(o.target) : undefined;
        return isPublicResponse(marked(o), target ? marked(target) : undefined);
      }),
    );
  }

  /**
   * The span of versions, in this collection as the viewer sees it, of every STIX
   * id these entries map to. A version is a row of the log: a correction names what
   * it supersedes, a status change or retraction its bulletin (the `target` column
   * for all three), so a family is the root of each entry's chain and every row
   * below it, a few links deep.
   */
  async #versionSpan(
    viewer: TaxiiViewer,
    c: Collection,
    entries: Map<string, CityLinkEntry>,
    context: ExportContext,
    stixOf: (e: CityLinkEntry, ctx: ExportContext) => ReturnType<typeof toStixObjects>,
  ): Promise<VersionSpan> {
    const family = new Map<string, CityLinkEntry>();
    const roots = new Set<string>();
    for (const e of entries.values()) {
      let root = e;
      for (let i = 0; i < CONTEXT_ROUNDS; i++) {
        const up = targetOf(root.object);
        const parent = up ? context.lookup(up) : undefined;
        if (!parent) break;
        root = parent;
      }
      roots.add(root.id);
      family.set(root.id, root);
    }
    let wave = [...roots];
    for (let round = 0; round < CONTEXT_ROUNDS && wave.length > 0; round++) {
      const below = [...(await this.n.store.read((r) => r.objects.targetingAny(wave))).values()].flat();
      const fresh = below.filter(
        (o) =>
          !family.has(o.id) &&
          (STIX_KINDS as readonly string[]).includes(o.kind) &&
          (c.tlps as readonly string[]).includes(o.tlp),
      );
      const shown = await this.#visible(viewer, fresh);
      wave = [];
      for (const o of shown) {
        family.set(o.id, entryOf(o));
        wave.push(o.id);
      }
    }
    const lookup = (id: string) => family.get(id) ?? context.lookup(id);
    const span: VersionSpan = new Map();
    for (const e of family.values()) {
      const stix = stixOf(e, { lookup });
      if (!Array.isArray(stix)) continue;
      for (const o of stix) {
        const stamp = versionOf(o);
        if (stamp === undefined || !markedFor(o, c)) continue;
        const v = Date.parse(stamp);
        const known = span.get(o.id);
        if (!known) span.set(o.id, { first: v, last: v });
        else span.set(o.id, { first: Math.min(known.first, v), last: Math.max(known.last, v) });
      }
    }
    return span;
  }
}
