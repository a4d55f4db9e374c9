import type { BodyOf, Tlp } from '@citylink/protocol';
import { CITYLINK_EXTENSION, fromStixBundle, type ImportedAdvisory, type ImportRefusal } from '@citylink/stix';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { Authoring } from '../authoring/authoring.js';
import { decodeStored } from '../ingest/projection.js';

/** What one import did, object by object. */
export interface ImportReport {
  source: string;
  imported: { stixId: string; modified: string; id: string; action: 'published' | 'superseded' | 'retracted' }[];
  /** Versions imported before (or older than one imported before). */
  duplicates: { stixId: string; modified: string; id?: string }[];
  /** Objects that repeat one of the same bundle. */
  bundleDuplicates: number;
  refused: ImportRefusal[];
}

export interface ImportRequest {
  bundle: unknown;
  /** Recorded as provenance: a feed name or a file name. */
  source: string;
  defaultTlp: Exclude<Tlp, 'RED'>;
}

/** The hub's imports so far, by STIX id: each version's bulletin. */
interface Held {
  versions: Map<string, string>;
  latest: { modified: string; id: string; retracted: boolean; source: string };
}

/** Scheduled feeds are named so in provenance; a hub official's bundle import is named by its file. */
const isFeed = (source: string) => source.startsWith('taxii:');

type Indicator = NonNullable<BodyOf<'bulletin'>['indicators']>[number];

/** Where each STIX id first sits in the bundle (one pass: a search per object was quadratic). */
function positions(bundle: unknown): Map<unknown, number> {
  const objects = (bundle as { objects?: unknown[] } | null)?.objects;
  const at = new Map<unknown, number>();
  if (!Array.isArray(objects)) return at;
  objects.forEach((o, i) => {
    const id = (o as { id?: unknown } | null)?.id;
    if (!at.has(id)) at.set(id, i);
  });
  return at;
}

/** The author node a STIX object's CityLink extension names, if it has one. */
function citylinkOrigin(bundle: unknown, index: number): string | undefined {
  if (index < 0) return undefined;
  const o = (bundle as { objects: { extensions?: Record<string, { origin?: unknown }> }[] }).objects[index];
  const origin = o?.extensions?.[CITYLINK_EXTENSION]?.origin;
  return typeof origin === 'string' ? origin : undefined;
}

/** A category when the STIX object names none: what its indicators suggest. */
function categoryFor(a: ImportedAdvisory): BodyOf<'bulletin'>['category'] {
  if (a.category) return a.category as BodyOf<'bulletin'>['category'];
  const types = new Set(a.indicators.map((i: Indicator) => i.type));
  if (types.has('email-sender')) return 'cyber.phishing';
  if (types.has('domain') || types.has('url')) return 'cyber.spoofing';
  return 'cyber.scanning';
}

/**
 * Import at the hub: STIX objects (packages/stix `fromStixBundle`, object by object)
 * become bulletins signed by the hub with their provenance, deduplicated by STIX id
 * and `modified` against what the hub imported before (read from its own signed
 * bulletins, so nothing but the objects themselves records an import). A newer
 * version supersedes the earlier import; a revoked object retracts it. GREEN and
 * CLEAR go to the whole network, AMBER stays at the hub; each bulletin is appended
 * whole or not at all, and the normal rules distribute it.
 */
export class StixImport {
  constructor(
    private readonly n: {
      self: string;
      store: Store;
      authoring: Authoring;
      log: Logger;
      isMember: (node: string) => boolean;
    },
  ) {}

