import { EventEmitter } from 'node:events';
import type { Knex } from '@mikro-orm/knex';
import type pg from 'pg';
import { clientConfig, loadPg } from './pg-hosts.js';

/**
 * Several hub processes on one PostgreSQL database (docs/architecture.md "Several hub
 * processes"). What they coordinate through the database:
 *
 * - the append lock: a session advisory lock, held from before the dedupe read until
 *   after the append's commit, so sequence numbers commit in order across processes
 *   and no reader ever skips one that commits late;
 * - named sections (`serialized`): the same kind of lock under another key, e.g. the
 *   roster's next version;
 * - leadership: `pg_try_advisory_lock` on a connection of its own, so the run-once jobs
 *   run in one process, and the next one takes over when that session ends;
 * - wake-ups: LISTEN/NOTIFY, a hint only (the log and the outbox stay the truth).
 */

/** Advisory lock keys (64-bit), one per purpose; the node lock's own key is in dialect.ts. */
export const LOCK_KEYS = {
  append: '4857541737417633388',
  leader: '4857541737417633389',
  roster: '4857541737417633390',
} as const;

export type LockName = Exclude<keyof typeof LOCK_KEYS, 'leader'>;

/** Channels: `log` carries `<process>:<first seq>:<head>`, `roster` `<process>:<version>`. */
export const CHANNELS = { log: 'citylink_log', roster: 'citylink_roster' } as const;

