import { type BodyOf, INCIDENT_CODES, LIMITS, SEVERITIES, type Severity, type Tlp, tlpRank } from '@citylink/protocol';
import { INCIDENT_CORE_EXTENSION } from './export.js';
import { CITYLINK_EXTENSION } from './extension.js';
import { tlpOfMarking } from './markings.js';
import type { StixObject } from './types.js';
import { MAX_PATTERN_LENGTH, validateStixObject } from './validate.js';
import { severityOfCriticality } from './vocabulary.js';

type Indicator = NonNullable<BodyOf<'bulletin'>['indicators']>[number];

/** One STIX object (an incident with its indicators, a lone indicator, or a report) ready to be signed as an advisory. */
export interface ImportedAdvisory {
  from: 'incident' | 'indicator' | 'report';
  tlp: Exclude<Tlp, 'RED'>;
  title: string;
  narrative: string;
  category?: string;
  severity?: Severity;
  observedAt?: string;
  indicators: Indicator[];
  /** A revoked STIX object: the earlier import of the same STIX id is to be retracted. */
  revoked: boolean;
  provenance: {
    source: string;
    stixId: string;
    modified: string;
    createdByRef?: string;
    createdByName?: string;
  };
}

export interface ImportRefusal {
  /** Position in the bundle's `objects`. */
  index: number;
  stixId?: string;
  reason: string;
}

export interface ImportResult {
  items: ImportedAdvisory[];
  refused: ImportRefusal[];
  /** Objects that repeat an (id, modified) already in the bundle, or an older version of one. */
  duplicates: number;
}

export interface ImportOptions {
  /** Where the bundle came from (a feed name or file), recorded as provenance. */
  source: string;
  /** The marking for objects that carry no TLP marking. */
  defaultTlp: Exclude<Tlp, 'RED'>;
}

