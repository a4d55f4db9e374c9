import { isStixId } from './ids.js';

/**
 * The STIX 2.1 rules (OASIS, Part 1 §3–§7) that a consumer checks before it takes an
 * object: common properties, id formats, timestamp precision, versioning, references,
 * and the required properties of each type CityLink emits or imports. Returns every
 * problem found; an empty list means valid.
 */
export function validateStixObject(o: unknown): string[] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return ['not a JSON object'];
  const obj = o as Record<string, unknown>;
  const problems: string[] = [];
  const type = obj.type;
  if (typeof type !== 'string' || !/^[a-z][a-z0-9-]{1,248}[a-z0-9]$/.test(type) || type.includes('--')) {
    return ['type: 3–250 lowercase letters, digits and single dashes'];
  }
  if (obj.spec_version !== '2.1') problems.push(`spec_version: must be "2.1"`);
  if (!isStixId(obj.id, type)) problems.push(`id: must be "${type}--" and a lowercase RFC 4122 UUID`);
  const rules = RULES[type];
  const sco = SCO_TYPES.has(type);
  if (!sco) {
    timestamp(obj, 'created', problems, true);
    if (type !== 'marking-definition') {
      timestamp(obj, 'modified', problems, true);
      if (typeof obj.created === 'string' && typeof obj.modified === 'string') {
        if (Date.parse(obj.modified) < Date.parse(obj.created)) problems.push('modified: must not be before created');
      }
    }
    ref(obj, 'created_by_ref', 'identity', problems);
  }
  if (obj.object_marking_refs !== undefined) {
    if (!Array.isArray(obj.object_marking_refs) || obj.object_marking_refs.length === 0) {
      problems.push('object_marking_refs: a non-empty list');
    } else if (!obj.object_marking_refs.every((m) => isStixId(m, 'marking-definition'))) {
      problems.push('object_marking_refs: every entry must be a marking-definition id');
    }
  }
  if (obj.revoked !== undefined && typeof obj.revoked !== 'boolean') problems.push('revoked: a boolean');
  if (obj.labels !== undefined && !stringList(obj.labels)) problems.push('labels: a non-empty list of strings');
  if (obj.extensions !== undefined) extensions(obj.extensions, problems);
  rules?.(obj, problems);
  return problems;
}

const SCO_TYPES = new Set(['domain-name', 'url', 'ipv4-addr', 'ipv6-addr', 'email-addr', 'file']);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** `created` and `modified` must be precise to the millisecond (§3.2). */
const MILLISECONDS = /\.\d{3,}Z$/;

function timestamp(o: Record<string, unknown>, key: string, problems: string[], millis = false, required = true) {
  const v = o[key];
  if (v === undefined) {
    if (required) problems.push(`${key}: required`);
    return;
  }
  if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v))) {
    problems.push(`${key}: an RFC 3339 UTC timestamp ending in Z`);
  } else if (millis && !MILLISECONDS.test(v)) {
    problems.push(`${key}: must be precise to the millisecond`);
  }
}

function ref(o: Record<string, unknown>, key: string, type: string | undefined, problems: string[], required = false) {
  const v = o[key];
  if (v === undefined) {
    if (required) problems.push(`${key}: required`);
  } else if (!isStixId(v, type)) problems.push(`${key}: must be ${type ? `a ${type} id` : 'a STIX id'}`);
}

function refs(o: Record<string, unknown>, key: string, problems: string[], required = true) {
  const v = o[key];
  if (v === undefined) {
    if (required) problems.push(`${key}: required`);
  } else if (!Array.isArray(v) || v.length === 0 || !v.every((r) => isStixId(r))) {
    problems.push(`${key}: a non-empty list of STIX ids`);
  }
}

const stringList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');

function text(o: Record<string, unknown>, key: string, problems: string[], required = true) {
  const v = o[key];
  if (v === undefined) {
    if (required) problems.push(`${key}: required`);
  } else if (typeof v !== 'string' || v.length === 0) problems.push(`${key}: a non-empty string`);
}

function extensions(v: unknown, problems: string[]) {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length === 0) {
    problems.push('extensions: a non-empty dictionary');
    return;
  }
  for (const [key, ext] of Object.entries(v)) {
    if (key.startsWith('extension-definition--')) {
      if (!isStixId(key, 'extension-definition')) problems.push(`extensions: ${key} is not an extension-definition id`);
      const kind = (ext as { extension_type?: unknown } | null)?.extension_type;
      if (
        kind !== undefined &&
        !['property-extension', 'toplevel-property-extension', 'new-sdo', 'new-sco', 'new-sro'].includes(kind as string)
      ) {
        problems.push(`extensions: ${key} has an unknown extension_type`);
      }
    }
    if (typeof ext !== 'object' || ext === null) problems.push(`extensions: ${key} must be a dictionary`);
  }
}

