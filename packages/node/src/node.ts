import { readFile } from 'node:fs/promises';
import { type NodeKey, ReplayCache, signObject, thumbprint } from '@citylink/crypto';
import {
  canForwardResponse,
  isResponseKind,
  type KeyRecord,
  type Marked,
  type Member,
  MemberSchema,
  ObjectIdSchema,
  type ObjectKind,
  responseMarking,
  type SignedObject,
  withAuthorNamed,
} from '@citylink/protocol';
import type { Role, Store, StoredObject } from '@citylink/store';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { Accounts, type SessionUser } from './accounts/accounts.js';
import type { Marking } from './authoring/marking.js';
import type { NodeConfig } from './config.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, UnavailableError } from './errors.js';
import { CatchUp } from './federation/catch-up.js';
import { Delivery } from './federation/delivery.js';
import { InboundLinks } from './federation/inbound-links.js';
import { SealedCursors } from './federation/manifest-cursor.js';
import type { PeerApi, PeerLink, PeerTransport } from './federation/peer-api.js';
import { checkPeerUrlSyntax, type PeerUrlPolicy } from './federation/peer-url.js';
import { FeedBus, Inbound, type RemoteIntake } from './ingest/pipeline.js';
import { decodeStored, marked } from './ingest/projection.js';
import { Membership } from './membership/membership.js';
import { Quarantine } from './membership/quarantine.js';
import { RosterState } from './membership/roster-state.js';
import { createMetrics, type Metrics } from './metrics.js';
import { Statements } from './statements/statements.js';
import { Views } from './views/views.js';

export const PROTOCOL_VERSION = 1;

/** Rows one manifest call may scan, whatever the caller may receive of them. */
const MANIFEST_SCAN_BUDGET = 10_000;
/** A `changes` page stops adding objects past this many bytes (peers accept 16 MiB per answer). */
const PAGE_BYTES = 8 * 1024 * 1024;

/** The HTTP side of a node (server.ts); the node starts it and stops it first. */
export interface HttpServer {
  /** Answers the base URL the node is reached at. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export type { Marking } from './authoring/marking.js';

/**
 * One CityLink node: its database, keys, roster, inbound pipeline, outbox worker,
 * catch-up, and one HTTP server carrying tRPC over HTTP and WebSocket.
 * Create with `createNode`; stop with `close()` or `await using`.
 */
export class CityLinkNode implements AsyncDisposable {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly bus = new FeedBus();
  readonly replay = new ReplayCache();
  readonly peerLimiter: RateLimiterMemory;
  readonly roster: RosterState;
  readonly inbound: Inbound;
  readonly delivery: Delivery;
  readonly catchUp: CatchUp;
  readonly views: Views;
  readonly accounts: Accounts;
  readonly membership: Membership;
  readonly statements: Statements;
  readonly quarantine: Quarantine;
  /** Enrollment requests per client address (they come from nodes that are not members yet). */
  readonly enrollLimiter = new RateLimiterMemory({ points: 20, duration: 3600 });
  readonly inboundLinks: InboundLinks;
  #server: HttpServer | undefined;
  #baseUrl: string | undefined;
  #timers: NodeJS.Timeout[] = [];
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #lastTouched = new Map<string, number>();
  readonly #pulledUpTo = new Map<string, number>();
  /** Federation clients by peer node; a URL change or a key change replaces them. */
  #clients = new Map<string, { url: string; link: PeerLink }>();
  readonly #cursors = new SealedCursors();
  #closed = false;
  readonly #startedAt = Date.now();
  #graceWarned = false;
  #rosterRetry: NodeJS.Timeout | undefined;

