import { TestNetwork } from '@citylink/dev-env';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';

// Catch-up asks for the next page of a peer's log while it verifies and stores the
// current one (issue 17: the peer's read and the transfer overlap this node's
// work), and still moves its cursor one stored page at a time: a failed next page
// leaves the cursor after the last page stored, and nothing is skipped.

let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 1, users: false });
});
afterAll(() => net?.close());
afterEach(() => vi.restoreAllMocks());

const fakeJws = (i: number) => `eyJ${'A'.repeat(40)}.${i}.sig`;
const PAGE = 500;

it('asks for the next page before the current one is stored; a failed next page keeps the cursor', async () => {
  const city = net.cities[0]!;
  const head = 3 * PAGE;
  const events: string[] = [];
  vi.spyOn(net.hub, 'changesFor').mockImplementation(async (_peer, after, limit) => {
    events.push(`ask ${after}`);
    if (after >= 2 * PAGE) throw new Error('hub went away');
    const n = Math.min(limit, head - after);
    return {
      epoch: net.hub.store.epoch,
      items: Array.from({ length: n }, (_, i) => ({ seq: after + i + 1, jws: fakeJws(after + i) })),
      next: after + n,
      head,
    };
  });
  const receive = city.inbound.receive.bind(city.inbound);
  vi.spyOn(city.inbound, 'receive').mockImplementation(async (items, from, path) => {
    events.push(`store ${items.length}`);
    const results = await receive(items, from, path);
    events.push('stored');
    return results;
  });

  expect(await city.pullFromHub()).toBe(0); // fake objects: all refused, none accepted
  // The hub is asked for each next page while the page before it is being stored.
  const stored = events.flatMap((e, i) => (e === 'stored' ? [i] : []));
  expect(stored).toHaveLength(2);
  expect(events.indexOf(`ask ${PAGE}`)).toBeGreaterThan(-1);
  expect(events.indexOf(`ask ${PAGE}`)).toBeLessThan(stored[0]!);
  expect(events.indexOf(`ask ${2 * PAGE}`)).toBeLessThan(stored[1]!);
  const state = await city.store.getPeer(net.hub.id);
  expect(state?.cursorSeq).toBe(2 * PAGE);
  expect(state?.lastError).toMatch(/pull: .*hub went away/);
});
