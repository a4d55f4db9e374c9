import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createRequestToken, generateNodeKey, type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { eventually, TestNetwork } from '@citylink/dev-env';
import { type AppRouter, type CityLinkNode, createPeerLink, LINK_SCOPE } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

// Nodes call each other over one persistent WebSocket per peer, authenticated once
// by a link token (docs/protocol.md §10.1). Under test: the link is reused, every
// way to open one without the right to is refused with its reason and changes
// nothing, a link dies with its key, and an unreachable or silent peer fails the
// call instead of holding it.

let net: TestNetwork;
const keys = new Map<string, NodeKey>();
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3, users: true });
  for (const c of net.cities) keys.set(c.id, await readKeyFile(net.configOf(c.id).keyFile as string));
});
afterAll(() => net?.close());

const city = (i: 1 | 2 | 3) => net.node(`t-city-${i}`);
const wsUrl = (node: CityLinkNode) => `${node.baseUrl.replace(/^http/, 'ws')}/trpc`;

/** A federation client on a WebSocket opened with exactly these connection params. */
function rawLink(to: CityLinkNode, params: Record<string, string> | null) {
  const ws = createWSClient({
    url: wsUrl(to),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    ...(params && { connectionParams: params }),
  });
  return { api: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }), close: () => ws.close() };
}

/** Open links at `node` from `peer`, as its metrics count them. */
async function peerLinks(node: CityLinkNode, peer: string): Promise<number> {
  const metric = (await node.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'citylink_peer_links');
  return metric?.values.find((v) => v.labels.peer === peer)?.value ?? 0;
}

/** A link from t-city-1 to a stand-in peer "t-city-9" on a local port. */
const linkTo = (port: number, timeoutMs: number) =>
  createPeerLink({
    baseUrl: `http://127.0.0.1:${port}`,
    self: 't-city-1',
    target: 't-city-9',
    key: () => keys.get('t-city-1')!,
    timeoutMs,
  });

