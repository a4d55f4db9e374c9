import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import { Mutex } from 'async-mutex';
import { type AppendInput, type AppendResult, planAppend, writeAppend } from './append.js';
import { type DatabaseConfig, migrate, ormOptions, prepareSqliteFile } from './database.js';
import { Db, type Engine, engineOf } from './db.js';
import { type Dialect, dialectOf, type NodeLock, prepareSession, takeNodeLock } from './dialect.js';
import type {
  Enrollment,
  Item,
  MemberRecord,
  ObjectHold,
  OutboxEntry,
  PeerState,
  Session,
  StoredObject,
  User,
} from './entities.js';
import { registerEngine } from './internals.js';
import { SharedLoginThrottles } from './login-throttle.js';
import { StoreReader } from './reader.js';
import { indexPendingSearch, SearchIndexer } from './search.js';
import { Coordinator, type OpenOptions, Sharing } from './shared.js';
import { appendLateLocked } from './shared-append.js';
import type { AuditQuery, NewAuditEvent } from './tables/audit.js';
import type { EnrollmentDecision, NewEnrollment } from './tables/enrollments.js';
import type { ItemPatch, ItemQuery, ItemsReader } from './tables/items.js';
import type { LogRow } from './tables/log.js';
import type { NewMember } from './tables/members.js';
import type { SignedWith } from './tables/objects.js';
import type { DueDelivery, OutcomeJob } from './tables/outbox.js';
import type { SessionOwner } from './tables/sessions.js';
import type { NewUser, UserPatch } from './tables/users.js';
import { claimTokenOnce } from './token-replay.js';
import { StoreTransactor } from './transactor.js';
import { type WalSync, walSyncFor } from './wal-sync.js';

const EPOCH_KEY = 'log_epoch';

/**
 * A node's database. `read(fn)` hands `fn` one reader per table; `transact(fn)` the
 * same plus their writes, all in one transaction, with `onCommit` for side effects.
 * Objects become part of the node's state only through `append`, which stores the
 * object, assigns its log sequence number and queues its deliveries in one
 * transaction, one append at a time, so sequence numbers are gap-free and commit in
 * order. The named methods below are shorthands for one reader or writer call.
 */
export class Store {
  readonly #appendLock = new Mutex();
  readonly #rosterLock = new Mutex();
  /** Set when hub processes share this database (PostgreSQL, `shared`). */
  #sharing: Sharing | undefined;
  readonly #engine: Engine;
  readonly #reader: StoreReader;
  #headSeq = 0;
  #nodeLock: NodeLock | undefined;
  /** The node's clock (ms): when objects were received (`received_at`). Injected by tests so they never sleep. */
  #clock: () => number = Date.now;
  #walSync: WalSync | undefined;
  #searchIndex = new SearchIndexer(() => indexPendingSearch(Db.pool(this.#engine)));

  readonly dialect: Dialect;

