/**
 * Election Day at state scale: a hub on PostgreSQL with 2,000 member cities, every
 * one linked to it, while 100 of them post 500 GREEN bulletins for everyone at an even
 * pace over 60 s (Election Day's five busiest minutes, compressed). The hub relays
 * each bulletin to the 1,999 other cities over its federation links, as in a
 * deployment; we measure how long each (bulletin, city) pair took from the moment the
 * bulletin was signed and sent until that city had verified and stored it.
 *
 * The cities are lightweight (bench/link-cities.ts): BENCH_HOSTS processes answer
 * the links of 2,000 cities at their own base URLs with the real link protocol, the
 * real token check and `verifyObject`, and store what they receive. The 100 posting
 * cities push over real `createPeerLink` links from this process. Run with 1 and with
 * 2 hub processes (apps/hub) on a fresh database each; the hub's RSS is sampled per process.
 *
 * Baseline in the same run: raw node:crypto Ed25519 verify/s of the same signing
 * input size (one thread). Targets: p99 < 5 s; hub RSS < 1 GiB per process.
 *
 * Run: npm run bench -w @citylink/dev-env -- election-scale   (PostgreSQL at 127.0.0.1:5432,
 * CITYLINK_TEST_PG_URL overrides; it creates and drops its own databases).
 * BENCH_SCALE=0.1 shrinks cities, bulletins, posting cities and the window together.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { generateNodeKey, type NodeKey, signObject } from '@citylink/crypto';
import { backoffDelay, createPeerLink, type PeerLink } from '@citylink/node';
import type { Member, SignedObject } from '@citylink/protocol';
import { HUB_ID, TestNetwork } from '../src/index.js';
import { type Host, histogramPercentile, startHosts } from './election-scale-hosts.js';
import {
  bulletinBody,
  freePort,
  machineLine,
  ms,
  patientNodes,
  perSec,
  procMemMb,
  QUICK,
  rawVerifyRate,
  result,
  signingInputBytes,
  size,
  sleep,
  until,
} from './lib.js';
import { Processes } from './processes.js';

const SCALE = Number(process.env.BENCH_SCALE ?? (QUICK ? 0.05 : 1));
if (!(SCALE > 0 && SCALE <= 1)) throw new Error(`BENCH_SCALE=${process.env.BENCH_SCALE} must be in (0, 1]`);
const CITIES = Math.max(10, Math.round(2_000 * SCALE));
const BULLETINS = Math.max(5, Math.round(500 * SCALE));
const POSTERS = Math.max(2, Math.round(100 * SCALE));
const WINDOW_MS = Math.max(3_000, Math.round(60_000 * SCALE));
const HOSTS = size('HOSTS', 4, 2);
/** The hub's `delivery.concurrency`: pushes in flight per process (the node default, 8; docs/operations.md 9a on raising it). */
const CONCURRENCY = size('DELIVERY_CONCURRENCY', 8, 8);
const DRAIN_MS = 60_000;
const TARGET_P99_MS = 5_000;
const TARGET_RSS_MB = 1_024;

const procs = new Processes();
// Bounded: two runs of set-up (up to 2 min each on a loaded machine), the window and at
// most DRAIN_MS of drain each.
const LIMIT_MS = Math.round(600_000 * Math.max(SCALE, 0.25));
const watchdogTimer = setTimeout(() => {
  console.error(`election-scale: still running after ${LIMIT_MS / 1000} s; giving up (FAIL)`);
  procs.killAll();
  process.exit(3);
}, LIMIT_MS);
watchdogTimer.unref();

const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
console.log(
  `election-scale: ${CITIES} cities linked to the hub, ${BULLETINS} GREEN bulletins from ${POSTERS} of them over ${ms(WINDOW_MS)}, cities simulated in ${HOSTS} processes; hub delivery.concurrency ${CONCURRENCY}; scale ${SCALE}`,
);
console.log(`${machineLine()}; open files limit ${fdLimit}`);
if (fdLimit < CITIES * 2 + 1_000) {
  console.error(`ulimit -n ${fdLimit} is too low for ${CITIES} links (need about ${CITIES * 2 + 1_000}); raise it`);
  process.exit(2);
}
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

