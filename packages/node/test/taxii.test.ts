import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, type StixObject, TAXII, TaxiiClient, TLP } from './taxii-client.js';

// TAXII 2.1 as a client written from the specification sees it (taxii-client.ts, no
// code shared with the server): who sees what, errors, by id, versions, manifest, paging.

let net: TestNetwork;
let city1: CityLinkNode;
let city2: CityLinkNode;
let key1: NodeKey;
let token2: string;
let token1: string;
let greenId: string;
const PAGED = 10_000;

const bulletin = (title: string) => ({
  title,
  narrative: `Narrative of ${title}`,
  category: 'cyber.phishing',
  severity: 'low',
});

async function signed(o: Omit<SignedObject, 'v' | 'origin' | 'created'>): Promise<{ id: string; jws: string }> {
  const object = { v: 1, origin: city1.id, created: new Date().toISOString(), ...o } as SignedObject;
  return signObject(object, key1);
}

async function inject(node: CityLinkNode, jws: string[]): Promise<void> {
  const results = await node.inbound.receive(jws, node.id, 'local');
  const bad = results.find((r) => r.outcome !== 'accepted');
  if (bad) throw new Error(`inject: ${JSON.stringify(bad)}`);
}

const discovery = (n: CityLinkNode) => `${n.baseUrl}/taxii2/`;
const names = (objects: StixObject[]) => objects.filter((o) => o.type === 'incident').map((o) => o.name);

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
  city1 = net.node('t-city-1');
  city2 = net.node('t-city-2');
  key1 = await readKeyFile(net.configOf(city1.id).keyFile as string);
  // What t-city-2 receives from t-city-1, one of each marking.
  const green = await signed({
    kind: 'bulletin',
    tlp: 'GREEN',
    audience: ['*'],
    body: { ...bulletin('green-1'), indicators: [{ type: 'domain', value: 'ballot-status.example' }] },
  });
  const sent = [
    green,
    await signed({ kind: 'bulletin', tlp: 'CLEAR', audience: ['*'], body: bulletin('clear-1') }),
    await signed({ kind: 'bulletin', tlp: 'AMBER', audience: ['t-city-2'], body: bulletin('amber-for-2') }),
    await signed({ kind: 'bulletin', tlp: 'AMBER', audience: ['t-hub'], body: bulletin('amber-for-hub') }),
    await signed({
      kind: 'bulletin',
      tlp: 'RED',
      audience: ['t-city-2'],
      recipients: [{ node: 't-city-2', user: 'mayor' }],
      body: bulletin('red-for-mayor'),
    }),
  ];
  await inject(
    city1,
    sent.map((s) => s.jws),
  );
  const status = await signed({
    kind: 'bulletin-status',
    tlp: 'GREEN',
    audience: ['*'],
    body: { target: green.id, status: 'investigating' },
  });
  await inject(city1, [status.jws]);
  greenId = green.id;
  await net.processAll();
  expect(await city2.store.getObject(green.id)).not.toBeNull();
  token2 = (await city2.tokens.create({ name: 'siem', role: 'feed-reader', by: 'test' })).token;
  token1 = (await city1.tokens.create({ name: 'siem', role: 'feed-reader', by: 'test' })).token;
});
afterAll(() => net?.close());

