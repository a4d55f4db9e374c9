import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@citylink/client';
import { HUB_ID, TEST_PASSWORD, TestNetwork, eventually as waitFor } from '@citylink/dev-env';
import { type CityLinkNode, type SessionUser, startIndex } from '@citylink/node';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// Several `apps/hub` processes on one PostgreSQL database (docs/operations.md "Running the
// hub highly available"): real processes, real PostgreSQL. The cities run in this process;
// they reach the hub at one address (process 0's, as behind a load balancer that keeps it),
// while every hub process shares the relaying through the outbox claims.

const HUB_MAIN = fileURLToPath(new URL('../../../apps/hub/dist/main.js', import.meta.url));
const staff: SessionUser = { id: 0, username: 'staff', displayName: 'Staff', roles: ['staff'] };
const LEASE_MS = 2_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Cluster {
  net: TestNetwork;
  hubUrl: string;
  dbUrl: string;
  ports: number[];
  children: (ChildProcess | undefined)[];
  start(i: number): Promise<ChildProcess>;
}

const running: Cluster[] = [];

/** A network of `cities` cities whose hub runs as `processes` processes on one PostgreSQL database. */
async function cluster(processes: number, cities = 3, opts: { endpoints?: boolean } = {}): Promise<Cluster> {
  const net = await TestNetwork.create({
    cities,
    postgres: true,
    configure: (c) =>
      c.role === 'hub'
        ? {
            ...c,
            cluster: { claimLeaseMs: LEASE_MS, leaderPollMs: 200 },
            intervals: { ...c.intervals, deliveryTickMs: 300 },
          }
        : c,
  });
  const hubUrl = net.hub.baseUrl;
  const port0 = Number(new URL(hubUrl).port);
  const hubConfig = net.configOf(HUB_ID);
  await net.stop(HUB_ID);
  const ports = [port0];
  for (let i = 1; i < processes; i++) ports.push(await freePort());
  const endpoints = ports.map((p) => `http://127.0.0.1:${p}`);
  const c: Cluster = {
    net,
    hubUrl,
    dbUrl: hubConfig.databaseUrl!,
    ports,
    children: [],
    start: async (i) => {
      const file = join(net.dir, `hub-${i}.config.json`);
      // Every process names the same public address, so none of them changes the hub's roster entry.
      const config = { ...hubConfig, port: ports[i], baseUrl: hubUrl };
      if (opts.endpoints) config.cluster = { ...config.cluster, endpoints };
      await writeFile(file, JSON.stringify(config));
      const child = spawn(process.execPath, [HUB_MAIN], {
        env: { ...process.env, CITYLINK_CONFIG: file, CITYLINK_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      c.children[i] = child;
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`hub process ${i} exited with ${child.exitCode}`);
        expect((await fetch(`http://127.0.0.1:${ports[i]}/healthz`)).status).toBe(200);
      });
      return child;
    },
  };
  running.push(c);
  for (let i = 0; i < processes; i++) await c.start(i);
  return c;
}

afterEach(async () => {
  for (const c of running.splice(0)) {
    for (const child of c.children)
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await c.net.close();
  }
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Posts `perCity` GREEN network-wide bulletins from every city, a few at a time; answers their ids. */
async function burst(cities: CityLinkNode[], perCity: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    cities.map(async (city) => {
      for (let n = 0; n < perCity; n += 10) {
        const posted = await Promise.all(
          Array.from({ length: Math.min(10, perCity - n) }, (_, k) =>
            city.publish(
              'bulletin',
              {
                tlp: 'GREEN',
                audience: ['*'],
                body: {
                  title: `${tag} ${city.id} ${n + k}`,
                  narrative: 'burst',
                  category: 'cyber.phishing',
                  severity: 'low',
                },
              },
              staff,
            ),
          ),
        );
        ids.push(...posted.map((p) => p.id));
      }
    }),
  );
  return ids;
}

/** Every city holds every id exactly once (one object row, one log entry). */
async function everyCityHoldsAll(cities: CityLinkNode[], ids: string[]): Promise<void> {
  for (const city of cities) {
    const held = await city.store.heldIds(ids);
    expect(held.size, city.id).toBe(ids.length);
  }
}

async function assertHubLogDense(dbUrl: string): Promise<void> {
  const [row] = await query<{ n: string; top: string; distinct_ids: string }>(
    dbUrl,
    'select count(*) as n, coalesce(max(seq), 0) as top, count(distinct object_id) as distinct_ids from log',
  );
  // seq is the primary key (no reuse); count = max means no gap; one entry per object.
  expect(Number(row!.n)).toBe(Number(row!.top));
  expect(Number(row!.distinct_ids)).toBe(Number(row!.n));
}

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
    const [pending] = await query<{ n: string }>(c.dbUrl, "select count(*) as n from outbox where outcome = 'pending'");
    expect(Number(pending!.n)).toBe(0);
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
