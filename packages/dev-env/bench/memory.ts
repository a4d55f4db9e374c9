/**
 * Memory of real node processes (apps/city and apps/hub), read from /proc/<pid>/status.
 *
 * (a) An idle city: a TestNetwork city is stopped and started again as its own
 *     process (`node apps/city/dist/main.js`, CITYLINK_CONFIG) against the in-process
 *     hub; VmRSS after /healthz answers and 2 s of idleness. Target < 100 MB.
 * (b) A hub with 2,000 enrolled cities and 100,000 stored objects. The database is
 *     built in-process first (setup, timed separately): 10 real cities plus fresh-key
 *     members at an unreachable URL (http://127.0.0.1:9/…), all 'active', published
 *     through the hub; then AMBER objects addressed to the hub only (so it queues no
 *     relays), signed by the real cities and fed to `hub.inbound.receive(…, 'push')`.
 *     The hub then runs as its own process on that database: VmRSS after start, after
 *     a dozen staff queries, and VmHWM (peak). Target < 1 GB. The same hub process is
 *     also measured once with the members but no objects, for comparison.
 *
 * Baselines in the same run: a bare `node` process, and one that only imports @citylink/node.
 *
 * Run: npm run bench -w @citylink/dev-env -- memory   (BENCH_QUICK=1 for a smoke run)
 * Sizes: BENCH_MEMBERS (2000), BENCH_HUB_OBJECTS (100000), BENCH_REAL_CITIES (10),
 * BENCH_SETUP_BUDGET_MS (130000: past it, setup stops and the figure is extrapolated, labelled).
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { signIn } from '@citylink/client';
import { type NodeKey, readKeyFile, signObject, thumbprint } from '@citylink/crypto';
import type { Ed25519PublicJwk, Member, SignedObject } from '@citylink/protocol';
import { HUB_ID, TEST_PASSWORD, TestNetwork } from '../src/index.js';
import {
  bulletinBody,
  machineLine,
  ms,
  patientNodes,
  peakRssLine,
  perSec,
  procMemMb,
  ROOT,
  result,
  size,
  sleep,
  until,
  verdict,
  watchdog,
} from './lib.js';
import { buildApps, Processes } from './processes.js';

const MEMBERS = size('MEMBERS', 2000, 100);
const HUB_OBJECTS = size('HUB_OBJECTS', 100_000, 3_000);
const REAL_CITIES = size('REAL_CITIES', 10, 3);
const SETUP_BUDGET_MS = size('SETUP_BUDGET_MS', 130_000, 30_000);
const IDLE_MS = size('IDLE_MS', 2_000, 1_000);
const BATCH = 500;
const CITY_TARGET_MB = 100;
const HUB_TARGET_MB = 1024;

const procs = new Processes();
watchdog(195_000, 'memory', () => procs.killAll());

/** RSS of a plain process after it printed `ready` and idled IDLE_MS. */
async function idleRss(args: string[]): Promise<number> {
  const child = procs.start(args);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  if (!(await until(() => out.includes('ready'), 20_000))) throw new Error(`${args.join(' ')}: no ready`);
  await sleep(IDLE_MS);
  const { rss } = await procMemMb(child.pid!);
  await procs.stop(child);
  return rss;
}

const mb = (x: number) => `${x.toFixed(0)} MB`;

console.log('memory: RSS of real city and hub processes (VmRSS / VmHWM from /proc)');
console.log(machineLine());

buildApps();

// ---------------------------------------------------------------- baselines
const bare = await idleRss(['-e', "console.log('ready'); setInterval(() => {}, 1000)"]);
const nodeModule = pathToFileURL(join(ROOT, 'packages/node/dist/index.js')).href;
const imported = await idleRss([
  '--input-type=module',
  '-e',
  `await import(${JSON.stringify(nodeModule)}); console.log('ready'); setInterval(() => {}, 1000)`,
]);
console.log(`baselines: bare node process ${mb(bare)}; node process that only imports @citylink/node ${mb(imported)}`);

