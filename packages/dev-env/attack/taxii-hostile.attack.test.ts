import { createHash } from 'node:crypto';
import { readKeyFile, signObject } from '@citylink/crypto';
import type { CityLinkNode } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import type { AppendInput } from '@citylink/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetwork } from '../src/index.js';

// TAXII 2.1 and the MISP feed as an outsider (no credentials: the public collection)
// and a feed-reader insider attack them: concurrent whole-collection reads, forged and
// cross-node tokens, crafted cursors, limit abuse, and an object whose STIX form is
// stricter than the collection it is listed in.

const TAXII = 'application/taxii+json;version=2.1';
const SEEDED = 4_000;
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'EdDSA', typ: 'citylink.bulletin+jws', kid: 'seed' }));

/** A CLEAR bulletin stored straight into the log (load for the read paths; ingest is not what is attacked here). */
function seeded(n: number, origin: string): AppendInput {
  const created = new Date(Date.UTC(2026, 9, 1) + n * 1000);
  const body = { title: `Seeded ${n}`, narrative: `N ${n}`, category: 'cyber.spoofing', severity: 'low' };
  const payload = b64(JSON.stringify({ v: 1, kind: 'bulletin', origin, created, tlp: 'CLEAR', audience: ['*'], body }));
  const id = createHash('sha256').update(payload).digest('base64url');
  const common = { id, kind: 'bulletin', origin, created, tlp: 'CLEAR' } as const;
  return {
    object: {
      ...common,
      kid: 'seed',
      receivedFrom: origin,
      audience: ['*'],
      recipients: null,
      target: null,
      jws: `${HEADER}.${payload}.${b64(`sig-${n}`)}`,
    },
    item: {
      ...common,
      title: body.title,
      category: body.category,
      severity: body.severity,
      topic: null,
      status: 'published',
      retracted: false,
      supersededBy: null,
      searchText: body.title,
    },
  } as AppendInput;
}

let net: TestNetwork;
let city: CityLinkNode;
let other: CityLinkNode;
let token: string;
let otherToken: string;

const get = (url: string, authorization?: string) =>
  fetch(url, { headers: { accept: TAXII, ...(authorization && { authorization }) } });
const root = (n: CityLinkNode) => `${n.baseUrl}/taxii2/api/collections/`;
/** A whole-collection read: a filter nothing matches makes the server map every row (up to its scan bound). */
const scan = 'objects/?match[type]=no-such-type&limit=1000';

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
  city = net.node('t-city-1');
  other = net.node('t-city-2');
  for (let n = 0; n < SEEDED; n += 1_000) {
    await city.store.append(Array.from({ length: 1_000 }, (_, i) => seeded(n + i, city.id)));
  }
  token = (await city.tokens.create({ name: 'siem', role: 'feed-reader', by: 'test' })).token;
  otherToken = (await other.tokens.create({ name: 'siem', role: 'feed-reader', by: 'test' })).token;
});
afterAll(() => net?.close());

