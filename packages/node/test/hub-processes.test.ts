import { existsSync } from 'node:fs';
import { createClient } from '@citylink/client';
import { HUB_ID, TEST_PASSWORD, eventually as waitFor } from '@citylink/dev-env';
import { type CityLinkNode, startIndex } from '@citylink/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertHubLogDense, burst, cluster, everyCityHoldsAll, HUB_MAIN, query } from './hub-cluster-harness.js';

// Several `apps/hub` processes on one PostgreSQL database (docs/operations.md "Running the
// hub highly available"): real processes, real PostgreSQL. The cities run in this process;
// they reach the hub at one address (process 0's, as behind a load balancer that keeps it),
// while every hub process shares the relaying through the outbox claims.

const duplicatesAt = async (city: CityLinkNode) => (await city.metrics.duplicatesIn.get()).values[0]?.value ?? 0;

describe('several hub processes on one PostgreSQL database', () => {
  beforeAll(() => {
    if (!existsSync(HUB_MAIN)) throw new Error(`${HUB_MAIN} is missing: run \`npx tsc -b\` (npm test builds it)`);
  });

  it.each([2, 3])(
    '%i hub processes: a burst of 1,000 GREEN bulletins from three cities reaches every city exactly once',
    async (processes) => {
      const c = await cluster(processes);
      const ids = await burst(c.net.cities, 334, `burst${processes}`);
      expect(ids.length).toBe(1002);
      await waitFor(() => everyCityHoldsAll(c.net.cities, ids), 90_000);
      await assertHubLogDense(c.dbUrl);
      // No row was pushed twice: no city was ever offered an object it already held.
      for (const city of c.net.cities) expect(await duplicatesAt(city), city.id).toBe(0);
      // The relaying was shared: more than one process ended a claim with an outcome.
      const pushers = await query<{ claimed_by: string }>(
        c.dbUrl,
        "select distinct claimed_by from outbox where outcome = 'accepted' and claimed_by is not null",
      );
      expect(pushers.length).toBeGreaterThan(1);
      const [pending] = await query<{ n: string }>(
        c.dbUrl,
        "select count(*) as n from outbox where outcome = 'pending'",
      );
      expect(Number(pending!.n)).toBe(0);
    },
    180_000,
  );

  it('kill -9 of one hub process mid-burst: the others carry on, its claims run out and are pushed again', async () => {
    const c = await cluster(2);
    const first = burst(c.net.cities, 334, 'kill');
    // Once relaying is under way, the second process dies without a word.
    await waitFor(async () => {
      const [row] = await query<{ n: string }>(
        c.dbUrl,
        'select count(*) as n from outbox where claimed_by is not null',
      );
      expect(Number(row!.n)).toBeGreaterThan(200);
    }, 60_000);
    c.children[1]!.kill('SIGKILL');
    const ids = await first;
    await waitFor(() => everyCityHoldsAll(c.net.cities, ids), 120_000);
    await assertHubLogDense(c.dbUrl);
    // The dead process's claims may outlive the burst (rows it pushed but never recorded):
    // once their lease runs out they are pushed again, answered `duplicate`, and settled.
    await waitFor(async () => {
      const [pending] = await query<{ n: string }>(
        c.dbUrl,
        "select count(*) as n from outbox where outcome = 'pending'",
      );
      expect(Number(pending!.n)).toBe(0);
    }, 30_000);
  }, 180_000);

  it('leader handover: the leader dies; a roster change made after is offered by the new leader within one poll', async () => {
    const c = await cluster(2, 2);
    const leaderOf = async (i: number) =>
      ((await (await fetch(`http://127.0.0.1:${c.ports[i]}/healthz`)).json()) as { leader?: boolean }).leader;
    let leader = -1;
    await waitFor(async () => {
      const flags = [await leaderOf(0), await leaderOf(1)];
      expect(flags.filter(Boolean).length).toBe(1);
      leader = flags.indexOf(true);
    });
    const survivor = 1 - leader;
    c.children[leader]!.kill('SIGKILL');
    await waitFor(async () => expect(await leaderOf(survivor)).toBe(true), 5_000);

    // A membership change through the survivor: signed, and offered to the cities (their own
    // roster fetch is an hour away, so only the offer brings it).
    const [city1, city2] = c.net.cities as [CityLinkNode, CityLinkNode];
    const before = city1.roster.version;
    const official = createClient({ baseUrl: `http://127.0.0.1:${c.ports[survivor]}` });
    const { token } = await official.staff.login.mutate({
      username: 'official',
      password: TEST_PASSWORD,
      bearer: true,
    });
    const api = createClient({ baseUrl: `http://127.0.0.1:${c.ports[survivor]}`, token: token! });
    const { version } = await api.hub.setMemberStatus.mutate({ node: city2.id, status: 'suspended' });
    expect(version).toBe(before + 1);
    await waitFor(async () => expect(city1.roster.version).toBe(version), 5_000);
    expect(city1.roster.member(city2.id)?.status).toBe('suspended');
  }, 120_000);

  it('two membership changes at once on two processes never pick the same roster version', async () => {
    const c = await cluster(2, 2);
    const login = async (i: number) => {
      const anon = createClient({ baseUrl: `http://127.0.0.1:${c.ports[i]}` });
      const { token } = await anon.staff.login.mutate({ username: 'official', password: TEST_PASSWORD, bearer: true });
      return createClient({ baseUrl: `http://127.0.0.1:${c.ports[i]}`, token: token! });
    };
    const [a, b] = [await login(0), await login(1)];
    const [city1, city2] = c.net.cities as [CityLinkNode, CityLinkNode];
    const [va, vb] = await Promise.all([
      a.hub.setMemberStatus.mutate({ node: city1.id, status: 'suspended' }),
      b.hub.setMemberStatus.mutate({ node: city2.id, status: 'suspended' }),
    ]);
    expect(va.version).not.toBe(vb.version);
    // The last roster holds both changes, and each process adopts it (told by the other).
    for (const api of [a, b]) {
      await waitFor(async () => {
        const members = await api.hub.network.query();
        const status = (node: string) => members.find((m) => m.node === node)?.status;
        expect([status(city1.id), status(city2.id)]).toEqual(['suspended', 'suspended']);
      }, 5_000);
    }
  }, 120_000);

  it('cities spread over the endpoints the roster lists, and fail over when their hub process dies', async () => {
    const c = await cluster(2, 3, { endpoints: true });
    const cities = c.net.cities;
    // The hub processes publish their endpoints in the roster; the leader offers it.
    await waitFor(async () => {
      for (const city of cities) expect(city.roster.member(HUB_ID)?.endpoints?.length).toBe(2);
    }, 10_000);
    const warm = await burst(cities, 5, 'warm');
    await waitFor(() => everyCityHoldsAll(cities, warm), 30_000);

    const city = cities[0]!;
    const victim = startIndex(city.id, 2);
    c.children[victim]!.kill('SIGKILL');
    const [posted] = await burst([city], 1, 'after the kill');
    // Accepted by the surviving process (its backoff and breaker rules unchanged), then relayed.
    await waitFor(() => everyCityHoldsAll(cities, [posted!]), 30_000);
    await assertHubLogDense(c.dbUrl);
  }, 120_000);
});