/**
 * The longest indicator pattern read: real ones are a few hundred characters, and
 * reading comparisons out of a pattern costs more than linear time in its length
 * (a 50,000-character pattern took seconds of the hub's CPU).
 */
export const MAX_PATTERN_LENGTH = 10_000;

const OPINIONS = ['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'];

const RULES: Record<string, (o: Record<string, unknown>, problems: string[]) => void> = {
  identity: (o, p) => text(o, 'name', p),
  incident: (o, p) => text(o, 'name', p),
  indicator: (o, p) => {
    text(o, 'pattern', p);
    text(o, 'pattern_type', p);
    timestamp(o, 'valid_from', p);
    timestamp(o, 'valid_until', p, false, false);
    if (typeof o.pattern === 'string' && o.pattern.length > MAX_PATTERN_LENGTH) {
      p.push(`pattern: longer than ${MAX_PATTERN_LENGTH} characters`);
    } else if (o.pattern_type === 'stix' && typeof o.pattern === 'string' && !/^\[.+\]$/s.test(o.pattern)) {
      p.push('pattern: a STIX pattern is one or more bracketed comparisons');
    }
    if (typeof o.valid_from === 'string' && typeof o.valid_until === 'string') {
      if (Date.parse(o.valid_until) <= Date.parse(o.valid_from)) p.push('valid_until: must be after valid_from');
    }
  },
  relationship: (o, p) => {
    text(o, 'relationship_type', p);
    ref(o, 'source_ref', undefined, p, true);
    ref(o, 'target_ref', undefined, p, true);
  },
  sighting: (o, p) => {
    ref(o, 'sighting_of_ref', undefined, p, true);
    if (o.where_sighted_refs !== undefined) refs(o, 'where_sighted_refs', p);
    timestamp(o, 'first_seen', p, false, false);
    timestamp(o, 'last_seen', p, false, false);
    if (
      o.count !== undefined &&
      (!Number.isInteger(o.count) || (o.count as number) < 0 || (o.count as number) > 999_999_999)
    ) {
      p.push('count: an integer from 0 to 999,999,999');
    }
  },
  opinion: (o, p) => {
    if (!OPINIONS.includes(o.opinion as string)) p.push(`opinion: one of ${OPINIONS.join(', ')}`);
    refs(o, 'object_refs', p);
  },
  note: (o, p) => {
    text(o, 'content', p);
    refs(o, 'object_refs', p);
  },
  report: (o, p) => {
    text(o, 'name', p);
    timestamp(o, 'published', p);
    refs(o, 'object_refs', p);
  },
  location: (o, p) => {
    const hasLatLong = typeof o.latitude === 'number' && typeof o.longitude === 'number';
    if (o.region === undefined && o.country === undefined && !hasLatLong) {
      p.push('location: needs region, country, or latitude and longitude');
    }
  },
  'extension-definition': (o, p) => {
    ref(o, 'created_by_ref', 'identity', p, true);
    text(o, 'name', p);
    text(o, 'schema', p);
    text(o, 'version', p);
    if (!stringList(o.extension_types)) p.push('extension_types: a non-empty list');
  },
  'marking-definition': (o, p) => {
    if (o.definition_type === undefined && o.extensions === undefined)
      p.push('marking-definition: needs definition_type or extensions');
  },
  'domain-name': (o, p) => text(o, 'value', p),
  url: (o, p) => text(o, 'value', p),
  'ipv4-addr': (o, p) => text(o, 'value', p),
  'ipv6-addr': (o, p) => text(o, 'value', p),
  'email-addr': (o, p) => text(o, 'value', p),
  file: (o, p) => {
    if (o.hashes === undefined && o.name === undefined) p.push('file: needs hashes or name');
  },
};

/** A bundle's own rules plus every object's. */
export function validateBundle(b: unknown): string[] {
  if (typeof b !== 'object' || b === null) return ['bundle: not a JSON object'];
  const bundle = b as Record<string, unknown>;
  const problems: string[] = [];
  if (bundle.type !== 'bundle') problems.push('type: must be "bundle"');
  if (!isStixId(bundle.id, 'bundle')) problems.push('id: must be a bundle id');
  if (bundle.objects !== undefined && !Array.isArray(bundle.objects)) problems.push('objects: a list');
  for (const [i, o] of ((bundle.objects as unknown[]) ?? []).entries()) {
    for (const p of validateStixObject(o)) problems.push(`objects[${i}] ${p}`);
  }
  return problems;
}
