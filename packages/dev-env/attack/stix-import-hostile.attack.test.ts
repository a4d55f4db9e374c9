import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CityLinkNode, SessionUser } from '@citylink/node';
import type { BodyOf, SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetwork } from '../src/index.js';

// The hub's STIX import as a hostile or careless producer feeds it: markings that sit
// somewhere else than `object_marking_refs` (granular markings, a stricter indicator
// folded into a looser incident) must never come out looser than the source marked
// them, and a hostile TAXII server must not make the hub hold an unbounded answer.

const ts = '2026-11-03T10:00:00.000Z';
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
const uuid = (n: number, k = 1) => `${String(n).padStart(8, '0')}-${k}${k}${k}${k}-4111-8111-111111111111`;

const incident = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'incident',
  spec_version: '2.1',
  id: `incident--${uuid(n)}`,
  created: ts,
  modified: ts,
  name: `Incident ${n}`,
  description: `Public summary ${n}`,
  object_marking_refs: [GREEN],
  ...extra,
});
const indicator = (n: number, value: string, markings: string[]) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${uuid(n, 2)}`,
  created: ts,
  modified: ts,
  name: `Indicator ${n}`,
  pattern: `[domain-name:value = '${value}']`,
  pattern_type: 'stix',
  valid_from: ts,
  object_marking_refs: markings,
});
const relationship = (n: number, source: string, target: string) => ({
  type: 'relationship',
  spec_version: '2.1',
  id: `relationship--${uuid(n, 3)}`,
  created: ts,
  modified: ts,
  relationship_type: 'indicates',
  source_ref: source,
  target_ref: target,
  object_marking_refs: [GREEN],
});
const bundle = (objects: unknown[]) => ({ type: 'bundle', id: `bundle--${uuid(99, 9)}`, objects });

const official: SessionUser = { id: 0, username: 'official', displayName: 'Official', roles: ['hub-official'] };
let net: TestNetwork;
let hub: CityLinkNode;
let city: CityLinkNode;

/** The hub's imported bulletins held at `node`, by provenance STIX id. */
async function importedAt(node: CityLinkNode): Promise<Map<string, SignedObject>> {
  const items = await node.store.queryItems({ kinds: ['bulletin'], origins: [hub.id], limit: 1_000 });
  const out = new Map<string, SignedObject>();
  for (const o of await node.store.getObjects(items.map((i) => i.id))) {
    const payload = JSON.parse(Buffer.from(o.jws.split('.')[1]!, 'base64url').toString()) as SignedObject;
    const p = (payload.body as BodyOf<'bulletin'>).provenance;
    if (p) out.set(p.stixId, payload);
  }
  return out;
}

/** Everything a city received from the hub's imports, as one string to search. */
async function seenAtCity(): Promise<string> {
  return JSON.stringify([...(await importedAt(city)).values()]);
}

beforeAll(async () => {
  // A short request timeout, so that a feed server answering forever is given up on quickly.
  net = await TestNetwork.create({
    cities: 1,
    configure: (c) => ({ ...c, delivery: { ...c.delivery, requestTimeoutMs: 3_000 } }),
  });
  hub = net.hub;
  city = net.node('t-city-1');
});
afterAll(() => net?.close());

describe('marking confusion on import', () => {
  it('a granular RED or AMBER marking makes the whole object at least that strict', async () => {
    const report = await hub.imports.importBundle(
      {
        source: 'granular.json',
        defaultTlp: 'GREEN',
        bundle: bundle([
          incident(1, {
            description: 'granular-red-secret: the informant inside the county IT office',
            granular_markings: [{ marking_ref: RED, selectors: ['description'] }],
          }),
          incident(2, {
            object_marking_refs: undefined,
            name: 'granular-amber-title',
            granular_markings: [{ marking_ref: AMBER, selectors: ['name'] }],
          }),
        ]),
      },
      official,
    );
    await net.processAll();
    const held = await importedAt(hub);
    expect(held.get(`incident--${uuid(1)}`)).toBeUndefined();
    expect(report.refused.find((r) => r.stixId === `incident--${uuid(1)}`)?.reason).toMatch(/RED/);
    expect(held.get(`incident--${uuid(2)}`)?.tlp).toBe('AMBER');
    const city = await seenAtCity();
    expect(city).not.toContain('granular-red-secret');
    expect(city).not.toContain('granular-amber-title');
  });

  it("a producer's own TLP marking object (named TLP:AMBER+STRICT, OpenCTI style) is not taken as unmarked", async () => {
    const strict = 'marking-definition--826578e1-40ad-459f-bc73-ede076f81f37';
    await hub.imports.importBundle(
      {
        source: 'opencti.json',
        defaultTlp: 'GREEN',
        bundle: bundle([
          {
            type: 'marking-definition',
            spec_version: '2.1',
            id: strict,
            created: ts,
            definition_type: 'statement',
            definition: { statement: 'custom' },
            name: 'TLP:AMBER+STRICT',
          },
          incident(7, { name: 'opencti-strict-title', object_marking_refs: [strict] }),
        ]),
      },
      official,
    );
    await net.processAll();
    expect((await importedAt(hub)).get(`incident--${uuid(7)}`)?.tlp).toBe('AMBER+STRICT');
    expect(await seenAtCity()).not.toContain('opencti-strict-title');
  });

  it('a stricter indicator is not folded into a looser incident', async () => {
    const inc = incident(3, { name: 'Look-alike domains, summary' });
    const amber = indicator(4, 'amber-only.example', [AMBER]);
    const red = indicator(5, 'red-only.example', [RED]);
    const green = indicator(6, 'green-ok.example', [GREEN]);
    const report = await hub.imports.importBundle(
      {
        source: 'folded.json',
        defaultTlp: 'GREEN',
        bundle: bundle([
          inc,
          amber,
          red,
          green,
          relationship(4, amber.id, inc.id),
          relationship(5, red.id, inc.id),
          relationship(6, green.id, inc.id),
        ]),
      },
      official,
    );
    await net.processAll();
    const held = await importedAt(hub);
    const main = held.get(inc.id)!;
    expect(main.tlp).toBe('GREEN');
    const values = ((main.body as BodyOf<'bulletin'>).indicators ?? []).map((i) => i.value);
    expect(values).toEqual(['green-ok.example']);
    // The AMBER indicator is imported on its own, at its own marking; the RED one is refused.
    expect(held.get(amber.id)?.tlp).toBe('AMBER');
    expect(report.refused.find((r) => r.stixId === red.id)?.reason).toMatch(/RED/);
    const city = await seenAtCity();
    expect(city).toContain('green-ok.example');
    expect(city).not.toContain('amber-only.example');
    expect(city).not.toContain('red-only.example');
  });
});

describe('huge bundles', () => {
  it('30,000 relationships to one incident are read in linear time (a list copied per relationship took many seconds)', async () => {
    const inc = incident(30, { name: 'Many relationships' });
    const hex = (n: number) => n.toString(16).padStart(12, '0');
    const objects: unknown[] = [inc];
    for (let i = 0; i < 30_000; i++) {
      objects.push({
        ...relationship(0, inc.id, `indicator--00000000-0000-4000-8000-${hex(i)}`),
        id: `relationship--00000000-0000-4000-8000-${hex(i)}`,
      });
    }
    const t = performance.now();
    const report = await hub.imports.importBundle(
      { source: 'many-relationships.json', defaultTlp: 'GREEN', bundle: bundle(objects) },
      official,
    );
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(report.imported.map((i) => i.stixId)).toEqual([inc.id]);
  });
});

describe('a pathological STIX pattern', () => {
  it('a 200,000-character pattern is refused at once, and the rest of the bundle goes in', async () => {
    const long = {
      ...indicator(40, 'x.example', [GREEN]),
      pattern: `[domain-name:value = 'x' OR ${'a'.repeat(200_000)}]`,
    };
    const fine = indicator(41, 'fine-41.example', [GREEN]);
    const t = performance.now();
    const report = await hub.imports.importBundle(
      { source: 'pattern.json', defaultTlp: 'GREEN', bundle: bundle([long, fine]) },
      official,
    );
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(report.refused).toEqual([
      expect.objectContaining({ index: 0, reason: expect.stringMatching(/longer than/) }),
    ]);
    expect(report.imported.map((i) => i.stixId)).toEqual([fine.id]);
  });
});

describe('one source tampering with another', () => {
  it("a feed cannot revoke or overwrite another source's import by reusing its (public) STIX id", async () => {
    const advisory = incident(20, { name: 'EI-ISAC advisory 20' });
    const first = await hub.imports.importBundle(
      { source: 'taxii:ei-isac', defaultTlp: 'GREEN', bundle: bundle([advisory]) },
      official,
    );
    expect(first.imported).toHaveLength(1);
    const later = '2026-11-05T10:00:00.000Z';
    const hostile = await hub.imports.importBundle(
      {
        source: 'taxii:other-feed',
        defaultTlp: 'GREEN',
        bundle: bundle([{ ...advisory, modified: later, revoked: true }]),
      },
      official,
    );
    expect(hostile.imported).toEqual([]);
    expect(hostile.refused[0]?.reason).toMatch(/taxii:ei-isac/);
    const overwrite = await hub.imports.importBundle(
      {
        source: 'taxii:other-feed',
        defaultTlp: 'GREEN',
        bundle: bundle([{ ...advisory, modified: later, name: 'hostile replacement' }]),
      },
      official,
    );
    expect(overwrite.imported).toEqual([]);
    const item = await hub.store.getItem(first.imported[0]!.id);
    expect(item?.retracted).toBe(false);
    expect(item?.supersededBy ?? null).toBeNull();
    // The source itself still updates it.
    const own = await hub.imports.importBundle(
      { source: 'taxii:ei-isac', defaultTlp: 'GREEN', bundle: bundle([{ ...advisory, modified: later }]) },
      official,
    );
    expect(own.imported.map((i) => i.action)).toEqual(['superseded']);
  });
});

describe('a hostile TAXII server', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  }
  const feed = (name: string, url: string) => ({
    name,
    url,
    collection: 'c1',
    intervalMs: 60_000,
    defaultTlp: 'GREEN' as const,
  });

  it('an answer larger than a TAXII page may be is refused before it is held, and nothing moves', async () => {
    let sent = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' });
      // ~40 MB of one JSON document: objects that would all be refused, so only the size tells.
      const chunk = `${JSON.stringify({ type: 'x', pad: 'y'.repeat(1_000) })},`;
      res.write('{"more":false,"objects":[');
      const write = () => {
        while (sent < 40_000) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end('{}]}');
      };
      write();
    });
    await expect(hub.ctx.feeds.pull(feed('huge', url))).rejects.toThrow(/larger than/);
    expect(sent).toBeLessThan(40_000);
    expect(await hub.store.getMeta('feed_cursor:huge')).toBeUndefined();
  });

  it('a page with more objects than asked is refused, and nothing is imported', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' });
      const objects = Array.from({ length: 1_001 }, (_, i) => ({
        ...indicator(100_000 + i, `flood-${i}.example`, [GREEN]),
        id: `indicator--${String(i).padStart(8, '0')}-5555-4555-8555-555555555555`,
      }));
      res.end(JSON.stringify({ more: false, objects }));
    });
    await expect(hub.ctx.feeds.pull(feed('flood', url))).rejects.toThrow(/more than the 1000 asked/);
    expect((await importedAt(hub)).has('indicator--00000000-5555-4555-8555-555555555555')).toBe(false);
  });

  it('held: an answer that trickles forever is given up at the request timeout, and nothing moves', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' });
      res.write('{"more":false,"objects":[');
      const tick = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(tick));
    });
    const t = performance.now();
    await expect(hub.ctx.feeds.pull(feed('forever', url))).rejects.toThrow();
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(await hub.store.getMeta('feed_cursor:forever')).toBeUndefined();
  });

  it('more: true with the same next forever ends within one pull', async () => {
    let pages = 0;
    const url = await serve((_req, res) => {
      pages++;
      res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' });
      res.end(JSON.stringify({ more: true, next: 'again', objects: [] }));
    });
    await hub.ctx.feeds.pull(feed('loop', url));
    expect(pages).toBeLessThanOrEqual(100);
  });
});
