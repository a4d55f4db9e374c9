import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { generateNodeKey, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import { checkPeerUrl, createPublicPeerClient, guardedLookup, type NodeConfigInput } from '@citylink/node';
import type { Member } from '@citylink/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';

const strict = { allowInsecure: false };
const development = { allowInsecure: true };

let net: TestNetwork | undefined;
const servers: Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await net?.close();
  net = undefined;
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A hub that applies the production policy (its cities still run in development mode on 127.0.0.1). */
const strictHub = (c: NodeConfigInput): NodeConfigInput => (c.role === 'hub' ? { ...c, allowInsecurePeers: false } : c);

/** A self-signed enrollment request for `node`, pointing wherever the test likes. */
async function crafted(baseUrl: string, node = 't-squat') {
  const key = await generateNodeKey();
  const signed = await signObject(
    {
      v: 1,
      kind: 'enrollment',
      origin: node,
      created: new Date().toISOString(),
      tlp: 'GREEN',
      audience: ['t-hub'],
      body: {
        network: 't-net',
        node,
        name: `Crafted ${node}`,
        baseUrl,
        key: { kid: key.kid, jwk: key.publicJwk },
        contact: 'x@crafted.test',
      },
    },
    key,
  );
  return { jws: signed.jws, id: signed.id, key };
}

/** A TCP listener on 127.0.0.1 that only counts the connections made to it. */
async function countingServer(): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server = createServer((socket) => {
    n += 1;
    socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, connections: () => n };
}

describe('the peer URL policy', () => {
  it('refuses plain http, special addresses, credentials, queries and fragments with a reason', async () => {
    const refused: [string, RegExp][] = [
      ['http://127.0.0.1:4001', /http is not allowed \(https only\)/],
      ['https://127.0.0.1:4001', /127\.0\.0\.1 is a loopback address/],
      ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a linkLocal address/],
      ['https://[::ffff:127.0.0.1]:4001', /127\.0\.0\.1 is a loopback address/],
      ['https://[::1]/', /::1 is a loopback address/],
      ['https://10.1.2.3/', /10\.1\.2\.3 is a private address/],
      ['https://0.0.0.0/', /unspecified/],
      ['https://2130706433/', /127\.0\.0\.1 is a loopback address/],
      ['https://user:pw@city.test/', /no user name or password/],
      ['https://city.test/?next=/internal', /no query or fragment/],
      ['https://city.test/#x', /no query or fragment/],
      ['https://localhost:4001', /localhost resolves to .* is a loopback address/],
      ['ftp://city.test/', /ftp is not allowed/],
    ];
    for (const [url, reason] of refused) {
      const r = await checkPeerUrl(url, strict);
      expect(r.ok, url).toBe(false);
      expect(r.ok ? '' : r.reason, url).toMatch(reason);
    }
    expect((await checkPeerUrl('https://93.184.215.14/citylink', strict)).ok).toBe(true);
  });

  it('in development allows http and loopback, never link-local', async () => {
    expect((await checkPeerUrl('http://127.0.0.1:4001', development)).ok).toBe(true);
    expect((await checkPeerUrl('http://localhost:4001', development)).ok).toBe(true);
    const metadata = await checkPeerUrl('http://169.254.169.254/', development);
    expect(metadata.ok ? '' : metadata.reason).toMatch(/linkLocal/);
  });

  it('refuses a name at connect time when it resolves to a refused address', async () => {
    const err = await new Promise<Error | null>((resolve) =>
      guardedLookup(strict)('localhost', { all: true }, (e) => resolve(e)),
    );
    expect(err?.message).toMatch(/peer URL refused: localhost resolves to .* loopback/);
  });
});

