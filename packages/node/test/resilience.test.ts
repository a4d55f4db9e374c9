import { createServer, type Server } from 'node:http';
import type { CityLinkClient } from '@citylink/client';
import { TestNetwork, eventually as waitFor } from '@citylink/dev-env';
import { createNode } from '@citylink/node';
import { Store } from '@citylink/store';
import { afterEach, describe, expect, it } from 'vitest';

const bulletin = (title: string) => ({
  title,
  narrative: `Narrative of ${title}`,
  category: 'operational.power-outage' as const,
  severity: 'low' as const,
});

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.close();
  net = undefined;
});

async function setup(
  cities = 3,
  delivery: {
    breakerHalfOpenMs?: number;
    backoffBaseMs?: number;
    backoffCapMs?: number;
    breakerThreshold?: number;
  } = {},
): Promise<{ net: TestNetwork; c1: CityLinkClient }> {
  net = await TestNetwork.create({
    cities,
    logLevel: (process.env.LOG_LEVEL as 'warn') ?? 'silent',
    configure: (c) => ({ ...c, delivery: { ...c.delivery, breakerHalfOpenMs: 1_000, ...delivery } }),
  });
  return { net, c1: await net.login(net.cities[0]!) };
}

/** A stand-in for a broken peer: answers every request with 503 and counts them. */
async function failingPeer(port: number): Promise<{ server: Server; requests: () => number }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count += 1;
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"maintenance"}');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, requests: () => count };
}

