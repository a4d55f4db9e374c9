import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HUB_ID, TestNetwork, eventually as waitFor } from '@citylink/dev-env';
import type { CityLinkNode, SessionUser } from '@citylink/node';
import { Store } from '@citylink/store';
import { knexOf } from '@citylink/store/testing';
import { afterEach, expect } from 'vitest';

// A network whose hub runs as several real `apps/hub` processes on one PostgreSQL database;
// the cities run in the test's process. Used by hub-processes.test.ts and db-failover.test.ts.

export const HUB_MAIN = fileURLToPath(new URL('../../../apps/hub/dist/main.js', import.meta.url));
export const staff: SessionUser = { id: 0, username: 'staff', displayName: 'Staff', roles: ['staff'] };
export const LEASE_MS = 2_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  net: TestNetwork;
  hubUrl: string;
  dbUrl: string;
  ports: number[];
  children: (ChildProcess | undefined)[];
  start(i: number): Promise<ChildProcess>;
}

const running: Cluster[] = [];

/** A network of `cities` cities whose hub runs as `processes` processes on one PostgreSQL database. */
export async function cluster(
  processes: number,
  cities = 3,
  opts: { endpoints?: boolean; hubDatabaseUrl?: string } = {},
): Promise<Cluster> {
  const net = await TestNetwork.create({
    cities,
    postgres: true,
    configure: (c) =>
      c.role === 'hub'
        ? {
            ...c,
            ...(opts.hubDatabaseUrl && { databaseUrl: opts.hubDatabaseUrl }),
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
        // A loaded machine (CI, other work) may take a while to start a process.
      }, 60_000);
      return child;
    },
  };
  running.push(c);
  for (let i = 0; i < processes; i++) await c.start(i);
  return c;
}

// Every hub process is killed and the network closed after each test.
afterEach(async () => {
  for (const c of running.splice(0)) {
    for (const child of c.children)
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await c.net.close();
  }
});

export async function query<T>(url: string, sql: string): Promise<T[]> {
  // A tool's Store (no node lock), for its query builder.
  const store = await Store.open({ databaseUrl: url });
  try {
    return ((await knexOf(store).raw(sql)) as { rows: T[] }).rows;
  } finally {
    await store.close();
  }
}

/** Posts `perCity` GREEN network-wide bulletins from every city, a few at a time; answers their ids. */
export async function burst(cities: CityLinkNode[], perCity: number, tag: string): Promise<string[]> {
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
export async function everyCityHoldsAll(cities: CityLinkNode[], ids: string[]): Promise<void> {
  for (const city of cities) {
    const held = await city.store.heldIds(ids);
    expect(held.size, city.id).toBe(ids.length);
  }
}

export async function assertHubLogDense(dbUrl: string): Promise<void> {
  const [row] = await query<{ n: string; top: string; distinct_ids: string }>(
    dbUrl,
    'select count(*) as n, coalesce(max(seq), 0) as top, count(distinct object_id) as distinct_ids from log',
  );
  // seq is the primary key (no reuse); count = max means no gap; one entry per object.
  expect(Number(row!.n)).toBe(Number(row!.top));
  expect(Number(row!.distinct_ids)).toBe(Number(row!.n));
}
