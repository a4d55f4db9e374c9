import { describe, expect, it } from 'vitest';
import { SignedObjectSchema } from './index.js';

// A bulletin the hub imported from STIX names where it came from (docs/stix.md, "Import at the hub").

const provenance = {
  source: 'ei-isac.json',
  stixId: 'indicator--00000001-1111-4111-8111-111111111111',
  modified: '2026-11-03T10:00:00.000Z',
  createdByRef: 'identity--0b8c7f43-6f9f-4f0e-9a55-5c1c0b1b2c11',
  createdByName: 'EI-ISAC',
};
const bulletin = (p: unknown) => ({
  v: 1,
  kind: 'bulletin',
  origin: 'wi-hub',
  created: '2026-11-03T11:00:00Z',
  tlp: 'GREEN',
  audience: ['*'],
  body: { title: 'Look-alike domain', narrative: 'n', category: 'cyber.spoofing', severity: 'low', provenance: p },
});
const issuesAt = (value: unknown) => {
  const r = SignedObjectSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('bulletin provenance', () => {
  it('accepts the source, STIX id and version, and its author', () => {
    expect(issuesAt(bulletin(provenance))).toEqual([]);
    const { createdByRef: _r, createdByName: _n, ...bare } = provenance;
    expect(issuesAt(bulletin(bare))).toEqual([]);
  });

  it.each([
    ['a STIX id that is not type--UUID', { ...provenance, stixId: 'indicator-1' }, 'body.provenance.stixId'],
    ['a version that is not a timestamp', { ...provenance, modified: 'yesterday' }, 'body.provenance.modified'],
    ['no source', { ...provenance, source: '' }, 'body.provenance.source'],
    ['an unknown field', { ...provenance, extra: 1 }, 'body.provenance'],
  ])('rejects %s', (_name, p, path) => {
    expect(issuesAt(bulletin(p))).toContain(path);
  });
});
