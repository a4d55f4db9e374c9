/**
 * Failover gap: the hub runs as two processes on one PostgreSQL database
 * (docs/operations.md "Running the hub highly available"), and the roster lists both
 * endpoints. We `kill -9` the hub process a city is linked to and measure the time
 * until that city's next bulletin is accepted by the hub (the surviving process),
 * with the production delivery settings (backoff from 1 s, breaker after 5 failures).
 * Then every bulletin posted before and after must be held by the hub and by every
 * city exactly once: lost 0, doubled 0. Target: gap < 5 s.
 *
 * Baseline in the same run: the same city's bulletin, hub accepted, with both
 * processes up (median of 5).
 *
 * Run: npm run bench -w @citylink/dev-env -- failover  (PostgreSQL on 127.0.0.1:5432;
 * CITYLINK_TEST_PG_URL overrides; it creates and drops its own databases)
 */
import { performance } from 'node:perf_hooks';
import { type CityLinkNode, type SessionUser, startIndex } from '@citylink/node';
import { Store } from '@citylink/store';
import { knexOf } from '@citylink/store/testing';
import { HUB_ID, TestNetwork } from '../src/index.js';
import { bulletinBody, freePort, machineLine, median, ms, peakRssLine, result, sleep, until, watchdog } from './lib.js';
import { Processes } from './processes.js';

const procs = new Processes();
watchdog(170_000, 'failover', () => procs.killAll());
const staff: SessionUser = { id: 0, username: 'staff', displayName: 'Staff', roles: ['staff'] };

console.log(`failover: ${machineLine()}`);

const net = await TestNetwork.create({
  cities: 3,
  postgres: true,
  users: false,
  configure: (c) => {
    if (c.role === 'hub') return { ...c, cluster: { claimLeaseMs: 5_000, leaderPollMs: 500 } };
    // Cities with the production delivery settings (the test network's are faster).
    const { delivery: _fast, ...city } = c;
    return city;
  },
});
let hubDb: Store | undefined;
try {
  const hubUrl = net.hub.baseUrl;
  const hubConfig = net.configOf(HUB_ID);
  const ports = [Number(new URL(hubUrl).port), await freePort()];
  const endpoints = ports.map((p) => `http://127.0.0.1:${p}`);
  await net.stop(HUB_ID);
  const hubs = [];
  for (const port of ports) {
    hubs.push(
      await procs.startNode(
        'hub',
        { ...hubConfig, port, baseUrl: hubUrl, cluster: { ...hubConfig.cluster, endpoints } },
        net.dir,
      ),
    );
  }
  const cities = net.cities;
  const listed = await until(() => cities.every((c) => c.roster.member(HUB_ID)?.endpoints?.length === 2), 20_000, 50);
  if (!listed) throw new Error('the cities did not adopt the roster listing both hub endpoints');

  // A tool's Store on the hub's database (no node lock), for its query builder.
  hubDb = await Store.open({ databaseUrl: hubConfig.databaseUrl });
  const db = knexOf(hubDb);
  const atHub = async (id: string) => (await db('objects').where({ id }).first('id')) !== undefined;
  const city = cities[0]!;
  const posted: string[] = [];
  const post = async (node: CityLinkNode, tag: string) => {
    const { id } = await node.publish('bulletin', { tlp: 'GREEN', audience: ['*'], body: bulletinBody(tag) }, staff);
    posted.push(id);
    return id;
  };
  /** ms from `t0` until the hub holds `id`. */
  const acceptedAfter = async (id: string, t0: number, timeoutMs: number) => {
    const ok = await until(() => atHub(id), timeoutMs, 10);
    return ok ? performance.now() - t0 : Number.POSITIVE_INFINITY;
  };

  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    baseline.push(await acceptedAfter(await post(city, `baseline ${i}`), t0, 10_000));
    await sleep(100);
  }
  console.log(`failover: baseline (both processes up): median ${ms(median(baseline))}`);

  // Traffic from the other cities goes on throughout.
  let traffic = true;
  const others = (async () => {
    for (let n = 0; traffic; n++) {
      await Promise.all(cities.slice(1).map((c) => post(c, `traffic ${c.id} ${n}`)));
      await sleep(100);
    }
  })();
  await sleep(500);
  const victim = startIndex(city.id, 2);
  hubs[victim]!.child.kill('SIGKILL');
  const t0 = performance.now();
  const gap = await acceptedAfter(await post(city, 'after the kill'), t0, 60_000);
  await sleep(1_000);
  traffic = false;
  await others;

  // Everything posted reaches the hub and every city, once.
  const everywhere = async () => {
    for (const node of cities) if ((await node.store.heldIds(posted)).size !== posted.length) return false;
    return (await Promise.all(posted.map(atHub))).every(Boolean);
  };
  await until(everywhere, 60_000, 100);
  let lost = 0;
  for (const id of posted) if (!(await atHub(id))) lost++;
  for (const node of cities) lost += posted.length - (await node.store.heldIds(posted)).size;
  const [hubLog] = (
    (await db.raw('select count(*) - count(distinct object_id) as doubled from log')) as {
      rows: { doubled: string }[];
    }
  ).rows;
  let doubled = Number(hubLog!.doubled);
  for (const node of cities) {
    const rows = await node.store.logAfter(0, 100_000);
    doubled += rows.length - new Set(rows.map((r) => r.object.id)).size;
  }
  console.log(
    `failover: ${posted.length} bulletins posted from ${cities.length} cities; process ${victim + 1} of 2 killed`,
  );
  console.log(`failover: gap ${gap.toFixed(0)} ms, lost ${lost}, doubled ${doubled}`);
  console.log(`failover: ${peakRssLine()}`);
  result('failover_gap', gap, 'ms', '<', 5_000);
  result('failover_lost', lost, 'objects', '<=', 0);
  result('failover_doubled', doubled, 'objects', '<=', 0);
} finally {
  await hubDb?.close().catch(() => undefined);
  procs.killAll();
  await net.close();
}
process.exit(0);
