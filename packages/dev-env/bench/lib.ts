/**
 * Shared helpers of the network benchmarks: sizes (full or BENCH_QUICK), the machine
 * line, peak RSS, percentiles, a watchdog, bulletin bodies, the raw Ed25519 baseline,
 * and the hub-ingest batches (signed, then pushed over links).
 */
import { generateKeyPairSync, sign as rawSign, verify as rawVerify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NodeKey, signObject } from '@citylink/crypto';
import type { NodeConfigInput, PeerLink } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import Database from 'better-sqlite3';

/** BENCH_QUICK=1: small sizes for a smoke run (every benchmark then finishes in seconds). */
export const QUICK = process.env.BENCH_QUICK === '1';

/** The repository root (for apps/{city,hub}/dist). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A size: BENCH_<NAME> if set, else the quick or the full default. */
export function size(name: string, full: number, quick: number): number {
  const env = process.env[`BENCH_${name}`];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_${name}=${env} is not a positive number`);
    return n;
  }
  return QUICK ? quick : full;
}

export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load avg ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}${QUICK ? ', QUICK sizes' : ''}`;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function peakRssLine(): string {
  return `peak RSS ${peakRssMb().toFixed(0)} MB (this process)`;
}

/**
 * TestNetwork options for benchmarks: node-to-node requests may take up to 60 s
 * instead of 15 s, so that setting up dozens of in-process nodes on a loaded shared
 * machine does not fail on a roster fetch. No request in a measured phase comes near it.
 */
export function patientNodes(config: NodeConfigInput): NodeConfigInput {
  return { ...config, delivery: { ...config.delivery, requestTimeoutMs: 60_000 } };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export const median = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

export const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/**
 * The machine-readable verdict a benchmark ends with, one line per target:
 * `RESULT <name> <value> <unit> target <op> <target> PASS|FAIL`.
 */
export function result(name: string, value: number, unit: string, op: '<' | '<=' | '>=', target: number): void {
  const ok = op === '<' ? value < target : op === '<=' ? value <= target : value >= target;
  const shown = Number.isFinite(value) ? Number(value.toPrecision(3)).toString() : String(value);
  console.log(`RESULT ${name} ${shown} ${unit} target ${op} ${target} ${verdict(ok)}`);
}

export const ms = (x: number) => `${x.toFixed(0)} ms`;
export const perSec = (x: number) => `${x.toFixed(0)}/s`;

/**
 * Ends the process if the benchmark overruns `limitMs` (a bound, never a measurement),
 * after running `cleanup` (e.g. killing child processes).
 */
export function watchdog(limitMs: number, what: string, cleanup: () => void = () => undefined): NodeJS.Timeout {
  const timer = setTimeout(() => {
    console.error(`${what}: still running after ${(limitMs / 1000).toFixed(0)} s; giving up (FAIL)`);
    try {
      cleanup();
    } finally {
      process.exit(3);
    }
  }, limitMs);
  timer.unref();
  return timer;
}

const CATEGORIES = ['cyber.phishing', 'cyber.spoofing', 'equipment.malfunction', 'information.misinformation'] as const;

/** A realistic bulletin body (~700 bytes signed), unique per `tag`. */
export function bulletinBody(tag: string) {
  return {
    title: `Phishing e-mails impersonating the state elections office (${tag})`,
    narrative:
      'Several poll workers received e-mails asking them to confirm their credentials on a look-alike site. ' +
      'The messages used the office letterhead and a sender address one letter off the real domain.',
    category: CATEGORIES[tag.length % CATEGORIES.length]!,
    severity: 'medium' as const,
    attackVector: 'email' as const,
    indicators: [
      { type: 'domain' as const, value: 'elections-wi-gov.example' },
      { type: 'email-sender' as const, value: 'support@elections-wi-gov.example' },
    ],
  };
}

/** Ed25519 signatures of `bytes`-byte messages per second: node:crypto, synchronous, one thread. */
export function rawVerifyRate(bytes: number, durationMs: number): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const data = Buffer.alloc(bytes, 0x61);
  const sig = rawSign(null, data, privateKey);
  const end = performance.now() + durationMs;
  const start = performance.now();
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) if (!rawVerify(null, data, publicKey, sig)) throw new Error('raw verify failed');
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Raw better-sqlite3: the same strings into a fresh table, one transaction. */
export async function rawInsertRate(jws: readonly string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'citylink-bench-sqlite-'));
  try {
    const db = new Database(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table objects (id text primary key, jws text not null)');
    const insert = db.prepare('insert into objects (id, jws) values (?, ?)');
    const t = performance.now();
    db.transaction(() => {
      for (const [i, j] of jws.entries()) insert.run(`o${i}`, j);
    })();
    const rate = jws.length / ((performance.now() - t) / 1000);
    db.close();
    return rate;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The JWS signing input (what Ed25519 actually verifies): `header.payload`. */
export function signingInputBytes(jws: string): number {
  return jws.lastIndexOf('.');
}

/** VmRSS and VmHWM (peak) of a process, in MB, from /proc. */
export async function procMemMb(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export const sleep = (msec: number) => new Promise<void>((resolve) => setTimeout(resolve, msec));

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passed; returns whether it became true. */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 20,
): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() > end) return false;
    await sleep(everyMs);
  }
}

