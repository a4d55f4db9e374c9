import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeKey, type NodeKey, writeKeyFile } from '@citylink/crypto';
import { hashPassword } from '@citylink/node';
import { type Role, Store } from '@citylink/store';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const HUB_MAIN = join(ROOT, 'apps/hub/dist/main.js');
export const CITY_MAIN = join(ROOT, 'apps/city/dist/main.js');
export const WEB_ROOT = join(ROOT, 'apps/web/dist');
export const PASSWORD = 'correct horse battery staple';
const NETWORK = 'e2e-state';

export interface Account {
  username: string;
  displayName: string;
  roles: Role[];
}

export interface NodeSpec {
  id: string;
  name: string;
  accounts: Account[];
  /** A city's county and population in the roster (optional, as in production). */
  county?: string;
  population?: number;
}

/** One node as its own operating-system process, as `apps/hub` or `apps/city` runs in production. */
export class NodeProcess {
  #child: ChildProcess | undefined;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly role: 'hub' | 'city',
    readonly url: string,
    readonly configFile: string,
    readonly logFile: string,
  ) {}

  async start(): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    await new Promise((resolve) => log.once('open', resolve));
    const child = spawn(process.execPath, [this.role === 'hub' ? HUB_MAIN : CITY_MAIN], {
      env: { ...process.env, CITYLINK_CONFIG: this.configFile },
      stdio: ['ignore', log, log],
    });
    this.#child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${this.id} exited with ${child.exitCode}:\n${await this.logTail()}`);
      const ok = await fetch(`${this.url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.id} did not start in 30 s:\n${await this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async health(): Promise<{ logHead: number; rosterVersion: number }> {
    return (await fetch(`${this.url}/healthz`)).json() as Promise<{ logHead: number; rosterVersion: number }>;
  }

  async logTail(lines = 40): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const member = (
  id: string,
  name: string,
  url: string,
  role: 'hub' | 'city',
  key: NodeKey,
  profile: Pick<NodeSpec, 'county' | 'population'> = {},
) => ({
  node: id,
  name,
  baseUrl: url,
  role,
  status: 'active',
  keys: [{ kid: key.kid, jwk: key.publicJwk, validFrom: key.created }],
  ...(profile.county && { county: profile.county }),
  ...(profile.population && { population: profile.population }),
});

/**
 * A real network for the browser tests: a hub and cities, each a separate process
 * started from `apps/hub` / `apps/city` with its own config, key file and SQLite
 * database in a temporary directory, serving the built console from `apps/web/dist`.
 * Accounts are written to each database before its node starts.
 */
export class WebNetwork implements AsyncDisposable {
  private constructor(
    readonly dir: string,
    readonly hub: NodeProcess,
    readonly cities: NodeProcess[],
  ) {}

  static async start(spec: { hub: NodeSpec; cities: NodeSpec[] }): Promise<WebNetwork> {
    const dir = await mkdtemp(join(tmpdir(), 'citylink-e2e-'));
    const all = [{ ...spec.hub, role: 'hub' as const }, ...spec.cities.map((c) => ({ ...c, role: 'city' as const }))];
    const prepared = [];
    for (const n of all) {
      const key = await generateNodeKey();
      const keyFile = join(dir, `${n.id}.key.json`);
      await writeKeyFile(keyFile, key);
      const port = await freePort();
      prepared.push({ ...n, key, keyFile, port, url: `http://127.0.0.1:${port}`, sqlitePath: join(dir, `${n.id}.db`) });
    }
    const hub = prepared[0]!;
    const membersFile = join(dir, 'members.json');
    await writeFile(
      membersFile,
      JSON.stringify(prepared.slice(1).map((c) => member(c.id, c.name, c.url, 'city', c.key, c))),
    );
    const nodes: NodeProcess[] = [];
    for (const n of prepared) {
      const config = {
        nodeId: n.id,
        role: n.role,
        name: n.name,
        network: NETWORK,
        host: '127.0.0.1',
        port: n.port,
        allowInsecurePeers: true,
        keyFile: n.keyFile,
        sqlitePath: n.sqlitePath,
        webRoot: WEB_ROOT,
        logLevel: 'warn',
        intervals: { pullHubMs: 5_000, rosterMs: 10_000 },
        delivery: { backoffBaseMs: 200, backoffCapMs: 2_000, breakerHalfOpenMs: 1_000 },
        ...(n.role === 'hub'
          ? { membersFile }
          : { hub: { node: hub.id, url: hub.url, keys: [{ jwk: hub.key.publicJwk, validFrom: hub.key.created }] } }),
      };
      const configFile = join(dir, `${n.id}.config.json`);
      await writeFile(configFile, JSON.stringify(config, null, 2));
      const store = await Store.open({ sqlitePath: n.sqlitePath });
      try {
        for (const a of n.accounts) {
          await store.createUser({ ...a, passwordHash: await hashPassword(PASSWORD) });
        }
      } finally {
        await store.close();
      }
      nodes.push(new NodeProcess(n.id, n.name, n.role, n.url, configFile, join(dir, `${n.id}.log`)));
    }
    const net = new WebNetwork(dir, nodes[0]!, nodes.slice(1));
    try {
      await net.hub.start();
      await Promise.all(net.cities.map((c) => c.start()));
      // Every city holds the hub's roster before the browsers arrive.
      const deadline = Date.now() + 20_000;
      for (const c of net.cities) {
        while ((await c.health()).rosterVersion < 1) {
          if (Date.now() > deadline) throw new Error(`${c.id} has no roster:\n${await c.logTail()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } catch (err) {
      await net.close();
      throw err;
    }
    return net;
  }

  node(id: string): NodeProcess {
    const n = [this.hub, ...this.cities].find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.hub, ...this.cities].map((n) => n.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
