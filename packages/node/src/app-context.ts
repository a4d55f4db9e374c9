import { type NodeKey, ReplayCache } from '@citylink/crypto';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Accounts } from './accounts/accounts.js';
import { AuditTrail } from './accounts/audit-trail.js';
import { Authoring } from './authoring/authoring.js';
import { BackgroundTasks } from './background.js';
import type { NodeConfig } from './config.js';
import { CatchUp } from './federation/catch-up.js';
import { Delivery } from './federation/delivery.js';
import { InboundLinks } from './federation/inbound-links.js';
import type { PeerTransport } from './federation/peer-api.js';
import { PeerPool } from './federation/peer-pool.js';
import { PullSchedule } from './federation/pull-schedule.js';
import { FederationServing } from './federation/serving.js';
import { FeedBus, Inbound } from './ingest/pipeline.js';
import { Membership } from './membership/membership.js';
import { Quarantine } from './membership/quarantine.js';
import { RosterIntake } from './membership/roster-intake.js';
import { RosterPublisher } from './membership/roster-publisher.js';
import { RosterState } from './membership/roster-state.js';
import { createMetrics, type Metrics } from './metrics.js';
import { Preparedness } from './preparedness/preparedness.js';
import { SigningKey } from './signing-key.js';
import { Statements } from './statements/statements.js';
import { NetworkHealth } from './views/network-health.js';
import { Views } from './views/views.js';

export interface AppContextInput {
  config: NodeConfig;
  store: Store;
  key: NodeKey;
  logger: Logger;
  transport: PeerTransport;
  /** The URL the node is reached at, once it listens. */
  baseUrl: () => string;
}

/**
 * Every service of a node, each built once with only what it needs (atproto's
 * AppContext). Services that call each other late (the roster fetches from the hub
 * through the peer pool, the pool asks the roster for URLs) get closures, so the
 * order below is the only place that knows how they fit.
 */
export class AppContext {
  readonly config: NodeConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly key: SigningKey;
  readonly tasks: BackgroundTasks;
  readonly bus = new FeedBus();
  readonly replay = new ReplayCache();
  readonly peerLimiter: RateLimiterMemory;
  /** Enrollment requests per client address (they come from nodes that are not members yet). */
  readonly enrollLimiter = new RateLimiterMemory({ points: 20, duration: 3600 });
  readonly inboundLinks: InboundLinks;
  readonly quarantine: Quarantine;
  readonly roster: RosterState;
  readonly intake: RosterIntake;
  readonly peers: PeerPool;
  readonly inbound: Inbound;
  readonly delivery: Delivery;
  readonly catchUp: CatchUp;
  readonly pulls: PullSchedule;
  readonly serving: FederationServing;
  readonly views: Views;
  readonly accounts: Accounts;
  readonly audit: AuditTrail;
  readonly authoring: Authoring;
  readonly statements: Statements;
  readonly rosterPublisher: RosterPublisher;
  readonly membership: Membership;
  readonly health: NetworkHealth;
  readonly preparedness: Preparedness;

