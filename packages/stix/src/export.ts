import {
  type BodyOf,
  type Bulletin,
  type BulletinStatus,
  INCIDENT_TAXONOMY,
  NOTE_TOPICS,
  type ObjectOfKind,
  POSTURE_LEVELS,
  type SignedObject,
} from '@citylink/protocol';
import { CITYLINK_EXTENSION } from './extension.js';
import { identityId, scoId, stixId } from './ids.js';
import { TLP2_MARKING_IDS } from './markings.js';
import type { StixObject } from './types.js';
import { CRITICALITY, INCIDENT_STATE, OBSERVABLES, RETRACTED_STATE } from './vocabulary.js';

/** The OASIS Incident Core extension (stix-extensions, incident-core). */
export const INCIDENT_CORE_EXTENSION = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';

/** A CityLink object as a node holds it: its id, the exact JWS, and the decoded payload. */
export interface CityLinkEntry {
  id: string;
  jws: string;
  object: SignedObject;
}

export interface ExportContext {
  /** Another object this node holds (a response's target, an earlier version), or undefined. */
  lookup(id: string): CityLinkEntry | undefined;
}

/** Why an entry gave no STIX objects (internal kinds, or a target this node does not hold). */
export interface Skipped {
  id: string;
  kind: string;
  reason: string;
}

/** STIX timestamps: UTC, millisecond precision (RFC 3339 with `Z`). */
export const stamp = (iso: string) => new Date(iso).toISOString();

/** How many versions back a chain is followed (the same bound for the STIX id and for what a node reads to find it). */
export const MAX_VERSION_CHAIN = 100;

/**
 * The first version of a bulletin or note: versions name what they supersede (same
 * origin, same kind), and every version keeps the first one's STIX id.
 */
export function firstVersion(entry: CityLinkEntry, ctx: ExportContext): CityLinkEntry {
  let current = entry;
  for (let i = 0; i < MAX_VERSION_CHAIN; i++) {
    const previousId = (current.object.body as { supersedes?: string }).supersedes;
    const previous = previousId ? ctx.lookup(previousId) : undefined;
    if (!previous || previous.object.origin !== entry.object.origin || previous.object.kind !== entry.object.kind) {
      return current;
    }
    current = previous;
  }
  return current;
}

/** The STIX id of the primary object a bulletin (incident) or note (report) becomes. */
export function primaryIdOf(entry: CityLinkEntry, ctx: ExportContext): string | undefined {
  const first = firstVersion(entry, ctx);
  if (first.object.kind === 'bulletin') return stixId('incident', first.id);
  if (first.object.kind === 'note') return stixId('report', first.id);
  return undefined;
}

function common(entry: CityLinkEntry, type: string, id: string, created: string, modified: string, extra = {}) {
  return {
    type,
    spec_version: '2.1' as const,
    id,
    created: stamp(created),
    modified: stamp(Date.parse(modified) < Date.parse(created) ? created : modified),
    created_by_ref: identityId(entry.object.origin),
    object_marking_refs: [TLP2_MARKING_IDS[entry.object.tlp]],
    ...extra,
  };
}

