/**
 * Hub ingest: cities push pre-signed objects to the hub exactly as their outboxes
 * would (federation.deliver, batches of 100, over one authenticated WebSocket link
 * per city), from several concurrent senders. The hub runs as its own process (as in a
 * deployment); the senders run in this process. The objects are AMBER addressed
 * to the hub only, so the hub stores them and relays nothing: the figure is the
 * hub's verify + admit + store + log + answer rate, not a fan-out.
 *
 * Baseline in the same run: raw node:crypto Ed25519 verify/s (synchronous, one
 * thread, KeyObject, same signing-input size). Target: accepted/s ≥ 1.6 × raw (issue 17; the 2-core limit is 2×).
 * Also printed, to show where time goes: verifyObject alone (in this process, 100
 * in flight) and the hub process's CPU use during the run.
 *
 * Run: npm run bench -w @citylink/dev-env -- ingest   (BENCH_QUICK=1 for a smoke run)
 * Sizes: BENCH_CITIES (20), BENCH_OBJECTS (20000 per round: shorter rounds swing
 * with every WAL checkpoint and GC), BENCH_SENDERS (8), BENCH_ROUNDS (3).
 */
import { performance } from 'node:perf_hooks';
import { KeyRing, type NodeKey, readKeyFile, verifyObject } from '@citylink/crypto';
import { createPeerLink, type PeerLink } from '@citylink/node';
import { HUB_ID, TestNetwork } from '../src/index.js';
import {
  machineLine,
  median,
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
  verdict,
  watchdog,
} from './lib.js';
import { cpuMs, Processes, runAsProcesses } from './processes.js';

const CITIES = size('CITIES', 20, 5);
const OBJECTS = size('OBJECTS', 20000, 1000);
const SENDERS = size('SENDERS', 8, 8);
const ROUNDS = size('ROUNDS', 3, 1);
const BATCH = 100;
const TARGET_RATIO = 1.6;

const procs = new Processes();
watchdog(170_000, 'ingest', () => procs.killAll());

console.log(
  `hub ingest: ${OBJECTS} AMBER objects addressed to the hub only, from ${CITIES} cities, over WebSocket links in batches of ${BATCH}, ${SENDERS} concurrent senders; hub in its own process; ${ROUNDS} round(s)`,
);
console.log(machineLine());
const tSetup = performance.now();
const net = await TestNetwork.create({ cities: CITIES, users: false, configure: patientNodes });
const links = new Map<string, PeerLink>();
try {
  const keys = new Map<string, NodeKey>();
  for (const c of net.cities) keys.set(c.id, await readKeyFile(net.configOf(c.id).keyFile));
  const ring = new KeyRing(net.hub.roster.members());
  // The cities only sign (here); the hub runs alone in its process.
  for (const c of [...net.cities]) await net.stop(c.id);
  const hub = (await runAsProcesses(net, procs, [[HUB_ID]])).get(HUB_ID)!;
  await procs.settle();
  for (const c of net.cities) {
    links.set(
      c.id,
      createPeerLink({ baseUrl: hub.url, self: c.id, target: HUB_ID, key: () => keys.get(c.id)!, timeoutMs: 30_000 }),
    );
  }
  console.log(`setup: hub process up with ${CITIES} member cities in ${ms(performance.now() - tSetup)}`);

  const rows: { accepted: number; raw: number; verifyOnly: number; hubCores: number; wall: number }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const batches = await signIngestBatches(keys, HUB_ID, OBJECTS, `ingest ${round}`, BATCH);
    const bytes = signingInputBytes(batches[0]!.jws[0]!);
    const raw = rawVerifyRate(bytes, 1000);

    // The figure: end to end.
    const cpu0 = await cpuMs(hub.child.pid!);
    procs.toggleProfiles();
    const t0 = performance.now();
    await pushIngestBatches(links, batches, SENDERS);
    const wall = performance.now() - t0;
    procs.toggleProfiles();
    const accepted = OBJECTS / (wall / 1000);
    const hubCores = ((await cpuMs(hub.child.pid!)) - cpu0) / wall;

    // Breakdown 1: verifyObject alone on the same objects (100 in flight, as the pipeline does).
    const sample = batches.slice(0, Math.max(1, Math.floor(batches.length / 5)));
    const tv = performance.now();
    for (const b of sample) {
      const v = await Promise.all(b.jws.map((j) => verifyObject(j, { resolveKey: ring.resolve })));
      if (v.some((x) => !x.ok)) throw new Error('verifyObject refused a bench object');
    }
    const verifyOnly = (sample.length * BATCH) / ((performance.now() - tv) / 1000);

    rows.push({ accepted, raw, verifyOnly, hubCores, wall });
    console.log(
      `round ${round}: ${perSec(accepted)} accepted (${OBJECTS} in ${ms(wall)}, hub process used ${hubCores.toFixed(2)} cores)` +
        ` | raw verify ${perSec(raw)} (${bytes}-byte signing input), ratio ${(accepted / raw).toFixed(2)}` +
        ` | verifyObject alone ${perSec(verifyOnly)}`,
    );
  }
  const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
  const ratio = m((r) => r.accepted / r.raw);
  console.log(`--- median of ${ROUNDS} round(s); every object answered 'accepted'`);
  console.log(`hub ingest, end to end         ${perSec(m((r) => r.accepted)).padStart(8)} accepted`);
  console.log(`raw node:crypto Ed25519 verify ${perSec(m((r) => r.raw)).padStart(8)} (sync, one thread; baseline)`);
  console.log(
    `ratio ${ratio.toFixed(2)}; target >= ${TARGET_RATIO}: ${verdict(ratio >= TARGET_RATIO)}` +
      ` | verifyObject alone ${perSec(m((r) => r.verifyOnly))}; hub process used ${m((r) => r.hubCores).toFixed(2)} cores`,
  );
  console.log(peakRssLine());
  result('ingest-ratio', ratio, 'x', '>=', TARGET_RATIO);
} finally {
  await Promise.all([...links.values()].map((l) => l.close()));
  await procs.stopAll();
  await net.close();
}
