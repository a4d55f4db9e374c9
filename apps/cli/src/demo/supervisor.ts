import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { CliError } from '../errors.js';
import { formatLogLine } from './log-format.js';

export interface ChildSpec {
  /** The name its output is prefixed with (`wi-hub#2` for a second hub process). */
  node: string;
  /** The node id `/healthz` must answer with, when it is not `node`. */
  nodeId?: string;
  entry: string;
  config: string;
  url: string;
  port: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface Child {
  spec: ChildSpec;
  proc: ChildProcess;
  /** Resolves once the process has exited and its output has been read to the end. */
  closed: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  stopRequested: boolean;
  reported: boolean;
  recent: string[];
}

export interface UnexpectedExit {
  spec: ChildSpec;
  exit: ExitInfo;
  /** One line saying what happened, e.g. that its port was taken. */
  message: string;
}

export class NodeExitedError extends CliError {
  override name = 'NodeExitedError';
}

/** Settings the node entry reads from the environment; the demo's config files must win. */
const OVERRIDES = ['CITYLINK_CONFIG', 'DATABASE_URL', 'PORT', 'HOST', 'BASE_URL'];

/**
 * Runs each node as its own child process, prefixes its output lines with the node
 * id, and stops them all: SIGTERM, then SIGKILL after a grace period.
 */
export class Supervisor {
  readonly #children: Child[] = [];
  readonly #width: number;
  #stopping = false;
  #onUnexpected: ((exit: UnexpectedExit) => void) | undefined;
  readonly #unexpected: Promise<UnexpectedExit>;
  /** Last resort if this process exits without `stopAll` (a crash, process.exit): no orphaned nodes. */
  readonly #killOnExit = () => {
    for (const c of this.#children) if (!c.exit) c.proc.kill('SIGKILL');
  };

  constructor(
    private readonly io: { out(line: string): void; err(line: string): void },
    nodes: readonly string[],
    private readonly color = false,
  ) {
    this.#width = Math.max(...nodes.map((n) => n.length));
    this.#unexpected = new Promise((resolve) => {
      this.#onUnexpected = resolve;
    });
    process.on('exit', this.#killOnExit);
  }

  start(spec: ChildSpec): void {
    const env = { ...process.env };
    for (const k of OVERRIDES) delete env[k];
    env.CITYLINK_CONFIG = spec.config;
    const proc = spawn(process.execPath, [spec.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child: Child = {
      spec,
      proc,
      exit: undefined,
      stopRequested: false,
      reported: false,
      recent: [],
      closed: Promise.resolve({ code: null, signal: null }),
    };
    const index = this.#children.length;
    const print = (line: string) => {
      child.recent.push(line);
      if (child.recent.length > 30) child.recent.shift();
      this.io.out(formatLogLine(spec.node, line, { width: this.#width, color: this.color ? { index } : undefined }));
    };
    createInterface({ input: proc.stdout! }).on('line', print);
    createInterface({ input: proc.stderr! }).on('line', print);
    child.closed = new Promise<ExitInfo>((resolve) => {
      proc.once('error', (error) => {
        // Spawning failed: no 'close' follows.
        child.exit = { code: null, signal: null, error };
        resolve(child.exit);
      });
      proc.once('close', (code, signal) => {
        child.exit = { code, signal };
        resolve(child.exit);
      });
    });
    void child.closed.then((exit) => {
      if (!this.#stopping) this.#onUnexpected?.({ spec, exit, message: this.#explainExit(child) });
    });
    this.#children.push(child);
  }

  /** Settles with the first child that exits on its own (not during `stopAll`). */
  unexpectedExit(): Promise<UnexpectedExit> {
    return this.#unexpected;
  }

  /** Polls `<url>/healthz` until the expected node answers, the child exits, or the deadline passes. */
  async waitHealthy(node: string, timeoutMs = 30_000): Promise<void> {
    const child = this.#children.find((c) => c.spec.node === node);
    if (!child) throw new Error(`no child ${node}`);
    const deadline = Date.now() + timeoutMs;
    const url = `${child.spec.url}/healthz`;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (child.exit) throw new NodeExitedError(this.#explainExit(child));
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        const body = (await res.json().catch(() => null)) as { node?: unknown } | null;
        if (res.ok && body?.node === (child.spec.nodeId ?? node)) return;
        if (res.ok) {
          const who = typeof body?.node === 'string' ? `another CityLink node (${body.node})` : 'another service';
          throw new NodeExitedError(`${who} answers on port ${child.spec.port}, where ${node} should be`);
        }
        last = `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof CliError) throw err;
        last = (err as Error).message;
      }
      await delay(100);
    }
    if (child.exit) throw new NodeExitedError(this.#explainExit(child));
    throw new NodeExitedError(`${node} did not answer ${url} within ${timeoutMs / 1000} s (${last})`);
  }

  #explainExit(child: Child): string {
    const { spec, exit } = child;
    if (child.recent.some((line) => line.includes('EADDRINUSE'))) {
      return `${spec.node} could not listen: port ${spec.port} is already in use (choose other ports with --base-port N)`;
    }
    return `${spec.node} exited (${describeExit(exit!)}); its last output is above`;
  }

  /** SIGTERM to every running child; SIGKILL to any still running after `graceMs`. Never throws. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    const running = this.#children.filter((c) => !c.exit && !c.stopRequested);
    for (const c of running) {
      c.stopRequested = true;
      c.proc.kill('SIGTERM');
    }
    const timeout = new AbortController();
    const allClosed = Promise.all(this.#children.map((c) => c.closed));
    const timedOut = await Promise.race([
      allClosed.then(() => false),
      delay(graceMs, true, { signal: timeout.signal }).catch(() => false),
    ]);
    timeout.abort();
    if (timedOut) {
      for (const c of this.#children.filter((r) => !r.exit)) {
        this.io.err(`${c.spec.node} did not stop within ${graceMs / 1000} s; killing it`);
        c.proc.kill('SIGKILL');
      }
      await allClosed;
    }
    for (const c of this.#children.filter((r) => !r.reported)) {
      c.reported = true;
      this.io.out(`${c.spec.node} stopped (${describeExit(c.exit!)})`);
    }
    process.off('exit', this.#killOnExit);
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.error) return `could not start: ${exit.error.message}`;
  if (exit.signal) return `signal ${exit.signal}`;
  return `exit code ${exit.code}`;
}