const COMPARISON = /([a-z0-9-]+):([A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'/g;

/** The comparisons of a STIX pattern that CityLink can carry as indicators. */
export function indicatorsOfPattern(pattern: string): Indicator[] {
  const out: Indicator[] = [];
  if (pattern.length > MAX_PATTERN_LENGTH) return out;
  for (const [, type, path, raw] of pattern.matchAll(COMPARISON)) {
    const value = (raw as string).replace(/\\(.)/g, '$1');
    const kind = indicatorType(type as string, (path as string).replace(/'/g, '').toUpperCase());
    if (kind && value.length > 0 && value.length <= 2048) out.push({ type: kind, value });
  }
  return out;
}

function indicatorType(type: string, path: string): Indicator['type'] | undefined {
  if (path === 'VALUE') {
    if (type === 'email-addr') return 'email-sender';
    if (type === 'domain-name') return 'domain';
    if (type === 'url') return 'url';
    if (type === 'ipv4-addr' || type === 'ipv6-addr') return 'ip';
  }
  if (type === 'file') {
    if (path === 'HASHES.SHA-256' || path === 'HASHES.SHA256') return 'sha256';
    if (path === 'HASHES.SHA-1' || path === 'HASHES.SHA1') return 'sha1';
    if (path === 'HASHES.MD5') return 'md5';
  }
  return undefined;
}

const cap = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const TRUNCATED = '\n\n… (shortened on import; the full text is in the source)';

/**
 * Reads a STIX 2.1 bundle into advisories, object by object: an object that breaks
 * the STIX rules, is marked TLP:RED (it has no named recipients here) or carries
 * nothing CityLink can hold is refused with its reason, and never takes anything
 * else down with it. For each STIX id only the newest version is kept.
 */
export function fromStixBundle(bundle: unknown, options: ImportOptions): ImportResult {
  const refused: ImportRefusal[] = [];
  const result: ImportResult = { items: [], refused, duplicates: 0 };
  const objects = (bundle as { type?: unknown; objects?: unknown })?.objects;
  if ((bundle as { type?: unknown })?.type !== 'bundle' || !Array.isArray(objects)) {
    refused.push({ index: -1, reason: 'not a STIX bundle (type "bundle" with a list of objects)' });
    return result;
  }
  const latest = new Map<string, { o: StixObject; index: number }>();
  for (const [index, o] of objects.entries()) {
    const problems = validateStixObject(o);
    const stixId = typeof (o as { id?: unknown })?.id === 'string' ? (o as { id: string }).id : undefined;
    if (problems.length > 0) {
      refused.push({ index, ...(stixId && { stixId }), reason: problems.join('; ') });
      continue;
    }
    const obj = o as StixObject;
    const held = latest.get(obj.id);
    if (held) {
      result.duplicates += 1;
      if (String(held.o.modified ?? '') >= String(obj.modified ?? '')) continue;
    }
    latest.set(obj.id, { o: obj, index });
  }
  const byType = (type: string) => [...latest.values()].filter(({ o }) => o.type === type);
  const markings = new Map(byType('marking-definition').map(({ o }) => [o.id, tlpOfMarking(o.id, o)]));
  const names = new Map(byType('identity').map(({ o }) => [o.id, o.name as string]));
  const related = new Map<string, string[]>();
  for (const { o } of byType('relationship')) {
    for (const [a, b] of [
      [o.source_ref, o.target_ref],
      [o.target_ref, o.source_ref],
    ] as [string, string][]) {
      // Appended in place: copying the list each time made a bundle of many relationships to one object quadratic.
      const list = related.get(a);
      if (list) list.push(b);
      else related.set(a, [b]);
    }
  }
  const usedIndicators = new Set<string>();

  // Granular markings count as much as object markings: a RED description makes the
  // whole object RED here (CityLink marks whole objects, so the strictest part wins).
  const tlpOf = (o: StixObject): Tlp | undefined => {
    const tlps = [...(o.object_marking_refs ?? []), ...granularRefs(o)]
      .map((m) => markings.get(m) ?? tlpOfMarking(m))
      .filter((t) => t !== undefined);
    return tlps.length === 0 ? options.defaultTlp : tlps.reduce((a, b) => (tlpRank(b) > tlpRank(a) ? b : a));
  };
  const take = (
    entry: { o: StixObject; index: number },
    build: (tlp: Exclude<Tlp, 'RED'>) => Omit<ImportedAdvisory, 'tlp' | 'provenance' | 'revoked'> | string,
  ) => {
    const { o, index } = entry;
    const tlp = tlpOf(o);
    if (tlp === 'RED') {
      refused.push({ index, stixId: o.id, reason: 'TLP:RED is for named recipients, which an import cannot name' });
      return;
    }
    const built = build(tlp as Exclude<Tlp, 'RED'>);
    if (typeof built === 'string') {
      refused.push({ index, stixId: o.id, reason: built });
      return;
    }
    result.items.push({
      ...built,
      tlp: tlp as Exclude<Tlp, 'RED'>,
      revoked: o.revoked === true,
      provenance: {
        source: options.source,
        stixId: o.id,
        modified: o.modified ?? o.created ?? '',
        ...(o.created_by_ref && { createdByRef: o.created_by_ref }),
        ...(o.created_by_ref && names.has(o.created_by_ref) && { createdByName: names.get(o.created_by_ref) }),
      },
    });
  };

  for (const entry of byType('incident')) {
    take(entry, () => {
      const o = entry.o;
      const ours = o.extensions?.[CITYLINK_EXTENSION] as Record<string, unknown> | undefined;
      const core = o.extensions?.[INCIDENT_CORE_EXTENSION] as Record<string, unknown> | undefined;
      const indicators: Indicator[] = [];
      const own = tlpRank(tlpOf(o) ?? options.defaultTlp);
      for (const id of related.get(o.id) ?? []) {
        const ind = latest.get(id)?.o;
        if (ind?.type !== 'indicator') continue;
        // A stricter indicator stays out of a looser incident (it is imported on its own, at its own marking).
        if (tlpRank(tlpOf(ind) ?? options.defaultTlp) > own) continue;
        usedIndicators.add(id);
        indicators.push(
          ...indicatorsOfPattern(String(ind.pattern)).map((i) =>
            ind.description ? { ...i, note: cap(String(ind.description), 500) } : i,
          ),
        );
      }
      for (const extra of (ours?.other_indicators as Indicator[] | undefined) ?? []) indicators.push(extra);
      return advisory('incident', o, indicators, {
        category: categoryOf(ours?.category, core?.incident_types),
        severity:
          typeof ours?.severity === 'string' && ours.severity in SEVERITIES
            ? (ours.severity as Severity)
            : typeof core?.criticality === 'number'
              ? severityOfCriticality(core.criticality)
              : undefined,
        observedAt: typeof ours?.observed_at === 'string' ? ours.observed_at : undefined,
      });
    });
  }
  for (const entry of byType('indicator')) {
    if (usedIndicators.has(entry.o.id)) continue;
    take(entry, () => {
      const indicators = indicatorsOfPattern(String(entry.o.pattern));
      if (indicators.length === 0)
        return 'the pattern has no comparison CityLink can carry (e-mail, domain, URL, IP, file hash)';
      return advisory('indicator', entry.o, indicators, { observedAt: entry.o.valid_from as string });
    });
  }
  for (const entry of byType('report')) take(entry, () => advisory('report', entry.o, [], {}));
  return result;
}

/** The marking ids of an object's granular markings (STIX 2.1 §7.2.3); language-only entries name none. */
function granularRefs(o: StixObject): string[] {
  const granular = (o as { granular_markings?: unknown }).granular_markings;
  if (!Array.isArray(granular)) return [];
  return granular.flatMap((g) => {
    const ref = (g as { marking_ref?: unknown } | null)?.marking_ref;
    return typeof ref === 'string' ? [ref] : [];
  });
}

function advisory(
  from: ImportedAdvisory['from'],
  o: StixObject,
  indicators: Indicator[],
  extra: { category?: string | undefined; severity?: Severity | undefined; observedAt?: string | undefined },
): Omit<ImportedAdvisory, 'tlp' | 'provenance' | 'revoked'> {
  const title = cap(String(o.name ?? o.pattern ?? o.id), 200);
  const description = typeof o.description === 'string' && o.description.trim() ? o.description : title;
  const narrative =
    description.length <= 20_000 ? description : description.slice(0, 20_000 - TRUNCATED.length) + TRUNCATED;
  const unique = [...new Map(indicators.map((i) => [`${i.type}|${i.value}`, i])).values()];
  return {
    from,
    title,
    narrative,
    ...(extra.category && { category: extra.category }),
    ...(extra.severity && { severity: extra.severity }),
    ...(extra.observedAt && { observedAt: new Date(extra.observedAt).toISOString() }),
    indicators: unique.slice(0, LIMITS.maxIndicators),
  };
}

/** CityLink's category when the object says it (ours), else the first incident type that names a subcategory. */
function categoryOf(ours: unknown, incidentTypes: unknown): string | undefined {
  if (typeof ours === 'string' && (INCIDENT_CODES as string[]).includes(ours)) return ours;
  for (const t of Array.isArray(incidentTypes) ? incidentTypes : []) {
    const code = (INCIDENT_CODES as string[]).find((c) => c.endsWith(`.${t}`));
    if (code) return code;
  }
  return undefined;
}
