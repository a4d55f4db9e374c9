import { eventually as waitFor } from '@citylink/dev-env';
import { describe, expect, it, onTestFinished } from 'vitest';
import { burst, cluster, everyCityHoldsAll, query } from './hub-cluster-harness.js';
import { createPgPair } from './pg-standby.js';

// The hub's database fails over: a streaming standby made by the test is promoted in the
// middle of traffic. The hub processes are configured with both servers
// (`target_session_attrs=read-write`), reconnect by themselves, and nothing accepted
// before the promotion is lost (the pair commits synchronously to the standby).

const health = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; reason?: string } };
};

describe('database failover under two hub processes', () => {
  it('the standby is promoted mid-traffic: the hub answers 503 meanwhile, reconnects, and loses nothing', async () => {
    const pair = await createPgPair();
    onTestFinished(() => pair.destroy());
    const c = await cluster(2, 2, { hubDatabaseUrl: pair.url });
    const cities = c.net.cities;

    const before = await burst(cities, 50, 'before');
    await waitFor(() => everyCityHoldsAll(cities, before), 60_000);

    // Traffic goes on while the primary dies.
    const during = burst(cities, 50, 'during');
    pair.crashPrimary();
    // A hub process without its database says so, with the reason.
    await waitFor(async () => {
      const h = await health(c.ports[0]!);
      expect(h.status).toBe(503);
      expect(h.body.reason).toMatch(/database unavailable/);
    }, 10_000);
    pair.promoteStandby();
    for (const port of c.ports) await waitFor(async () => expect((await health(port)).status).toBe(200), 30_000);

    const after = await during;
    await waitFor(() => everyCityHoldsAll(cities, [...before, ...after]), 90_000);
    // Everything accepted before the promotion is in the promoted server.
    const standbyUrl = `postgres://postgres@127.0.0.1:${pair.standbyPort}/citylink`;
    const held = await query<{ id: string }>(standbyUrl, 'select id from objects');
    const ids = new Set(held.map((r) => r.id));
    expect(before.filter((id) => !ids.has(id))).toEqual([]);
    expect(after.filter((id) => !ids.has(id))).toEqual([]);
    const [log] = await query<{ n: string; top: string }>(standbyUrl, 'select count(*) as n, max(seq) as top from log');
    expect(Number(log!.n)).toBe(Number(log!.top));
  }, 240_000);
});