  async importBundle(req: ImportRequest, actor: SessionUser): Promise<ImportReport> {
    const parsed = fromStixBundle(req.bundle, { source: req.source, defaultTlp: req.defaultTlp });
    const report: ImportReport = {
      source: req.source,
      imported: [],
      duplicates: [],
      bundleDuplicates: parsed.duplicates,
      refused: [...parsed.refused],
    };
    const held = await this.#held();
    const at = positions(req.bundle);
    for (const a of parsed.items) {
      const stixId = a.provenance.stixId;
      const modified = new Date(a.provenance.modified).toISOString();
      const index = at.get(stixId) ?? -1;
      // CityLink's own objects (a feed that serves a member's TAXII) are in the network already, signed by their author.
      const member = citylinkOrigin(req.bundle, index);
      if (member && this.n.isMember(member)) {
        report.refused.push({ index, stixId, reason: `already in this network, signed by ${member}` });
        continue;
      }
      const known = held.get(stixId);
      // A feed updates and revokes only what it imported itself: STIX ids are public, and one
      // hostile or careless feed must not retract or overwrite another source's advisories.
      if (known && isFeed(req.source) && known.latest.source !== req.source) {
        report.refused.push({
          index,
          stixId,
          reason: `imported from ${known.latest.source}; a feed updates or revokes only its own imports`,
        });
        continue;
      }
      const same = known?.versions.get(modified);
      if (same || (known && Date.parse(known.latest.modified) > Date.parse(modified))) {
        report.duplicates.push({ stixId, modified, ...(same && { id: same }) });
        continue;
      }
      try {
        if (a.revoked) {
          if (!known || known.latest.retracted) {
            report.refused.push({ index, stixId, reason: 'revoked, and no import of it is held to retract' });
            continue;
          }
          const { id } = await this.n.authoring.respond(
            'retraction',
            known.latest.id,
            { reason: `Revoked at the source (${req.source}, ${stixId} version ${modified})` },
            actor,
          );
          known.latest = { ...known.latest, retracted: true };
          report.imported.push({ stixId, modified, id, action: 'retracted' });
          continue;
        }
        const body = this.#body(a, known && !known.latest.retracted ? known.latest.id : undefined);
        const everyone = a.tlp === 'GREEN' || a.tlp === 'CLEAR';
        const { id } = await this.n.authoring.publish(
          'bulletin',
          { tlp: a.tlp, audience: everyone ? ['*'] : [], body },
          actor,
        );
        const latest = { modified, id, retracted: false, source: req.source };
        const entry = known ?? { versions: new Map<string, string>(), latest };
        entry.versions.set(modified, id);
        entry.latest = latest;
        held.set(stixId, entry);
        report.imported.push({ stixId, modified, id, action: body.supersedes ? 'superseded' : 'published' });
      } catch (err) {
        report.refused.push({ index, stixId, reason: `not accepted: ${(err as Error).message}` });
      }
    }
    this.n.log.info(
      {
        source: req.source,
        imported: report.imported.length,
        duplicates: report.duplicates.length,
        refused: report.refused.length,
      },
      'STIX import',
    );
    return report;
  }

  #body(a: ImportedAdvisory, supersedes: string | undefined): BodyOf<'bulletin'> {
    const { source, stixId, modified, createdByRef, createdByName } = a.provenance;
    return {
      title: a.title,
      narrative: a.narrative,
      category: categoryFor(a),
      severity: a.severity ?? 'low',
      ...(a.observedAt && { observedAt: a.observedAt }),
      ...(a.indicators.length > 0 && { indicators: a.indicators }),
      ...(supersedes && { supersedes }),
      provenance: {
        source,
        stixId,
        modified: new Date(modified).toISOString(),
        ...(createdByRef && { createdByRef }),
        ...(createdByName && { createdByName }),
      },
    };
  }

  /** Every STIX object the hub imported before, from its own bulletins' provenance. */
  async #held(): Promise<Map<string, Held>> {
    const { store, self } = this.n;
    const items = await store.queryItems({
      kinds: ['bulletin'],
      origins: [self],
      includeRetracted: true,
      includeSuperseded: true,
      limit: 1_000_000,
    });
    const byId = new Map(items.map((i) => [i.id, i]));
    const held = new Map<string, Held>();
    for (let i = 0; i < items.length; i += 1_000) {
      for (const o of await store.getObjects(items.slice(i, i + 1_000).map((x) => x.id))) {
        const p = (decodeStored(o).body as BodyOf<'bulletin'>).provenance;
        if (!p) continue;
        const entry = held.get(p.stixId) ?? {
          versions: new Map<string, string>(),
          latest: { modified: p.modified, id: o.id, retracted: false, source: p.source },
        };
        entry.versions.set(p.modified, o.id);
        if (Date.parse(p.modified) >= Date.parse(entry.latest.modified)) {
          const retracted = byId.get(o.id)?.retracted ?? false;
          entry.latest = { modified: p.modified, id: o.id, retracted, source: p.source };
        }
        held.set(p.stixId, entry);
      }
    }
    return held;
  }
}