  private constructor(
    engine: Engine,
    readonly epoch: string,
  ) {
    this.#engine = engine;
    this.dialect = engine.dialect;
    this.#reader = new StoreReader(Db.pool(this.#engine));
    registerEngine(this, this.#engine);
  }

  /**
   * Opens the database and brings its schema up to date. `node: true` (a node
   * process) also takes the database for this process alone until `close()`: a
   * second node on the same database fails with `DatabaseInUseError`, since two
   * would hand out the same log sequence numbers. Tools that only add accounts or
   * read open it without. `shared` (hub processes, PostgreSQL only): any number of
   * hub processes share it, coordinated through it (src/shared.ts); a city still may not.
   */
  static async open(config: DatabaseConfig, opts: OpenOptions = {}): Promise<Store> {
    const dialect = dialectOf(config);
    const shared = opts.shared === true && dialect === 'postgresql';
    if (dialect === 'sqlite') prepareSqliteFile(config.sqlitePath ?? ':memory:');
    const orm = await MikroORM.init(await ormOptions(config));
    let lock: NodeLock | undefined;
    let walSync: WalSync | undefined;
    try {
      const engine = engineOf(orm, dialect);
      if (opts.node)
        lock = await takeNodeLock(dialect, config.sqlitePath ?? ':memory:', config.databaseUrl ?? '', shared);
      await prepareSession(orm, dialect);
      await migrate(orm, dialect);
      walSync = await walSyncFor(engine.knex, dialect, config.sqlitePath ?? ':memory:');
      const epoch = await Db.single(engine, (db) =>
        new StoreTransactor(db).meta.getOrInsert(EPOCH_KEY, () => randomBytes(12).toString('base64url')),
      );
      const store = new Store(engine, epoch);
      store.#nodeLock = lock;
      if (opts.clock) store.#clock = opts.clock;
      store.#walSync = walSync;
      if (config.searchIndexIdleMs !== undefined) {
        store.#searchIndex = new SearchIndexer(() => indexPendingSearch(Db.pool(engine)), {
          idleMs: config.searchIndexIdleMs,
          maxQueued: 5_000,
        });
      }
      store.#headSeq = await store.#reader.log.head();
      if (shared) {
        const coordinator = new Coordinator(config.databaseUrl!, randomBytes(9).toString('base64url'));
        coordinator.on('log', (n) => store.#noteHead(n.head));
        await coordinator.start();
        store.#sharing = new Sharing(engine.knex, coordinator, opts.claimLeaseMs ?? 30_000);
      }
      return store;
    } catch (err) {
      await lock?.release();
      await walSync?.close();
      await orm.close(true);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#appendLock.waitForUnlock();
    await this.#sharing?.coordinator.stop();
    await this.#searchIndex.close();
    const lock = this.#nodeLock;
    this.#nodeLock = undefined; // closing twice is harmless
    await lock?.release();
    await this.#walSync?.close();
    this.#walSync = undefined;
    await this.#engine.orm.close(true);
  }

  get headSeq(): number {
    return this.#headSeq;
  }

  /** Hub processes sharing this database: leadership, and wake-ups from the others. */
  get coordinator(): Coordinator | undefined {
    return this.#sharing?.coordinator;
  }

  #noteHead(head: number): void {
    this.#headSeq = Math.max(this.#headSeq, head);
  }

  /** Runs `fn` alone among roster publishers, in every hub process sharing the database. Before any transaction. */
  serializedRoster<T>(fn: () => Promise<T>): Promise<T> {
    const sharing = this.#sharing;
    return this.#rosterLock.runExclusive(() => (sharing ? sharing.locked('roster', fn) : fn()));
  }

  /** Hub processes sharing the database: claims a request token's id for all of them (token-replay.ts); alone, true. */
  claimTokenAcrossProcesses = (issuer: string, jti: string, expiresAt: Date): Promise<boolean> =>
    this.#sharing ? claimTokenOnce(this.#engine.knex, issuer, jti, expiresAt) : Promise.resolve(true);

  /** Hub processes sharing the database: sign-in counters for all of them (login-throttle.ts); alone, undefined. */
  get loginThrottles(): SharedLoginThrottles | undefined {
    return this.#sharing && new SharedLoginThrottles(this.#engine.knex);
  }

  /** Tells the other hub processes about roster `version`, once the caller's transaction commits. */
  async announceRoster(version: number): Promise<void> {
    await this.#sharing?.notifyRoster(Db.current(this.#engine)?.knex, version);
  }

