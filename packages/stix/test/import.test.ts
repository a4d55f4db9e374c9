import { beforeAll, describe, expect, it } from 'vitest';
import {
  CITYLINK_EXTENSION,
  fromStixBundle,
  indicatorsOfPattern,
  type StixObject,
  TLP1_MARKING_IDS,
  TLP2_MARKING_IDS,
  toStixBundle,
} from '../src/index.js';
import { contextOf, corpus } from './fixtures.js';

let c: Awaited<ReturnType<typeof corpus>>;
beforeAll(async () => {
  c = await corpus();
});

const options = { source: 'test', defaultTlp: 'AMBER' as const };
const ts = '2026-11-03T10:00:00.000Z';
const identity = {
  type: 'identity',
  spec_version: '2.1',
  id: 'identity--0b8c7f43-6f9f-4f0e-9a55-5c1c0b1b2c11',
  created: ts,
  modified: ts,
  name: 'EI-ISAC',
};
const indicator = (n: number, marking: string, extra: Record<string, unknown> = {}): StixObject => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${String(n).padStart(8, '0')}-1111-4111-8111-111111111111`,
  created: ts,
  modified: ts,
  created_by_ref: identity.id,
  name: `Bad domain ${n}`,
  pattern: `[domain-name:value = 'bad${n}.example']`,
  pattern_type: 'stix',
  valid_from: ts,
  object_marking_refs: [marking],
  ...extra,
});

describe('import of a STIX bundle', () => {
  it('round trip: an exported bulletin comes back with its title, narrative, indicators and TLP', () => {
    for (const entry of [c.bulletin, c.amber]) {
      const { bundle } = toStixBundle([entry], contextOf([entry]));
      // Without CityLink's extension, so the standard STIX properties alone carry it.
      const plain = {
        ...bundle,
        objects: bundle.objects.map((o) => {
          if (!('extensions' in o) || !o.extensions) return o;
          const { [CITYLINK_EXTENSION]: _ours, ...rest } = o.extensions;
          return Object.keys(rest).length > 0 ? { ...o, extensions: rest } : { ...o, extensions: undefined };
        }),
      };
      const { items, refused } = fromStixBundle(JSON.parse(JSON.stringify(plain)), options);
      expect(refused).toEqual([]);
      expect(items).toHaveLength(1);
      const body = entry.object.body as {
        title: string;
        narrative: string;
        indicators?: { type: string; value: string }[];
      };
      expect(items[0]).toMatchObject({
        from: 'incident',
        title: body.title,
        narrative: body.narrative,
        tlp: entry.object.tlp,
      });
      const carried = (body.indicators ?? [])
        .filter((i) => i.type !== 'phone')
        .map(({ type, value }) => ({ type, value }));
      expect(items[0]!.indicators.map(({ type, value }) => ({ type, value }))).toEqual(carried);
    }
  });

  it('with CityLink extension, category, severity and the indicators STIX cannot express come back too', () => {
    const { bundle } = toStixBundle([c.bulletin], contextOf([c.bulletin]));
    const [item] = fromStixBundle(bundle, options).items;
    expect(item).toMatchObject({
      category: 'cyber.phishing',
      severity: 'high',
      observedAt: '2026-11-03T12:30:00.000Z',
    });
    expect(item!.indicators).toContainEqual({ type: 'phone', value: '+1 608 555 0100' });
    expect(item!.provenance).toMatchObject({ source: 'test', createdByName: 'City of Madison' });
  });

  it('maps TLP 1.0 and 2.0 markings, by id and by content, and the default when there is none', () => {
    const misp = {
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--3a1b9f3e-2c4d-4e5f-8a6b-7c8d9e0f1a2b',
      created: ts,
      definition_type: 'tlp',
      definition: { tlp: 'green' },
    };
    const bundle = {
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
      objects: [
        identity,
        misp,
        indicator(1, TLP1_MARKING_IDS.WHITE),
        indicator(2, TLP1_MARKING_IDS.AMBER),
        indicator(3, TLP2_MARKING_IDS['AMBER+STRICT']),
        indicator(4, misp.id),
        indicator(5, TLP2_MARKING_IDS.GREEN, { object_marking_refs: undefined }),
      ],
    };
    const { items, refused } = fromStixBundle(bundle, options);
    expect(refused).toEqual([]);
    expect(items.map((i) => [i.title, i.tlp])).toEqual([
      ['Bad domain 1', 'CLEAR'],
      ['Bad domain 2', 'AMBER'],
      ['Bad domain 3', 'AMBER+STRICT'],
      ['Bad domain 4', 'GREEN'],
      ['Bad domain 5', 'AMBER'],
    ]);
    expect(items[0]!.provenance.createdByName).toBe('EI-ISAC');
  });

  it('refuses broken, RED and unusable objects one by one, keeps the newest version, counts duplicates', () => {
    const older = indicator(7, TLP2_MARKING_IDS.GREEN, { name: 'old' });
    const newer = indicator(7, TLP2_MARKING_IDS.GREEN, { name: 'new', modified: '2026-11-03T11:00:00.000Z' });
    const bundle = {
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56e',
      objects: [
        indicator(1, TLP2_MARKING_IDS.GREEN),
        indicator(1, TLP2_MARKING_IDS.GREEN),
        newer,
        older,
        indicator(2, TLP2_MARKING_IDS.RED),
        indicator(3, TLP2_MARKING_IDS.GREEN, { id: 'indicator--NOT-A-UUID' }),
        indicator(4, TLP2_MARKING_IDS.GREEN, { modified: '2026-11-02T00:00:00.000Z' }),
        indicator(5, TLP2_MARKING_IDS.GREEN, { created: '2026-11-03T10:00:00Z', modified: '2026-11-03T10:00:00Z' }),
        indicator(6, TLP2_MARKING_IDS.GREEN, { pattern: "[process:name = 'evil.exe']" }),
        'not an object',
      ],
    };
    const { items, refused, duplicates } = fromStixBundle(bundle, options);
    expect(items.map((i) => i.title)).toEqual(['Bad domain 1', 'new']);
    expect(duplicates).toBe(2);
    const reasons = Object.fromEntries(refused.map((r) => [r.index, r.reason]));
    expect(reasons[4]).toMatch(/TLP:RED/);
    expect(reasons[5]).toMatch(/^id: /);
    expect(reasons[6]).toMatch(/modified: must not be before created/);
    expect(reasons[7]).toMatch(/precise to the millisecond/);
    expect(reasons[8]).toMatch(/no comparison CityLink can carry/);
    expect(reasons[9]).toBe('not a JSON object');
    expect(refused).toHaveLength(6);
  });

  it('refuses what is not a bundle, as a whole', () => {
    expect(fromStixBundle({ type: 'report' }, options).refused).toEqual([
      { index: -1, reason: 'not a STIX bundle (type "bundle" with a list of objects)' },
    ]);
  });

  it('reads the comparisons of a pattern it can carry, unescaped', () => {
    expect(
      indicatorsOfPattern(
        "[url:value = 'http://a/\\'q'] OR [file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] AND [file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709'] OR [ipv6-addr:value = '::1'] OR [process:pid = '1']",
      ),
    ).toEqual([
      { type: 'url', value: "http://a/'q" },
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
      { type: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
      { type: 'ip', value: '::1' },
    ]);
  });
});