describe('whole-collection reads cannot starve the node', () => {
  it('concurrent anonymous whole-collection reads: a few are served, the rest get 503 with Retry-After, and the node stays up', async () => {
    let served = 0;
    const flood = Array.from({ length: 8 }, () =>
      get(`${root(city)}public/${scan}`).then((r) => {
        if (r.status === 200) served++;
        return r;
      }),
    );
    // The node answers while whole-collection reads are in flight, not after them.
    const health = await fetch(`${city.baseUrl}/healthz`);
    expect(health.ok).toBe(true);
    expect(served).toBe(0);
    const answers = await Promise.all(flood);
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const busy = answers.find((r) => r.status === 503)!;
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(busy.headers.get('content-type')).toBe(TAXII);
    expect(((await busy.json()) as { http_status: string }).http_status).toBe('503');
  });

  it('indexing many new rows for a by-id read does not hold the node', async () => {
    for (let n = 0; n < 20_000; n += 2_000) {
      await city.store.append(Array.from({ length: 2_000 }, (_, i) => seeded(100_000 + n + i, city.id)));
    }
    const t0 = performance.now();
    let done = false;
    const byId = get(`${root(city)}public/objects/incident--00000000-0000-5000-8000-000000000000/`).finally(() => {
      done = true;
    });
    // /healthz, polled while the read indexes 20,000 rows: never held for a large part of it.
    const waits: number[] = [];
    while (!done) {
      const t = performance.now();
      expect((await fetch(`${city.baseUrl}/healthz`)).ok).toBe(true);
      waits.push(performance.now() - t);
    }
    expect((await byId).status).toBe(404);
    const byIdMs = performance.now() - t0;
    expect(Math.max(...waits)).toBeLessThan(byIdMs / 4);
  });

  it('an anonymous flood does not lock a feed-reader account out', async () => {
    const flood = Array.from({ length: 6 }, () => get(`${root(city)}public/${scan}`));
    const mine = await get(`${root(city)}network/objects/?limit=5`, `Bearer ${token}`);
    expect(mine.status).toBe(200);
    await Promise.all(flood);
  });

  it('the MISP feed is bounded the same way', async () => {
    const flood = await Promise.all(Array.from({ length: 8 }, () => fetch(`${city.baseUrl}/feeds/misp/manifest.json`)));
    const statuses = flood.map((r) => r.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(4);
    expect(statuses).toContain(200);
  });

  it('held: limit is capped at 1,000 whatever is asked', async () => {
    const body = (await (await get(`${root(city)}public/objects/?limit=999999999`)).json()) as {
      objects: unknown[];
      more: boolean;
    };
    expect(body.objects.length).toBe(1_000);
    expect(body.more).toBe(true);
  });
});

describe('tokens and cursors (held)', () => {
  it('a token of another node, a revoked token, a token as the user name and a made-up token are all 401', async () => {
    const network = `${root(city)}network/`;
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    expect((await get(network, `Bearer ${otherToken}`)).status).toBe(401);
    expect((await get(network, basic(token, ''))).status).toBe(401);
    expect((await get(network, `Bearer cltok_${'A'.repeat(43)}`)).status).toBe(401);
    expect((await get(network, basic('x', token))).status).toBe(200);
    const { token: gone } = await city.tokens.create({ name: 'revoked', role: 'feed-reader', by: 'test' });
    await city.tokens.revoke('revoked', 'test');
    expect((await get(network, `Bearer ${gone}`)).status).toBe(401);
  });

  it('a malformed percent-escape in the path is a 400 TAXII error, not a 500', async () => {
    const res = await get(`${root(city)}%E0%A4%A/objects/`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe(TAXII);
  });

  it('a crafted next (other epoch, negative, garbage) is a 400, never a read', async () => {
    const objects = `${root(city)}public/objects/`;
    for (const next of [
      b64(`other-epoch|1|0`),
      b64(`${city.store.epoch}|-5|0`),
      b64(`${city.store.epoch}|1|-1`),
      'not-base64-%%%',
    ]) {
      const res = await get(`${objects}?next=${encodeURIComponent(next)}`);
      expect(res.status).toBe(400);
    }
  });
});

describe('an object listed in a collection its STIX form is stricter than', () => {
  it('a hub status (GREEN, whole network) signed before the AMBER bulletin arrived never lists AMBER content under network', async () => {
    const hubKey = await readKeyFile(net.configOf(net.hub.id).keyFile as string);
    const cityKey = await readKeyFile(net.configOf(city.id).keyFile as string);
    const sign = (o: Omit<SignedObject, 'v' | 'created'>, key: typeof hubKey) =>
      signObject({ v: 1, created: new Date().toISOString(), ...o } as SignedObject, key);
    const bulletin = await sign(
      {
        kind: 'bulletin',
        origin: city.id,
        tlp: 'AMBER',
        audience: [net.hub.id],
        body: {
          title: 'amber-only-title',
          narrative: 'amber-only-narrative',
          category: 'cyber.phishing',
          severity: 'high',
        },
      },
      cityKey,
    );
    const status = await sign(
      {
        kind: 'bulletin-status',
        origin: net.hub.id,
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: bulletin.id, status: 'investigating' },
      },
      hubKey,
    );
    // Arrival order: the status first (the hub may answer what it does not hold yet), then the bulletin.
    for (const [jws, from, path] of [
      [status.jws, net.hub.id, 'push'],
      [bulletin.jws, city.id, 'local'],
    ] as const) {
      const [r] = await city.inbound.receive([jws], from, path);
      if (r?.outcome !== 'accepted') throw new Error(JSON.stringify(r));
    }
    let next: string | undefined;
    const seen: string[] = [];
    do {
      const body = (await (
        await get(`${root(city)}network/objects/?limit=1000${next ? `&next=${next}` : ''}`, `Bearer ${token}`)
      ).json()) as { objects?: { object_marking_refs?: string[]; name?: string }[]; next?: string; more: boolean };
      for (const o of body.objects ?? []) seen.push(JSON.stringify(o));
      next = body.more ? body.next : undefined;
    } while (next);
    expect(seen.join('\n')).not.toContain('amber-only');
    // It is where AMBER belongs.
    const amber = await (await get(`${root(city)}addressed-to-us/objects/`, `Bearer ${token}`)).text();
    expect(amber).toContain('amber-only-title');
  });
});

describe('deep version chains', () => {
  it('a bulletin corrected five times, hours apart, then retracted: every version and the revocation keep one STIX id', async () => {
    const staff = await net.login(city, 'staff');
    const body = (n: number, supersedes?: string) => ({
      title: `chain-v${n}`,
      narrative: `Version ${n}`,
      category: 'cyber.phishing' as const,
      severity: 'low' as const,
      ...(supersedes && { supersedes }),
    });
    let base = SEEDED;
    /** Other traffic between versions, so that no two versions share a page chunk. */
    const traffic = async () => {
      await city.store.append(Array.from({ length: 150 }, (_, i) => seeded(base + i, city.id)));
      base += 150;
    };
    let id = (await staff.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: body(1) })).id;
    for (let n = 2; n <= 6; n++) {
      await traffic();
      id = (await staff.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: body(n, id) })).id;
    }
    await traffic();
    await staff.staff.retract.mutate({ target: id, reason: 'posted in error' });
    const incidents: { id: string; name?: string; revoked?: boolean }[] = [];
    let next: string | undefined;
    do {
      const page = (await (
        await get(
          `${root(city)}network/objects/?match[type]=incident&match[version]=all&limit=1000${next ? `&next=${next}` : ''}`,
          `Bearer ${token}`,
        )
      ).json()) as { objects?: { id: string; name?: string; revoked?: boolean }[]; more: boolean; next?: string };
      incidents.push(...(page.objects ?? []).filter((o) => o.name?.startsWith('chain-v')));
      next = page.more ? page.next : undefined;
    } while (next);
    expect(incidents.length).toBe(7);
    expect(new Set(incidents.map((o) => o.id)).size).toBe(1);
    expect(incidents.some((o) => o.revoked)).toBe(true);
  });
});