  constructor(input: AppContextInput) {
    const { config, store, logger: log, transport } = input;
    const self = config.nodeId;
    const role = config.role;
    this.config = config;
    this.store = store;
    this.log = log;
    this.metrics = createMetrics(self);
    this.key = new SigningKey(input.key);
    this.tasks = new BackgroundTasks(log);
    this.inboundLinks = new InboundLinks(this.metrics);
    this.peerLimiter = new RateLimiterMemory({
      points: Math.ceil(config.limits.peerRequestsPerSecond * 4),
      duration: 4,
    });
    const hubNode = role === 'hub' ? self : config.hub!.node;
    const hub = () => this.peers.hub();
    this.quarantine = new Quarantine({
      self,
      hubNode,
      store,
      log,
      member: (node) => this.roster.member(node),
      rosterVersion: () => this.roster.version,
    });
    this.roster = new RosterState({
      self,
      role,
      network: config.network,
      hubNode,
      store,
      log,
      onAdopt: (before, after, write) => this.quarantine.schedule(before, after, write),
      onConfirm: (upTo) => this.quarantine.confirm(upTo),
      ...(role === 'city' && {
        fetchRoster: async () => {
          const res = await hub().federation.roster.query();
          if (!res.jws) throw new Error('the hub has no roster yet');
          return res.jws;
        },
        fetchHubKeyChain: async () => (await hub().federation.hubKeyChain.query()).chain,
      }),
    });
    this.intake = new RosterIntake({
      role,
      limits: config.limits,
      rosterMs: config.intervals.rosterMs,
      roster: this.roster,
      tasks: this.tasks,
      metrics: this.metrics,
      log,
    });
    this.peers = new PeerPool({
      self,
      hub: config.hub,
      roster: this.roster,
      key: this.key,
      transport,
      policy: { allowInsecure: config.allowInsecurePeers },
      timeoutMs: config.delivery.requestTimeoutMs,
      log,
    });
    const peer = (node: string) => this.peers.peer(node);
    this.inbound = new Inbound({
      self,
      role,
      store,
      roster: this.roster,
      metrics: this.metrics,
      log,
      bus: this.bus,
      resolveKey: async (node, kid) => {
        const key = this.key.current();
        if (node === self && kid === key.kid) return { record: this.key.record(), key: key.publicKey };
        return this.roster.resolveKey(node, kid);
      },
      extraRules: (o, ctx) => this.statements.check(o, ctx),
      onQueued: () => this.delivery.wake(),
      intake: () => this.intake.state(),
    });
    this.delivery = new Delivery({
      self,
      store,
      roster: this.roster,
      metrics: this.metrics,
      log,
      config: config.delivery,
      tickMs: config.intervals.deliveryTickMs,
      client: peer,
    });
    this.catchUp = new CatchUp({ store, inbound: this.inbound, log, metrics: this.metrics, client: peer });
    this.pulls = new PullSchedule({ self, role, roster: this.roster, intake: this.intake, catchUp: this.catchUp });
    this.serving = new FederationServing({ self, store, intake: this.intake, tasks: this.tasks });
    this.views = new Views({
      self,
      role,
      store,
      bus: this.bus,
      ...(role === 'city' && {
        relayed: async (id: string) =>
          (await hub().federation.deliveryReport.query({ ids: [id] })).deliveries.filter((d) => d.objectId === id),
      }),
    });
    this.accounts = new Accounts(store, config.limits, log);
    this.audit = new AuditTrail(store);
    this.authoring = new Authoring({
      self,
      role,
      roster: this.roster,
      key: this.key,
      inbound: this.inbound,
      store,
      views: this.views,
      log,
    });
    this.statements = new Statements({
      id: self,
      config,
      roster: this.roster,
      store,
      bus: this.bus,
      log,
      views: this.views,
      publish: (kind, body, actor) => this.authoring.publish(kind, body, actor),
      signingKey: () => this.key.current(),
    });
    this.rosterPublisher = new RosterPublisher({
      self,
      role,
      roster: this.roster,
      key: this.key,
      store,
      tasks: this.tasks,
      peer,
      log,
    });
    this.membership = new Membership(
      {
        id: self,
        baseUrl: input.baseUrl,
        config,
        log,
        roster: this.roster,
        store,
        urlPolicy: { allowInsecure: config.allowInsecurePeers },
        hub,
        publicHub: () => this.peers.publicHub(),
        publishMembers: (members, actor, action, alongside) =>
          this.rosterPublisher.publishMembers(members, actor, action, alongside),
      },
      { current: () => this.key.current(), replace: (next) => this.key.replace(next) },
    );
    this.health = new NetworkHealth({
      store,
      roster: this.roster,
      delivery: this.delivery,
      inboundLinks: this.inboundLinks,
      peers: this.peers,
      serving: this.serving,
    });
    this.preparedness = new Preparedness({
      self,
      role,
      store,
      bus: this.bus,
      log,
      roster: this.roster,
      views: this.views,
      publish: (kind, body, actor) => this.authoring.publish(kind, body, actor),
    });
  }
}
