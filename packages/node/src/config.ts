import { availableParallelism } from 'node:os';
import { Ed25519PublicJwkSchema, NodeIdSchema } from '@citylink/protocol';
import { z } from 'zod';
import { OperationsConfigSchema } from './notifications/notifications-config.js';
import { secret } from './secret.js';

export const NodeConfigSchema = z.object({
  nodeId: NodeIdSchema,
  role: z.enum(['city', 'hub']),
  name: z.string().min(1).max(200),
  /** The network's id (the hub's node id is a good choice). */
  network: NodeIdSchema,
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Public URL other nodes reach this one at; defaults to http://host:port once listening. */
  baseUrl: z.url().optional(),
  /** `postgres://…` for PostgreSQL; otherwise `sqlitePath`. */
  databaseUrl: z.string().optional(),
  sqlitePath: z.string().default(':memory:'),
  /** Path of this node's private key file (mode 0600). */
  keyFile: z.string(),
  /**
   * Development and tests only: peers may be called over plain http and at loopback
   * and private addresses. Off, only https to public addresses is called (docs/operations.md).
   */
  allowInsecurePeers: z.boolean().default(false),
  /** Cities: the hub they trust, pinned by its public key(s). */
  hub: z
    .object({
      node: NodeIdSchema,
      url: z.url(),
      keys: z.array(z.object({ jwk: Ed25519PublicJwkSchema, validFrom: z.string() })).min(1),
    })
    .optional(),
  intervals: z
    .object({
      /** How often a city re-fetches the roster from the hub. */
      rosterMs: z.number().int().positive().default(60_000),
      /** How often a node pulls changes from the hub (cities) . */
      pullHubMs: z.number().int().positive().default(15_000),
      /** How often a node pulls changes from every peer. */
      pullPeersMs: z.number().int().positive().default(300_000),
      /** How often a node compares manifests with the hub. */
      manifestMs: z.number().int().positive().default(3_600_000),
      /** Idle wake-up of the delivery worker (it is also woken on every new object). */
      deliveryTickMs: z.number().int().positive().default(5_000),
    })
    .prefault({}),
  delivery: z
    .object({
      batchSize: z.number().int().min(1).max(100).default(100),
      concurrency: z.number().int().min(1).max(64).default(8),
      backoffBaseMs: z.number().int().positive().default(1_000),
      backoffCapMs: z.number().int().positive().default(300_000),
      breakerThreshold: z.number().int().min(1).default(5),
      breakerHalfOpenMs: z.number().int().positive().default(30_000),
      requestTimeoutMs: z.number().int().positive().default(15_000),
      /**
       * How this node calls its peers: one persistent, once-authenticated WebSocket
       * per peer (default), or an HTTP request with its own request token per call.
       */
      transport: z.enum(['websocket', 'http']).default('websocket'),
      /**
       * A WebSocket link without traffic for this long is closed (it reopens on the
       * next call). At most 25 s: a node pings a link after 30 s of quiet, and a ping
       * counts as traffic, so a longer setting would keep idle links open for ever.
       */
      linkIdleMs: z.number().int().positive().max(25_000).default(20_000),
    })
    .prefault({}),
  limits: z
    .object({
      /** Federation requests per peer per second (burst = 4 s worth). */
      peerRequestsPerSecond: z.number().positive().default(50),
      /** Sign-in attempts per account and address; each attempt takes a point before the password is checked. */
      loginAttemptsPer15Min: z.number().int().positive().default(10),
      /** Failed sign-ins from one address across all usernames (password spraying). */
      loginFailuresPerAddressPer15Min: z.number().int().positive().default(50),
      /**
       * Password checks (argon2, ~20 MiB and a core for tens of ms each) running at once;
       * they share libuv's pool with signature checks. Default: half the cores, 1 to 4.
       */
      passwordHashConcurrency: z
        .number()
        .int()
        .min(1)
        .max(16)
        .default(() => Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)))),
      /**
       * Password checks per second in all (burst: four seconds' worth), so that a flood from
       * many addresses keeps argon2 to a fraction of a core; past it, 429 at once.
       */
      passwordChecksPerSecond: z.number().positive().default(5),
      /** Sign-ins waiting for a password check; past this they are answered 429 at once. */
      passwordHashQueue: z.number().int().min(0).max(1000).default(8),
      /** Most calls in one HTTP batch or one WebSocket frame (more: 400, nothing runs). */
      maxBatchCalls: z.number().int().min(1).max(1000).default(50),
      /** WebSockets open and not authenticated yet, per client address and in all. */
      wsUnauthenticatedPerAddress: z.number().int().min(1).default(64),
      wsUnauthenticatedTotal: z.number().int().min(1).default(256),
      /** A WebSocket that has not authenticated (session or link token) this long after opening is closed. */
      wsAuthenticateMs: z.number().int().positive().default(15_000),
      /** A WebSocket that sends nothing (not even its connection params) for this long is closed. */
      wsFirstMessageMs: z.number().int().positive().default(15_000),
      /** A peer's link is asked to re-authenticate with a fresh token this often (and cut a minute later if it does not). */
      linkMaxAgeMs: z.number().int().positive().default(3_600_000),
      /**
       * Cities: after a start, objects from other nodes are refused (503, retried by the
       * sender) until a roster fetched from the hub confirms who may sign what. If the hub
       * stays unreachable this long, they are taken, marked unconfirmed until a roster does.
       */
      rosterGraceMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
  metrics: z
    .object({
      /**
       * `GET /metrics` answers only with `Authorization: Bearer <token>`; without a
       * token configured it answers 404 (peer names and traffic are not public).
       */
      token: secret(32).optional(),
    })
    .prefault({}),
  enrollment: z
    .object({
      /** Hub: a pending enrollment request not decided within this long expires (and stops holding its node id). */
      pendingTtlMs: z
        .number()
        .int()
        .positive()
        .default(7 * 24 * 3600 * 1000),
      /** Hub: at most this many undecided requests for one node id at a time. */
      maxCompeting: z.number().int().min(1).max(100).default(5),
    })
    .prefault({}),
  /** Hub processes sharing one PostgreSQL database (docs/operations.md "Running the hub highly available"). */
  cluster: z
    .object({
      /** An outbox row handed to a process stays its own this long; a dead process's rows are pushed again after it. */
      claimLeaseMs: z.number().int().min(1_000).default(30_000),
      /** How often a process that does not lead asks for leadership (a dead leader is replaced within this). */
      leaderPollMs: z.number().int().min(100).default(5_000),
      /**
       * Every hub process's own address, the same list in each process's config: the
       * hub's roster entry lists them, and cities spread over them and fail over.
       */
      endpoints: z.array(z.url()).min(1).max(16).optional(),
    })
    .prefault({}),
  /**
   * Hub only: external TAXII 2.1 collections the hub pulls and imports as hub-signed
   * bulletins (docs/stix.md, "Import"). `url` is the API root; `username`/`password`
   * are sent as HTTP Basic (a token-only server: any username, the token as password);
   * `password` may name an environment variable or a file instead (secret.ts).
   */
  feeds: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/),
        url: z.url(),
        collection: z.string().min(1).max(200),
        username: z.string().max(200).optional(),
        password: secret().optional(),
        intervalMs: z.number().int().min(10_000).default(3_600_000),
        defaultTlp: z.enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT']).default('AMBER'),
      }),
    )
    .max(50)
    .default([]),
  /**
   * Hub only: a JSON file listing member records (see docs/operations.md). On start
   * the hub publishes a new roster version if the file differs from what it holds.
   */
  membersFile: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Serve the web console from this directory, if set. */
  webRoot: z.string().optional(),
  /** Election Day: escalation tick, e-mail (SMTP) and signed webhooks. */
  operations: OperationsConfigSchema,
});

export type NodeConfig = z.infer<typeof NodeConfigSchema>;
export type NodeConfigInput = z.input<typeof NodeConfigSchema>;