describe('SSRF through member base URLs', () => {
  it('the hub refuses an enrollment pointing at itself, the metadata service or with credentials', async () => {
    net = await TestNetwork.create({ cities: 1, configure: strictHub });
    const hubPort = new URL(net.hub.baseUrl).port;
    const anonymous = createPublicPeerClient(net.hub.baseUrl, 5_000);
    const cases: [string, RegExp][] = [
      [`http://127.0.0.1:${hubPort}/internal`, /base URL not allowed: http is not allowed \(https only\)/],
      ['http://169.254.169.254/latest', /base URL not allowed: http is not allowed/],
      ['https://169.254.169.254/latest', /base URL not allowed: 169\.254\.169\.254 is a linkLocal address/],
      ['https://user:pw@x.test/', /base URL not allowed: a base URL carries no user name or password/],
      [`https://localhost:${hubPort}/internal`, /base URL not allowed: localhost resolves to .*loopback/],
    ];
    for (const [i, [url, reason]] of cases.entries()) {
      const { jws } = await crafted(url, `t-squat-${i}`);
      await expect(anonymous.federation.enroll.mutate({ jws }), url).rejects.toThrow(reason);
    }
    expect(await net.hub.store.listEnrollments()).toEqual([]);
  });

  it('set-url refuses the same addresses and publishes nothing', async () => {
    net = await TestNetwork.create({ cities: 1, configure: strictHub });
    const official = await net.login(net.hub, 'official');
    const version = net.hub.roster.version;
    const hubPort = new URL(net.hub.baseUrl).port;
    for (const url of [
      `http://127.0.0.1:${hubPort}`,
      'https://169.254.169.254',
      'https://user:pw@x.test',
      `https://localhost:${hubPort}`,
    ]) {
      await expect(official.hub.changeMemberUrl.mutate({ node: 't-city-1', baseUrl: url }), url).rejects.toThrow(
        /URL change refused: base URL not allowed/,
      );
    }
    expect(net.hub.roster.version).toBe(version);
  });

  for (const transport of ['websocket', 'http'] as const) {
    it(`a member whose URL is refused is never called (${transport})`, async () => {
      net = await TestNetwork.create({
        cities: 1,
        configure: (c) => ({ ...strictHub(c), delivery: { ...c.delivery, transport } }),
      });
      const target = await countingServer();
      const key = await generateNodeKey();
      const member = (node: string, baseUrl: string): Member => ({
        node,
        name: node,
        baseUrl,
        role: 'city',
        status: 'active',
        keys: [{ kid: key.kid, jwk: key.publicJwk, validFrom: key.created }],
      });
      // As a members file or an admin's upsert could put them there, past the enrollment checks.
      await net.hub.publishMembers(
        [
          member('t-by-name', `https://localhost:${target.port}`),
          member('t-by-ip', `https://127.0.0.1:${target.port}`),
        ],
        'test',
      );
      await expect(net.hub.peer('t-by-name')!.federation.changes.query({ after: 0 })).rejects.toThrow(
        /peer URL refused: localhost resolves to .*loopback/,
      );
      await expect(net.hub.peer('t-by-ip')!.federation.changes.query({ after: 0 })).rejects.toThrow(
        /peer URL refused: 127\.0\.0\.1 is a loopback address/,
      );
      // Delivery and the roster offers go the same way.
      const staff = await net.login(net.hub, 'official');
      await staff.staff.postBulletin.mutate({
        tlp: 'GREEN',
        audience: ['*'],
        body: { title: 'to every member', narrative: 'n', category: 'cyber.scanning', severity: 'low' },
      });
      await net.hub.delivery.flush();
      expect(target.connections()).toBe(0);
    });
  }
});

describe('redirects', () => {
  it('a peer answering with a redirect is not followed (http transport)', async () => {
    net = await TestNetwork.create({
      cities: 1,
      configure: (c) => ({ ...c, delivery: { ...c.delivery, transport: 'http' } }),
    });
    const target = await countingServer();
    const redirector = createHttpServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${target.port}/internal/admin` }).end();
    });
    servers.push(redirector as unknown as Server);
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const { port } = redirector.address() as { port: number };
    const key = await generateNodeKey();
    await net.hub.publishMembers(
      [
        {
          node: 't-redirects',
          name: 'redirects',
          baseUrl: `http://127.0.0.1:${port}`,
          role: 'city',
          status: 'active',
          keys: [{ kid: key.kid, jwk: key.publicJwk, validFrom: key.created }],
        },
      ],
      'test',
    );
    await expect(net.hub.peer('t-redirects')!.federation.changes.query({ after: 0 })).rejects.toThrow();
    expect(target.connections()).toBe(0);
  });
});

