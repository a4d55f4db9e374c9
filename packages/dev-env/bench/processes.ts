/**
 * Node processes for the benchmarks: the real `apps/city` and `apps/hub` programs,
 * each on its own event loop, as a deployment runs them. The benchmarks set a
 * network up in-process with TestNetwork (keys, roster, accounts), stop those
 * nodes, and start each again as a process on the same config, port and database.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { NodeConfigInput } from '@citylink/node';
import { HUB_ID, type TestNetwork } from '../src/index.js';
import { ROOT, sleep, until } from './lib.js';

/** The bench task builds this package only; make sure the two apps run from a current build. */
export function buildApps(): void {
  const build = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/city', 'apps/hub'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (build.status !== 0) console.warn('tsc -b apps/city apps/hub failed; running the existing dist/ builds');
}

/** Waits until `url/healthz` answers, failing early if the process exits. */
export async function healthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const ok = await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} answered`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    timeoutMs,
    25,
  );
  if (!ok) throw new Error(`${url}/healthz did not answer in ${timeoutMs} ms`);
}

/** Total CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks of 10 ms).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** What a node host reports after each append. */
export interface Appends {
  node: string;
  ids: string[];
  /** ms since the epoch (performance.timeOrigin + performance.now() in the host). */
  at: number;
}

/** Child processes that are all killed when the benchmark exits, however it exits. */
export class Processes {
  readonly #children = new Set<ChildProcess>();

  constructor() {
    process.on('exit', () => this.killAll());
  }

  get pids(): number[] {
    return [...this.#children].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  /** Diagnostic: BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) are passed to every child. */
  start(args: string[], env: NodeJS.ProcessEnv = {}, ipc = false): ChildProcess {
    const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...extra, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? ['ipc' as const] : [])],
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /**
   * Runs a node program with `config` (written next to its database). It logs at
   * level `error` to its stdout, which is passed through, so a failing node is visible.
   */
  async startNode(app: 'city' | 'hub', config: NodeConfigInput, dir: string) {
    const path = join(dir, `${config.nodeId}.process.json`);
    await writeFile(path, JSON.stringify({ ...config, allowInsecurePeers: true, logLevel: 'error' }));
    const t = performance.now();
    const child = this.start([join(ROOT, `apps/${app}/dist/main.js`)], { CITYLINK_CONFIG: path });
    child.stdout!.pipe(process.stdout);
    await healthy(`http://127.0.0.1:${config.port}`, child, 60_000);
    return { child, startMs: performance.now() - t };
  }

  /**
   * Runs the nodes of `configs` together in one process (bench/node-host.ts), which
   * reports every append to `onAppend` (node id, object ids, ms since the epoch).
   */
  async startHost(
    configs: readonly NodeConfigInput[],
    dir: string,
    onAppend: (a: Appends) => void = () => undefined,
  ): Promise<ChildProcess> {
    const path = join(dir, `${configs[0]!.nodeId}.host.json`);
    await writeFile(path, JSON.stringify(configs.map((c) => ({ ...c, allowInsecurePeers: true, logLevel: 'error' }))));
    const host = fileURLToPath(new URL('./node-host.ts', import.meta.url));
    const child = this.start(['--import', 'tsx', host, path], {}, true);
    child.on('message', (m) => onAppend(m as Appends));
    child.stdout!.pipe(process.stdout);
    for (const c of configs) await healthy(`http://127.0.0.1:${c.port}`, child, 120_000);
    return child;
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children].map((c) => this.stop(c)));
  }

  killAll(): void {
    for (const c of this.#children) c.kill('SIGKILL');
  }

  /**
   * Waits until the children are idle (together under 5% of a core over `windowMs`):
   * nodes catch up from every peer when they start, and a measurement must not
   * overlap that. Returns how long it took.
   */
  async settle(timeoutMs = 90_000, windowMs = 1_000): Promise<number> {
    const t0 = performance.now();
    let last = await this.cpuMs();
    for (;;) {
      await sleep(windowMs);
      const now = await this.cpuMs();
      if (now - last < windowMs * 0.05) return performance.now() - t0;
      if (performance.now() - t0 > timeoutMs) throw new Error(`node processes still busy after ${timeoutMs} ms`);
      last = now;
    }
  }

  /** Diagnostic: with BENCH_CPU_PROFILE=dir, starts or stops a CPU profile in every node host. */
  toggleProfiles(): void {
    if (process.env.BENCH_CPU_PROFILE) for (const c of this.#children) c.kill('SIGUSR2');
  }

  /** CPU time used so far by all running children, in ms. */
  async cpuMs(): Promise<number> {
    const each = await Promise.all(this.pids.map((pid) => cpuMs(pid).catch(() => 0)));
    return each.reduce((a, b) => a + b, 0);
  }
}

/**
 * Moves nodes of a TestNetwork out of this process: each group of node ids is
 * stopped and started again in a process of its own (bench/node-host.ts), with the
 * same configs, ports and databases. The group holding the hub starts first, so
 * that cities find it; the others start together.
 */
export async function runAsProcesses(
  net: TestNetwork,
  procs: Processes,
  groups: readonly (readonly string[])[],
  onAppend?: (a: Appends) => void,
): Promise<Map<string, { url: string; child: ChildProcess }>> {
  const ports = new Map(groups.flat().map((id) => [id, Number(new URL(net.node(id).baseUrl).port)]));
  for (const id of [...groups.flat()].reverse()) await net.stop(id);
  const out = new Map<string, { url: string; child: ChildProcess }>();
  const startGroup = async (ids: readonly string[]) => {
    const child = await procs.startHost(
      ids.map((id) => ({ ...net.configOf(id), port: ports.get(id)! })),
      net.dir,
      onAppend,
    );
    for (const id of ids) out.set(id, { url: `http://127.0.0.1:${ports.get(id)}`, child });
  };
  const withHub = groups.filter((g) => g.includes(HUB_ID));
  for (const g of withHub) await startGroup(g);
  await Promise.all(groups.filter((g) => !g.includes(HUB_ID)).map(startGroup));
  return out;
}
