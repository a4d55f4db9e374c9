import { createServer, type Server } from 'node:net';
import { generateNodeKey, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { NodeConfigInput } from '@citylink/node';
import type { Member } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A hostile would-be member points the hub at the hub's own loopback services, the
 * cloud metadata address or the office network, in every spelling URL parsers and
 * resolvers accept. The hub runs with the production policy; its cities (which it
 * never needs to call here) run on 127.0.0.1 in development mode.
 */
const strictHub = (c: NodeConfigInput): NodeConfigInput => (c.role === 'hub' ? { ...c, allowInsecurePeers: false } : c);

let net: TestNetwork;
let trap: Server;
let trapPort = 0;
let trapped = 0;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 1, configure: strictHub });
  trap = createServer((socket) => {
    trapped += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapPort = (trap.address() as { port: number }).port;
});
afterAll(async () => {
  await net?.close();
  await new Promise((resolve) => trap?.close(resolve));
});

const hostileUrls = (port: number) => [
  `http://127.0.0.1:${port}/internal/admin`,
  `https://127.0.0.1:${port}/internal/admin`,
  `https://127.1:${port}/`,
  `https://2130706433:${port}/`,
  `https://0x7f000001:${port}/`,
  `https://0177.0.0.1:${port}/`,
  `https://0:${port}/`,
  `https://0.0.0.0:${port}/`,
  `https://[::1]:${port}/`,
  `https://[::]:${port}/`,
  `https://[::ffff:127.0.0.1]:${port}/`,
  `https://[::ffff:7f00:1]:${port}/`,
  `https://[0:0:0:0:0:ffff:169.254.169.254]/`,
  `https://[64:ff9b::127.0.0.1]:${port}/`,
  `https://[2002:7f00:1::]:${port}/`,
  `https://[fe80::1]:${port}/`,
  `https://[fd00::1]:${port}/`,
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://169.254.169.254/latest/meta-data/',
  'https://169.254.170.2/v2/credentials',
  'https://100.100.100.200/latest/meta-data',
  'https://10.0.0.1/',
  'https://172.16.0.1/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://224.0.0.1/',
  'https://255.255.255.255/',
  'https://198.18.0.1/',
  `https://localhost:${port}/`,
  `https://LOCALHOST:${port}/`,
  `https://localhost.:${port}/`,
  `https://public.example@127.0.0.1:${port}/`,
  `https://user:pw@city.example/`,
  `https://:pw@city.example/`,
  `https://city.example/?redirect=http://127.0.0.1:${port}/`,
  `https://city.example/#@127.0.0.1:${port}`,
  `ftp://127.0.0.1:${port}/`,
  `file:///etc/passwd`,
  `https://no-such-name.invalid:${port}/`,
];

async function crafted(baseUrl: string, node: string): Promise<string> {
  const key = await generateNodeKey();
  return (
    await signObject(
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
          name: 'Hostile',
          baseUrl,
          key: { kid: key.kid, jwk: key.publicJwk },
          contact: 'x@hostile.test',
        },
      },
      key,
    )
  ).jws;
}

describe('SSRF through member base URLs', () => {
  it('every hostile spelling is refused at enrollment with a reason; nothing is queued or called', async () => {
    const urls = hostileUrls(trapPort);
    // Straight into the hub's enrollment intake: over the wire, the per-address limit (20 an hour) stops this sooner.
    const outcomes: string[] = [];
    for (const [i, url] of urls.entries()) {
      // The protocol schema already refuses some (ftp:, file:): they cannot even be signed.
      const jws = await crafted(url, `t-hostile-${i}`).catch(() => undefined);
      if (!jws) {
        outcomes.push('refused');
        continue;
      }
      const outcome = await net.hub.membership.receiveEnrollment(jws).then(
        () => `${url}: ACCEPTED`,
        (err: Error) =>
          /^enrollment refused: (base URL not allowed: .+|object is not valid: body\.baseUrl)/.test(err.message)
            ? 'refused'
            : `${url}: ${err.message}`,
      );
      outcomes.push(outcome);
    }
    expect(outcomes.filter((o) => o !== 'refused')).toEqual([]);
    expect(await net.hub.store.listEnrollments()).toEqual([]);
    expect(trapped).toBe(0);
  });

  it('members that bypassed enrollment with such URLs are never called by push, pull or roster offers', async () => {
    const key = await generateNodeKey();
    const urls = hostileUrls(trapPort).filter((u) => /^https:\/\/(?!.*@)[^?#]*$/.test(u));
    const members: Member[] = urls.map((baseUrl, i) => ({
      node: `t-bypass-${i}`,
      name: `bypass ${i}`,
      baseUrl,
      role: 'city',
      status: 'active',
      keys: [{ kid: key.kid, jwk: key.publicJwk, validFrom: key.created }],
    }));
    await net.hub.publishMembers(members, 'attack');
    const official = await net.login(net.hub, 'official');
    await official.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'to everyone', narrative: 'n', category: 'cyber.scanning', severity: 'low' },
    });
    await net.hub.delivery.flush();
    await net.hub.pullFromPeers().catch(() => 0);
    for (const m of members) {
      await expect(net.hub.peer(m.node)!.federation.changes.query({ after: 0 }), m.baseUrl).rejects.toThrow();
    }
    expect(trapped).toBe(0);
  });
});
