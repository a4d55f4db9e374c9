/**
 * Fan-out: one city posts GREEN bulletins to everyone at a steady pace, over its
 * staff API; the outboxes deliver by themselves (city → hub → every other city).
 * The nodes run outside this process, as in a deployment: the hub in one process,
 * the posting city in another, the receiving cities spread over BENCH_HOSTS more
 * (bench/node-host.ts; 51 separate processes would not start in a reasonable time
 * on a 2-core machine). The network is set up in-process with TestNetwork first and
 * then moved out (processes.ts); measuring starts once the start-up catch-up is over.
 *
 * Latency per (object, node) is the moment the node stored the object (its host
 * reports each append with a wall-clock time) minus the moment this process sent
 * `staff.postBulletin` to the origin. One unmeasured warm-up round runs first, so
 * that the figure is of warm processes (a deployed node runs for days). Baseline in the same run: a bare `ws` server
 * in this process broadcasting the same JWS strings at the same pace to as many
 * clients as the network has receiving nodes.
 *
 * Run: npm run bench -w @citylink/dev-env -- fanout   (BENCH_QUICK=1 for a smoke run)
 * Sizes: BENCH_CITIES (50), BENCH_OBJECTS (200), BENCH_PACE_MS (20), BENCH_ROUNDS (3), BENCH_HOSTS (4).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { signIn } from '@citylink/client';
import { WebSocket, WebSocketServer } from 'ws';
import { HUB_ID, TEST_PASSWORD, TestNetwork } from '../src/index.js';
import {
  bulletinBody,
  machineLine,
  median,
  ms,
  patientNodes,
  peakRssLine,
  percentile,
  rawInsertRate,
  rawVerifyRate,
  result,
  signingInputBytes,
  size,
  sleep,
  until,
  verdict,
  watchdog,
} from './lib.js';
import { Processes, runAsProcesses } from './processes.js';

const CITIES = size('CITIES', 50, 10);
const OBJECTS = size('OBJECTS', 200, 40);
const PACE_MS = size('PACE_MS', 20, 20);
const ROUNDS = size('ROUNDS', 3, 1);
const HOSTS = size('HOSTS', 4, 2);
const ROUND_DEADLINE_MS = 60_000;
const TARGET_P99_MS = 300;

const procs = new Processes();
watchdog(170_000, 'fanout', () => procs.killAll());

/** Calls `fn(i)` at t0 + i × pace without waiting for earlier calls; returns each call's actual start. */
async function paced(n: number, paceMs: number, fn: (i: number) => unknown): Promise<number[]> {
  const starts: number[] = [];
  const pending: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = t0 + i * paceMs - performance.now();
    if (wait > 1) await sleep(wait);
    starts[i] = performance.now();
    pending.push(Promise.resolve(fn(i)));
  }
  await Promise.all(pending);
  return starts;
}

interface Stats {
  p50: number;
  p99: number;
  max: number;
  missing: number;
}
function stats(latencies: number[], expected: number): Stats {
  const s = latencies.sort((a, b) => a - b);
  return {
    p50: percentile(s, 0.5),
    p99: percentile(s, 0.99),
    max: s[s.length - 1] ?? Number.NaN,
    missing: expected - s.length,
  };
}