describe('enrollment squatting', () => {
  it('competing requests for one id wait side by side; approving one rejects the others', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const first = await crafted('http://127.0.0.1:1/first', 't-contested');
    const second = await crafted('http://127.0.0.1:1/second', 't-contested');
    const other = await crafted('http://127.0.0.1:1/other', 't-other');
    await net.hub.membership.receiveEnrollment(first.jws);
    await net.hub.membership.receiveEnrollment(other.jws);
    await net.hub.membership.receiveEnrollment(second.jws);
    const official = await net.login(net.hub, 'official');
    const queue = await official.hub.enrollments.query();
    expect(queue.map((e) => [e.node, e.competing])).toEqual([
      ['t-contested', 1],
      ['t-contested', 1],
      ['t-other', 0],
    ]);
    await official.hub.approveEnrollment.mutate({ id: second.id });
    expect(await net.hub.membership.enrollmentStatus(first.id)).toMatchObject({
      status: 'rejected',
      reason: 'another request for t-contested was approved',
    });
    expect(net.hub.roster.member('t-contested')?.keys[0]?.kid).toBe(second.key.kid);
  });

  it('two officials approving competing requests at once: exactly one wins', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const a = await crafted('http://127.0.0.1:1/a', 't-race');
    const b = await crafted('http://127.0.0.1:1/b', 't-race');
    await net.hub.membership.receiveEnrollment(a.jws);
    await net.hub.membership.receiveEnrollment(b.jws);
    const results = await Promise.allSettled([
      net.hub.membership.approve(a.id, 'olivia'),
      net.hub.membership.approve(b.id, 'oscar'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    expect(net.hub.roster.member('t-race')?.keys.map((k) => k.kid)).toEqual([winner.key.kid]);
    const statuses = await Promise.all(
      [a, b].map(async (x) => (await net!.hub.membership.enrollmentStatus(x.id)).status),
    );
    expect(statuses.sort()).toEqual(['approved', 'rejected']);
  });

  it('bounds the competing requests for one id', async () => {
    net = await TestNetwork.create({
      cities: 1,
      configure: (c) => (c.role === 'hub' ? { ...c, enrollment: { maxCompeting: 2 } } : c),
    });
    for (let i = 0; i < 2; i++) {
      await net.hub.membership.receiveEnrollment((await crafted('http://127.0.0.1:1/', 't-popular')).jws);
    }
    await expect(
      net.hub.membership.receiveEnrollment((await crafted('http://127.0.0.1:1/', 't-popular')).jws),
    ).rejects.toThrow(/2 requests for t-popular are already waiting/);
  });

  it('a pending request expires, stops holding the id, shows as expired and can no longer be approved', async () => {
    net = await TestNetwork.create({
      cities: 1,
      configure: (c) => (c.role === 'hub' ? { ...c, enrollment: { pendingTtlMs: 7 * 86_400_000 } } : c),
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const squat = await crafted('http://127.0.0.1:1/', 't-held');
    await net.hub.membership.receiveEnrollment(squat.jws);
    vi.setSystemTime(start + 7 * 86_400_000 + 60_000);
    expect(await net.hub.membership.enrollmentStatus(squat.id)).toMatchObject({ status: 'expired' });
    await expect(net.hub.membership.approve(squat.id, 'official')).rejects.toThrow(/has expired/);
    const real = await crafted('http://127.0.0.1:1/', 't-held');
    await net.hub.membership.receiveEnrollment(real.jws);
    const official = await net.login(net.hub, 'official');
    const queue = await official.hub.enrollments.query();
    expect(queue.map((e) => [e.id, e.status, e.competing])).toEqual([
      [real.id, 'pending', 0],
      [squat.id, 'expired', 0],
    ]);
    expect((await official.hub.enrollments.query({ status: 'expired' })).map((e) => e.id)).toEqual([squat.id]);
    expect((await official.hub.enrollments.query({ status: 'pending' })).map((e) => e.id)).toEqual([real.id]);
  });
});