describe('TAXII 2.1: who sees what', () => {
  it('network holds GREEN and CLEAR only, as the console shows them', async () => {
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const { objects } = await client.all(await client.collection('network'));
    expect(new Set(names(objects))).toEqual(new Set(['green-1', 'clear-1']));
    for (const o of objects.filter((x) => x.object_marking_refs)) {
      expect([TLP.GREEN, TLP.CLEAR]).toEqual(expect.arrayContaining(o.object_marking_refs!));
    }
  });

  it('addressed-to-us holds the AMBER addressed here, never a RED for someone else', async () => {
    const client = new TaxiiClient(discovery(city2), { bearer: token2 });
    const { objects } = await client.all(await client.collection('addressed-to-us'));
    expect(names(objects)).toEqual(['amber-for-2']);
    const markings = new Set(objects.flatMap((o) => o.object_marking_refs ?? []));
    expect(markings.has(TLP.RED)).toBe(false);
  });

  it('public needs no account and holds CLEAR only; the others answer 401 without one', async () => {
    const anonymous = new TaxiiClient(discovery(city2));
    const { objects } = await anonymous.all(await anonymous.collection('public'));
    expect(names(objects)).toEqual(['clear-1']);
    const network = `${city2.baseUrl}/taxii2/api/collections/network/objects/`;
    const refused = await anonymous.get<{ http_status: string; title: string }>(network);
    expect(refused.status).toBe(401);
    expect(refused.body.http_status).toBe('401');
    expect(refused.headers.get('www-authenticate')).toMatch(/Basic/);
    await expect(anonymous.collection('network')).rejects.toThrow(/no collection network/);
  });

  it('every reference an object makes to its author and extension resolves inside the collection', async () => {
    for (const [title, client] of [
      ['network', new TaxiiClient(discovery(city2), { user: 'siem', password: token2 })],
      ['public', new TaxiiClient(discovery(city2))],
    ] as const) {
      const { objects } = await client.all(await client.collection(title));
      const ids = new Set(objects.map((o) => o.id));
      const refs = objects.flatMap((o) => [
        ...(o.created_by_ref ? [o.created_by_ref] : []),
        ...Object.keys(o.extensions ?? {}).filter((k) => k.startsWith('extension-definition--')),
      ]);
      expect(refs.length, title).toBeGreaterThan(0);
      // The TLP 2.0 and Incident Core extensions are OASIS's, published with their definitions.
      const oasis = ['extension-definition--60a3c5c5', 'extension-definition--ef765651'];
      expect(
        refs.filter((r) => !ids.has(r) && !oasis.some((p) => r.startsWith(p))),
        title,
      ).toEqual([]);
      const author = city2.roster.member(city1.id)!.name;
      expect(
        objects.filter((o) => o.type === 'identity').map((o) => o.name),
        title,
      ).toContain(author);
    }
    // A page too small for an object and what it names still moves forward.
    const small = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    for (const limit of ['1', '2', '3']) {
      const paged = await small.all(await small.collection('network'), { limit });
      expect(new Set(names(paged.objects)), `limit ${limit}`).toEqual(new Set(['green-1', 'clear-1']));
    }
    // And by id.
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const collection = await client.collection('network');
    const { objects } = await client.all(collection, { 'match[type]': 'identity' });
    const one = await client.get<Envelope>(`${collection}objects/${objects[0]!.id}/`);
    expect(one.body.objects?.map((o) => o.id)).toEqual([objects[0]!.id]);
  });

  it('a wrong media type is 406, a write is 415 or 403, an unknown token 401', async () => {
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const collection = await client.collection('network');
    const wrong = await client.get<{ http_status: string }>(`${collection}objects/`, 'application/json');
    expect(wrong.status).toBe(406);
    expect(wrong.body.http_status).toBe('406');
    const post = (type: string) =>
      fetch(`${collection}objects/`, {
        method: 'POST',
        headers: { 'content-type': type, accept: TAXII, authorization: `Bearer ${token2}` },
        body: JSON.stringify({ objects: [] }),
      });
    expect((await post('application/json')).status).toBe(415);
    expect((await post(TAXII)).status).toBe(403);
    const stranger = new TaxiiClient(discovery(city2), { user: 'siem', password: `${token2.slice(0, -2)}xx` });
    expect((await stranger.get(discovery(city2))).status).toBe(401);
    const otherNode = new TaxiiClient(discovery(city2), { user: 'siem', password: token1 });
    expect((await otherNode.get(discovery(city2))).status).toBe(401);
  });

  it('a list, one object by id and the manifest give the last version unless match[version] asks for others', async () => {
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const collection = await client.collection('network');
    const green1 = (objects: StixObject[]) => objects.filter((o) => o.name === 'green-1');
    const every = green1(
      (await client.all(collection, { 'match[type]': 'incident', 'match[version]': 'all' })).objects,
    );
    expect(every).toHaveLength(2);
    const id = every[0]!.id;
    expect(every[1]!.id).toBe(id);
    const modified = every.map((v) => v.modified!).sort();
    // TAXII 2.1 §3.4.1: without match[version] only the latest version of each object.
    const { objects } = await client.all(collection, { 'match[type]': 'incident' });
    expect(objects.every((o) => o.type === 'incident')).toBe(true);
    expect(green1(objects).map((o) => o.modified)).toEqual([modified[1]]);
    // An observable has no versions: the default list carries it with its indicator.
    const listed = (await client.all(collection)).objects.map((o) => o.type);
    expect(listed).toEqual(expect.arrayContaining(['incident', 'indicator', 'domain-name']));
    const first = await client.all(collection, { 'match[type]': 'incident', 'match[version]': 'first' });
    expect(green1(first.objects).map((o) => o.modified)).toEqual([modified[0]]);
    const both = await client.all(collection, { 'match[type]': 'incident', 'match[version]': 'first,last' });
    expect(green1(both.objects).map((o) => o.modified)).toEqual(modified);
    const byId = await client.get<Envelope>(`${collection}objects/${id}/`);
    expect(byId.body.objects).toHaveLength(1);
    expect(byId.body.objects![0]!.modified).toBe(modified[1]);
    const all = await client.get<{ versions: string[] }>(`${collection}objects/${id}/versions/`);
    expect(all.body.versions).toEqual(modified);
    type Manifest = { objects: { id: string; version: string; date_added: string }[] };
    const manifest = await client.get<Manifest>(`${collection}manifest/?match[id]=${id}`);
    expect(manifest.body.objects.map((m) => m.version)).toEqual([modified[1]]);
    const manifestAll = await client.get<Manifest>(`${collection}manifest/?match[id]=${id}&match[version]=all`);
    expect(manifestAll.body.objects.map((m) => m.version).sort()).toEqual(modified);
    const missing = await client.get<{ http_status: string }>(
      `${collection}objects/incident--00000000-0000-4000-8000-000000000000/`,
    );
    expect(missing.status).toBe(404);
    // The AMBER bulletin is not in network, even by id.
    const amber = (await client.all(await client.collection('addressed-to-us'))).objects.find(
      (o) => o.type === 'incident',
    )!;
    expect((await client.get(`${collection}objects/${amber.id}/`)).status).toBe(404);
  });
});