  /** Runs `fn` with the table readers; inside `transact`, they read the transaction's state. */
  read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T> {
    const db = Db.current(this.#engine);
    return fn(db ? new StoreReader(db) : this.#reader);
  }

  /**
   * Runs `fn` in one database transaction: everything it writes through `tx` commits
   * together or not at all, and `tx.onCommit` callbacks run only after the commit.
   * Called inside another `transact`, it joins that transaction. Do not append
   * inside it (see `exclusive`).
   */
  transact<T>(fn: (tx: StoreTransactor) => Promise<T>): Promise<T> {
    return Db.transaction(this.#engine, (db) => fn(new StoreTransactor(db)));
  }

  /** One write statement, which is its own transaction (no BEGIN/COMMIT); joins an open `transact`. */
  #single<T>(fn: (tx: StoreTransactor) => Promise<T>): Promise<T> {
    return Db.single(this.#engine, (db) => fn(new StoreTransactor(db)));
  }

  // ----------------------------------------------------------- append

  /**
   * Runs `fn` while no append can happen, so a caller can read projection state
   * and append consistently (e.g. derive an item's status from objects already held).
   * Taken before any transaction, never inside one: on SQLite an append waiting for
   * the one connection while its lock is held would wait forever.
   */
  exclusive<T>(fn: () => Promise<T>, opts: { independent?: boolean } = {}): Promise<T> {
    if (Db.current(this.#engine)) {
      return Promise.reject(new Error('store.exclusive() inside transact(): take it first, then transact'));
    }
    const sharing = this.#sharing;
    if (!sharing) return this.#appendLock.runExclusive(fn);
    // Objects that answer nothing: the database's lock only around the log write (shared-append.ts).
    if (opts.independent) return this.#appendLock.runExclusive(() => this.#lateLocked(fn));
    // Shared: the database's append lock too, held until the append commits, and the head
    // read under it, so the next sequence numbers follow every process's (docs/architecture.md).
    return this.#appendLock.runExclusive(() =>
      sharing.locked('append', async () => {
        this.#noteHead(await this.#reader.log.head());
        return fn();
      }),
    );
  }

  /**
   * Must be called inside `exclusive`. Objects already held are reported as duplicates and
   * change nothing; a caller that checked that itself under the same lock passes `checked`.
   */
  async appendLocked(inputs: readonly AppendInput[], opts: { checked?: boolean } = {}): Promise<AppendResult[]> {
    this.#assertExclusive('appendLocked');
    if (inputs.length === 0) return [];
    const held = opts.checked ? new Set<string>() : await this.heldIds(inputs.map((i) => i.object.id));
    const now = new Date();
    const receivedAt = new Date(this.#clock());
    let plan = planAppend(inputs, held, this.#headSeq);
    if (plan.fresh.length === 0) return plan.results;
    const sharing = this.#late ? this.#sharing : undefined;
    await this.transact(async (tx) => {
      const knex = Db.current(this.#engine)!.knex;
      if (sharing) plan = await appendLateLocked(tx, knex, sharing, plan.fresh, now, receivedAt);
      else {
        await writeAppend(tx, plan, now, receivedAt);
        await this.#sharing?.notifyAppend(knex, plan.firstSeq, plan.head);
      }
      tx.onCommit(() => {
        this.#noteHead(plan.head);
        this.#searchIndex.added(plan.fresh.filter((i) => i.item).length);
      });
    });
    return plan.results;
  }

  /** Set while `exclusive(fn, { independent })` runs `fn` (the in-process lock is held meanwhile). */
  #late = false;
  async #lateLocked<T>(fn: () => Promise<T>): Promise<T> {
    this.#late = true;
    try {
      return await fn();
    } finally {
      this.#late = false;
    }
  }

  /** Appends under the lock; see `appendLocked`. */
  append(inputs: readonly AppendInput[]): Promise<AppendResult[]> {
    return this.exclusive(() => this.appendLocked(inputs));
  }

  /**
   * Quarantines objects in one transaction: marks them (the exact bytes stay, for
   * audit), drops their feed rows, applies the projection patches that undo their
   * effects on other items, cancels their pending deliveries and writes the audit rows.
   * Must be called inside `exclusive`.
   */
  async quarantineLocked(q: {
    ids: readonly string[];
    reason: string;
    itemPatches: readonly { id: string; patch: ItemPatch }[];
    audits: readonly NewAuditEvent[];
  }): Promise<void> {
    this.#assertExclusive('quarantineLocked');
    if (q.ids.length === 0) return;
    const now = new Date();
    await this.transact(async (tx) => {
      await tx.objects.quarantine(q.ids);
      await tx.items.delete(q.ids);
      await tx.outbox.cancelPending(q.ids, `quarantined here: ${q.reason}`, now);
      await tx.items.patch(q.itemPatches, now);
      await tx.audit.addMany(q.audits, now);
    });
  }

  #assertExclusive(what: string): void {
    if (!this.#appendLock.isLocked()) throw new Error(`${what} outside exclusive()`);
    if (Db.current(this.#engine)) throw new Error(`${what} inside transact(): it opens its own transaction`);
  }

  // --------------------------------------------------- reads, by table

  getMeta = (key: string): Promise<string | undefined> => this.read((r) => r.meta.get(key));
  /** One round trip to the database (health checks): throws if it cannot be reached. */
  ping = (): Promise<unknown> => this.getMeta(EPOCH_KEY);
  heldIds = (ids: readonly string[]): Promise<Set<string>> => this.read((r) => r.objects.heldIds(ids));
  getObject = (id: string): Promise<StoredObject | null> => this.read((r) => r.objects.get(id));
  getObjects = (ids: readonly string[]): Promise<StoredObject[]> => this.read((r) => r.objects.getMany(ids));
  objectsTargeting(target: string, kinds?: readonly string[]): Promise<StoredObject[]> {
    return this.read((r) => r.objects.targeting(target, kinds));
  }
  objectsTargetingAny(targets: readonly string[]): Promise<Map<string, StoredObject[]>> {
    return this.read((r) => r.objects.targetingAny(targets));
  }
  objectsCreatedSince(since: Date, afterId: string | undefined, limit: number): Promise<StoredObject[]> {
    return this.read((r) => r.objects.createdSince(since, afterId, limit));
  }
  objectsOfKind = (kind: string, limit?: number): Promise<StoredObject[]> =>
    this.read((r) => r.objects.ofKind(kind, limit));
  latestOfKind = (kind: string): Promise<StoredObject | null> => this.read((r) => r.objects.latestOfKind(kind));
  latestOfKindPerOrigin = (kind: string): Promise<StoredObject[]> =>
    this.read((r) => r.objects.latestOfKindPerOrigin(kind));
  objectsSignedWith(origin: string, kids: readonly string[]): Promise<SignedWith[]> {
    return this.read((r) => r.objects.signedWith(origin, kids));
  }
  objectsHeldAs(hold: ObjectHold, limit?: number): Promise<StoredObject[]> {
    return this.read((r) => r.objects.heldAs(hold, limit));
  }
  logAfter(afterSeq: number, limit: number): Promise<LogRow[]> {
    return this.read((r) => r.log.after(afterSeq, limit));
  }
  seqOf = (id: string): Promise<number | undefined> => this.read((r) => r.log.seqOf(id));
  queryItems = (q: ItemQuery): Promise<Item[]> => this.read((r) => r.items.query(q));
  getItem = (id: string): Promise<Item | null> => this.read((r) => r.items.get(id));
  countBulletinsByDay = (since: Date, where?: { tlpsExcept?: string[] }) =>
    this.read((r) => r.items.countBulletinsByDay(since, where));
  countItemsBy(...[field, where]: Parameters<ItemsReader['countBy']>): Promise<Record<string, number>> {
    return this.read((r) => r.items.countBy(field, where));
  }
  recipientsWithDue = (now: Date): Promise<string[]> => this.read((r) => r.outbox.recipientsWithDue(now));
  /** Shared: the rows are also claimed for this process's lease (tables/outbox.ts `claimDue`). */
  dueFor(recipient: string, now: Date, limit: number, afterRowId?: number): Promise<DueDelivery[]> {
    const claim = this.#sharing?.claim(now);
    if (claim) return this.#single((tx) => tx.outbox.claimDue(recipient, now, limit, afterRowId ?? 0, claim));
    return this.read((r) => r.outbox.dueFor(recipient, now, limit, afterRowId));
  }
  deliveriesOf = (objectId: string): Promise<OutboxEntry[]> => this.read((r) => r.outbox.deliveriesOf(objectId));
  pendingCount = (recipient?: string): Promise<number> => this.read((r) => r.outbox.pendingCount(recipient));
  pendingByRecipient = (): Promise<Record<string, number>> => this.read((r) => r.outbox.pendingByRecipient());
  nextDueAt = (): Promise<Date | undefined> => this.read((r) => r.outbox.nextDueAt());
  listMembers = (): Promise<MemberRecord[]> => this.read((r) => r.members.list());
  getPeer = (node: string): Promise<PeerState | null> => this.read((r) => r.peers.get(node));
  listPeers = (): Promise<PeerState[]> => this.read((r) => r.peers.list());
  findUser = (username: string): Promise<User | null> => this.read((r) => r.users.find(username));
  getUser = (id: number): Promise<User | null> => this.read((r) => r.users.get(id));
  listUsers = (): Promise<User[]> => this.read((r) => r.users.list());
  findSession(id: string): Promise<(Session & { user: SessionOwner | null }) | null> {
    return this.read((r) => r.sessions.find(id));
  }
  getEnrollment = (id: string): Promise<Enrollment | null> => this.read((r) => r.enrollments.get(id));
  listEnrollments = (status?: Enrollment['status']): Promise<Enrollment[]> =>
    this.read((r) => r.enrollments.list(status));
  listAudit = (q: AuditQuery) => this.read((r) => r.audit.list(q));

  // -------------------------------------------------- writes, by table

  setMeta = (key: string, value: string): Promise<void> => this.#single((tx) => tx.meta.set(key, value));
  confirmArrivedBy = (upTo: Date): Promise<number> => this.#single((tx) => tx.objects.confirmArrivedBy(upTo));
  /** Final answers from `recipient`: accepted, duplicate or rejected (see `recordAllOutcomes`). */
  recordOutcomes(recipient: string, outcomes: OutcomeJob['outcomes']): Promise<void> {
    return this.recordAllOutcomes([{ recipient, outcomes }]);
  }
  /** Final answers of many pushes in one transaction (the outbox worker writes a whole round's at once). */
  async recordAllOutcomes(jobs: readonly OutcomeJob[]): Promise<void> {
    if (jobs.length > 0) await this.transact((tx) => tx.outbox.recordOutcomes(jobs, new Date()));
  }
  recordAttemptFailure(rowIds: readonly number[], error: string, nextAttemptAt: Date): Promise<void> {
    return this.#single((tx) => tx.outbox.recordAttemptFailure(rowIds, error, nextAttemptAt));
  }
  deferRecipient = (recipient: string, at: Date): Promise<void> =>
    this.#single((tx) => tx.outbox.deferRecipient(recipient, at));
  /** Replaces the member table with a newer roster, in one transaction. */
  replaceMembers(members: readonly NewMember[], version: number): Promise<void> {
    return this.transact((tx) => tx.members.replace(members, version));
  }
  updatePeer(node: string, patch: Partial<Omit<PeerState, 'node'>>): Promise<void> {
    return this.#single((tx) => tx.peers.update(node, patch));
  }
  createUser = (u: NewUser): Promise<User> => this.#single((tx) => tx.users.create(u));
  updateUser(id: number, patch: UserPatch): Promise<void> {
    return this.#single((tx) => tx.users.update(id, patch));
  }
  createSession(s: Omit<Session, 'lastSeenAt' | 'createdAt'>): Promise<void> {
    return this.#single((tx) => tx.sessions.create(s));
  }
  touchSession(id: string, at: Date, expiresAt: Date): Promise<void> {
    return this.#single((tx) => tx.sessions.touch(id, at, expiresAt));
  }
  deleteSession = (id: string): Promise<void> => this.#single((tx) => tx.sessions.delete(id));
  deleteExpiredSessions = (now: Date): Promise<number> => this.#single((tx) => tx.sessions.deleteExpired(now));
  addEnrollment = (e: NewEnrollment): Promise<void> => this.#single((tx) => tx.enrollments.add(e));
  /** Records a decision on a pending enrollment; returns false if it was not pending. */
  decideEnrollment(id: string, decision: EnrollmentDecision): Promise<boolean> {
    return this.#single((tx) => tx.enrollments.decide(id, decision));
  }
  audit(e: NewAuditEvent & { at?: Date }): Promise<void> {
    return this.#single((tx) => tx.audit.add(e));
  }
}
