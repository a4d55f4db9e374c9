/**
 * Fan-out: one city posts GREEN bulletins to everyone at a steady pace; the outboxes
 * deliver by themselves (city → hub → every other city). Latency per (object, node)
 * is the moment the node stored the object (its `bus` 'appended' event) minus the
 * moment `publish` was called. Baseline in the same process and run: a bare `ws`
 * server broadcasting the same JWS strings at the same pace to as many clients as
 * the network has nodes.
 *
 * Run: npm run bench -w @citylink/dev-env -- fanout   (BENCH_QUICK=1 for a smoke run)
 * Sizes: BENCH_CITIES (50), BENCH_OBJECTS (200), BENCH_PACE_MS (20), BENCH_ROUNDS (3).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CityLinkNode, SessionUser } from '@citylink/node';
import { WebSocket, WebSocketServer } from 'ws';
import { TestNetwork } from '../src/index.js';
import {
  bulletinBody,
  machineLine,
  median,
  ms,
  patientNodes,
  peakRssLine,
  percentile,
  size,
  sleep,
  traceSql,
  until,
  verdict,
  watchdog,
} from './lib.js';

const CITIES = size('CITIES', 50, 10);
const OBJECTS = size('OBJECTS', 200, 40);
const PACE_MS = size('PACE_MS', 20, 20);
const ROUNDS = size('ROUNDS', 3, 1);
const ROUND_DEADLINE_MS = 60_000;
const TARGET_P99_MS = 1_000;
const actor: SessionUser = { id: 0, username: 'bench', displayName: 'bench', roles: ['staff'] };

watchdog(170_000, 'fanout');

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
  `fan-out: 1 city posts ${OBJECTS} GREEN bulletins to ['*'], one every ${PACE_MS} ms (next post does not wait for the previous); hub + ${CITIES} cities in one process`,
);
console.log(machineLine());
const tSetup = performance.now();
const net = await TestNetwork.create({ cities: CITIES, users: false, configure: patientNodes });
console.log(`setup: ${net.nodes.length} nodes up in ${ms(performance.now() - tSetup)}`);

try {
  const origin = net.cities[0]!;
  const receivers = net.nodes.filter((n) => n !== origin);
  const arrivals = new Map<CityLinkNode, Map<string, number>>();
  for (const node of net.nodes) {
    const seen = new Map<string, number>();
    arrivals.set(node, seen);
    node.bus.on('appended', (entries) => {
      const t = performance.now();
      for (const e of entries) seen.set(e.id, t);
    });
  }
  // Diagnostics: how the pushes were batched (one receive call per inbound deliver).
  let pushCalls = 0;
  let pushObjects = 0;
  for (const node of receivers) {
    const inner = node.inbound.receive.bind(node.inbound);
    node.inbound.receive = (items, from, path) => {
      if (path === 'push') {
        pushCalls++;
        pushObjects += items.length;
      }
      return inner(items, from, path);
    };
  }

  const trace =
    process.env.BENCH_TRACE_SQL === '1'
      ? traceSql(
          net.nodes.map((n) => ({
            store: n.store,
            label: n === net.hub ? 'hub' : n === net.cities[0] ? 'origin' : 'city',
          })),
        )
      : undefined;
  const rows: { cl: Stats; clHub: number; clCities: number; all: number; ws: Stats; elu: number; batch: number }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    pushCalls = 0;
    pushObjects = 0;
    const ids: string[] = [];
    const jws: string[] = [];
    const elu0 = performance.eventLoopUtilization();
    const starts = await paced(OBJECTS, PACE_MS, async (i) => {
      const { id } = await origin.publish(
        'bulletin',
        { tlp: 'GREEN', audience: ['*'], body: bulletinBody(`round ${round} post ${i}`) },
        actor,
      );
      ids[i] = id;
    });
    const complete = await until(
      () => receivers.every((r) => ids.every((id) => arrivals.get(r)!.has(id))),
      ROUND_DEADLINE_MS,
      10,
    );
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const lat = (nodes: CityLinkNode[]) =>
      nodes.flatMap((r) =>
        ids.flatMap((id, i) => {
          const t = arrivals.get(r)!.get(id);
          return t === undefined ? [] : [t - starts[i]!];
        }),
      );
    const cl = stats(lat(receivers), OBJECTS * receivers.length);
    const last = Math.max(...receivers.flatMap((r) => ids.map((id) => arrivals.get(r)!.get(id) ?? Number.NaN)));
    const all = complete ? last - starts[0]! : Number.NaN;
    const clHub = median(lat([net.hub]));
    const clCities = median(lat(receivers.filter((r) => r !== net.hub)));
    const batch = pushObjects / Math.max(1, pushCalls);
    // Let the outboxes settle (outcomes recorded) before the next round or the baseline.
    await until(async () => (await net.hub.store.pendingCount()) + (await origin.store.pendingCount()) === 0, 30_000);
    for (const o of await origin.store.getObjects(ids)) jws[ids.indexOf(o.id)] = o.jws;
    const ws = await wsBroadcast(jws, net.nodes.length);
    if (trace) console.log(trace.report());
    trace?.reset();
    rows.push({ cl, clHub, clCities, all, ws, elu, batch });
    console.log(
      `round ${round}: CityLink p50 ${ms(cl.p50)} p99 ${ms(cl.p99)} max ${ms(cl.max)} (hub p50 ${ms(clHub)}, cities p50 ${ms(clCities)})` +
        `, all ${receivers.length} nodes hold all ${OBJECTS} after ${complete ? ms(all) : `— (${cl.missing} missing)`}` +
        `, ${pushCalls} push calls, mean batch ${batch.toFixed(1)}, event-loop busy ${(elu * 100).toFixed(0)}%` +
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
    `ws broadcast baseline p50 ${ms(m((r) => r.ws.p50))}  p99 ${ms(m((r) => r.ws.p99))}  max ${ms(m((r) => r.ws.max))}  (${net.nodes.length} clients, same bytes and pace)`,
  );
  console.log(
    `ratio p99 CityLink / ws ${(p99 / m((r) => r.ws.p99)).toFixed(1)}×; target p99 < ${TARGET_P99_MS} ms: ${verdict(p99 < TARGET_P99_MS && missing === 0)}${missing ? ` (${missing} deliveries missing)` : ''}`,
  );
  console.log(peakRssLine());
} finally {
  await net.close();
}