interface RunResult {
  p50: number;
  p99: number;
  allP50: number;
  allP99: number;
  missing: number;
  rss: number[];
  raw: number;
  links: number;
}

const cityId = (i: number) => `e-city-${i + 1}`;

async function run(processes: number): Promise<RunResult> {
  const net = await TestNetwork.create({ cities: 0, postgres: true, users: false, configure: patientNodes });
  const links: PeerLink[] = [];
  let hosts: Host[] = [];
  try {
    const keys: NodeKey[] = [];
    for (let i = 0; i < CITIES; i++) keys.push(await generateNodeKey());
    const keyRecord = (k: NodeKey) => ({ kid: k.kid, jwk: k.publicJwk, validFrom: k.created });
    const hub = net.hub.selfMember();
    const posters = keys.slice(0, POSTERS).map((k, i) => ({ node: cityId(i), keys: [keyRecord(k)] }));
    const ids = keys.map((_, i) => cityId(i));
    hosts = await startHosts(procs, HOSTS, ids, HUB_ID, [hub, ...posters]);
    const members: Member[] = keys.map((k, i) => ({
      node: ids[i]!,
      name: `City ${i + 1}`,
      baseUrl: `http://127.0.0.1:${hosts[i % hosts.length]!.port}/${ids[i]}`,
      role: 'city',
      status: 'active',
      keys: [keyRecord(k)],
    }));
    const tm = performance.now();
    await net.hub.publishMembers(members, 'bench');
    console.log(`  roster of ${CITIES + 1} members published in ${ms(performance.now() - tm)}`);

    const hubConfig = net.configOf(HUB_ID);
    const basePort = Number(new URL(net.hub.baseUrl).port);
    await net.stop(HUB_ID);
    const ports = [basePort];
    for (let i = 1; i < processes; i++) ports.push(await freePort());
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const pids: number[] = [];
    for (const port of ports) {
      const { child } = await procs.startNode(
        'hub',
        {
          ...hubConfig,
          port,
          baseUrl: net.hub.baseUrl,
          delivery: { ...hubConfig.delivery, concurrency: CONCURRENCY },
          cluster: { leaderPollMs: 1_000, ...(processes > 1 && { endpoints: urls }) },
        },
        net.dir,
      );
      pids.push(child.pid!);
    }
    // The leader offers the roster to every city when it starts: that opens the links.
    const linked = await until(async () => (await report(hosts)).links >= CITIES, 60_000, 200);
    const settled = await procs.settle(60_000).then(
      () => true,
      () => false,
    );
    const before = await report(hosts);
    console.log(
      `  ${processes} hub process(es) up; ${linked ? `all ${CITIES} cities linked by the roster offer` : 'not all cities linked within 60 s'}, ${before.links} links open now (idle ones close after 20 s and reopen on the next push)${settled ? '' : '; processes still busy after 60 s, measuring anyway'}`,
    );

    for (let i = 0; i < POSTERS; i++) {
      links.push(
        createPeerLink({
          baseUrl: urls[i % urls.length]!,
          self: ids[i]!,
          target: HUB_ID,
          key: () => keys[i]!,
          timeoutMs: 15_000,
        }),
      );
    }
    const sign = async (i: number) => {
      const object = {
        v: 1,
        kind: 'bulletin',
        origin: ids[i % POSTERS]!,
        created: new Date().toISOString(),
        tlp: 'GREEN',
        audience: ['*'],
        body: bulletinBody(`election-scale ${processes} ${i}`),
      } as SignedObject;
      return (await signObject(object, keys[i % POSTERS]!)).jws;
    };
    const raw = rawVerifyRate(signingInputBytes(await sign(BULLETINS)), 1_000);

    const rss = pids.map(() => 0);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [i, pid] of pids.entries()) {
          const m = await procMemMb(pid).catch(() => ({ hwm: 0 }));
          rss[i] = Math.max(rss[i]!, m.hwm);
        }
        await sleep(500);
      }
    })();

    let refusedByHub = 0;
    let retries = 0;
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < BULLETINS; i++) {
      const wait = t0 + (i * WINDOW_MS) / BULLETINS - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push(
        (async () => {
          const jws = await sign(i);
          // As a city's outbox does: a push that fails is tried again after a backoff (from 1 s).
          for (let attempt = 0; ; attempt++) {
            try {
              const { results } = await links[i % POSTERS]!.api.federation.deliver.mutate({ objects: [jws] });
              // A push tried again after a timeout may find it arrived: `duplicate` is success.
              if (results[0]?.outcome === 'rejected') refusedByHub++;
              return;
            } catch (err) {
              retries++;
              if (performance.now() - t0 > WINDOW_MS + DRAIN_MS) throw err;
              await sleep(backoffDelay(attempt, 1_000, 10_000));
            }
          }
        })(),
      );
    }
    await Promise.all(pending);
    const sentMs = performance.now() - t0;
    const expected = BULLETINS * (CITIES - 1);
    const drained = await until(async () => (await report(hosts)).received >= expected, DRAIN_MS, 250);
    const wall = performance.now() - t0;
    sampling = false;
    await sampler;
    const after = await report(hosts);
    const { hist, completion } = await latencies(hosts);
    const missing = expected - after.received;
    const r: RunResult = {
      p50: histogramPercentile(hist, 0.5),
      p99: histogramPercentile(hist, 0.99),
      allP50: histogramPercentile(completion, 0.5),
      allP99: histogramPercentile(completion, 0.99),
      missing,
      rss,
      raw,
      links: after.maxLinks,
    };
    console.log(
      `  sent ${BULLETINS} in ${ms(sentMs)} (${refusedByHub} refused by the hub, ${retries} pushes tried again); ${after.received} of ${expected} deliveries stored in ${ms(wall)}${drained ? '' : ` (${missing} missing after ${ms(DRAIN_MS)} of drain)`}; ${after.refused} refused by cities`,
    );
    console.log(
      `  ${processes} hub process(es): delivery latency p50 ${ms(r.p50)}, p99 ${ms(r.p99)}; reached all ${CITIES - 1} cities: p50 ${ms(r.allP50)}, p99 ${ms(r.allP99)}`,
    );
    console.log(
      `  hub peak RSS per process: ${rss.map((m) => `${m.toFixed(0)} MB`).join(', ')}; most city links open at once ${after.maxLinks}; raw verify ${perSec(raw)}; ${uptime()}`,
    );
    return r;
  } finally {
    await Promise.all(links.map((l) => l.close()));
    // Hub processes write CPU profiles on a clean exit (BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=…').
    if (process.env.BENCH_NODE_ARGS?.includes('--cpu-prof')) await procs.stopAll();
    else procs.killAll();
    await net.close();
  }
}

