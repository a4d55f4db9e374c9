import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CityLinkClient, signIn } from '@citylink/client';
import { generateNodeKey, writeKeyFile } from '@citylink/crypto';
import { type CityLinkNode, createNode, type NodeConfigInput } from '@citylink/node';
import type { Role } from '@citylink/store';
import { createTestPostgresDatabase } from '@citylink/store/testing';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestNetworkOptions {
  cities?: number;
  /** Store every node in its own fresh PostgreSQL database instead of SQLite. */
  postgres?: boolean;
  /** Create the standard accounts on every node (argon2 hashing costs ~50 ms each). */
  users?: boolean;
  logLevel?: NodeConfigInput['logLevel'];
  /** Adjust each node's config before it starts. */
  configure?: (config: NodeConfigInput) => NodeConfigInput;
  /** The clock every node reads (received times, Election Day deadlines); see ManualClock. */
  clock?: () => number;
}

/**
 * A clock a test moves by hand: it starts at the real time (so signed objects are
 * never dated in the future) and only moves forward when told.
 */
export class ManualClock {
  #now = Date.now();
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Accounts created on every node, all with TEST_PASSWORD. */
export const TEST_USERS: Record<string, { roles: Role[]; hubOnly?: boolean }> = {
  staff: { roles: ['staff', 'red-recipient'] },
  mayor: { roles: ['signer', 'staff', 'red-recipient'] },
  /** Not in the RED directory: naming the admin on TLP:RED is refused. */
  admin: { roles: ['admin', 'staff'] },
  official: { roles: ['hub-official', 'staff', 'red-recipient'], hubOnly: true },
};

/**
 * Runs `fn` until it stops throwing (one run at a time, 50 ms apart), or rethrows
 * its last error after `timeoutMs`: a poll-until for conditions no event announces.
 */
export async function eventually(fn: () => Promise<unknown>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Node ids: the hub is `t-hub`, cities `t-city-1` … */
export const cityId = (i: number) => `t-city-${i + 1}`;
export const HUB_ID = 't-hub';
const NETWORK = 't-net';

/**
 * A hub and n cities, each a real node listening on 127.0.0.1 port 0 with its own
 * database and key file in a temporary directory. Periodic timers are slowed down
 * so that tests drive convergence with `processAll()` and `syncAll()` instead of
 * sleeping.
 */
export class TestNetwork implements AsyncDisposable {
  readonly #drops: (() => Promise<void>)[] = [];
  readonly #configs = new Map<string, NodeConfigInput>();
  readonly #ports = new Map<string, number>();
  readonly #down = new Set<string>();

  hub!: CityLinkNode;
  readonly cities: CityLinkNode[] = [];

  private constructor(
    readonly dir: string,
    private readonly options: TestNetworkOptions,
  ) {}

  static async create(options: TestNetworkOptions = {}): Promise<TestNetwork> {
    const dir = await mkdtemp(join(tmpdir(), 'citylink-net-'));
    const net = new TestNetwork(dir, options);
    try {
      net.hub = await createNode(await net.#configFor(HUB_ID, 'hub'), net.#nodeOptions());
      for (let i = 0; i < (options.cities ?? 3); i++) {
        net.cities.push(await createNode(await net.#configFor(cityId(i), 'city'), net.#nodeOptions()));
      }
      await net.hub.publishMembers(
        net.cities.map((c) => c.selfMember()),
        'test-network',
      );
      await Promise.all(net.cities.map((c) => c.roster.refresh()));
      for (const node of net.nodes) await net.#addUsers(node);
      // Every node's RED directory reaches every other node (through the hub's relay).
      if (options.users ?? true) await net.processAll();
    } catch (err) {
      await net.close();
      throw err;
    }
    return net;
  }

  #nodeOptions(): { clock?: () => number } {
    return this.options.clock ? { clock: this.options.clock } : {};
  }

  async #configFor(nodeId: string, role: 'hub' | 'city'): Promise<NodeConfigInput> {
    const keyFile = join(this.dir, `${nodeId}.key.json`);
    await writeKeyFile(keyFile, await generateNodeKey());
    let databaseUrl: string | undefined;
    if (this.options.postgres) {
      const db = await createTestPostgresDatabase();
      this.#drops.push(db.drop);
      databaseUrl = db.url;
    }
    const base: NodeConfigInput = {
      nodeId,
      role,
      name: role === 'hub' ? 'Test State Election Office' : `Test City ${nodeId}`,
      network: NETWORK,
      host: '127.0.0.1',
      port: 0,
      // Every node listens on 127.0.0.1 over http.
      allowInsecurePeers: true,
      keyFile,
      sqlitePath: join(this.dir, `${nodeId}.db`),
      ...(databaseUrl && { databaseUrl }),
      logLevel: this.options.logLevel ?? 'silent',
      intervals: { rosterMs: 3_600_000, pullHubMs: 3_600_000, pullPeersMs: 3_600_000, manifestMs: 3_600_000 },
      delivery: { backoffBaseMs: 200, backoffCapMs: 2_000, breakerHalfOpenMs: 1_000 },
      ...(role === 'city' && {
        hub: {
          node: this.hub.id,
          url: this.hub.baseUrl,
          // The key the city pinned when it joined; later hub keys are learned from the key chain.
          keys: this.hub
            .selfMember()
            .keys.slice(0, 1)
            .map((k) => ({ jwk: k.jwk, validFrom: k.validFrom })),
        },
      }),
    };
    const config = this.options.configure ? this.options.configure(base) : base;
    this.#configs.set(nodeId, config);
    return config;
  }

  async #addUsers(node: CityLinkNode): Promise<void> {
    if (!(this.options.users ?? true)) return;
    for (const [username, u] of Object.entries(TEST_USERS)) {
      if (u.hubOnly && node.id !== HUB_ID) continue;
      await node.addUser({ username, password: TEST_PASSWORD, roles: u.roles });
    }
  }

  /**
   * Starts one more city. With `enroll: false` it runs but is not in the roster
   * (for enrollment tests); otherwise the hub adds it directly.
   */
  async addCity(id: string, opts: { enroll?: boolean } = {}): Promise<CityLinkNode> {
    const city = await createNode(await this.#configFor(id, 'city'), this.#nodeOptions());
    this.cities.push(city);
    if (opts.enroll ?? true) {
      await this.hub.publishMembers([city.selfMember()], 'test-network');
      await city.roster.refresh();
    }
    await this.#addUsers(city);
    return city;
  }

  /** The running nodes (a node stopped with `stop()` is left out until `restart()`). */
  get nodes(): CityLinkNode[] {
    return [this.hub, ...this.cities].filter((n) => n && !this.#down.has(n.id));
  }

  node(id: string): CityLinkNode {
    const n = [this.hub, ...this.cities].find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id} in this network`);
    return n;
  }

  /** The config a node was started with (to restart it, e.g. after a simulated crash). */
  configOf(id: string): NodeConfigInput {
    const c = this.#configs.get(id);
    if (!c) throw new Error(`no config for ${id}`);
    return c;
  }

  /** Stops a node as a shutdown would; `restart` brings it back on the same port and database. */
  async stop(id: string): Promise<void> {
    const node = this.node(id);
    this.#ports.set(id, Number(new URL(node.baseUrl).port));
    this.#down.add(id);
    await node.close();
  }

  /**
   * Starts a stopped node again with the same key, port and database, or with an
   * empty database (`fresh`), as after a disk loss. Returns the new node object,
   * which also replaces the old one in `nodes`.
   */
  async restart(id: string, opts: { fresh?: boolean } = {}): Promise<CityLinkNode> {
    const port = this.#ports.get(id);
    if (port === undefined) throw new Error(`${id} was not stopped with stop()`);
    const config = { ...this.configOf(id), port };
    if (opts.fresh) {
      if (config.databaseUrl) {
        const db = await createTestPostgresDatabase();
        this.#drops.push(db.drop);
        config.databaseUrl = db.url;
      } else {
        for (const suffix of ['', '-wal', '-shm']) await rm(`${config.sqlitePath}${suffix}`, { force: true });
      }
      this.#configs.set(id, config);
    }
    const node = await createNode(config, this.#nodeOptions());
    this.#down.delete(id);
    if (id === this.hub.id) this.hub = node;
    else this.cities[this.cities.findIndex((c) => c.id === id)] = node;
    return node;
  }

  /** Delivers everything due in every outbox, repeatedly, until a round delivers nothing. */
  async processAll(maxRounds = 50): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      let n = 0;
      for (const node of this.nodes) n += await node.delivery.flush();
      total += n;
      if (n === 0) return total;
    }
    throw new Error(`outboxes did not drain in ${maxRounds} rounds`);
  }

  /**
   * Every running city fetches the hub's current roster (the hub also offers it, in
   * the background). A suspended or revoked city is refused, as it should be.
   */
  async refreshRosters(): Promise<void> {
    await Promise.allSettled(this.nodes.filter((n) => n.id !== this.hub.id).map((n) => n.roster.refresh()));
  }

  /** One catch-up round: every city pulls from the hub and its peers; the hub pulls from every city. */
  async syncAll(): Promise<number> {
    let n = 0;
    for (const node of this.nodes) n += (await node.pullFromHub()) + (await node.pullFromPeers());
    return n;
  }

  /** Signs in on a node's API over HTTP, like the console or the CLI would. */
  login(node: CityLinkNode, username: keyof typeof TEST_USERS | string = 'staff'): Promise<CityLinkClient> {
    return signIn(node.baseUrl, username, TEST_PASSWORD);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.hub, ...this.cities].filter(Boolean).map((n) => n.close()));
    for (const drop of this.#drops) await drop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