/**
 * Diagnostic (BENCH_CPU_PROFILE=dir): profiles the measured phase of a benchmark and
 * writes `<dir>/<name>.cpuprofile` (open it in Chrome DevTools or speedscope).
 * Without the variable this returns a no-op.
 */
export async function cpuProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return async () => undefined;
  const { Session } = await import('node:inspector/promises');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    console.log(`cpu profile written to ${dir}/${name}.cpuprofile`);
  };
}

/** A TCP port free on 127.0.0.1 right now (for a process that must know its port before it starts). */
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

// ------------------------------------------------ hub ingest (ingest.ts, ingest-ha.ts)

/** One `federation.deliver` call's worth of pre-signed objects, from one city. */
export interface IngestBatch {
  from: string;
  jws: string[];
}

/**
 * `n` fresh AMBER bulletins addressed to the hub only (so the hub stores them and
 * relays nothing), signed by the cities of `keys` in turn, as batches of `batch`
 * objects from one city each; `tag` makes them unique per run.
 */
export async function signIngestBatches(
  keys: ReadonlyMap<string, NodeKey>,
  hub: string,
  n: number,
  tag: string,
  batch = 100,
): Promise<IngestBatch[]> {
  const cities = [...keys.keys()];
  const batches: IngestBatch[] = [];
  let serial = 0;
  for (let b = 0; b * batch < n; b++) {
    const from = cities[b % cities.length]!;
    const jws = await Promise.all(
      Array.from({ length: Math.min(batch, n - b * batch) }, async () => {
        const object = {
          v: 1,
          kind: 'bulletin',
          origin: from,
          created: new Date().toISOString(),
          tlp: 'AMBER',
          audience: [hub],
          body: bulletinBody(`${tag} ${serial++}`),
        } as SignedObject;
        return (await signObject(object, keys.get(from)!)).jws;
      }),
    );
    batches.push({ from, jws });
  }
  return batches;
}

/** Pushes `batches` as their cities over `links`, `senders` at a time; throws unless every object is accepted. */
export async function pushIngestBatches(
  links: ReadonlyMap<string, PeerLink>,
  batches: readonly IngestBatch[],
  senders: number,
): Promise<void> {
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: senders }, async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        const { results } = await links.get(b.from)!.api.federation.deliver.mutate({ objects: b.jws });
        const bad = results.filter((r) => r.outcome !== 'accepted');
        if (bad.length > 0)
          throw new Error(`deliver from ${b.from}: ${bad.length} not accepted, e.g. ${JSON.stringify(bad[0])}`);
      }
    }),
  );
}
