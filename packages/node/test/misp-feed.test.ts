import { createHash } from 'node:crypto';
import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The MISP feed at /feeds/misp/, read the way MISP's feed fetcher reads it: the
// manifest, then each event file, and hashes.csv. Same visibility as the console.

let net: TestNetwork;
let city1: CityLinkNode;
let city2: CityLinkNode;
let key1: NodeKey;
let token: string;
let clearId: string;

interface ManifestEntry {
  info: string;
  Tag: { name: string }[];
}
interface Event {
  Event: { uuid: string; info: string; Tag: { name: string }[]; Attribute: { type: string; value: string }[] };
}

async function publish(o: Omit<SignedObject, 'v' | 'origin' | 'created'>): Promise<string> {
  const s = await signObject({ v: 1, origin: city1.id, created: new Date().toISOString(), ...o } as SignedObject, key1);
  const [r] = await city1.inbound.receive([s.jws], city1.id, 'local');
  expect(r?.outcome).toBe('accepted');
  return s.id;
}
const body = (title: string, extra = {}) => ({
  title,
  narrative: `About ${title}`,
  category: 'cyber.spoofing',
  severity: 'high',
  ...extra,
});

async function get<T>(path: string, auth?: string): Promise<{ status: number; body: T; type: string | null }> {
  const res = await fetch(`${city2.baseUrl}/feeds/misp/${path}`, {
    headers: auth ? { authorization: auth } : {},
  });
  const text = await res.text();
  const type = res.headers.get('content-type');
  return { status: res.status, body: (type?.includes('json') ? JSON.parse(text) : text) as T, type };
}
const basic = (t: string) => `Basic ${Buffer.from(`misp:${t}`).toString('base64')}`;

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
  city1 = net.node('t-city-1');
  city2 = net.node('t-city-2');
  key1 = await readKeyFile(net.configOf(city1.id).keyFile as string);
  clearId = await publish({
    kind: 'bulletin',
    tlp: 'CLEAR',
    audience: ['*'],
    body: body('clear look-alike', { indicators: [{ type: 'domain', value: 'vote-county.example' }] }),
  });
  await publish({ kind: 'bulletin', tlp: 'GREEN', audience: ['*'], body: body('green one') });
  await publish({ kind: 'bulletin', tlp: 'AMBER', audience: ['t-city-2'], body: body('amber for 2') });
  await publish({
    kind: 'bulletin',
    tlp: 'RED',
    audience: ['t-city-2'],
    recipients: [{ node: 't-city-2', user: 'mayor' }],
    body: body('red for the mayor'),
  });
  await net.processAll();
  token = (await city2.tokens.create({ name: 'misp', role: 'feed-reader', by: 'test' })).token;
});
afterAll(() => net?.close());

describe('MISP feed', () => {
  it('without credentials: TLP:CLEAR only, tagged tlp:clear, with its indicators as attributes', async () => {
    const manifest = await get<Record<string, ManifestEntry>>('manifest.json');
    expect(manifest.status).toBe(200);
    const entries = Object.entries(manifest.body);
    expect(entries.map(([, e]) => e.info)).toEqual(['clear look-alike']);
    const [uuid, entry] = entries[0]!;
    expect(entry.Tag.map((t) => t.name)).toContain('tlp:clear');
    const event = await get<Event>(`${uuid}.json`);
    expect(event.body.Event.uuid).toBe(uuid);
    expect(event.body.Event.Attribute).toContainEqual(
      expect.objectContaining({ type: 'domain', value: 'vote-county.example' }),
    );
    expect(event.body.Event.Attribute).toContainEqual(expect.objectContaining({ value: `citylink:${clearId}` }));
    const hashes = await get<string>('hashes.csv');
    expect(hashes.type).toMatch(/text\/csv/);
    const md5 = createHash('md5').update('vote-county.example').digest('hex');
    expect(hashes.body.split('\n')).toContain(`${md5},${uuid}`);
  });

  it('with a feed-reader token: what the account may see (AMBER addressed here), never a RED for someone else', async () => {
    for (const auth of [basic(token), `Bearer ${token}`]) {
      const manifest = await get<Record<string, ManifestEntry>>('manifest.json', auth);
      const infos = Object.values(manifest.body)
        .map((e) => e.info)
        .sort();
      expect(infos).toEqual(['amber for 2', 'clear look-alike', 'green one']);
      const tags = new Set(Object.values(manifest.body).flatMap((e) => e.Tag.map((t) => t.name)));
      expect(tags.has('tlp:red')).toBe(false);
      expect(tags.has('tlp:amber')).toBe(true);
    }
    // An event this account may not see is not served by uuid either.
    const anonymous = Object.keys((await get<Record<string, ManifestEntry>>('manifest.json')).body);
    const all = Object.entries((await get<Record<string, ManifestEntry>>('manifest.json', basic(token))).body);
    const amber = all.find(([, e]) => e.info === 'amber for 2')![0];
    expect(anonymous).not.toContain(amber);
    expect((await get(`${amber}.json`)).status).toBe(404);
    expect((await get(`${amber}.json`, basic(token))).status).toBe(200);
  });

  it('a wrong or revoked token is 401', async () => {
    expect((await get('manifest.json', basic('cltok_nope'))).status).toBe(401);
    await city2.tokens.revoke('misp', 'test');
    expect((await get('manifest.json', basic(token))).status).toBe(401);
  });
});
