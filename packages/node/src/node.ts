import { type NodeKey, thumbprint } from '@citylink/crypto';
import { type KeyRecord, type Member, type ObjectKind, PROTOCOL_VERSION } from '@citylink/protocol';
import type { Role } from '@citylink/store';
import type { SessionUser } from './accounts/accounts.js';
import { AppContext, type AppContextInput } from './app-context.js';
import type { ResponseKind } from './authoring/authoring.js';
import type { Marking } from './authoring/marking.js';
import type { PeerApi } from './federation/peer-api.js';
import type { PeerUrlPolicy } from './federation/peer-url.js';
import type { RemoteIntake } from './ingest/pipeline.js';
import { readMembersFile } from './membership/members-file.js';
import { currentPosture } from './views/posture.js';

export type { Marking } from './authoring/marking.js';
export { readMembersFile } from './membership/members-file.js';
export { PROTOCOL_VERSION };

/** The HTTP side of a node (server.ts); the node starts it and stops it first. */
export interface HttpServer {
  /** Answers the base URL the node is reached at. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * One CityLink node: the AppContext's services behind the surface that the API,
 * the CLI, dev-env and tests use, plus starting and stopping them in order.
 * Create with `createNode`; stop with `close()` or `await using`.
 */
export class CityLinkNode implements AsyncDisposable {
  readonly ctx: AppContext;
  readonly config;
  readonly store;
  readonly log;
  readonly metrics;
  readonly bus;
  readonly replay;
  readonly peerLimiter;
  readonly enrollLimiter;
  readonly inboundLinks;
  readonly roster;
  readonly inbound;
  readonly delivery;
  readonly catchUp;
  readonly views;
  readonly accounts;
  readonly audit;
  readonly tokens;
  readonly taxii;
  readonly imports;
  readonly misp;
  readonly serving;
  readonly membership;
  readonly statements;
  readonly quarantine;
  readonly preparedness;
  #server: HttpServer | undefined;
  #baseUrl: string | undefined;
  #closed = false;

  constructor(input: Omit<AppContextInput, 'baseUrl'>) {
    const ctx = new AppContext({ ...input, baseUrl: () => this.baseUrl });
    this.ctx = ctx;
    this.config = ctx.config;
    this.store = ctx.store;
    this.log = ctx.log;
    this.metrics = ctx.metrics;
    this.bus = ctx.bus;
    this.replay = ctx.replay;
    this.peerLimiter = ctx.peerLimiter;
    this.enrollLimiter = ctx.enrollLimiter;
    this.inboundLinks = ctx.inboundLinks;
    this.roster = ctx.roster;
    this.inbound = ctx.inbound;
    this.delivery = ctx.delivery;
    this.catchUp = ctx.catchUp;
    this.views = ctx.views;
    this.accounts = ctx.accounts;
    this.audit = ctx.audit;
    this.tokens = ctx.tokens;
    this.taxii = ctx.taxii;
    this.imports = ctx.imports;
    this.misp = ctx.misp;
    this.serving = ctx.serving;
    this.membership = ctx.membership;
    this.statements = ctx.statements;
    this.quarantine = ctx.quarantine;
    this.preparedness = ctx.preparedness;
  }

  get id(): string {
    return this.config.nodeId;
  }
  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error('node is not listening');
    return this.#baseUrl;
  }
  get keyId(): string {
    return this.ctx.key.current().kid;
  }

  /** Which peer URLs this node calls (docs/operations.md "Peer URL policy"). */
  get urlPolicy(): PeerUrlPolicy {
    return { allowInsecure: this.config.allowInsecurePeers };
  }

  /** The key this node signs with now (co-signatures are made with it too). */
  signingKey(): NodeKey {
    return this.ctx.key.current();
  }

  ownKeyRecord(): KeyRecord {
    return this.ctx.key.record();
  }

  info() {
    return {
      node: this.id,
      role: this.config.role,
      name: this.config.name,
      network: this.config.network,
      baseUrl: this.baseUrl,
      jwksUrl: `${this.baseUrl}/.well-known/jwks.json`,
      hub: this.roster.hubNode,
      protocolVersion: PROTOCOL_VERSION,
    };
  }

