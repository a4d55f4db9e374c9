import { describe, expect, it } from 'vitest';
import { isStixId, scoId, validateBundle, validateStixObject } from '../src/index.js';

const ts = '2026-11-03T10:00:00.000Z';
const base = { spec_version: '2.1', created: ts, modified: ts };
const id = (type: string) => `${type}--6ba7b810-9dad-41d1-80b4-00c04fd430c8`;

describe('the STIX 2.1 rules', () => {
  it('accepts a minimal valid object of each checked type', () => {
    const valid = [
      { type: 'identity', id: id('identity'), ...base, name: 'x' },
      { type: 'incident', id: id('incident'), ...base, name: 'x' },
      {
        type: 'indicator',
        id: id('indicator'),
        ...base,
        pattern: "[url:value = 'x']",
        pattern_type: 'stix',
        valid_from: ts,
      },
      {
        type: 'relationship',
        id: id('relationship'),
        ...base,
        relationship_type: 'related-to',
        source_ref: id('incident'),
        target_ref: id('indicator'),
      },
      { type: 'sighting', id: id('sighting'), ...base, sighting_of_ref: id('incident') },
      { type: 'opinion', id: id('opinion'), ...base, opinion: 'agree', object_refs: [id('report')] },
      { type: 'note', id: id('note'), ...base, content: 'x', object_refs: [id('report')] },
      { type: 'report', id: id('report'), ...base, name: 'x', published: ts, object_refs: [id('identity')] },
      { type: 'location', id: id('location'), ...base, country: 'US' },
      { type: 'domain-name', id: id('domain-name'), spec_version: '2.1', value: 'x.example' },
      { type: 'file', id: id('file'), spec_version: '2.1', hashes: { MD5: 'd41d8cd98f00b204e9800998ecf8427e' } },
    ];
    for (const o of valid) expect(validateStixObject(o), o.type).toEqual([]);
  });

  it('names each broken rule', () => {
    const incident = { type: 'incident', id: id('incident'), ...base, name: 'x' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...incident, type: 'Incident' }, /^type: /],
      [{ ...incident, spec_version: '2.0' }, /spec_version/],
      [{ ...incident, id: id('report') }, /^id: /],
      [{ ...incident, id: 'incident--6BA7B810-9DAD-41D1-80B4-00C04FD430C8' }, /^id: /],
      [{ ...incident, created: undefined }, /created: required/],
      [{ ...incident, modified: '2026-11-03 10:00:00Z' }, /modified: an RFC 3339/],
      [
        { ...incident, created: '2026-11-03T10:00:00Z', modified: '2026-11-03T10:00:00Z' },
        /precise to the millisecond/,
      ],
      [{ ...incident, modified: '2026-11-02T10:00:00.000Z' }, /modified: must not be before created/],
      [{ ...incident, created_by_ref: id('report') }, /created_by_ref: must be a identity id/],
      [{ ...incident, object_marking_refs: [id('identity')] }, /object_marking_refs/],
      [{ ...incident, object_marking_refs: [] }, /object_marking_refs/],
      [{ ...incident, name: undefined }, /name: required/],
      [{ ...incident, extensions: {} }, /extensions: a non-empty/],
      [{ ...incident, extensions: { 'extension-definition--x': {} } }, /not an extension-definition id/],
      [
        { type: 'opinion', id: id('opinion'), ...base, opinion: 'maybe', object_refs: [id('report')] },
        /opinion: one of/,
      ],
      [{ type: 'report', id: id('report'), ...base, name: 'x', published: ts, object_refs: [] }, /object_refs/],
      [{ type: 'location', id: id('location'), ...base, name: 'x' }, /region, country/],
      [
        {
          type: 'indicator',
          id: id('indicator'),
          ...base,
          pattern: "url:value = 'x'",
          pattern_type: 'stix',
          valid_from: ts,
        },
        /bracketed/,
      ],
      [
        {
          type: 'indicator',
          id: id('indicator'),
          ...base,
          pattern: "[url:value = 'x']",
          pattern_type: 'stix',
          valid_from: ts,
          valid_until: ts,
        },
        /valid_until/,
      ],
      [{ type: 'sighting', id: id('sighting'), ...base, sighting_of_ref: id('incident'), count: -1 }, /count/],
      [{ type: 'file', id: id('file'), spec_version: '2.1' }, /hashes or name/],
    ];
    for (const [o, problem] of cases) {
      const problems = validateStixObject(o);
      expect(
        problems.some((p) => problem.test(p)),
        `${JSON.stringify(o)} → ${problems.join('; ')}`,
      ).toBe(true);
    }
  });

  it('checks a bundle and every object in it', () => {
    expect(validateBundle({ type: 'bundle', id: id('bundle'), objects: [{ type: 'incident' }] })[0]).toMatch(
      /^objects\[0\] /,
    );
    expect(validateBundle({ type: 'bundle', id: 'bundle--1' })).toEqual(['id: must be a bundle id']);
  });

  it('gives Cyber-observables the ids STIX 2.1 §2.9 defines', () => {
    // Computed independently: Python's uuid.uuid5(UUID('00abedb4-…'), '{"value":"john@example.com"}').
    expect(scoId('email-addr', { value: 'john@example.com' })).toBe('email-addr--7165e2a9-671f-585d-b1e1-ca59c671d934');
    expect(isStixId(scoId('domain-name', { value: 'example.com' }), 'domain-name')).toBe(true);
  });
});
