import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode, SessionUser } from '@citylink/node';
import type { BodyOf, SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Import at the hub: a STIX bundle (the CLI's `hub import` goes through hub.importBundle)
// and the scheduled pull of an external TAXII 2.1 collection, here a city's own TAXII
// server over real HTTP. Imported objects are hub-signed bulletins with provenance,
// deduplicated by STIX id and version, TLP mapped, distributed by the normal rules.

const ts = '2026-11-03T10:00:00.000Z';
const later = '2026-11-04T10:00:00.000Z';
const TLP1 = {
  WHITE: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  GREEN: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
};
const TLP2 = {
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};
const identity = {
  type: 'identity',
  spec_version: '2.1',
  id: 'identity--0b8c7f43-6f9f-4f0e-9a55-5c1c0b1b2c11',
  created: ts,
  modified: ts,
  name: 'EI-ISAC',
  identity_class: 'organization',
};
const indicator = (n: number, markings: string[], extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${String(n).padStart(8, '0')}-1111-4111-8111-111111111111`,
  created: ts,
  modified: ts,
  created_by_ref: identity.id,
  name: `Look-alike domain ${n}`,
  description: `Registered to imitate the county site (${n})`,
  pattern: `[domain-name:value = 'vote-county${n}.example']`,
  pattern_type: 'stix',
  valid_from: ts,
  ...(markings.length > 0 && { object_marking_refs: markings }),
  ...extra,
});
const bundle = (objects: unknown[]) => ({
  type: 'bundle',
  id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
  objects,
});

let net: TestNetwork;
let hub: CityLinkNode;
let city1: CityLinkNode;
let city2: CityLinkNode;
let key1: NodeKey;
const official: SessionUser = { id: 0, username: 'official', displayName: 'Official', roles: ['hub-official'] };

/** The hub's imported bulletins: provenance STIX id → the bulletin's payload. */
async function importedAt(node: CityLinkNode): Promise<Map<string, SignedObject & { id: string }>> {
  const items = await node.store.queryItems({
    kinds: ['bulletin'],
    origins: [hub.id],
    includeRetracted: true,
    includeSuperseded: true,
    limit: 1_000,
  });
  const out = new Map<string, SignedObject & { id: string }>();
  for (const o of await node.store.getObjects(items.map((i) => i.id))) {
    const payload = JSON.parse(Buffer.from(o.jws.split('.')[1]!, 'base64url').toString()) as SignedObject;
    const p = (payload.body as BodyOf<'bulletin'>).provenance;
    if (p) out.set(`${p.stixId}|${p.modified}`, { ...payload, id: o.id });
  }
  return out;
}

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2, users: true });
  hub = net.hub;
  city1 = net.node('t-city-1');
  city2 = net.node('t-city-2');
  key1 = await readKeyFile(net.configOf(city1.id).keyFile as string);
});
afterAll(() => net?.close());

describe('hub import of a STIX bundle', () => {
  it('mixed TLP 1.0/2.0 markings, duplicates and broken objects: each object on its own', async () => {
    const official = await net.login(hub, 'official');
    const report = await official.hub.importBundle.mutate({
      source: 'ei-isac-2026-11-03.json',
      defaultTlp: 'AMBER',
      bundle: bundle([
        identity,
        indicator(1, [TLP1.GREEN]),
        indicator(2, [TLP1.WHITE]),
        indicator(3, [TLP2.AMBER]),
        indicator(4, [TLP2.RED]),
        indicator(1, [TLP1.GREEN]),
        indicator(5, []),
        { ...indicator(6, [TLP1.GREEN]), id: 'indicator--not-a-uuid' },
        { ...indicator(7, [TLP1.GREEN]), modified: '2026-11-02T10:00:00.000Z' },
        { ...indicator(8, [TLP1.GREEN]), pattern: "[process:name = 'evil.exe']" },
      ]),
    });
    expect(report.imported.map((i) => i.stixId.slice(11, 19)).sort()).toEqual([
      '00000001',
      '00000002',
      '00000003',
      '00000005',
    ]);
    expect(report.imported.every((i) => i.action === 'published')).toBe(true);
    expect(report.bundleDuplicates).toBe(1);
    expect(report.duplicates).toEqual([]);
    const refusedIndexes = report.refused.map((r) => r.index).sort((a, b) => a - b);
    expect(refusedIndexes).toEqual([4, 7, 8, 9]);
    for (const r of report.refused) expect(r.reason.length).toBeGreaterThan(5);

    const held = await importedAt(hub);
    expect(held.size).toBe(4);
    const one = held.get(`indicator--00000001-1111-4111-8111-111111111111|${ts}`)!;
    expect(one.origin).toBe(hub.id);
    expect(one.tlp).toBe('GREEN');
    expect(one.audience).toEqual(['*']);
    const body = one.body as BodyOf<'bulletin'>;
    expect(body.title).toBe('Look-alike domain 1');
    expect(body.indicators).toEqual([expect.objectContaining({ type: 'domain', value: 'vote-county1.example' })]);
    expect(body.provenance).toEqual({
      source: 'ei-isac-2026-11-03.json',
      stixId: 'indicator--00000001-1111-4111-8111-111111111111',
      modified: ts,
      createdByRef: identity.id,
      createdByName: 'EI-ISAC',
    });
    expect(held.get(`indicator--00000002-1111-4111-8111-111111111111|${ts}`)!.tlp).toBe('CLEAR');
    expect(held.get(`indicator--00000003-1111-4111-8111-111111111111|${ts}`)!.tlp).toBe('AMBER');
    expect(held.get(`indicator--00000005-1111-4111-8111-111111111111|${ts}`)!.tlp).toBe('AMBER');

    // Distributed by the normal rules: GREEN and CLEAR reach every city, AMBER stays at the hub.
    await net.processAll();
    const atCity = await importedAt(city2);
    expect([...atCity.values()].map((o) => o.tlp).sort()).toEqual(['CLEAR', 'GREEN']);
  });

  it('the same bundle again is all duplicates; a newer version supersedes, a revoked one retracts', async () => {
    const head = hub.store.headSeq;
    const again = await hub.imports.importBundle(
      {
        source: 'again',
        defaultTlp: 'AMBER',
        bundle: bundle([identity, indicator(1, [TLP1.GREEN]), indicator(2, [TLP1.WHITE])]),
      },
      official,
    );
    expect(again.imported).toEqual([]);
    expect(again.duplicates).toHaveLength(2);
    expect(hub.store.headSeq).toBe(head);

    const newer = await hub.imports.importBundle(
      {
        source: 'update',
        defaultTlp: 'AMBER',
        bundle: bundle([
          identity,
          indicator(1, [TLP1.GREEN], { modified: later, name: 'Look-alike domain 1, now down' }),
        ]),
      },
      official,
    );
    expect(newer.imported.map((i) => i.action)).toEqual(['superseded']);
    const held = await importedAt(hub);
    const v2 = held.get(`indicator--00000001-1111-4111-8111-111111111111|${later}`)!;
    const v1 = held.get(`indicator--00000001-1111-4111-8111-111111111111|${ts}`)!;
    expect((v2.body as BodyOf<'bulletin'>).supersedes).toBe(v1.id);
    expect((await hub.store.getItem(v1.id))?.supersededBy).toBe(v2.id);

    const revoked = await hub.imports.importBundle(
      {
        source: 'revocation',
        defaultTlp: 'AMBER',
        bundle: bundle([indicator(2, [TLP1.WHITE], { modified: later, revoked: true })]),
      },
      official,
    );
    expect(revoked.imported.map((i) => i.action)).toEqual(['retracted']);
    const v = held.get(`indicator--00000002-1111-4111-8111-111111111111|${ts}`)!;
    expect((await hub.store.getItem(v.id))?.retracted).toBe(true);
    const nothing = await hub.imports.importBundle(
      { source: 'x', defaultTlp: 'AMBER', bundle: bundle([indicator(9, [TLP1.GREEN], { revoked: true })]) },
      official,
    );
    expect(nothing.imported).toEqual([]);
    expect(nothing.refused[0]?.reason).toMatch(/no import of it is held/);
  });
});

/**
 * An external TAXII 2.1 server (another organization's), written here from the
 * specification: one collection, HTTP Basic, `limit`/`next` (an offset) and
 * `added_after` over the date each object was added.
 */
function externalTaxii(password: string) {
  const added: { object: Record<string, unknown>; at: string }[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.search);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/taxii+json;version=2.1', ...headers });
      res.end(JSON.stringify(body));
    };
    const auth = req.headers.authorization ?? '';
    const given = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')[1];
    if (given !== password) return send(401, { title: 'Unauthorized', http_status: '401' });
    if (url.pathname !== '/api/collections/advisories/objects/') return send(404, { title: 'Not found' });
    const after = url.searchParams.get('added_after');
    const from = Number(url.searchParams.get('next') ?? 0);
    // Servers may answer fewer than asked: two per page, so the pull follows `next`.
    const limit = Math.min(2, Number(url.searchParams.get('limit') ?? 100));
    const matching = added.filter((a) => !after || Date.parse(a.at) > Date.parse(after));
    const page = matching.slice(from, from + limit);
    const more = from + limit < matching.length;
    const headers: Record<string, string> =
      page.length > 0
        ? { 'X-TAXII-Date-Added-First': page[0]!.at, 'X-TAXII-Date-Added-Last': page[page.length - 1]!.at }
        : {};
    send(200, { more, ...(more && { next: String(from + limit) }), objects: page.map((a) => a.object) }, headers);
  });
  return { server, added, requests };
}

describe('scheduled pull of an external TAXII collection', () => {
  it('pulls pages over HTTP, resumes with added_after, imports only what is new', async () => {
    const ext = externalTaxii('s3cret-feed-token');
    await new Promise<void>((resolve) => ext.server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (ext.server.address() as AddressInfo).port;
      const at = (n: number) => new Date(Date.UTC(2026, 10, 5, 10, 0, n)).toISOString();
      ext.added.push({ object: identity, at: at(0) });
      for (let n = 20; n < 25; n++) ext.added.push({ object: indicator(n, [TLP1.GREEN]), at: at(n) });
      const feed = {
        name: 'ei-isac',
        url: `http://127.0.0.1:${port}/api/`,
        collection: 'advisories',
        username: 'citylink',
        password: 's3cret-feed-token',
        intervalMs: 60_000,
        defaultTlp: 'AMBER' as const,
      };
      const fromFeed = async () =>
        [...(await importedAt(hub)).values()]
          .filter((o) => (o.body as BodyOf<'bulletin'>).provenance?.source === 'taxii:ei-isac')
          .map((o) => (o.body as BodyOf<'bulletin'>).title)
          .sort();
      const first = await hub.ctx.feeds.pull(feed);
      expect(first.flatMap((r) => r.imported)).toHaveLength(5);
      expect((await fromFeed()).length).toBe(5);

      const second = await hub.ctx.feeds.pull(feed);
      expect(second.flatMap((r) => r.imported)).toEqual([]);
      expect(ext.requests.at(-1)).toContain(`added_after=${encodeURIComponent(at(24))}`);
      ext.added.push({ object: indicator(25, [TLP1.GREEN]), at: at(30) });
      const third = await hub.ctx.feeds.pull(feed);
      expect(third.flatMap((r) => r.imported.map((i) => i.stixId))).toEqual([
        'indicator--00000025-1111-4111-8111-111111111111',
      ]);
      expect((await fromFeed()).length).toBe(6);

      // Credentials the feed refuses: the pull fails and imports nothing.
      ext.added.push({ object: indicator(26, [TLP1.GREEN]), at: at(40) });
      await expect(hub.ctx.feeds.pull({ ...feed, password: 'wrong' })).rejects.toThrow(/answered 401/);
      expect((await fromFeed()).length).toBe(6);
    } finally {
      await new Promise<void>((resolve) => ext.server.close(() => resolve()));
    }
  });

  it("a member's own TAXII (CityLink objects) imports nothing: they are in the network already", async () => {
    const [r] = await city1.inbound.receive(
      [
        (
          await signObject(
            {
              v: 1,
              kind: 'bulletin',
              origin: city1.id,
              created: new Date().toISOString(),
              tlp: 'GREEN',
              audience: [],
              body: { title: 'city own', narrative: 'x', category: 'cyber.phishing', severity: 'medium' },
            } as SignedObject,
            key1,
          )
        ).jws,
      ],
      city1.id,
      'local',
    );
    expect(r?.outcome).toBe('accepted');
    const { token } = await city1.tokens.create({ name: 'hub-feed', role: 'feed-reader', by: 'test' });
    const reports = await hub.ctx.feeds.pull({
      name: 'city1',
      url: `${city1.baseUrl}/taxii2/api/`,
      collection: 'network',
      password: token,
      intervalMs: 60_000,
      defaultTlp: 'AMBER',
    });
    expect(reports.flatMap((x) => x.imported)).toEqual([]);
    const refused = reports.flatMap((x) => x.refused);
    expect(refused.length).toBeGreaterThan(0);
    for (const x of refused) expect(x.reason).toMatch(/already in this network/);
  });
});