async function listening(server: NetServer | WebSocketServer): Promise<number> {
  if (!server.address()) await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const bulletin = (origin: string, title: string, audience: string[]): SignedObject =>
  ({
    v: 1,
    kind: 'bulletin',
    origin,
    created: new Date().toISOString(),
    tlp: 'AMBER',
    audience,
    body: { title, narrative: `Narrative of ${title}`, category: 'operational.power-outage', severity: 'low' },
  }) as SignedObject;

const linkToken = (from: string, to: string, over: { scope?: string; key?: NodeKey } = {}) =>
  createRequestToken({
    key: over.key ?? keys.get(from)!,
    issuer: from,
    audience: to,
    scope: over.scope ?? LINK_SCOPE,
  });

describe('persistent links between nodes', () => {
  it("a city's pushes to a peer travel over one authenticated link", async () => {
    const staff = await net.login(city(1));
    const posted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await staff.staff.postBulletin.mutate({
        tlp: 'AMBER',
        audience: ['t-city-2'],
        body: { title: `link ${i}`, narrative: 'n', category: 'operational.power-outage', severity: 'low' },
      });
      posted.push(id);
      await city(1).delivery.flush();
      expect(await city(2).store.getObject(id)).not.toBeNull();
      // The first push opened the link; every later one reused it.
      expect(await peerLinks(city(2), 't-city-1')).toBe(1);
    }
    for (const id of posted) {
      expect((await city(1).store.deliveriesOf(id))[0]).toMatchObject({ recipient: 't-city-2', outcome: 'accepted' });
    }
  });

  it('a link opened without a valid link token is refused with its reason, and stores nothing', async () => {
    const mallory = await generateNodeKey();
    const object = await signObject(bulletin('t-city-1', 'refused link', ['t-city-2']), keys.get('t-city-1')!);
    const replayed = await linkToken('t-city-1', 't-city-2');
    const first = rawLink(city(2), { peer: replayed });
    await first.api.federation.roster.query();
    await first.close();

    const cases: [string, Record<string, string> | null, RegExp][] = [
      ['no token (a console connection)', null, /request token malformed/],
      ['a session token instead', { token: 'not-a-node' }, /request token malformed/],
      ['garbage', { peer: 'a.b.c' }, /link token malformed/],
      ['a key not on the roster', { peer: await linkToken('t-city-1', 't-city-2', { key: mallory }) }, /unknown_kid/],
      ['addressed to another node', { peer: await linkToken('t-city-1', 't-city-3') }, /link token invalid: .*aud/],
      [
        'a per-call HTTP token',
        { peer: await linkToken('t-city-1', 't-city-2', { scope: 'federation.deliver' }) },
        /token is for federation.deliver, not federation.link/,
      ],
      ['a token already used', { peer: replayed }, /link token replayed/],
    ];
    for (const [what, params, reason] of cases) {
      const link = rawLink(city(2), params);
      const refused = link.api.federation.deliver.mutate({ objects: [object.jws] });
      await expect(refused, what).rejects.toThrow(reason);
      await expect(refused, what).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
      await link.close();
    }
    expect(await city(2).store.getObject(object.id)).toBeNull();
  });

  it('a link stays good only while its member and key do, and is closed when they are not', async () => {
    const official = await net.login(net.hub, 'official');
    const linkAs = (from: 't-city-2' | 't-city-3') =>
      createPeerLink({
        baseUrl: city(1).baseUrl,
        self: from,
        target: 't-city-1',
        key: () => keys.get(from)!,
        timeoutMs: 10_000,
      });

    // Suspension: the open link's next call is refused and the link closed; reinstated, it works again.
    const fromTwo = linkAs('t-city-2');
    await fromTwo.api.federation.roster.query();
    expect(await peerLinks(city(1), 't-city-2')).toBe(1);
    await official.hub.setMemberStatus.mutate({ node: 't-city-2', status: 'suspended' });
    await net.refreshRosters();
    await expect(fromTwo.api.federation.changes.query({ after: 0 })).rejects.toThrow(
      /t-city-2 is not an active member/,
    );
    await eventually(async () => expect(await peerLinks(city(1), 't-city-2')).toBe(0));
    await official.hub.setMemberStatus.mutate({ node: 't-city-2', status: 'active' });
    await net.refreshRosters();
    await expect(fromTwo.api.federation.changes.query({ after: 0 })).resolves.toMatchObject({
      epoch: expect.any(String),
    });
    await fromTwo.close();

    // Revocation: the key that opened the link is not valid any more, so the open link's next call is refused.
    const fromThree = linkAs('t-city-3');
    await fromThree.api.federation.roster.query();
    expect(await peerLinks(city(1), 't-city-3')).toBe(1);
    await official.hub.setMemberStatus.mutate({ node: 't-city-3', status: 'revoked' });
    await net.refreshRosters();
    await expect(fromThree.api.federation.changes.query({ after: 0 })).rejects.toThrow(/link token key_revoked/);
    await eventually(async () => expect(await peerLinks(city(1), 't-city-3')).toBe(0));
    // And a new link opened with that key is refused from the start.
    await expect(fromThree.api.federation.roster.query()).rejects.toThrow(/link token key_revoked/);
    expect(await peerLinks(city(1), 't-city-3')).toBe(0);
    await fromThree.close();
  });

  it('a link is renewed with a fresh token at its maximum age, and no call fails meanwhile', async () => {
    await using quick = await TestNetwork.create({
      cities: 1,
      configure: (c) => ({ ...c, limits: { ...c.limits, linkMaxAgeMs: 300 } }),
    });
    const from = quick.cities[0]!;
    const key = await readKeyFile(quick.configOf(from.id).keyFile as string);
    let connects = 0;
    const link = createPeerLink({
      baseUrl: quick.hub.baseUrl,
      self: from.id,
      target: quick.hub.id,
      // Called once per connection, to sign its link token.
      key: () => {
        connects++;
        return key;
      },
      timeoutMs: 10_000,
    });
    const failures: unknown[] = [];
    await eventually(async () => {
      await link.api.federation.roster.query().catch((err: unknown) => failures.push(err));
      expect(connects).toBeGreaterThanOrEqual(2);
    });
    expect(failures).toEqual([]);
    await link.close();
  });

  it('an idle link closes, and the next call opens a new one', async () => {
    const link = createPeerLink({
      baseUrl: city(3).baseUrl,
      self: 't-city-1',
      target: 't-city-3',
      key: () => keys.get('t-city-1')!,
      timeoutMs: 10_000,
      idleMs: 200,
    });
    await link.api.federation.roster.query();
    expect(await peerLinks(city(3), 't-city-1')).toBe(1);
    await eventually(async () => expect(await peerLinks(city(3), 't-city-1')).toBe(0));
    await expect(link.api.federation.roster.query()).resolves.toMatchObject({ version: expect.any(Number) });
    expect(await peerLinks(city(3), 't-city-1')).toBe(1);
    await link.close();
  });

  it("the hub's network view shows which links are open, each way", async () => {
    await using quick = await TestNetwork.create({
      cities: 2,
      configure: (c) => ({ ...c, delivery: { ...c.delivery, linkIdleMs: 3_000 } }),
    });
    const official = await quick.login(quick.hub, 'official');
    const linkOf = async (node: string) => (await official.hub.network.query()).find((m) => m.node === node)?.link;
    // The start-up catch-up opened links; once they idle out, none is open.
    await eventually(async () => {
      for (const c of quick.cities) expect(await linkOf(c.id)).toEqual({ in: false, out: false });
    });
    await quick.cities[0]!.pullFromHub();
    expect(await linkOf('t-city-1')).toEqual({ in: true, out: false });
    expect(await linkOf('t-city-2')).toEqual({ in: false, out: false });
    await quick.hub.peer('t-city-2')!.federation.roster.query();
    expect(await linkOf('t-city-2')).toEqual({ in: false, out: true });
  });

  it('with delivery.transport "http", nodes deliver over HTTP and open no links', async () => {
    await using plain = await TestNetwork.create({
      cities: 2,
      configure: (c) => ({ ...c, delivery: { ...c.delivery, transport: 'http' } }),
    });
    const staff = await plain.login(plain.cities[0]!);
    const { id } = await staff.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'over http', narrative: 'n', category: 'operational.power-outage', severity: 'low' },
    });
    await plain.processAll();
    for (const n of plain.nodes) {
      expect(await n.store.getObject(id), n.id).not.toBeNull();
      for (const peer of plain.nodes) expect(await peerLinks(n, peer.id)).toBe(0);
    }
  });

  it('a WebSocket that never sends its first message is closed', async () => {
    await using quick = await TestNetwork.create({
      cities: 1,
      configure: (c) => ({ ...c, limits: { ...c.limits, wsFirstMessageMs: 200 } }),
    });
    const socket = new WebSocket(`${wsUrl(quick.cities[0]!)}?connectionParams=1`);
    await once(socket, 'open');
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1006);
  });

  it('a peer that cannot be reached fails the call at once, with the cause', async () => {
    const closed = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const port = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    // Far longer than the test may run: only the connection failure can end the call.
    const link = linkTo(port, 600_000);
    await expect(link.api.federation.roster.query()).rejects.toThrow(/cannot reach t-city-9: .*ECONNREFUSED/);
    await link.close();
  });

  it('a peer that accepts the link but never answers times the call out, and the link starts over', async () => {
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    let connections = 0;
    let received = 0;
    silent.on('connection', (socket) => {
      connections++;
      socket.on('message', () => received++);
    });
    const port = await listening(silent);
    const link = linkTo(port, 300);
    await expect(link.api.federation.roster.query()).rejects.toThrow(/no answer from t-city-9 within 300 ms/);
    // It did reach the peer: the link token and the call were sent.
    await eventually(async () => expect(received).toBeGreaterThanOrEqual(2));
    // The socket that stayed silent is not trusted again: the next call opens another.
    await expect(link.api.federation.roster.query()).rejects.toThrow(/no answer/);
    expect(connections).toBe(2);
    await link.close();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a peer that accepts TCP but never completes the handshake fails the call, and does not hold close()', async () => {
    const accepted = new Set<Socket>();
    const mute = createNetServer((socket) => accepted.add(socket));
    mute.listen(0, '127.0.0.1');
    const port = await listening(mute);
    const link = linkTo(port, 300);
    await expect(link.api.federation.roster.query()).rejects.toThrow(/no answer|handshake/);
    await link.close();
    for (const socket of accepted) socket.destroy();
    mute.close();
  });
});
