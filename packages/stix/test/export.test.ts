import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { verifyObject } from '@citylink/crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CITYLINK_EXTENSION,
  type CityLinkEntry,
  INCIDENT_CORE_EXTENSION,
  identityId,
  type StixObject,
  TLP2_MARKING_IDS,
  toStixBundle,
  toStixObjects,
  validateBundle,
  validateStixObject,
} from '../src/index.js';
import { contextOf, corpus, keyOf } from './fixtures.js';

let c: Awaited<ReturnType<typeof corpus>>;
let all: CityLinkEntry[];
beforeAll(async () => {
  c = await corpus();
  all = Object.values(c);
});

const exported = (e: CityLinkEntry) => {
  const out = toStixObjects(e, contextOf(all));
  if (!Array.isArray(out)) throw new Error(`skipped: ${out.reason}`);
  return out;
};
const golden = (name: string) => fileURLToPath(new URL(`golden/${name}.json`, import.meta.url));

/**
 * The whole STIX form of each kind, against a file reviewed by hand. UPDATE_GOLDEN=1
 * rewrites the files (then read the diff before committing it).
 */
describe('golden mapping of every exported kind', () => {
  const kinds = [
    'bulletin',
    'correction',
    'status',
    'sighting',
    'ack',
    'note',
    'endorsement',
    'posture',
    'retraction',
    'amber',
  ] as const;
  for (const name of kinds) {
    it(name, async () => {
      const text = `${JSON.stringify(exported(c[name]), null, 2)}\n`;
      if (process.env.UPDATE_GOLDEN === '1') await writeFile(golden(name), text);
      expect(text).toBe(await readFile(golden(name), 'utf8'));
    });
  }
});

describe('the mapping', () => {
  it('every exported object and the bundle follow the STIX 2.1 rules', () => {
    const { bundle, skipped } = toStixBundle(all, contextOf(all));
    expect(skipped).toEqual([]);
    expect(validateBundle(bundle)).toEqual([]);
    for (const o of bundle.objects) expect(validateStixObject(o), o.id).toEqual([]);
  });

  it('gives the same ids on every export, and versions keep the first version id with a later modified', () => {
    const first = exported(c.bulletin)[0]!;
    const again = toStixObjects(c.bulletin, contextOf(all)) as StixObject[];
    expect(again[0]).toEqual(first);
    const corrected = exported(c.correction)[0]!;
    const confirmed = exported(c.status)[0]!;
    const retracted = exported(c.retraction)[0]!;
    for (const v of [corrected, confirmed, retracted]) {
      expect(v.id).toBe(first.id);
      expect(v.created).toBe(first.created);
      expect(Date.parse(v.modified!)).toBeGreaterThan(Date.parse(first.modified!));
    }
    expect(retracted.revoked).toBe(true);
    expect(corrected.name).toBe('Phishing e-mails impersonating the WEC (corrected)');
  });

  it('marks every object with the TLP 2.0 marking definition of its CityLink marking', () => {
    for (const o of exported(c.amber)) expect(o.object_marking_refs).toEqual([TLP2_MARKING_IDS['AMBER+STRICT']]);
    for (const o of exported(c.note)) expect(o.object_marking_refs).toEqual([TLP2_MARKING_IDS.CLEAR]);
    const { bundle } = toStixBundle([c.amber], contextOf(all));
    const marking = bundle.objects.find((o) => o.type === 'marking-definition');
    expect(marking).toMatchObject({ id: TLP2_MARKING_IDS['AMBER+STRICT'], name: 'TLP:AMBER+STRICT' });
  });

  it('carries the origin JWS, which still verifies against the author key', async () => {
    const incident = exported(c.status)[0]!;
    const ext = incident.extensions![CITYLINK_EXTENSION] as {
      jws: string;
      object_id: string;
      change: { jws: string; origin: string };
    };
    expect(ext.object_id).toBe(c.correction.id);
    for (const [jws, node] of [
      [ext.jws, 'wi-madison'],
      [ext.change.jws, 'wi-hub'],
    ] as const) {
      const key = await keyOf(node);
      const result = await verifyObject(jws, {
        resolveKey: async (n, kid) =>
          n === node && kid === key.kid
            ? { record: { kid, jwk: key.publicJwk, validFrom: key.created }, key: key.publicKey }
            : undefined,
      });
      expect(result.ok).toBe(true);
    }
  });

  it('an incident holds the Incident Core properties from the bulletin and its status', () => {
    const [confirmed] = exported(c.status);
    expect(confirmed!.extensions![INCIDENT_CORE_EXTENSION]).toEqual({
      extension_type: 'property-extension',
      determination: 'confirmed',
      investigation_status: 'open',
      criticality: 70,
      incident_types: ['phishing'],
    });
    expect(confirmed!.created_by_ref).toBe(identityId('wi-madison'));
  });

  it('a "seen it here too" is a sighting by that city; a plain acknowledgement an opinion', () => {
    const [sighting] = exported(c.sighting);
    expect(sighting).toMatchObject({ type: 'sighting', where_sighted_refs: [identityId('wi-milwaukee')], count: 1 });
    expect(sighting!.sighting_of_ref).toBe(exported(c.bulletin)[0]!.id);
    expect(exported(c.ack)[0]).toMatchObject({ type: 'opinion', opinion: 'neutral' });
    expect(exported(c.endorsement)[0]).toMatchObject({
      type: 'opinion',
      opinion: 'agree',
      object_refs: [exported(c.note)[0]!.id],
    });
  });

  it('a response whose target is not held, and the internal kinds, are skipped with a reason', async () => {
    expect(toStixObjects(c.sighting, contextOf([c.sighting]))).toMatchObject({
      reason: 'acknowledged object not held here',
    });
    const { bundle, skipped } = toStixBundle([c.status], contextOf([c.status]));
    expect(bundle.objects).toEqual([]);
    expect(skipped).toEqual([{ id: c.status.id, kind: 'bulletin-status', reason: 'bulletin not held here' }]);
  });

  it('escapes quotes and backslashes in patterns', () => {
    const url = exported(c.bulletin).find((o) => o.type === 'indicator' && String(o.pattern).startsWith('[url:'));
    expect(url!.pattern).toBe("[url:value = 'https://wec-vote.example/login?u=\\'x\\'']");
  });
});