  constructor(
    readonly config: NodeConfig,
    readonly store: Store,
    private key: NodeKey,
    logger: Logger,
    private readonly transport: PeerTransport,
  ) {
    this.log = logger;
    this.metrics = createMetrics(config.nodeId);
    this.inboundLinks = new InboundLinks(this.metrics);
    this.peerLimiter = new RateLimiterMemory({
      points: Math.ceil(config.limits.peerRequestsPerSecond * 4),
      duration: 4,
    });
    const hubNode = config.role === 'hub' ? config.nodeId : config.hub!.node;
    this.quarantine = new Quarantine({
      self: config.nodeId,
      hubNode,
      store,
      log: logger,
      member: (node) => this.roster.member(node),
      rosterVersion: () => this.roster.version,
    });
    this.roster = new RosterState({
      self: config.nodeId,
      role: config.role,
      network: config.network,
      hubNode,
      store,
      log: logger,
      onAdopt: (before, after) => this.quarantine.schedule(before, after),
      onConfirm: (upTo) => this.quarantine.confirm(upTo),
      ...(config.role === 'city' && {
        fetchRoster: async () => {
          const res = await this.hub().federation.roster.query();
          if (!res.jws) throw new Error('the hub has no roster yet');
          return res.jws;
        },
        fetchHubKeyChain: async () => (await this.hub().federation.hubKeyChain.query()).chain,
      }),
    });
    const ownKey = async (node: string, kid: string) => {
      if (node === config.nodeId && kid === this.key.kid) {
        return { record: this.ownKeyRecord(), key: this.key.publicKey };
      }
      return this.roster.resolveKey(node, kid);
    };
    this.inbound = new Inbound({
      self: config.nodeId,
      role: config.role,
      store,
      roster: this.roster,
      metrics: this.metrics,
      log: logger,
      bus: this.bus,
      resolveKey: ownKey,
      extraRules: (o, ctx) => this.statements.check(o, ctx),
      onQueued: () => this.delivery.wake(),
      intake: () => this.rosterIntake(),
    });
    this.delivery = new Delivery({
      self: config.nodeId,
      store,
      roster: this.roster,
      metrics: this.metrics,
      log: logger,
      config: config.delivery,
      tickMs: config.intervals.deliveryTickMs,
      client: (node) => this.peer(node),
    });
    this.catchUp = new CatchUp({
      store,
      inbound: this.inbound,
      log: logger,
      metrics: this.metrics,
      client: (node) => this.peer(node),
    });
    this.views = new Views({
      self: config.nodeId,
      store,
      bus: this.bus,
      ...(config.role === 'city' && {
        relayed: async (id: string) =>
          (await this.hub().federation.deliveryReport.query({ ids: [id] })).deliveries.filter((d) => d.objectId === id),
      }),
    });
    this.accounts = new Accounts(store, config.limits, logger);
    this.statements = new Statements({
      id: config.nodeId,
      config,
      roster: this.roster,
      store,
      log: logger,
      views: this.views,
      publish: (kind, input, actor) => this.publish(kind, input, actor),
      signingKey: () => this.key,
    });
    this.membership = new Membership(
      {
        id: config.nodeId,
        baseUrl: () => this.baseUrl,
        config,
        log: logger,
        roster: this.roster,
        store,
        urlPolicy: this.urlPolicy,
        hub: () => this.hub(),
        publicHub: () => this.publicHub(),
        publishMembers: (members, actor, action) => this.publishMembers(members, actor, action),
      },
      {
        current: () => this.key,
        replace: (next) => {
          this.key = next;
          void this.#closeClients();
        },
      },
    );
  }

  get id(): string {
    return this.config.nodeId;
  }
  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error('node is not listening');
    return this.#baseUrl;
  }
  get keyId(): string {
    return this.key.kid;
  }

  /** Which peer URLs this node calls (docs/operations.md "Peer URL policy"). */
  get urlPolicy(): PeerUrlPolicy {
    return { allowInsecure: this.config.allowInsecurePeers };
  }