async function report(hosts: Host[]) {
  const each = await Promise.all(hosts.map((h) => h.ask('report')));
  const sum = (k: string) => each.reduce((a, r) => a + (r[k] as number), 0);
  return { received: sum('received'), links: sum('links'), maxLinks: sum('maxLinks'), refused: sum('refused') };
}

/** Every (object, city) latency as one histogram, and each object's slowest city over all hosts. */
async function latencies(hosts: Host[]) {
  const hist = new Map<number, number>();
  const slowest = new Map<string, number>();
  for (const h of hosts) {
    const r = await h.ask('latencies');
    for (const [l, n] of r.hist as [number, number][]) hist.set(l, (hist.get(l) ?? 0) + n);
    for (const [id, l] of r.completion as [string, number][]) slowest.set(id, Math.max(slowest.get(id) ?? 0, l));
  }
  const completion = new Map<number, number>();
  for (const l of slowest.values()) completion.set(l, (completion.get(l) ?? 0) + 1);
  return { hist, completion };
}

const one = await run(1);
const two = await run(2);
const p99 = (r: RunResult) => (r.missing === 0 ? r.p99 : Number.POSITIVE_INFINITY);
console.log(
  `election-scale: p99 ${ms(one.p99)} with 1 hub process, ${ms(two.p99)} with 2; raw verify ${perSec(one.raw)} / ${perSec(two.raw)}; ${uptime()}`,
);
result('election-scale-p99-1', p99(one), 'ms', '<', TARGET_P99_MS);
result('election-scale-p99-2', p99(two), 'ms', '<', TARGET_P99_MS);
result('election-scale-rss', Math.max(...one.rss, ...two.rss), 'MB', '<', TARGET_RSS_MB);
process.exit(0);
