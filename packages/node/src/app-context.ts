import { type NodeKey, ReplayCache } from '@citylink/crypto';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Accounts } from './accounts/accounts.js';
import { ApiTokens } from './accounts/api-tokens.js';
import { AuditTrail } from './accounts/audit-trail.js';
import { Authoring } from './authoring/authoring.js';
import { BackgroundTasks } from './background.js';
import { type Clock, systemClock } from './clock.js';
import { HubCluster } from './cluster/hub-cluster.js';
import { adoptRotatedKey } from './cluster/key-reload.js';
import type { NodeConfig } from './config.js';
import { RedDirectory } from './directory/red-directory.js';
import { CatchUp } from './federation/catch-up.js';
import { Delivery } from './federation/delivery.js';
import { InboundLinks } from './federation/inbound-links.js';
import type { PeerTransport } from './federation/peer-api.js';
import { PeerPool } from './federation/peer-pool.js';
import { PullSchedule } from './federation/pull-schedule.js';
import { FederationServing } from './federation/serving.js';
import { MispFeed } from './feeds/misp-feed.js';
import { createFeedGates } from './http/feed-gate.js';
import { FeedPull } from './imports/feed-pull.js';
import { StixImport } from './imports/stix-import.js';
import { FeedBus, Inbound } from './ingest/pipeline.js';
import { Membership } from './membership/membership.js';
import { Quarantine } from './membership/quarantine.js';
import { RosterIntake } from './membership/roster-intake.js';
import { RosterPublisher } from './membership/roster-publisher.js';
import { RosterState } from './membership/roster-state.js';
import { createMetrics, type Metrics } from './metrics.js';
import { NotificationCentre } from './notifications/centre.js';
import { NotificationDispatch } from './notifications/dispatch.js';
import { NeedsYou } from './notifications/needs-you.js';
import { Notifier } from './notifications/notifier.js';
import { smtpSender, webhookSender } from './notifications/senders.js';
import { CheckInModel } from './operations/checkin-model.js';
import { OnCall } from './operations/on-call.js';
import { Periods } from './operations/periods.js';
import { ShiftLog } from './operations/shift-log.js';
import { Situation } from './operations/situation.js';
import { Preparedness } from './preparedness/preparedness.js';
import { SigningKey } from './signing-key.js';
import { Statements } from './statements/statements.js';
import { StixIndex } from './taxii/stix-index.js';
import { TaxiiHttp } from './taxii/taxii-http.js';
import { STIX_KINDS, TaxiiSource } from './taxii/taxii-source.js';
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
  /** Defaults to the system clock; tests pass one they advance. */
  clock?: Clock;
}

/**
 * Every service of a node, each built once with only what it needs (atproto's
 * AppContext). Services that call each other late (the roster fetches from the hub
 * through the peer pool, the pool asks the roster for URLs) get closures, so the
 * order below is the only place that knows how they fit.
 */
export class AppContext {
  readonly config: NodeConfig;
  readonly clock: Clock;
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
  readonly tokens: ApiTokens;
  readonly taxii: TaxiiHttp;
  readonly stixIndex: StixIndex; // STIX id → the rows that carry it (TAXII by id), followed in the background
  readonly imports: StixImport;
  readonly misp: MispFeed;
  readonly feeds: FeedPull;
  readonly authoring: Authoring;
  readonly redDirectory: RedDirectory;
  readonly statements: Statements;
  readonly rosterPublisher: RosterPublisher;
  readonly membership: Membership;
  readonly health: NetworkHealth;
  readonly periods: Periods;
  readonly notifier: Notifier;
  readonly notifications: NotificationCentre;
  readonly needsYou: NeedsYou;
  readonly notificationDispatch: NotificationDispatch;
  readonly onCall: OnCall;
  readonly situation: Situation;
  readonly shiftLog: ShiftLog;
  readonly cluster: HubCluster;
  readonly preparedness: Preparedness;