  /** The key this node signs with now (co-signatures are made with it too). */
  signingKey(): NodeKey {
    return this.key;
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

  /**
   * Whether objects from other nodes are taken now. A city that (re)started answers
   * from its stored roster, which may predate a revocation: it takes nothing from
   * other nodes until a roster from the hub confirms the keys, or, with the hub
   * unreachable for `limits.rosterGraceMs`, takes them marked unconfirmed.
   */
  rosterIntake(): RemoteIntake {
    if (this.config.role === 'hub' || this.roster.confirmedAt >= this.#startedAt) return 'open';
    if (Date.now() - this.#startedAt < this.config.limits.rosterGraceMs) return 'closed';
    if (!this.#graceWarned) {
      this.#graceWarned = true;
      this.log.warn(
        { graceMs: this.config.limits.rosterGraceMs },
        'roster still not confirmed by the hub: taking objects from other nodes as unconfirmed',
      );
    }
    return 'unconfirmed';
  }

  ownKeyRecord(): KeyRecord {
    return { kid: this.key.kid, jwk: this.key.publicJwk, validFrom: this.key.created };
  }

  /** Loads the roster, starts the HTTP server, then the background work. */
  async start(server: HttpServer): Promise<void> {
    const hubKeys: KeyRecord[] =
      this.config.role === 'hub'
        ? [this.ownKeyRecord()]
        : await Promise.all(this.config.hub!.keys.map(async (k) => ({ kid: await thumbprint(k.jwk), ...k })));
    this.roster.setHubKeys(hubKeys);
    await this.roster.load();
    await this.quarantine.resume();
    // The hub trusts every key of its own on record (earlier ones keep their windows).
    const ownKeys = this.config.role === 'hub' ? this.roster.member(this.id)?.keys : undefined;
    if (ownKeys?.some((k) => k.kid === this.key.kid)) this.roster.setHubKeys(ownKeys);
    this.#server = server;
    this.#baseUrl = await server.listen();
    this.log.info({ url: this.#baseUrl, role: this.config.role }, 'node listening');
    if (this.config.role === 'hub') {
      // The members file adds members and may move or rename them; status and keys of a node
      // already in the roster change only through the hub API, so restarting with an old file
      // never undoes a revocation or a key rotation.
      const fromFile = this.config.membersFile ? await readMembersFile(this.config.membersFile) : [];
      const wanted = [
        this.selfMember(),
        ...fromFile
          .filter((m) => m.node !== this.id)
          .map((m) => {
            const held = this.roster.member(m.node);
            return held ? { ...held, name: m.name, baseUrl: m.baseUrl } : m;
          }),
      ];
      const changed = wanted.filter((m) => JSON.stringify(this.roster.member(m.node)) !== JSON.stringify(m));
      if (changed.length > 0) await this.publishMembers(changed, 'config');
    } else {
      await this.roster.refresh().catch((err) => {
        this.log.warn({ err: String(err) }, 'roster fetch failed; will retry');
        this.#retryRosterUntilConfirmed(1_000);
      });
    }
    this.delivery.start();
    this.#every(this.config.intervals.rosterMs, () => this.roster.refresh());
    this.#every(this.config.intervals.pullHubMs, () => this.pullFromHub());
    this.#every(this.config.intervals.pullPeersMs, () => this.pullFromPeers());
    this.#every(this.config.intervals.manifestMs, () => this.reconcileAll());
    // First catch-up right away, in the background.
    this.background(async () => {
      await this.pullFromHub();
      await this.pullFromPeers();
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
      role: this.config.role,
      status: 'active',
      keys: known.some((k) => k.kid === this.key.kid) ? known : [...known, this.ownKeyRecord()],
    };
  }

  /**
   * Until a roster is confirmed after a start, other nodes' objects wait (see
   * `rosterIntake`): retry the fetch sooner than `intervals.rosterMs`, doubling the wait.
   */
  #retryRosterUntilConfirmed(delayMs: number): void {
    if (this.#closed || this.roster.confirmedAt >= this.#startedAt) return;
    this.#rosterRetry = setTimeout(
      () =>
        this.background(() =>
          this.roster.refresh().catch((err) => {
            this.log.debug({ err: String(err), delayMs }, 'roster fetch failed again');
            this.#retryRosterUntilConfirmed(Math.min(delayMs * 2, this.config.intervals.rosterMs));
          }),
        ),
      delayMs,
    );
    this.#rosterRetry.unref();
  }

  #every(ms: number, fn: () => Promise<unknown>): void {
    const timer = setInterval(() => this.background(fn), ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Runs work that nobody awaits; `close()` waits for it, and failures are logged, never unhandled. */
  background(fn: () => Promise<unknown>): void {
    if (this.#closed) return;
    const task = fn()
      .catch((err) => {
        if (!this.#closed) this.log.warn({ err: String(err) }, 'background task failed');
      })
      .finally(() => this.#tasks.delete(task));
    this.#tasks.add(task);
  }

  // ------------------------------------------------------------ peers

  /** Records when a peer last called us (at most every 10 s per peer, off the request path). */
  touchPeer(node: string): void {
    const now = Date.now();
    if (now - (this.#lastTouched.get(node) ?? 0) < 10_000) return;
    this.#lastTouched.set(node, now);
    this.background(() => this.store.updatePeer(node, { lastInboundAt: new Date(now) }));
  }

  /** A federation client for `node`, or undefined if it is not a member with a URL. */
  peer(node: string): PeerApi | undefined {
    const member = this.roster.member(node);
    if (!member || node === this.id) return undefined;
    return this.#client(node, member.baseUrl);
  }

  /** A federation client for the hub (cities); before the roster lists it, at its configured URL. */
  hub(): PeerApi {
    const hub = this.config.hub!;
    return this.peer(hub.node) ?? this.#client(hub.node, hub.url);
  }

  #client(node: string, url: string): PeerApi {
    if (this.#closed) throw new Error('the node is shutting down');
    const cached = this.#clients.get(node);
    if (cached?.url === url) return cached.link.api;
    void cached?.link.close();
    const checked = checkPeerUrlSyntax(url, this.urlPolicy);
    if (!checked.ok) this.log.warn({ peer: node, url, reason: checked.reason }, 'peer URL refused; it is not called');
    const link = this.transport.link({
      baseUrl: url,
      self: this.id,
      target: node,
      key: () => this.key,
      timeoutMs: this.config.delivery.requestTimeoutMs,
    });
    this.#clients.set(node, { url, link });
    return link.api;
  }

  /** Closes every link to a peer (they reopen, freshly authenticated, on the next call). */
  #closeClients(): Promise<unknown> {
    const links = [...this.#clients.values()].map((c) => c.link.close());
    this.#clients.clear();
    return Promise.allSettled(links);
  }

  /** An unauthenticated client for the hub's enrollment procedures. */
  publicHub(): PeerApi {
    return this.transport.publicClient(this.config.hub!.url, this.config.delivery.requestTimeoutMs);
  }

  async pullFromHub(): Promise<number> {
    if (this.rosterIntake() === 'closed') return 0;
    return this.config.role === 'city' ? this.catchUp.pull(this.roster.hubNode) : 0;
  }

  /** Pulls from every other active member (the hub pulls from every city). */
  async pullFromPeers(): Promise<number> {
    if (this.rosterIntake() === 'closed') return 0;
    let n = 0;
    for (const node of this.roster.activeNodes()) {
      if (node !== this.id && node !== this.roster.hubNode) n += await this.catchUp.pull(node);
    }
    return n;
  }

  async reconcileAll(): Promise<number> {
    if (this.rosterIntake() === 'closed') return 0;
    let n = 0;
    for (const node of this.roster.activeNodes()) if (node !== this.id) n += await this.catchUp.reconcile(node);
    return n;
  }

  /**
   * Serving objects to a peer on a roster not confirmed since the start could hand them
   * to a member revoked meanwhile, and what was handed out cannot be taken back (what
   * came in can be quarantined): refused until confirmed, even past the grace.
   */
  #requireConfirmedRoster(peer: string): void {
    if (this.rosterIntake() === 'open') return;
    this.metrics.rejects.inc({ reason: 'roster_unconfirmed' });
    this.log.warn({ peer }, 'catch-up refused: roster not confirmed yet');
    throw new UnavailableError('roster not confirmed yet: this node restarted and has not reached the hub; retry');
  }

  /** Log entries after `after` that this node may pass to `peer`. */
  async changesFor(peer: string, after: number, limit: number) {
    this.#requireConfirmedRoster(peer);
    const all = await this.store.logAfter(after, limit);
    let bytes = 0;
    const rows = all.filter((r, i) => {
      bytes += r.object.jws.length;
      return i === 0 || bytes <= PAGE_BYTES;
    });
    // Where each peer's catch-up stands in our log (for the hub's network view).
    this.#pulledUpTo.set(peer, rows.length > 0 ? rows[rows.length - 1]!.seq : after);
    const maySend = await this.#sendable(
      rows.map((r) => r.object),
      peer,
    );
    const items = rows
      .filter((r) => r.object.hold !== 'quarantined' && maySend(r.object))
      .map((r) => ({ seq: r.seq, jws: r.object.jws }));
    return {
      epoch: this.store.epoch,
      items,
      next: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
      head: this.store.headSeq,
    };
  }

  /**
   * Ids of objects created since `since` that `peer` may receive, in id order.
   * Filtered before limiting, and the cursor is sealed: a page never hands over,
   * in `ids` or in `next`, the id of an object the peer may not receive. Each call
   * scans at most MANIFEST_SCAN_BUDGET rows; `next` is null once the scan reached
   * the end. `after` is a cursor from an earlier page, or (older peers) a plain id.
   */
  async manifestFor(peer: string, since: Date, after: string | undefined, limit: number) {
    this.#requireConfirmedRoster(peer);
    let position =
      after === undefined || ObjectIdSchema.safeParse(after).success ? after : this.#cursors.open(after, peer);
    const ids: string[] = [];
    let scanned = 0;
    let end = false;
    while (ids.length < limit && scanned < MANIFEST_SCAN_BUDGET) {
      const want = Math.min(Math.max(limit, 200), MANIFEST_SCAN_BUDGET - scanned);
      const rows = await this.store.objectsCreatedSince(since, position, want);
      scanned += rows.length;
      const maySend = await this.#sendable(rows, peer);
      for (const o of rows) {
        position = o.id;
        if (maySend(o)) ids.push(o.id);
        if (ids.length === limit) break;
      }
      if (rows.length < want) {
        end = position === rows[rows.length - 1]?.id || rows.length === 0;
        break;
      }
    }
    return { ids, next: end || position === undefined ? null : this.#cursors.seal(position, peer) };
  }

  async fetchFor(peer: string, ids: string[]): Promise<string[]> {
    this.#requireConfirmedRoster(peer);
    const objects = await this.store.getObjects(ids);
    const maySend = await this.#sendable(objects, peer);
    return objects.filter(maySend).map((o) => o.jws);
  }

  /**
   * Which of these objects this node may pass to `peer`: `canForward`, and for an
   * answer (acknowledgement, status, retraction, endorsement) the peer must also be
   * allowed what it answers, when that is held here.
   */
  async #sendable(objects: readonly StoredObject[], peer: string): Promise<(o: StoredObject) => boolean> {
    const answered = await this.#answered(objects);
    return (o) => canForwardResponse(marked(o), answered(o), this.id, peer);
  }

  /** The held objects that these objects answer, by answering object. */
  async #answered(objects: readonly StoredObject[]): Promise<(o: StoredObject) => Marked | undefined> {
    const wanted = [...new Set(objects.filter((o) => isResponseKind(o.kind) && o.target).map((o) => o.target!))];
    const held = new Map((wanted.length > 0 ? await this.store.getObjects(wanted) : []).map((t) => [t.id, marked(t)]));
    return (o) => (isResponseKind(o.kind) && o.target ? held.get(o.target) : undefined);
  }

  // ----------------------------------------------------------- authoring

  /** Signs a new object authored by this node, stores it, queues its deliveries. */
  async publish<K extends ObjectKind>(
    kind: K,
    input: Marking & { body: unknown },
    actor: SessionUser,
  ): Promise<{ id: string }> {
    this.#requireActiveMember();
    // The author of a RED object is one of its named people: answers to it reach the origin.
    const marking = withAuthorNamed(
      { tlp: input.tlp, audience: input.audience, recipients: input.recipients },
      { node: this.id, user: actor.username },
    );
    const object = {
      v: 1,
      kind,
      origin: this.id,
      created: new Date().toISOString(),
      tlp: marking.tlp,
      audience: marking.audience,
      ...(marking.recipients && { recipients: marking.recipients }),
      ...(input.expires && { expires: input.expires }),
      body: input.body,
    } as SignedObject;
    const signed = await signObject(object, this.key);
    const [result] = await this.inbound.receive([signed.jws], this.id, 'local', {
      actor: `user:${actor.username}`,
      action: `object.${kind}`,
      subject: signed.id,
      detail: { tlp: input.tlp, audience: input.audience },
    });
    if (!result || result.outcome === 'rejected') {
      throw new InvalidInputError(
        `not accepted: ${result && 'reason' in result ? `${result.reason}: ${result.detail}` : ''}`,
      );
    }
    return { id: signed.id };
  }

  /**
   * A city that is not an active member of the roster it holds could sign objects
   * that no peer would ever accept: say so instead of answering with an id.
   */
  #requireActiveMember(): void {
    if (this.config.role !== 'city' || this.roster.isActive(this.id)) return;
    const m = this.roster.member(this.id);
    const why = m
      ? `is ${m.status} in the network's roster`
      : 'is not in the network\u2019s roster yet (enroll with `citylink enroll` and wait for the hub to approve)';
    this.log.warn({ status: m?.status ?? null }, 'local post refused: this node is not an active member');
    throw new ConflictError(`not posted: ${this.id} ${why}; nothing it posts could be delivered`);
  }

  /**
   * Publishes an object about another one (acknowledgement, endorsement, status,
   * retraction) under `responseMarking`: the target's marking and audience, and for
   * a RED target, RED for exactly its named recipients (the author among them).
   */
  async respond(
    kind: 'acknowledgement' | 'endorsement' | 'bulletin-status' | 'retraction',
    targetId: string,
    body: Record<string, unknown>,
    actor: SessionUser,
  ): Promise<{ id: string }> {
    const target = await this.store.getObject(targetId);
    if (!target || !(await this.views.visible(actor, [target])).length)
      throw new NotFoundError(`no object ${targetId} visible to you here`);
    if (kind === 'retraction' && target.origin !== this.id) throw new ForbiddenError('only the author may retract');
    if (kind === 'endorsement' && target.kind !== 'note') throw new InvalidInputError('only notes can be endorsed');
    if (kind === 'bulletin-status') {
      if (target.kind !== 'bulletin') throw new InvalidInputError('status applies to bulletins');
      const isHubOfficial =
        this.config.role === 'hub' && actor.roles.some((r) => r === 'hub-official' || r === 'admin');
      if (target.origin !== this.id && !isHubOfficial) {
        throw new ForbiddenError('only the author city or a hub official may change the status');
      }
    }
    return this.publish(
      kind,
      { ...responseMarking(marked(target), this.id), body: { target: targetId, ...body } },
      actor,
    );
  }

  async currentPosture() {
    const latest = await this.store.latestOfKind('posture');
    if (!latest) return null;
    const o = decodeStored(latest);
    return { id: latest.id, created: o.created, ...(o.body as object) };
  }

  // ---------------------------------------------------------------- hub

  /**
   * Hub: publishes the next roster version with these members added or changed,
   * audits it, and offers the new roster to every active member right away (they
   * would also fetch it within `intervals.rosterMs`).
   */
  async publishMembers(members: Member[], actor: string, action = 'membership.upsert'): Promise<void> {
    if (this.config.role !== 'hub') throw new ForbiddenError('only the hub manages membership');
    const jws = await this.roster.publish(members, this.key);
    await this.store.audit({
      actor: actor.includes(':') ? actor : `user:${actor}`,
      action,
      subject: members.length === 1 ? members[0]!.node : null,
      detail: { members: members.map((m) => ({ node: m.node, status: m.status })), version: this.roster.version },
    });
    this.background(() => this.#offerRoster(jws));
  }

  async #offerRoster(jws: string): Promise<void> {
    const targets = this.roster.activeNodes().filter((n) => n !== this.id);
    const worker = async () => {
      for (let node = targets.shift(); node !== undefined && !this.#closed; node = targets.shift()) {
        await this.peer(node)
          ?.federation.offerRoster.mutate({ jws })
          .catch((err) => this.log.debug({ peer: node, err: String(err) }, 'roster offer failed; it will fetch it'));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }

  async networkHealth() {
    const [peers, pending] = await Promise.all([this.store.listPeers(), this.store.pendingByRecipient()]);
    const byNode = new Map(peers.map((p) => [p.node, p]));
    const now = Date.now();
    return this.roster.members().map((m) => {
      const p = byNode.get(m.node);
      const newestKey = m.keys.reduce((a, k) => (Date.parse(k.validFrom) > Date.parse(a.validFrom) ? k : a));
      return {
        node: m.node,
        name: m.name,
        role: m.role,
        status: m.status,
        lastSeen: p?.lastInboundAt?.toISOString() ?? null,
        /** Persistent links open now: the member's to this node, and this node's to the member. */
        link: {
          in: this.inboundLinks.isOpen(m.node),
          out: this.#clients.get(m.node)?.link.isOpen() ?? false,
        },
        lastPushOk: p?.lastPushOkAt?.toISOString() ?? null,
        /** The last failure talking to the member, unless a push or pull has worked since. */
        lastError: p?.lastError && !recoveredSince(p.lastErrorAt, [p.lastPushOkAt, p.lastPullAt]) ? p.lastError : null,
        backlog: pending[m.node] ?? 0,
        breaker: this.delivery.breakerState(m.node),
        pullCursor: p?.cursorSeq ?? 0,
        /** How far behind our log the member's catch-up is (null until it pulled since our start). */
        catchUpLag: this.#pulledUpTo.has(m.node) ? this.store.headSeq - this.#pulledUpTo.get(m.node)! : null,
        keyAgeDays: Math.floor((now - Date.parse(newestKey.validFrom)) / 86_400_000),
      };
    });
  }

  /** Creates a local account (for `citylink user add`, the demo and tests). */
  async addUser(u: { username: string; password: string; displayName?: string; roles: Role[] }) {
    const user = await this.accounts.create(u, [this.config.name, this.id]);
    await this.store.audit({ actor: 'admin', action: 'user.add', subject: u.username, detail: { roles: u.roles } });
    return user;
  }

  // ---------------------------------------------------------- lifecycle

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    clearTimeout(this.#rosterRetry);
    // Stop taking requests first, then let queued work finish, then close the database.
    await this.#server?.close();
    await this.delivery.stop();
    await this.statements.close();
    await Promise.allSettled([...this.#tasks]);
    await this.quarantine.settled();
    await this.#closeClients();
    await this.store.close();
    this.log.info('node stopped');
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function recoveredSince(failedAt: Date | null | undefined, successes: (Date | null | undefined)[]): boolean {
  return !!failedAt && successes.some((ok) => ok && ok.getTime() > failedAt.getTime());
}

/** Reads a members file: a JSON array of member records. */
export async function readMembersFile(path: string): Promise<Member[]> {
  const parsed = z.array(MemberSchema).safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new InvalidInputError(`${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