describe('delivery and convergence under failure', () => {
  it('objects queued while the hub is down arrive after it returns', async () => {
    const { net, c1 } = await setup();
    const city1 = net.cities[0]!;
    await net.stop('t-hub');
    const { id } = await c1.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: bulletin('hub down') });

    await waitFor(async () => {
      const [row] = await city1.store.deliveriesOf(id);
      expect(row?.attempts).toBeGreaterThanOrEqual(1);
      expect(row?.outcome).toBe('pending');
      expect(row?.lastError).toMatch(/ECONNREFUSED|fetch failed/);
    });

    await net.restart('t-hub');
    await waitFor(async () => {
      await net.processAll();
      for (const n of net.nodes) expect(await n.store.getObject(id), n.id).not.toBeNull();
      // The queued row is settled too: pushed, or found already there because the hub pulled it on start.
      expect(['accepted', 'duplicate']).toContain((await city1.store.deliveriesOf(id))[0]?.outcome);
    });
  });

  it('a peer that answers errors gets backoff, then the breaker opens, then delivery recovers', async () => {
    // Retries 0.5–1 s apart (well above the time between a failure and the flushes below), breaker after 3.
    const { net, c1 } = await setup(2, {
      breakerHalfOpenMs: 4_000,
      backoffBaseMs: 1_000,
      backoffCapMs: 1_000,
      breakerThreshold: 3,
    });
    const city1 = net.cities[0]!;
    const port = Number(new URL(net.cities[1]!.baseUrl).port);
    await net.stop('t-city-2');
    const broken = await failingPeer(port);
    const { id } = await c1.staff.postBulletin.mutate({
      tlp: 'AMBER',
      audience: ['t-city-2'],
      body: bulletin('peer failing'),
    });

    // Backoff: a flush right after a failure sends nothing, the row is not due yet.
    await waitFor(async () => expect((await city1.store.deliveriesOf(id))[0]?.attempts).toBeGreaterThanOrEqual(1));
    const sent = broken.requests();
    await city1.delivery.flush();
    await city1.delivery.flush();
    expect(broken.requests()).toBe(sent);
    const [row] = await city1.store.deliveriesOf(id);
    expect(row!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // The link's upgrade request was answered with the peer's error status.
    expect(row!.lastError).toMatch(/^cannot reach t-city-2: .*\b503\b/);

    // Repeated failures open the breaker: no more requests until the half-open probe.
    await waitFor(async () => {
      await city1.delivery.flush();
      expect(city1.delivery.breakerState('t-city-2')).toBe('open');
    });
    const whileOpen = broken.requests();
    await city1.delivery.flush();
    expect(broken.requests()).toBe(whileOpen);
    expect(whileOpen).toBeGreaterThanOrEqual(3);
    const failingWith = async () => (await city1.networkHealth()).find((m) => m.node === 't-city-2')?.lastError;
    expect(await failingWith()).toMatch(/\b503\b/);

    await new Promise<void>((resolve) => broken.server.close(() => resolve()));
    await net.restart('t-city-2');
    await waitFor(async () => {
      await city1.delivery.flush();
      // Pushed, or found already there because city-2 pulled it from city-1 on start.
      expect(['accepted', 'duplicate']).toContain((await city1.store.deliveriesOf(id))[0]?.outcome);
    });
    expect(await net.cities[1]!.store.getObject(id)).not.toBeNull();
    expect(city1.delivery.breakerState('t-city-2')).toBe('closed');
    // The health view stops reporting the old error once a push has worked.
    expect(await failingWith()).toBeNull();
  });

  it('a second node process on the same database refuses to start, and changes nothing', async () => {
    const { net } = await setup(1);
    const city = net.cities[0]!;
    const head = city.store.headSeq;
    await expect(createNode(net.configOf(city.id))).rejects.toThrow(
      /another CityLink node process is using this database/,
    );
    // The running node is unaffected.
    expect(city.store.headSeq).toBe(head);
    expect((await fetch(`${city.baseUrl}/healthz`)).status).toBe(200);
  });

  it('a city that was offline converges by pulling from the hub, without anything being re-sent', async () => {
    const { net, c1 } = await setup();
    await net.stop('t-city-3');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(
        (await c1.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: bulletin(`offline ${i}`) })).id,
      );
    }
    await net.processAll();
    const city3 = await net.restart('t-city-3');
    expect(await city3.pullFromHub()).toBeGreaterThanOrEqual(20);
    expect((await city3.store.heldIds(ids)).size).toBe(20);
    // The hub's queued retries now find everything already there.
    await waitFor(async () => {
      await net.processAll();
      const outcomes = await Promise.all(
        ids.map(async (id) => (await net.hub.store.deliveriesOf(id)).find((d) => d.recipient === 't-city-3')?.outcome),
      );
      expect(new Set(outcomes)).toEqual(new Set(['duplicate']));
    });
  });

  it('a node reset to an empty database is detected by its new epoch and recovers what it had', async () => {
    const { net, c1 } = await setup();
    const c2 = await net.login(net.cities[1]!);
    const green = (
      await c1.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: bulletin('before reset') })
    ).id;
    const own = (
      await c2.staff.postBulletin.mutate({ tlp: 'AMBER', audience: ['t-city-1'], body: bulletin('mine, amber') })
    ).id;
    await net.processAll();
    await net.syncAll();
    const oldEpoch = net.cities[1]!.store.epoch;
    expect((await net.hub.store.getPeer('t-city-2'))?.cursorEpoch).toBe(oldEpoch);

    await net.stop('t-city-2');
    const city2 = await net.restart('t-city-2', { fresh: true });
    expect(city2.store.epoch).not.toBe(oldEpoch);
    expect(city2.store.headSeq).toBe(0);

    await city2.pullFromHub();
    await city2.pullFromPeers();
    expect((await city2.store.heldIds([green, own])).size).toBe(2);

    await net.hub.pullFromPeers();
    expect((await net.hub.store.getPeer('t-city-2'))?.cursorEpoch).toBe(city2.store.epoch);
  });

  it('manifest reconciliation fetches what both push and pull missed', async () => {
    const { net, c1 } = await setup(2);
    await net.stop('t-city-2');
    const { id } = await c1.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: bulletin('slipped through'),
    });
    await net.processAll();
    // Make push and pull both miss it: the hub believes it delivered, and city-2's cursor is already past it.
    await net.hub.store.recordOutcomes('t-city-2', [{ objectId: id, outcome: 'accepted' }]);
    const offline = await Store.open({ sqlitePath: net.configOf('t-city-2').sqlitePath });
    for (const peer of [net.hub, net.cities[0]!]) {
      await offline.updatePeer(peer.id, { cursorEpoch: peer.store.epoch, cursorSeq: peer.store.headSeq });
    }
    await offline.close();
    const city2 = await net.restart('t-city-2');
    expect(await city2.pullFromHub()).toBe(0);
    expect(await city2.pullFromPeers()).toBe(0);
    expect(await city2.store.getObject(id)).toBeNull();

    expect(await city2.reconcileAll()).toBe(1);
    expect(await city2.store.getObject(id)).not.toBeNull();
  });
});
