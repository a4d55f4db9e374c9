/**
 * Hub ingest with two hub processes on one PostgreSQL database: cities push
 * pre-signed AMBER objects addressed to the hub only (so nothing is relayed) over
 * one WebSocket link per city, half the cities to each process, as
 * `federation.deliver` batches of 100. Each process verifies its own share on its own
 * core; plain bulletins write their rows at once and take turns only for the log write
 * and commit (store/src/shared-append.ts). The same objects are
 * then pushed to one process alone, on a fresh database, for comparison.
 *
 * Baseline in the same run: raw node:crypto Ed25519 verify/s (synchronous, one thread).
 * Target: two processes ≥ 1.6 × raw (the physical limit on two cores is 2 ×).
 *
 * Run: npm run bench -w @citylink/dev-env -- ingest-ha   (BENCH_QUICK=1 for a smoke run)
 * Profile both hub processes: BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (written when they stop).
 * Sizes: BENCH_CITIES (8), BENCH_OBJECTS (6000), BENCH_SENDERS (8).
 */
import { performance } from 'node:perf_hooks';
import { type NodeKey, readKeyFile } from '@citylink/crypto';
import { createPeerLink, type PeerLink } from '@citylink/node';
import { HUB_ID, TestNetwork } from '../src/index.js';
import {
  freePort,
  machineLine,
  ms,
  patientNodes,
  peakRssLine,
  perSec,
  pushIngestBatches,
  rawVerifyRate,
  result,
  signIngestBatches,
  signingInputBytes,
  size,
  watchdog,
} from './lib.js';
import { cpuMs, Processes } from './processes.js';

const CITIES = size('CITIES', 8, 4);
const OBJECTS = size('OBJECTS', 6000, 1000);
const SENDERS = size('SENDERS', 8, 4);
const BATCH = 100;

const procs = new Processes();
watchdog(170_000, 'ingest-ha', () => procs.killAll());
console.log(`ingest-ha: ${OBJECTS} AMBER objects to the hub from ${CITIES} cities, ${SENDERS} senders`);
console.log(machineLine());

/** One network, its hub as `processes` processes; answers accepted/s and the hub processes' cores. */
async function run(processes: number): Promise<{ rate: number; cores: number; raw: number }> {
  const net = await TestNetwork.create({
    cities: CITIES,
    postgres: true,
    users: false,
    configure: (c) => (c.role === 'hub' ? { ...patientNodes(c), cluster: { leaderPollMs: 1_000 } } : patientNodes(c)),
  });
  const links: PeerLink[] = [];
  try {
    const keys = new Map<string, NodeKey>();
    for (const c of net.cities) keys.set(c.id, await readKeyFile(net.configOf(c.id).keyFile));
    for (const c of [...net.cities]) await net.stop(c.id);
    const hubConfig = net.configOf(HUB_ID);
    const basePort = Number(new URL(net.hub.baseUrl).port);
    await net.stop(HUB_ID);
    const urls: string[] = [];
    const pids: number[] = [];
    for (let i = 0; i < processes; i++) {
      const port = i === 0 ? basePort : await freePort();
      const { child } = await procs.startNode('hub', { ...hubConfig, port, baseUrl: net.hub.baseUrl }, net.dir);
      urls.push(`http://127.0.0.1:${port}`);
      pids.push(child.pid!);
    }
    await procs.settle();
    const byCity = new Map<string, PeerLink>();
    for (const [i, c] of net.cities.entries()) {
      const link = createPeerLink({
        baseUrl: urls[i % urls.length]!,
        self: c.id,
        target: HUB_ID,
        key: () => keys.get(c.id)!,
        timeoutMs: 60_000,
      });
      links.push(link);
      byCity.set(c.id, link);
    }
    const batches = await signIngestBatches(keys, HUB_ID, OBJECTS, `ingest-ha ${processes}`, BATCH);
    const raw = rawVerifyRate(signingInputBytes(batches[0]!.jws[0]!), 1000);
    const cpu = async () => (await Promise.all(pids.map(cpuMs))).reduce((a, b) => a + b, 0);
    const cpu0 = await cpu();
    const t0 = performance.now();
    await pushIngestBatches(byCity, batches, SENDERS);
    const wall = performance.now() - t0;
    const cores = ((await cpu()) - cpu0) / wall;
    const rate = OBJECTS / (wall / 1000);
    console.log(
      `${processes} hub process(es): ${perSec(rate)} accepted (${OBJECTS} in ${ms(wall)}, ${cores.toFixed(2)} cores) | raw verify ${perSec(raw)}, ratio ${(rate / raw).toFixed(2)}`,
    );
    return { rate, cores, raw };
  } finally {
    await Promise.all(links.map((l) => l.close()));
    // Nothing to keep: the databases are dropped next, so the processes need no clean stop,
    // unless they write CPU profiles on exit (BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=…').
    if (process.env.BENCH_NODE_ARGS?.includes('--cpu-prof')) await procs.stopAll();
    else procs.killAll();
    await net.close();
  }
}

const one = await run(1);
const two = await run(2);
const ratio = two.rate / two.raw;
console.log(
  `two processes ${perSec(two.rate)} vs one ${perSec(one.rate)} (${(two.rate / one.rate).toFixed(2)}×); raw verify ${perSec(two.raw)}`,
);
console.log(peakRssLine());
result('ingest-ha', ratio, 'x', '>=', 1.6);
process.exit(0);
