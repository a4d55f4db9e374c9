import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestNetwork } from '@citylink/dev-env';
import { boundedFetch } from '@citylink/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// What a node takes from a peer during catch-up is bounded: a page holds at most
// the items asked for, an answer at most 16 MiB, and its shape is checked before
// any of it is used. A violation is the peer's error: logged, recorded, nothing
// consumed, and that peer is not pulled again for a while.

let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2, users: false });
});
afterAll(() => net?.close());
afterEach(() => vi.restoreAllMocks());

const fakeJws = (i: number, bytes = 40) => `eyJ${'A'.repeat(bytes)}.${i}.sig`;

describe('catch-up from a hostile peer', () => {
  it('refuses a changes page with more items than asked for, consuming none of them', async () => {
    const city = net.cities[0]!;
    const receive = vi.spyOn(city.inbound, 'receive');
    const changes = vi.spyOn(net.hub, 'changesFor').mockImplementation(async (_peer, after, limit) => ({
      epoch: net.hub.store.epoch,
      items: Array.from({ length: limit * 4 }, (_, i) => ({ seq: after + i + 1, jws: fakeJws(i) })),
      next: after + limit * 4,
      head: after + limit * 4,
    }));
    expect(await city.pullFromHub()).toBe(0);
    expect(changes).toHaveBeenCalledTimes(1);
    expect(receive).not.toHaveBeenCalled();
    const state = await city.store.getPeer(net.hub.id);
    expect(state?.lastError).toMatch(/invalid answer: changes page: items/);
    expect(state?.cursorSeq ?? 0).toBe(0);
    // The peer is not asked again for a while.
    expect(await city.pullFromHub()).toBe(0);
    expect(changes).toHaveBeenCalledTimes(1);
  });

  it('refuses a WebSocket answer larger than 16 MiB', async () => {
    const city = net.cities[1]!;
    const receive = vi.spyOn(city.inbound, 'receive');
    // 300 items of 60 KB: within the item count, over the byte cap.
    const changes = vi.spyOn(net.hub, 'changesFor').mockImplementation(async (_peer, after) => ({
      epoch: net.hub.store.epoch,
      items: Array.from({ length: 300 }, (_, i) => ({ seq: after + i + 1, jws: fakeJws(i, 60_000) })),
      next: after + 300,
      head: after + 300,
    }));
    expect(await city.pullFromHub()).toBe(0);
    expect(changes).toHaveBeenCalled();
    expect(receive).not.toHaveBeenCalled();
    expect((await city.store.getPeer(net.hub.id))?.lastError).toMatch(/pull: .*(payload|exceeds)/i);
  });

  it('refuses a manifest page with more ids than asked for', async () => {
    const city = net.cities[1]!;
    const receive = vi.spyOn(city.inbound, 'receive');
    const fetchFor = vi.spyOn(net.hub, 'fetchFor');
    vi.spyOn(net.hub, 'manifestFor').mockImplementation(async (_peer, _since, _after, limit) => ({
      ids: Array.from({ length: limit + 1 }, (_, i) => String(i).padStart(43, 'A')),
      next: null,
    }));
    expect(await city.catchUp.reconcile(net.hub.id)).toBe(0);
    expect(fetchFor).not.toHaveBeenCalled();
    expect(receive).not.toHaveBeenCalled();
  });
});

describe('the pages a node serves', () => {
  it('stop adding objects past 8 MiB, so that an honest page fits the 16 MiB a peer accepts', async () => {
    const big = (seq: number) => ({
      seq,
      object: { jws: 'x'.repeat(5 * 1024 * 1024), origin: net.hub.id, tlp: 'CLEAR', audience: ['*'], recipients: null },
    });
    vi.spyOn(net.hub.store, 'logAfter').mockResolvedValue([big(1), big(2), big(3)] as never);
    const page = await net.hub.changesFor(net.cities[0]!.id, 0, 500);
    expect(page.items.map((i) => i.seq)).toEqual([1]);
    expect(page.next).toBe(1);
  });
});

describe('boundedFetch (the HTTP transport)', () => {
  it('refuses an answer over the cap, whether its length is declared or not', async () => {
    const body = 'x'.repeat(4096);
    const server = createServer((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': body.length });
      else res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(boundedFetch(`${base}/declared`, undefined, 5_000, 1024)).rejects.toThrow(/exceeds 1024 bytes/);
      await expect(boundedFetch(`${base}/chunked`, undefined, 5_000, 1024)).rejects.toThrow(/exceeds 1024 bytes/);
      expect(await (await boundedFetch(`${base}/chunked`, undefined, 5_000, 8192)).text()).toBe(body);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