interface PgConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Runs `fn` while this session holds the advisory lock `key` (waiting for it), on a pooled connection set aside. */
export async function withAdvisoryLock<T>(knex: Knex, key: string, fn: () => Promise<T>): Promise<T> {
  const client = knex.client as {
    acquireConnection(): Promise<PgConnection>;
    releaseConnection(c: PgConnection): Promise<void>;
  };
  const conn = await client.acquireConnection();
  try {
    await conn.query('select pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn();
    } finally {
      // A broken session has dropped the lock already.
      await conn.query('select pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

export interface LogNotice {
  process: string;
  firstSeq: number;
  head: number;
}

export const logNotice = (n: LogNotice): string => `${n.process}:${n.firstSeq}:${n.head}`;

function parseLogNotice(payload: string | undefined): LogNotice | undefined {
  const [process, first, head] = (payload ?? '').split(':');
  const firstSeq = Number(first);
  const h = Number(head);
  return process && Number.isSafeInteger(firstSeq) && Number.isSafeInteger(h)
    ? { process, firstSeq, head: h }
    : undefined;
}

export interface CoordinatorEvents {
  /** Another process appended `firstSeq..head`. */
  log: [LogNotice];
  /** Some process published a roster version. */
  roster: [number];
  /** The listening session was re-established: notices may have been missed meanwhile. */
  reconnected: [];
  leader: [boolean];
}

/**
 * One process's sessions for leadership and wake-ups. Each is a plain `pg.Client` of
 * its own (not the pool): a session lock and LISTEN belong to one session. A lost
 * session is re-opened after `retryMs`; losing it also loses leadership (the server
 * dropped the lock), which is announced.
 */
export class Coordinator extends EventEmitter<CoordinatorEvents> {
  #listener: pg.Client | undefined;
  #leaderSession: pg.Client | undefined;
  #leading = false;
  #stopped = false;
  #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly url: string,
    readonly process: string,
    private readonly retryMs = 1_000,
  ) {
    super();
  }

  get leading(): boolean {
    return this.#leading;
  }

  async start(): Promise<void> {
    await this.#listen();
  }

  async #listen(): Promise<void> {
    if (this.#stopped) return;
    let client: pg.Client;
    try {
      client = new (await loadPg()).Client({ ...(await clientConfig(this.url)), connectionTimeoutMillis: 5_000 });
    } catch {
      this.#later(() => this.#listen().then(() => this.emit('reconnected')));
      return;
    }
    const lost = () => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      client.end().catch(() => undefined);
      this.#later(() => this.#listen().then(() => this.emit('reconnected')));
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (m) => {
      if (m.channel === CHANNELS.log) {
        const notice = parseLogNotice(m.payload);
        if (notice && notice.process !== this.process) this.emit('log', notice);
      } else if (m.channel === CHANNELS.roster) {
        // The publisher has it already; the others adopt it.
        const [from, v] = (m.payload ?? '').split(':');
        const version = Number(v);
        if (from !== this.process && Number.isSafeInteger(version)) this.emit('roster', version);
      }
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNELS.log}`);
      await client.query(`listen ${CHANNELS.roster}`);
      this.#listener = client;
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#later(() => this.#listen().then(() => this.emit('reconnected')));
    }
  }

  /**
   * Tries to become (or confirms being) the leader; returns whether this process leads.
   * The lock is held by the session, so it is handed over when this process dies.
   */
  async tryLead(): Promise<boolean> {
    if (this.#stopped) return false;
    if (this.#leading && this.#leaderSession) return true;
    const session = this.#leaderSession ?? (await this.#openLeaderSession());
    if (!session) return false;
    try {
      const { rows } = await session.query('select pg_try_advisory_lock($1::bigint) as ok', [LOCK_KEYS.leader]);
      this.#setLeading(rows[0]?.ok === true);
    } catch {
      this.#setLeading(false);
    }
    return this.#leading;
  }

  async #openLeaderSession(): Promise<pg.Client | undefined> {
    let session: pg.Client;
    try {
      session = new (await loadPg()).Client({ ...(await clientConfig(this.url)), connectionTimeoutMillis: 5_000 });
    } catch {
      return undefined;
    }
    const lost = () => {
      if (this.#leaderSession !== session) return;
      this.#leaderSession = undefined;
      session.end().catch(() => undefined);
      this.#setLeading(false);
    };
    session.on('error', lost);
    session.on('end', lost);
    try {
      await session.connect();
    } catch {
      session.removeAllListeners('end');
      await session.end().catch(() => undefined);
      return undefined;
    }
    this.#leaderSession = session;
    return session;
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.emit('leader', leading);
  }

  #later(fn: () => Promise<unknown>): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      void fn().catch(() => undefined);
    }, this.retryMs);
    t.unref();
    this.#timers.add(t);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const sessions = [this.#listener, this.#leaderSession];
    this.#listener = undefined;
    this.#leaderSession = undefined;
    this.#setLeading(false);
    for (const s of sessions) {
      s?.removeAllListeners('end');
      await s?.end().catch(() => undefined);
    }
  }
}

/**
 * What a Store does differently when hub processes share its database: the append
 * lock and named sections through the database, the wake-up sent with each append,
 * and the claim lease of the outbox rows it hands out.
 */
export class Sharing {
  constructor(
    private readonly knex: Knex,
    readonly coordinator: Coordinator,
    readonly claimLeaseMs: number,
  ) {}

  /** `fn` while holding the database's lock `name` (after the in-process one the caller holds). */
  locked<T>(name: LockName, fn: () => Promise<T>): Promise<T> {
    return withAdvisoryLock(this.knex, LOCK_KEYS[name], fn);
  }

  /** Queues a wake-up in the transaction `trx`: delivered when it commits, never if it rolls back. */
  async notifyAppend(trx: Knex, firstSeq: number, head: number): Promise<void> {
    const notice = logNotice({ process: this.coordinator.process, firstSeq, head });
    await trx.raw('select pg_notify(?, ?)', [CHANNELS.log, notice]);
  }

  async notifyRoster(trx: Knex | undefined, version: number): Promise<void> {
    await (trx ?? this.knex).raw('select pg_notify(?, ?)', [CHANNELS.roster, `${this.coordinator.process}:${version}`]);
  }

  claim(now: Date): { owner: string; until: Date } {
    return { owner: this.coordinator.process, until: new Date(now.getTime() + this.claimLeaseMs) };
  }
}

export interface OpenOptions {
  /** A node process: takes the node lock (see `Store.open`). */
  node?: boolean;
  /** Hub processes on PostgreSQL: several share the database (a city still may not). */
  shared?: boolean;
  /** Shared: how long an outbox row handed to a process stays claimed by it (default 30 s). */
  claimLeaseMs?: number;
  /** The node's clock (ms) for `received_at`; injected by tests so they never sleep. */
  clock?: () => number;
}