  /** Whether objects from other nodes are taken now (see RosterIntake). */
  rosterIntake(): RemoteIntake {
    return this.ctx.intake.state();
  }

  /** Loads the roster, starts the HTTP server, then the background work. */
  async start(server: HttpServer): Promise<void> {
    const { config, roster, quarantine, tasks, pulls, intake, cluster } = this.ctx;
    const hubKeys: KeyRecord[] =
      config.role === 'hub'
        ? [this.ownKeyRecord()]
        : await Promise.all(config.hub!.keys.map(async (k) => ({ kid: await thumbprint(k.jwk), ...k })));
    roster.setHubKeys(hubKeys);
    await roster.load();
    // Hub processes sharing a database: wake-ups from the others and the leader election.
    await cluster.start();
    await quarantine.resume();
    // The hub trusts every key of its own on record (earlier ones keep their windows).
    const ownKeys = config.role === 'hub' ? roster.member(this.id)?.keys : undefined;
    if (ownKeys?.some((k) => k.kid === this.keyId)) roster.setHubKeys(ownKeys);
    this.#server = server;
    this.#baseUrl = await server.listen();
    this.log.info({ url: this.#baseUrl, role: config.role }, 'node listening');
    if (config.role === 'hub') {
      // The members file adds members and may move or rename them; status and keys of a node
      // already in the roster change only through the hub API, so restarting with an old file
      // never undoes a revocation or a key rotation.
      const fromFile = config.membersFile ? await readMembersFile(config.membersFile) : [];
      const wanted = [
        this.selfMember(),
        ...fromFile
          .filter((m) => m.node !== this.id)
          .map((m) => {
            const held = roster.member(m.node);
            return held ? { ...held, name: m.name, baseUrl: m.baseUrl } : m;
          }),
      ];
      const changed = wanted.filter((m) => JSON.stringify(roster.member(m.node)) !== JSON.stringify(m));
      if (changed.length > 0) await this.publishMembers(changed, 'config');
    } else {
      await roster.refresh().catch((err) => {
        this.log.warn({ err: String(err) }, 'roster fetch failed; will retry');
        intake.retryUntilConfirmed(1_000);
      });
    }
    this.delivery.start();
    const { redDirectory } = this.ctx;
    tasks.run(() => redDirectory.sync());
    this.ctx.needsYou.start();
    tasks.every(config.operations.deliveryTickMs, () => this.ctx.notificationDispatch.flush());
    if (config.role === 'hub') tasks.every(config.operations.tickMs, () => this.ctx.situation.tick());
    // Also picks up accounts added with `citylink user add` while the node runs.
    tasks.every(config.intervals.rosterMs, async () => {
      await roster.refresh();
      await redDirectory.sync();
    });
    tasks.every(config.intervals.pullHubMs, () => pulls.pullFromHub());
    tasks.every(config.intervals.pullPeersMs, () => cluster.runOnce(() => pulls.pullFromPeers()));
    tasks.every(config.intervals.manifestMs, () => cluster.runOnce(() => pulls.reconcileAll()));
    // The hub's external TAXII feeds, each on its own interval (the first pull one interval after start).
    if (config.role === 'hub') {
      for (const feed of config.feeds)
        tasks.every(feed.intervalMs, () => cluster.runOnce(() => this.ctx.feeds.pull(feed)));
    }
    // The statewide preparedness grid refolds its aging rows off the request path.
    if (config.role === 'hub')
      tasks.every(config.intervals.manifestMs, () => cluster.runOnce(() => this.preparedness.grid.refresh()));
    // The TAXII by-id index follows the log off the request path (a lookup catches up the rest).
    tasks.run(() => this.ctx.stixIndex.catchUp());
    tasks.every(config.intervals.pullPeersMs, () => cluster.runOnce(() => this.ctx.stixIndex.catchUp()));
    // First catch-up right away, in the background.
    tasks.run(async () => {
      await pulls.pullFromHub();
      await pulls.pullFromPeers();
    });
  }

  /**
   * This node's own roster entry (the hub publishes it; cities are added by the hub):
   * the keys already on record (earlier keys keep their windows, so what they signed
   * still verifies) plus the current key if it is not there yet.
   */
  selfMember(): Member {
    const known = this.roster.member(this.id)?.keys ?? [];
    return {
      node: this.id,
      name: this.config.name,
      baseUrl: this.baseUrl,
      ...(this.config.cluster.endpoints && { endpoints: this.config.cluster.endpoints }),
      role: this.config.role,
      status: 'active',
      keys: known.some((k) => k.kid === this.keyId) ? known : [...known, this.ownKeyRecord()],
    };
  }

  /** Runs work that nobody awaits; `close()` waits for it, and failures are logged, never unhandled. */
  background(fn: () => Promise<unknown>): void {
    this.ctx.tasks.run(fn);
  }

  /** Records when a peer last called us (at most every 10 s per peer, off the request path). */
  touchPeer(node: string): void {
    this.ctx.serving.touch(node);
  }

  /** A federation client for `node`, or undefined if it is not a member with a URL. */
  peer(node: string): PeerApi | undefined {
    return this.ctx.peers.peer(node);
  }

  /** A federation client for the hub (cities); before the roster lists it, at its configured URL. */
  hub(): PeerApi {
    return this.ctx.peers.hub();
  }

  /** An unauthenticated client for the hub's enrollment procedures. */
  publicHub(): PeerApi {
    return this.ctx.peers.publicHub();
  }

  pullFromHub(): Promise<number> {
    return this.ctx.pulls.pullFromHub();
  }

  /** Pulls from every other active member (the hub pulls from every city). */
  pullFromPeers(): Promise<number> {
    return this.ctx.pulls.pullFromPeers();
  }

  reconcileAll(): Promise<number> {
    return this.ctx.pulls.reconcileAll();
  }

  changesFor(peer: string, after: number, limit: number) {
    return this.ctx.serving.changesFor(peer, after, limit);
  }

  manifestFor(peer: string, since: Date, after: string | undefined, limit: number) {
    return this.ctx.serving.manifestFor(peer, since, after, limit);
  }

  fetchFor(peer: string, ids: string[]): Promise<string[]> {
    return this.ctx.serving.fetchFor(peer, ids);
  }

  /** Signs a new object authored by this node, stores it, queues its deliveries. */
  publish<K extends ObjectKind>(kind: K, input: Marking & { body: unknown }, actor: SessionUser) {
    return this.ctx.authoring.publish(kind, input, actor);
  }

  /** Publishes an object about another one (see Authoring.respond). */
  respond(kind: ResponseKind, targetId: string, body: Record<string, unknown>, actor: SessionUser) {
    return this.ctx.authoring.respond(kind, targetId, body, actor);
  }

  /** A person updates their own profile (name and title); the RED directory names them so. */
  async updateProfile(user: SessionUser, p: { displayName: string; title: string | null }) {
    const updated = await this.accounts.updateProfile(user, p);
    await this.audit.record({
      actor: `user:${user.username}`,
      action: 'user.profile',
      subject: user.username,
      detail: p,
    });
    await this.ctx.redDirectory.sync();
    return updated;
  }

  /** Everyone who may be named on TLP:RED (see RedDirectory). */
  redDirectory() {
    return this.ctx.redDirectory.list();
  }

  currentPosture() {
    return currentPosture(this.store);
  }

  /** Hub: the next roster version with these members added or changed (see RosterPublisher). */
  publishMembers(members: Member[], actor: string, action?: string): Promise<void> {
    return this.ctx.rosterPublisher.publishMembers(members, actor, action);
  }

  networkHealth() {
    return this.ctx.health.list();
  }

  /** Creates a local account (for `citylink user add`, the demo and tests). */
  async addUser(u: { username: string; password: string; displayName?: string; title?: string; roles: Role[] }) {
    const user = await this.accounts.create(u, [this.config.name, this.id]);
    await this.audit.record({ actor: 'admin', action: 'user.add', subject: u.username, detail: { roles: u.roles } });
    await this.ctx.redDirectory.sync();
    return user;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const { tasks, peers } = this.ctx;
    tasks.stop();
    peers.refuseNew();
    // Stop taking requests first, then let queued work finish, then close the database.
    await this.#server?.close();
    await this.delivery.stop();
    await this.statements.close();
    await tasks.settled();
    await this.quarantine.settled();
    await peers.close();
    await this.store.close();
    this.log.info('node stopped');
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