// ---------------------------------------------------------------- (a) idle city
{
  const net = await TestNetwork.create({ cities: 1, users: false, configure: patientNodes });
  try {
    const city = net.cities[0]!;
    const port = Number(new URL(city.baseUrl).port);
    await net.stop(city.id);
    const { child, startMs } = await procs.startNode('city', { ...net.configOf(city.id), port }, net.dir);
    await sleep(IDLE_MS);
    const { rss, hwm } = await procMemMb(child.pid!);
    await procs.stop(child);
    console.log(
      `(a) idle city process: VmRSS ${mb(rss)} (peak ${mb(hwm)}), started in ${ms(startMs)}; ` +
        `${(rss / bare).toFixed(1)}× a bare node process; target < ${CITY_TARGET_MB} MB: ${verdict(rss < CITY_TARGET_MB)}`,
    );
    result('idle-city-rss', rss, 'MB', '<', CITY_TARGET_MB);
  } finally {
    await net.close();
  }
}

// ---------------------------------------------------------------- (b) big hub
{
  const tSetup = performance.now();
  const net = await TestNetwork.create({ cities: REAL_CITIES, users: false, configure: patientNodes });
  try {
    let hub = net.hub;
    const hubPort = Number(new URL(hub.baseUrl).port);
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    const validFrom = new Date(Date.now() - 60_000).toISOString();
    const fakes: Member[] = [];
    for (let i = 0; fakes.length + REAL_CITIES < MEMBERS; i++) {
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Ed25519PublicJwk;
      const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as Ed25519PublicJwk;
      fakes.push({
        node: `bench-city-${i + 1}`,
        name: `Bench City ${i + 1}`,
        baseUrl: `http://127.0.0.1:9/bench-city-${i + 1}`,
        role: 'city',
        status: 'active',
        keys: [{ kid: await thumbprint(publicJwk), jwk: publicJwk, validFrom }],
      });
    }
    await hub.publishMembers(fakes, 'bench');
    await hub.addUser({ username: 'staff', password: TEST_PASSWORD, roles: ['staff'] });
    const membersMs = performance.now() - tSetup;
    const cities = hub.roster.members().filter((m) => m.role === 'city').length;
    const hubConfig = { ...net.configOf(HUB_ID), port: hubPort };
    for (const c of net.cities) await net.stop(c.id);

    // The same hub with the members but no objects yet.
    await net.stop(HUB_ID);
    const empty = await procs.startNode('hub', hubConfig, net.dir);
    await sleep(IDLE_MS);
    const emptyMem = await procMemMb(empty.child.pid!);
    await procs.stop(empty.child);
    console.log(
      `(b) setup: ${cities} cities enrolled (${REAL_CITIES} real) in ${ms(membersMs)}; ` +
        `hub process with them and no objects: VmRSS ${mb(emptyMem.rss)} (peak ${mb(emptyMem.hwm)}), started in ${ms(empty.startMs)}`,
    );

    // Objects: signed by the real cities, fed through the hub's inbound pipeline.
    hub = await net.restart(HUB_ID);
    const keys: { id: string; key: NodeKey }[] = [];
    for (const c of net.cities) keys.push({ id: c.id, key: await readKeyFile(net.configOf(c.id).keyFile) });
    const sign = (b: number) => {
      const { id, key } = keys[b % keys.length]!;
      return Promise.all(
        Array.from({ length: Math.min(BATCH, HUB_OBJECTS - b * BATCH) }, async (_, i) => {
          const object = {
            v: 1,
            kind: 'bulletin',
            origin: id,
            created: new Date().toISOString(),
            tlp: 'AMBER',
            audience: [HUB_ID],
            body: bulletinBody(`memory ${b * BATCH + i}`),
          } as SignedObject;
          return (await signObject(object, key)).jws;
        }),
      ).then((jws) => ({ from: id, jws }));
    };
    const tObjects = performance.now();
    let stored = 0;
    const batches = Math.ceil(HUB_OBJECTS / BATCH);
    let next = sign(0);
    for (let b = 0; b < batches; b++) {
      const cur = await next;
      if (b + 1 < batches) next = sign(b + 1);
      const results = await hub.inbound.receive(cur.jws, cur.from, 'push');
      const bad = results.find((r) => r.outcome !== 'accepted');
      if (bad) throw new Error(`setup: ${JSON.stringify(bad)}`);
      stored += results.length;
      if (performance.now() - tSetup > SETUP_BUDGET_MS) break;
    }
    await next.catch(() => undefined);
    const objectsMs = performance.now() - tObjects;
    console.log(
      `(b) setup: ${stored} objects stored in ${ms(objectsMs)} (${perSec(stored / (objectsMs / 1000))}, sign + verify + store); ` +
        `whole setup ${ms(performance.now() - tSetup)}${stored < HUB_OBJECTS ? ` — STOPPED at the ${ms(SETUP_BUDGET_MS)} budget` : ''}`,
    );
    await net.stop(HUB_ID);

    // The figure: the hub as its own process on that database.
    const { child, startMs } = await procs.startNode('hub', hubConfig, net.dir);
    await sleep(IDLE_MS);
    const afterStart = await procMemMb(child.pid!);
    const client = await signIn(hubUrl, 'staff', TEST_PASSWORD);
    const timings: string[] = [];
    const timed = async (name: string, q: () => Promise<unknown>) => {
      const t = performance.now();
      await q();
      timings.push(`${name} ${ms(performance.now() - t)}`);
    };
    let cursor: { created: string; id: string } | undefined;
    for (let page = 1; page <= 5; page++) {
      await timed(`feed p${page}`, async () => {
        const r = await client.staff.feed.query({ limit: 50, ...(cursor && { cursor }) });
        cursor = r.nextCursor ?? undefined;
      });
    }
    await timed('text hit', () => client.staff.feed.query({ text: 'phishing', limit: 50 }));
    await timed('text miss (full scan)', () => client.staff.feed.query({ text: 'no-such-word', limit: 50 }));
    await timed('category', () => client.staff.feed.query({ categories: ['cyber.spoofing'], limit: 200 }));
    await timed('origin', () => client.staff.feed.query({ origins: ['t-city-2'], limit: 200 }));
    await timed('objects 500', () => client.staff.objects.query({ after: 0, limit: 500 }));
    await timed('roster', () => client.staff.roster.query());
    const afterQueries = await procMemMb(child.pid!);
    await procs.stop(child);

    const peak = Math.max(afterQueries.hwm, afterStart.hwm);
    let figure = `${mb(afterQueries.rss)} after the queries (peak ${mb(peak)})`;
    let pass = peak < HUB_TARGET_MB;
    if (stored < HUB_OBJECTS) {
      // Linear in the stored objects, from the two measured points (no objects, `stored` objects).
      const perObject = Math.max(0, peak - emptyMem.hwm) / stored;
      const extrapolated = emptyMem.hwm + perObject * HUB_OBJECTS;
      figure += `; EXTRAPOLATED to ${HUB_OBJECTS} objects (linear from 0 and ${stored}): peak ≈ ${mb(extrapolated)}`;
      pass = extrapolated < HUB_TARGET_MB;
    }
    console.log(
      `(b) hub process, ${cities} cities, ${stored} objects: VmRSS ${mb(afterStart.rss)} after start (started in ${ms(startMs)}), ${figure}; ` +
        `${(afterQueries.rss / bare).toFixed(1)}× a bare node process; target < ${HUB_TARGET_MB} MB: ${verdict(pass)}`,
    );
    console.log(`    staff queries: ${timings.join(', ')}`);
  } finally {
    await net.close();
  }
}
console.log(peakRssLine());
