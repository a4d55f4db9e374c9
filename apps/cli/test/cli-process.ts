import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_BIN = `${REPO}apps/cli/dist/bin.js`;
export const HUB_MAIN = `${REPO}apps/hub/dist/main.js`;
export const CITY_MAIN = `${REPO}apps/city/dist/main.js`;

/** These tests run the built binaries; `npm test` builds them (tsc -b) before vitest runs. */
export function requireBuilt(): void {
  for (const path of [CLI_BIN, HUB_MAIN, CITY_MAIN]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npx tsc -b\` first (npm test does)`);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `citylink …` to completion; kills it after `timeoutMs`. */
export function runCli(
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      env: { ...process.env, CITYLINK_USER: '', CITYLINK_PASSWORD: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * A long-running `citylink …` (demo, feed --follow), or with `entry` another script such
 * as a node's main.js, whose output lines are kept and can be awaited. It runs in its own
 * process group so cleanup can kill all it started.
 */
export class CliProcess {
  readonly lines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<() => void>();
  readonly child: ChildProcess;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}, entry = CLI_BIN) {
    this.child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (into: string[]) => {
      let partial = '';
      return (d: Buffer) => {
        const parts = (partial + d.toString()).split('\n');
        partial = parts.pop() ?? '';
        into.push(...parts);
        for (const w of this.#waiters) w();
      };
    };
    this.child.stdout!.on('data', collect(this.lines));
    this.child.stderr!.on('data', collect(this.stderrLines));
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.#exit = { code, signal };
        for (const w of this.#waiters) w();
        resolve(this.#exit);
      });
    });
  }

  get output(): string {
    return [...this.lines, ...this.stderrLines].join('\n');
  }

  /** Resolves with the first stdout line matching `match`; rejects if the process exits or time runs out. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(match);
        if (found !== undefined) return done(() => resolve(found));
        if (this.#exit) {
          return done(() =>
            reject(new Error(`${what}: the process exited (${JSON.stringify(this.#exit)}) first:\n${this.output}`)),
          );
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${what}: not seen within ${timeoutMs} ms:\n${this.output}`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends `signal` to the process alone and waits (bounded) for it to exit. */
  async stop(signal: NodeJS.Signals, timeoutMs: number) {
    this.child.kill(signal);
    return withTimeout(this.exited, timeoutMs, `exit after ${signal}`);
  }

  /** Cleanup: kills the whole process group (the process and anything it started). */
  killGroup(): void {
    if (this.#exit || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `attempt` until it returns a value other than undefined, or the deadline passes. */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`${what}: not true within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
}

/** Starts `citylink demo` on a random high base port, trying another one if a port is taken. */
export async function startDemo(dir: string, extra: string[] = []): Promise<{ demo: CliProcess; basePort: number }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const basePort = 20_000 + Math.floor(Math.random() * 20_000);
    const demo = new CliProcess(['demo', '--dir', dir, '--base-port', String(basePort), ...extra]);
    try {
      await demo.waitForLine((l) => l.startsWith('CityLink demo network is up'), 90_000, 'demo summary');
      return { demo, basePort };
    } catch (err) {
      demo.killGroup();
      if (!/EADDRINUSE|already in use/.test(demo.output)) throw err;
    }
  }
  throw new Error('no free ports for the demo after 5 attempts');
}

/** The demo's accounts.json. */
export interface DemoAccounts {
  nodes: { node: string; url: string; accounts: { username: string; password: string }[] }[];
}

export const demoUrl = (accounts: DemoAccounts, node: string) => accounts.nodes.find((n) => n.node === node)!.url;

export const demoPassword = (accounts: DemoAccounts, node: string, user: string) =>
  accounts.nodes.find((n) => n.node === node)!.accounts.find((a) => a.username === user)!.password;

/** `--node URL --user U --password P` for a demo account. */
export const demoLogin = (accounts: DemoAccounts, node: string, user: string) => [
  '--node',
  demoUrl(accounts, node),
  '--user',
  user,
  '--password',
  demoPassword(accounts, node, user),
];