function origin(entry: CityLinkEntry, fields: Record<string, unknown> = {}) {
  return {
    [CITYLINK_EXTENSION]: {
      extension_type: 'property-extension',
      object_id: entry.id,
      kind: entry.object.kind,
      origin: entry.object.origin,
      jws: entry.jws,
      ...fields,
    },
  };
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/** STIX pattern string literal: backslash and quote escaped. */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function subcategory(code: string): string {
  const [cat, sub] = code.split('.') as [keyof typeof INCIDENT_TAXONOMY, string];
  return (INCIDENT_TAXONOMY[cat]?.subcategories as Record<string, string> | undefined)?.[sub] ? sub : code;
}

type Indicator = NonNullable<BodyOf<'bulletin'>['indicators']>[number];

function observable(ind: Indicator): { sco: StixObject; pattern: string } | undefined {
  if (ind.type === 'ip') {
    const type = ind.value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
    return {
      sco: { type, spec_version: '2.1', id: scoId(type, { value: ind.value }), value: ind.value },
      pattern: `[${type}:value = ${literal(ind.value)}]`,
    };
  }
  const def = OBSERVABLES[ind.type as keyof typeof OBSERVABLES];
  if (!def) return undefined;
  const props = 'hash' in def ? { hashes: { [def.hash]: ind.value } } : { value: ind.value };
  return {
    sco: { type: def.sco, spec_version: '2.1', id: scoId(def.sco, props), ...props },
    pattern: `[${def.sco}:${def.path} = ${literal(ind.value)}]`,
  };
}

/**
 * A bulletin version as an incident (Incident Core extension) with, on the first
 * call for each version, its indicators, observables, location and relationships.
 * `state` is the status and revocation of this incident version.
 */
function incident(
  entry: CityLinkEntry,
  ctx: ExportContext,
  version: {
    modified: string;
    status: BulletinStatus | 'retracted';
    statusNote?: string;
    duplicateOf?: string;
    /** The status change or retraction that made this version (signed by whoever made it). */
    change?: CityLinkEntry;
  },
): StixObject {
  const b = (entry.object as Bulletin).body;
  const first = firstVersion(entry, ctx);
  const revoked = version.status === 'retracted';
  const state = version.status === 'retracted' ? RETRACTED_STATE : INCIDENT_STATE[version.status];
  const duplicate = version.duplicateOf ? ctx.lookup(version.duplicateOf) : undefined;
  return {
    ...common(entry, 'incident', stixId('incident', first.id), first.object.created, version.modified),
    name: b.title,
    description: b.narrative,
    ...(revoked && { revoked: true }),
    labels: [b.category, `severity:${b.severity}`],
    extensions: {
      [INCIDENT_CORE_EXTENSION]: defined({
        extension_type: 'property-extension',
        determination: state.determination,
        investigation_status: state.investigation_status,
        criticality: CRITICALITY[b.severity],
        incident_types: [subcategory(b.category)],
      }),
      ...origin(
        entry,
        defined({
          category: b.category,
          severity: b.severity,
          status: version.status,
          status_note: version.statusNote,
          duplicate_of: duplicate ? primaryIdOf(duplicate, ctx) : undefined,
          observed_at: b.observedAt && stamp(b.observedAt),
          detected_at: b.detectedAt && stamp(b.detectedAt),
          attack_vector: b.attackVector,
          affected_asset: b.affectedAsset,
          functional_impact: b.functionalImpact,
          information_impact: b.informationImpact,
          affected: b.affected,
          other_indicators: b.indicators?.filter((i) => !observable(i)),
          change: version.change && {
            object_id: version.change.id,
            kind: version.change.object.kind,
            origin: version.change.object.origin,
            jws: version.change.jws,
          },
        }),
      ),
    },
  };
}

function bulletinObjects(entry: ObjectEntry<'bulletin'>, ctx: ExportContext): StixObject[] {
  const b = entry.object.body;
  const main = incident(entry, ctx, { modified: entry.object.created, status: 'published' });
  const out: StixObject[] = [main];
  const relate = (target: string, type = 'related-to') =>
    out.push({
      ...common(
        entry,
        'relationship',
        stixId('relationship', `${entry.id}:${type}:${target}`),
        entry.object.created,
        entry.object.created,
      ),
      relationship_type: type,
      source_ref: main.id,
      target_ref: target,
    });
  for (const [i, ind] of (b.indicators ?? []).entries()) {
    const seen = observable(ind);
    if (!seen) continue;
    const validFrom = b.observedAt ?? b.detectedAt ?? entry.object.created;
    const indicator: StixObject = {
      ...common(
        entry,
        'indicator',
        stixId('indicator', `${entry.id}:indicator:${i}`),
        entry.object.created,
        entry.object.created,
      ),
      name: `${ind.type}: ${ind.value}`.slice(0, 250),
      ...(ind.note && { description: ind.note }),
      indicator_types: ['malicious-activity'],
      pattern: seen.pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: stamp(validFrom),
    };
    out.push({ ...seen.sco, object_marking_refs: main.object_marking_refs } as StixObject, indicator);
    relate(indicator.id);
  }
  if (b.location) {
    const location: StixObject = {
      ...common(
        entry,
        'location',
        stixId('location', `${entry.id}:location`),
        entry.object.created,
        entry.object.created,
      ),
      name: b.location.description.slice(0, 250),
      description: [
        b.location.description,
        b.location.county && `County: ${b.location.county}`,
        b.location.precinct && `Precinct: ${b.location.precinct}`,
      ]
        .filter(Boolean)
        .join('\n'),
      country: 'US',
    };
    out.push(location);
    relate(location.id, 'located-at');
  }
  return out;
}

type ObjectEntry<K extends SignedObject['kind']> = CityLinkEntry & { object: ObjectOfKind<K> };

function noteReport(entry: ObjectEntry<'note'>, ctx: ExportContext, retraction?: CityLinkEntry): StixObject {
  const n = entry.object.body;
  const first = firstVersion(entry, ctx);
  const sections = [
    `Problem: ${n.problem}`,
    `What worked: ${n.whatWorked}`,
    n.whatDidNot && `What did not: ${n.whatDidNot}`,
    n.cost && `Cost: ${n.cost}`,
    n.staff && `Staff: ${n.staff}`,
  ];
  return {
    ...common(
      entry,
      'report',
      stixId('report', first.id),
      first.object.created,
      retraction?.object.created ?? entry.object.created,
    ),
    name: n.title,
    description: sections.filter(Boolean).join('\n\n'),
    report_types: ['best-practice'],
    published: stamp(first.object.created),
    object_refs: [identityId(entry.object.origin)],
    labels: [`topic:${n.topic}`, NOTE_TOPICS[n.topic]],
    ...(retraction && { revoked: true }),
    extensions: origin(entry, {
      ...(retraction && {
        change: { object_id: retraction.id, kind: 'retraction', origin: retraction.object.origin, jws: retraction.jws },
      }),
      topic: n.topic,
      problem: n.problem,
      what_worked: n.whatWorked,
      ...defined({ what_did_not: n.whatDidNot, cost: n.cost, staff: n.staff }),
      jurisdiction_size: n.jurisdictionSize,
    }),
  };
}

/** The response kinds name a target; they export only when the target is held. */
function targetOf(entry: CityLinkEntry, ctx: ExportContext): CityLinkEntry | undefined {
  const target = (entry.object.body as { target?: string }).target;
  return target ? ctx.lookup(target) : undefined;
}

/**
 * The STIX objects one CityLink object becomes (identities and marking definitions
 * are added by `toStixBundle`). Kinds that are the network's own business (roster,
 * membership, enrollment, keys, statements) have no STIX form.
 */
export function toStixObjects(entry: CityLinkEntry, ctx: ExportContext): StixObject[] | Skipped {
  const o = entry.object;
  const skip = (reason: string): Skipped => ({ id: entry.id, kind: o.kind, reason });
  switch (o.kind) {
    case 'bulletin':
      return bulletinObjects(entry as ObjectEntry<'bulletin'>, ctx);
    case 'note':
      return [noteReport(entry as ObjectEntry<'note'>, ctx)];
    case 'posture': {
      const p = o.body;
      return [
        {
          ...common(entry, 'report', stixId('report', entry.id), o.created, o.created),
          name: p.advisory?.title ?? `Statewide posture: ${p.level}`,
          description: p.advisory
            ? `Posture ${p.level}: ${POSTURE_LEVELS[p.level]}\n\n${p.advisory.text}`
            : POSTURE_LEVELS[p.level],
          report_types: ['threat-report'],
          published: stamp(o.created),
          object_refs: [identityId(o.origin)],
          labels: [`posture:${p.level}`],
          extensions: origin(entry, { level: p.level }),
        },
      ];
    }
    case 'endorsement': {
      const target = targetOf(entry, ctx);
      const ref = target && primaryIdOf(target, ctx);
      if (!ref) return skip('endorsed note not held here');
      return [
        {
          ...common(entry, 'opinion', stixId('opinion', entry.id), o.created, o.created),
          opinion: 'agree',
          explanation: o.body.comment ?? 'Worked for us too.',
          object_refs: [ref],
          extensions: origin(entry),
        },
      ];
    }
    case 'acknowledgement': {
      const target = targetOf(entry, ctx);
      const ref = target && primaryIdOf(target, ctx);
      if (!ref) return skip('acknowledged object not held here');
      if (o.body.seenHere) {
        return [
          {
            ...common(entry, 'sighting', stixId('sighting', entry.id), o.created, o.created),
            sighting_of_ref: ref,
            where_sighted_refs: [identityId(o.origin)],
            first_seen: stamp(o.created),
            last_seen: stamp(o.created),
            count: 1,
            ...(o.body.comment && { description: o.body.comment }),
            extensions: origin(entry),
          },
        ];
      }
      return [
        {
          ...common(entry, 'opinion', stixId('opinion', entry.id), o.created, o.created),
          opinion: 'neutral',
          explanation: o.body.comment ? `Acknowledged: ${o.body.comment}` : 'Acknowledged.',
          object_refs: [ref],
          extensions: origin(entry),
        },
      ];
    }
    case 'bulletin-status': {
      const target = targetOf(entry, ctx);
      if (target?.object.kind !== 'bulletin') return skip('bulletin not held here');
      return [
        incident(target, ctx, {
          modified: o.created,
          status: o.body.status,
          change: entry,
          ...(o.body.note && { statusNote: o.body.note }),
          ...(o.body.duplicateOf && { duplicateOf: o.body.duplicateOf }),
        }),
      ];
    }
    case 'retraction': {
      const target = targetOf(entry, ctx);
      if (target?.object.kind === 'bulletin') {
        return [incident(target, ctx, { modified: o.created, status: 'retracted', change: entry })];
      }
      if (target?.object.kind === 'note') return [noteReport(target as ObjectEntry<'note'>, ctx, entry)];
      return skip('retracted object not held here');
    }
    default:
      return skip('this kind has no STIX form');
  }
}