  constructor(input: AppContextInput) {
    const { config, store, logger: log, transport } = input;
    const { nodeId: self, role } = config;
    this.config = config;
    this.clock = input.clock ?? systemClock;
    this.store = store;
    this.log = log;
    this.metrics = createMetrics(self);
    this.key = new SigningKey(input.key);
    this.tasks = new BackgroundTasks(log);
    this.inboundLinks = new InboundLinks(this.metrics);
    const peerPoints = Math.ceil(config.limits.peerRequestsPerSecond * 4);
    this.peerLimiter = new RateLimiterMemory({ points: peerPoints, duration: 4 });
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
      // A hub process sharing the database: another process may have rotated the key (cluster/key-reload.ts).
      ...(role === 'hub' && { fetchHubKeyChain: () => this.membership.hubKeyChain() }),
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
      receivesRed: (username) => this.redDirectory.receivesRed(username),
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
    this.tokens = new ApiTokens(store);
    const gates = createFeedGates();
    this.misp = new MispFeed({
      store,
      views: this.views,
      tokens: this.tokens,
      gates,
      log,
      nodeName: (node) => this.roster.member(node)?.name ?? node,
    });
    this.stixIndex = new StixIndex({ store, kinds: STIX_KINDS });
    this.taxii = new TaxiiHttp({
      store,
      tokens: this.tokens,
      source: new TaxiiSource({
        store,
        views: this.views,
        index: this.stixIndex,
        members: () => this.roster.members(),
      }),
      gates,
      log,
      name: config.name,
      baseUrl: input.baseUrl,
    });
    this.authoring = new Authoring({
      self,
      role,
      roster: this.roster,
      key: this.key,
      inbound: this.inbound,
      store,
      views: this.views,
      log,
      checkRecipients: (recipients, author) => this.redDirectory.checkRecipients(recipients, author),
    });
    this.redDirectory = new RedDirectory({
      self,
      store,
      roster: this.roster,
      publish: (kind, input, actor) => this.authoring.publish(kind, input, actor),
      log,
    });
    this.imports = new StixImport({
      self,
      store,
      authoring: this.authoring,
      log,
      isMember: (node) => this.roster.member(node) !== undefined,
    });
    this.feeds = new FeedPull({ store, imports: this.imports, log, timeoutMs: config.delivery.requestTimeoutMs });
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
      leading: () => this.cluster.leading,
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
    this.periods = new Periods({
      role,
      hubNode,
      store,
      clock: this.clock,
      publish: (kind, body, actor) => this.authoring.publish(kind, body, actor),
    });
    this.notificationDispatch = new NotificationDispatch({
      store,
      clock: this.clock,
      config: config.operations,
      senders: {
        email: smtpSender(config.operations.smtp),
        webhook: webhookSender(config.operations.webhooks, () => this.key.current(), this.clock),
      },
      log,
    });
    this.notifier = new Notifier({
      self,
      config: config.operations,
      wake: () => this.tasks.run(() => this.notificationDispatch.flush()),
    });
    this.notifications = new NotificationCentre({ store, clock: this.clock, events: this.notifier.events });
    this.needsYou = new NeedsYou({
      self,
      store,
      clock: this.clock,
      roster: this.roster,
      notifier: this.notifier,
      bus: this.bus,
      log,
      run: (fn) => this.tasks.run(fn),
    });
    this.onCall = new OnCall(store);
    this.situation = new Situation({
      self,
      store,
      clock: this.clock,
      periods: this.periods,
      checkIns: new CheckInModel({ store, bus: this.bus }),
      roster: this.roster,
      onCall: this.onCall,
      notifier: this.notifier,
      liaisons: (city) => this.preparedness.liaisonsOf(city),
      log,
    });
    this.shiftLog = new ShiftLog({
      self,
      role,
      store,
      periods: this.periods,
      publish: (kind, body, actor) => this.authoring.publish(kind, body, actor),
    });
    this.cluster = new HubCluster({
      store,
      bus: this.bus,
      tasks: this.tasks,
      log,
      metrics: this.metrics,
      leaderPollMs: config.cluster.leaderPollMs,
      wakeDelivery: () => this.delivery.wake(),
      reloadRoster: () => this.roster.load(),
      reloadKey: () => adoptRotatedKey({ self, roster: this.roster, key: this.key, keyFile: config.keyFile, log }),
      offerRoster: () => this.rosterPublisher.offerCurrent(),
    });
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
      now: () => new Date(this.clock()),
      periods: () => this.periods.list(),
    });
  }
}