/** The baseline: a bare ws broadcast of the same strings, same pace, same number of receivers. */
async function wsBroadcast(messages: readonly string[], clients: number): Promise<Stats> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const received: number[][] = Array.from({ length: clients }, () => []);
  const sockets = await Promise.all(
    received.map(
      (times) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}`);
          ws.on('message', () => times.push(performance.now()));
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  await until(() => wss.clients.size === clients, 10_000);
  const starts = await paced(messages.length, PACE_MS, (i) => {
    for (const client of wss.clients) client.send(messages[i]!);
  });
  await until(() => received.every((t) => t.length === messages.length), ROUND_DEADLINE_MS);
  const latencies = received.flatMap((times) => times.map((t, i) => t - starts[i]!));
  for (const s of sockets) s.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  return stats(latencies, messages.length * clients);
}

console.log(
  `fan-out: 1 city posts ${OBJECTS} GREEN bulletins to ['*'], one every ${PACE_MS} ms (next post does not wait for the previous); hub + ${CITIES} cities in ${HOSTS + 2} processes (hub, origin, ${HOSTS} for the rest)`,
);
console.log(machineLine());
const tSetup = performance.now();
const net = await TestNetwork.create({ cities: CITIES, users: false, configure: patientNodes });
try {
  const originId = net.cities[0]!.id;
  await net.cities[0]!.addUser({ username: 'staff', password: TEST_PASSWORD, roles: ['staff'] });
  // When each node stored each object, as its host process reports it (ms since the epoch).
  const arrivals = new Map<string, Map<string, number>>(net.nodes.map((n) => [n.id, new Map()]));
  // How the objects reached the cities: one append per push from the hub.
  let cityAppends = 0;
  // The hub and the posting city each get a process; the receiving cities share HOSTS more.
  const others = net.cities.slice(1).map((c) => c.id);
  const running = await runAsProcesses(
    net,
    procs,
    [[HUB_ID], [originId], ...Array.from({ length: HOSTS }, (_, h) => others.filter((_, i) => i % HOSTS === h))],
    ({ node, ids, at }) => {
      if (node !== HUB_ID && node !== originId) cityAppends++;
      const seen = arrivals.get(node)!;
      for (const id of ids) seen.set(id, at);
    },
  );
  const origin = await signIn(running.get(originId)!.url, 'staff', TEST_PASSWORD);
  const receivers = [...running.keys()].filter((id) => id !== originId);
  const settled = await procs.settle();
  console.log(
    `setup: ${running.size} nodes up, start-up catch-up done (${ms(settled)}) after ${ms(performance.now() - tSetup)}`,
  );
  const now = () => performance.timeOrigin + performance.now();

  // Warm-up, not measured: fresh processes run cold code (the JIT compiles the hot paths on first use),
  // where a deployed node has been running for days.
  const warm: string[] = [];
  await paced(OBJECTS, PACE_MS, async (i) => {
    warm.push(
      (await origin.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: bulletinBody(`warm-up ${i}`) }))
        .id,
    );
  });
  if (!(await until(() => receivers.every((r) => warm.every((id) => arrivals.get(r)!.has(id))), ROUND_DEADLINE_MS))) {
    throw new Error('warm-up objects did not reach every node');
  }
  await procs.settle();
  console.log(`warm-up: ${OBJECTS} posts delivered everywhere, not measured`);

  const rows: {
    cl: Stats;
    clHub: number;
    clCities: number;
    all: number;
    ws: Stats;
    cores: number;
    /** Node processes' CPU per (object, receiving node), and raw verify + raw insert of one object, in ms. */
    cpuPer: number;
    floorPer: number;
  }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const ids: string[] = [];
    cityAppends = 0;
    const cpu0 = await procs.cpuMs();
    const t0 = performance.now();
    procs.toggleProfiles();
    const starts: number[] = [];
    await paced(OBJECTS, PACE_MS, async (i) => {
      starts[i] = now();
      const { id } = await origin.staff.postBulletin.mutate({
        tlp: 'GREEN',
        audience: ['*'],
        body: bulletinBody(`round ${round} post ${i}`),
      });
      ids[i] = id;
    });
    const complete = await until(
      () => receivers.every((r) => ids.every((id) => arrivals.get(r)!.has(id))),
      ROUND_DEADLINE_MS,
      10,
    );
    const cores = (await procs.cpuMs()) - cpu0;
    procs.toggleProfiles();
    const wall = performance.now() - t0;
    const lat = (nodes: string[]) =>
      nodes.flatMap((r) =>
        ids.flatMap((id, i) => {
          const t = arrivals.get(r)!.get(id);
          return t === undefined ? [] : [t - starts[i]!];
        }),
      );
    const cl = stats(lat(receivers), OBJECTS * receivers.length);
    const last = Math.max(...receivers.flatMap((r) => ids.map((id) => arrivals.get(r)!.get(id) ?? Number.NaN)));
    const all = complete ? last - starts[0]! : Number.NaN;
    const clHub = median(lat([HUB_ID]));
    const clCities = median(lat(receivers.filter((r) => r !== HUB_ID)));
    // The baseline sends the very same JWS strings.
    const jws = new Map<string, string>();
    for (let after = 0, head = 1; after < head; ) {
      const page = await origin.staff.objects.query({ after, limit: 500 });
      for (const o of page.items) jws.set(o.id, o.jws);
      [after, head] = [page.next, page.head];
    }
    const ws = await wsBroadcast(
      ids.map((id) => jws.get(id)!),
      receivers.length,
    );
    // CPU baseline in the same run: raw Ed25519 verify of the same signing input plus a raw
    // better-sqlite3 insert of the same strings, per object: the floor of what a node must do.
    const strings = ids.map((id) => jws.get(id)!);
    const floorPer = 1000 / rawVerifyRate(signingInputBytes(strings[0]!), 500) + 1000 / (await rawInsertRate(strings));
    const cpuPer = cores / (OBJECTS * receivers.length);
    rows.push({ cl, clHub, clCities, all, ws, cores: cores / wall, cpuPer, floorPer });
    console.log(
      `round ${round}: CityLink p50 ${ms(cl.p50)} p99 ${ms(cl.p99)} max ${ms(cl.max)} (hub p50 ${ms(clHub)}, cities p50 ${ms(clCities)})` +
        `, all ${receivers.length} nodes hold all ${OBJECTS} after ${complete ? ms(all) : `— (${cl.missing} missing)`}` +
        `, ${cityAppends} pushes to cities (mean batch ${((OBJECTS * (receivers.length - 1)) / cityAppends).toFixed(1)})` +
        `, node processes used ${(cores / wall).toFixed(2)} cores` +
        `, CPU ${cpuPer.toFixed(3)} ms per (object, node) against raw verify + insert ${floorPer.toFixed(3)} ms` +
        ` | ws baseline p50 ${ms(ws.p50)} p99 ${ms(ws.p99)} max ${ms(ws.max)}${ws.missing ? ` (${ws.missing} missing)` : ''}`,
    );
  }

  const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
  const p99 = m((r) => r.cl.p99);
  const missing = rows.reduce((n, r) => n + r.cl.missing, 0);
  console.log(`--- median of ${ROUNDS} round(s); ${receivers.length} receiving nodes × ${OBJECTS} objects per round`);
  console.log(
    `CityLink fan-out      p50 ${ms(m((r) => r.cl.p50))}  p99 ${ms(p99)}  max ${ms(m((r) => r.cl.max))}  all stored after ${ms(m((r) => r.all))} (publishing itself spans ${ms((OBJECTS - 1) * PACE_MS)})`,
  );
  console.log(
    `ws broadcast baseline p50 ${ms(m((r) => r.ws.p50))}  p99 ${ms(m((r) => r.ws.p99))}  max ${ms(m((r) => r.ws.max))}  (${receivers.length} clients, same bytes and pace)`,
  );
  console.log(
    `ratio p99 CityLink / ws ${(p99 / m((r) => r.ws.p99)).toFixed(1)}×; target p99 < ${TARGET_P99_MS} ms: ${verdict(p99 < TARGET_P99_MS && missing === 0)}${missing ? ` (${missing} deliveries missing)` : ''}`,
  );
  const cpuRatio = m((r) => r.cpuPer / r.floorPer);
  console.log(
    `CPU per (object, node) ${m((r) => r.cpuPer).toFixed(3)} ms (every node process, the origin's included, over ${receivers.length} receiving nodes)` +
      `; raw verify + raw insert ${m((r) => r.floorPer).toFixed(3)} ms (baseline); ratio ${cpuRatio.toFixed(2)}×`,
  );
  console.log(peakRssLine());
  result('fanout-cpu-ratio', cpuRatio, 'x', '<=', 2);
  result('fanout-p99', missing === 0 ? p99 : Number.POSITIVE_INFINITY, 'ms', '<', TARGET_P99_MS);
} finally {
  await procs.stopAll();
  await net.close();
}