describe('TAXII 2.1: the by-id index follows the log', () => {
  it('a version that arrives after a by-id read is the next read’s last version', async () => {
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const collection = await client.collection('network');
    const incident = (await client.all(collection, { 'match[type]': 'incident' })).objects.find(
      (o) => o.name === 'green-1',
    )!;
    const before = await client.get<{ versions: string[] }>(`${collection}objects/${incident.id}/versions/`);
    const later = new Date(Date.parse(before.body.versions.at(-1)!) + 1_000).toISOString();
    const resolved = await signed({
      kind: 'bulletin-status',
      tlp: 'GREEN',
      audience: ['*'],
      body: { target: greenId, status: 'mitigated' },
      created: later,
    } as Parameters<typeof signed>[0]);
    await inject(city1, [resolved.jws]);
    await net.processAll();
    const after = await client.get<{ versions: string[] }>(`${collection}objects/${incident.id}/versions/`);
    expect(after.body.versions).toEqual([...before.body.versions, later]);
    const byId = await client.get<Envelope>(`${collection}objects/${incident.id}/`);
    expect(byId.body.objects?.map((o) => o.modified)).toEqual([later]);
  });
});

describe('TAXII 2.1: paging', () => {
  it(`pages through ${PAGED} objects with limit and next, then resumes with added_after across a restart`, async () => {
    // Kept at t-city-1 alone (an empty audience): nothing to deliver.
    for (let b = 0; b < PAGED; b += 1_000) {
      const batch = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) =>
          signed({ kind: 'bulletin', tlp: 'GREEN', audience: [], body: bulletin(`paged ${b + i}`) }),
        ),
      );
      await inject(
        city1,
        batch.map((s) => s.jws),
      );
    }
    const client = new TaxiiClient(discovery(city1), { user: 'siem', password: token1 });
    const collection = await client.collection('network');
    const first = await client.all(collection, { limit: '1000', 'match[type]': 'incident' });
    const paged = names(first.objects).filter((n) => n?.startsWith('paged '));
    expect(paged).toHaveLength(PAGED);
    expect(new Set(paged).size).toBe(PAGED);
    expect(first.pages).toBeGreaterThanOrEqual(PAGED / 1_000);
    expect(first.last).toBeTruthy();

    // A smaller limit, objects of every type: the same objects, none twice, none lost (the
    // identities and extension definition they name come again on every page: referenced.ts).
    const everything = await client.all(collection, { limit: '777' });
    const referenced = new Set(['identity', 'extension-definition']);
    const keys = everything.objects.filter((o) => !referenced.has(o.type)).map((o) => `${o.id}|${o.modified ?? ''}`);
    const incidents = everything.objects.filter((o) => o.type === 'incident');
    expect(incidents.length).toBe(first.objects.length);
    expect(new Set(keys).size).toBe(keys.length);

    await net.stop(city1.id);
    city1 = await net.restart(city1.id);
    const after = await Promise.all(
      ['late 1', 'late 2', 'late 3'].map((t) =>
        signed({ kind: 'bulletin', tlp: 'GREEN', audience: [], body: bulletin(t) }),
      ),
    );
    await inject(
      city1,
      after.map((s) => s.jws),
    );
    const resumed = new TaxiiClient(discovery(city1), { user: 'siem', password: token1 });
    const again = await resumed.all(await resumed.collection('network'), { added_after: first.last! });
    expect(names(again.objects)).toEqual(['late 1', 'late 2', 'late 3']);
  });

  it('a revoked token is 401 at once', async () => {
    await city2.tokens.revoke('siem', 'test');
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const refused = await client.get<{ http_status: string }>(`${city2.baseUrl}/taxii2/api/collections/network/`);
    expect(refused.status).toBe(401);
    const audit = await city2.store.listAudit({ action: 'token.revoke', limit: 5 });
    expect(audit.map((a) => a.subject)).toContain('siem');
  });
});
