import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A TAXII 2.1 client written from the specification (OASIS TAXII 2.1 §3-§5), sharing
// nothing with the server: discovery → API root → collections → objects with
// limit/next/added_after, by id, versions, manifest. It checks what any client would:
// the media type of every answer, the envelope, the date headers.

const TAXII = 'application/taxii+json;version=2.1';
/** TLP 2.0 marking definitions (FIRST / STIX 2.1 TLP extension). */
const TLP = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

interface StixObject {
  type: string;
  id: string;
  spec_version: string;
  name?: string;
  modified?: string;
  object_marking_refs?: string[];
}
interface Envelope {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
}
interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

class TaxiiClient {
  constructor(
    private readonly discoveryUrl: string,
    private readonly auth?: { user: string; password: string } | { bearer: string },
  ) {}

  async get<T>(url: string, accept = TAXII): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept };
    if (this.auth && 'bearer' in this.auth) headers.authorization = `Bearer ${this.auth.bearer}`;
    else if (this.auth) {
      headers.authorization = `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString('base64')}`;
    }
    const res = await fetch(url, { headers });
    // §1.6.8: every TAXII answer, errors included, is the TAXII media type.
    expect(res.headers.get('content-type')).toBe(TAXII);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** §4.1 discovery, §4.2 API root, §5.1 collections: the collection with this title. */
  async collection(title: string): Promise<string> {
    const discovery = await this.get<{ default: string; api_roots: string[] }>(this.discoveryUrl);
    expect(discovery.status).toBe(200);
    expect(discovery.body.api_roots).toContain(discovery.body.default);
    const root = await this.get<{ versions: string[] }>(discovery.body.default);
    expect(root.body.versions).toContain(TAXII);
    const list = await this.get<{ collections?: { id: string; title: string; can_read: boolean }[] }>(
      `${discovery.body.default}collections/`,
    );
    const c = list.body.collections?.find((x) => x.title === title);
    if (!c) throw new Error(`no collection ${title} (status ${list.status})`);
    expect(c.can_read).toBe(true);
    return `${discovery.body.default}collections/${c.id}/`;
  }

  /** §5.4: every object, page by page with `next`; answers the objects and the last page's Date-Added-Last. */
  async all(collection: string, params: Record<string, string> = {}) {
    const objects: StixObject[] = [];
    let next: string | undefined;
    let last: string | null = null;
    let pages = 0;
    do {
      const url = new URL(`${collection}objects/`);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (next) url.searchParams.set('next', next);
      const page = await this.get<Envelope>(url.toString());
      expect(page.status).toBe(200);
      pages++;
      objects.push(...(page.body.objects ?? []));
      if (page.body.objects?.length) {
        const first = page.headers.get('x-taxii-date-added-first');
        last = page.headers.get('x-taxii-date-added-last');
        expect(first && last && Date.parse(first) <= Date.parse(last)).toBe(true);
      }
      next = page.body.more ? page.body.next : undefined;
      if (page.body.more) expect(next).toBeTruthy();
    } while (next);
    return { objects, last, pages };
  }
}

let net: TestNetwork;
let city1: CityLinkNode;
let city2: CityLinkNode;
let key1: NodeKey;
let token2: string;
let token1: string;
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
  const green = await signed({ kind: 'bulletin', tlp: 'GREEN', audience: ['*'], body: bulletin('green-1') });
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

  it('one object by id is its last version; /versions/ lists both; the manifest names them', async () => {
    const client = new TaxiiClient(discovery(city2), { user: 'siem', password: token2 });
    const collection = await client.collection('network');
    const { objects } = await client.all(collection, { 'match[type]': 'incident' });
    expect(objects.every((o) => o.type === 'incident')).toBe(true);
    const versions = objects.filter((o) => o.name === 'green-1');
    expect(versions).toHaveLength(2);
    const id = versions[0]!.id;
    expect(versions[1]!.id).toBe(id);
    const byId = await client.get<Envelope>(`${collection}objects/${id}/`);
    expect(byId.body.objects).toHaveLength(1);
    const modified = versions.map((v) => v.modified!).sort();
    expect(byId.body.objects![0]!.modified).toBe(modified[1]);
    const all = await client.get<{ versions: string[] }>(`${collection}objects/${id}/versions/`);
    expect(all.body.versions).toEqual(modified);
    const manifest = await client.get<{ objects: { id: string; version: string; date_added: string }[] }>(
      `${collection}manifest/?match[id]=${id}`,
    );
    expect(manifest.body.objects.map((m) => m.version).sort()).toEqual(modified);
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

    // A smaller limit, objects of every type: the same objects, none twice, none lost.
    const everything = await client.all(collection, { limit: '777' });
    const keys = everything.objects.map((o) => `${o.id}|${o.modified ?? ''}`);
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
