import { randomBytes } from 'node:crypto';
import { MikroORM, raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Mutex } from 'async-mutex';
import { type DatabaseConfig, type Dialect, dialectOf, ormOptions } from './database.js';
import {
  AuditEvent,
  Enrollment,
  Item,
  LogEntry,
  MemberRecord,
  Meta,
  OutboxEntry,
  type Outcome,
  PeerState,
  type Role,
  Session,
  StoredObject,
  User,
} from './entities.js';

export type NewObject = Omit<StoredObject, 'receivedAt'>;
export type NewItem = Omit<Item, 'updatedAt'>;
export type ItemPatch = Partial<Pick<Item, 'status' | 'retracted' | 'supersededBy'>>;

export interface AppendInput {
  object: NewObject;
  /** Projection row for bulletins and notes. */
  item?: NewItem;
  /** Changes this object makes to existing projection rows (status, retraction, supersession). */
  effects?: { id: string; patch: ItemPatch }[];
  /** Nodes to deliver this object to; one outbox row each. */
  recipients?: readonly string[];
}

export interface AppendResult {
  id: string;
  seq: number;
  duplicate: boolean;
}

export interface LogRow {
  seq: number;
  object: StoredObject;
}

export interface ItemQuery {
  kinds?: string[];
  categories?: string[];
  severities?: string[];
  tlps?: string[];
  origins?: string[];
  statuses?: string[];
  topic?: string;
  since?: Date;
  until?: Date;
  text?: string;
  includeRetracted?: boolean;
  includeSuperseded?: boolean;
  /** Keyset pagination: items created strictly before this (created, id). */
  before?: { created: Date; id: string };
  limit: number;
}

export interface DueDelivery {
  rowId: number;
  objectId: string;
  attempts: number;
  createdAt: Date;
  jws: string;
}

const EPOCH_KEY = 'log_epoch';

/**
 * A node's database. All writes that make an object part of the node's state go
 * through `append`, which stores the object, assigns its log sequence number and
 * queues its deliveries in one transaction, one append at a time, so sequence
 * numbers are gap-free and commit in order.
 */
export class Store {
  readonly #appendLock = new Mutex();
  #headSeq = 0;

  private constructor(
    readonly orm: MikroORM,
    readonly dialect: Dialect,
    readonly epoch: string,
  ) {}

  static async open(config: DatabaseConfig): Promise<Store> {
    const orm = await MikroORM.init(ormOptions(config));
    try {
      const dialect = dialectOf(config);
      if (dialect === 'sqlite') {
        const conn = orm.em.getConnection();
        // WAL + FULL sync: a committed append survives a crash or power loss.
        await conn.execute('pragma journal_mode = WAL');
        await conn.execute('pragma synchronous = FULL');
        await conn.execute('pragma busy_timeout = 5000');
      }
      await orm.migrator.up();
      const em = orm.em.fork();
      let epoch = (await em.findOne(Meta, { key: EPOCH_KEY }))?.value;
      if (!epoch) {
        epoch = randomBytes(12).toString('base64url');
        await em.insert(Meta, { key: EPOCH_KEY, value: epoch });
      }
      const store = new Store(orm, dialect, epoch);
      const last = await em.findOne(LogEntry, { seq: { $gt: 0 } }, { orderBy: { seq: 'desc' }, fields: ['seq'] });
      store.#headSeq = last?.seq ?? 0;
      return store;
    } catch (err) {
      await orm.close(true);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#appendLock.waitForUnlock();
    await this.orm.close(true);
  }

  em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  knex() {
    return this.em().getKnex();
  }

  get headSeq(): number {
    return this.#headSeq;
  }

  // ------------------------------------------------------------- meta

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.em().findOne(Meta, { key }))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.em().upsert(Meta, { key, value });
  }

  // ---------------------------------------------------------- objects

  /**
   * Runs `fn` while no append can happen, so a caller can read projection state
   * and append consistently (e.g. derive an item's status from objects already held).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#appendLock.runExclusive(fn);
  }

  /**
   * Must be called inside `exclusive`. Objects already held are reported as duplicates and
   * change nothing; a caller that checked that itself under the same lock passes `checked`.
   */
  async appendLocked(inputs: readonly AppendInput[], opts: { checked?: boolean } = {}): Promise<AppendResult[]> {
    if (!this.#appendLock.isLocked()) throw new Error('appendLocked outside exclusive()');
    if (inputs.length === 0) return [];
    const held = opts.checked ? new Set<string>() : await this.heldIds(inputs.map((i) => i.object.id));
    const now = new Date();
    let seq = this.#headSeq;
    const results: AppendResult[] = [];
    const fresh: AppendInput[] = [];
    for (const input of inputs) {
      if (held.has(input.object.id)) {
        results.push({ id: input.object.id, seq: 0, duplicate: true });
        continue;
      }
      held.add(input.object.id);
      seq += 1;
      results.push({ id: input.object.id, seq, duplicate: false });
      fresh.push(input);
    }
    if (fresh.length === 0) return results;
    const firstSeq = this.#headSeq + 1;
    await this.em().transactional(async (em) => {
      await em.insertMany(
        StoredObject,
        fresh.map((i) => ({ ...i.object, receivedAt: now })),
      );
      await em.insertMany(
        LogEntry,
        fresh.map((i, n) => ({ seq: firstSeq + n, objectId: i.object.id, appendedAt: now })),
      );
      const items = fresh.flatMap((i) => (i.item ? [{ ...i.item, updatedAt: now }] : []));
      if (items.length > 0) await em.insertMany(Item, items);
      for (const i of fresh) {
        for (const effect of i.effects ?? []) {
          await em.nativeUpdate(Item, { id: effect.id }, { ...effect.patch, updatedAt: now });
        }
      }
      const outbox = fresh.flatMap((i) =>
        (i.recipients ?? []).map((recipient) => ({
          objectId: i.object.id,
          recipient,
          createdAt: now,
          attempts: 0,
          nextAttemptAt: now,
          outcome: 'pending' as Outcome,
        })),
      );
      for (let n = 0; n < outbox.length; n += 500) await em.insertMany(OutboxEntry, outbox.slice(n, n + 500));
    });
    this.#headSeq = seq;
    return results;
  }

  /** Appends under the lock; see `appendLocked`. */
  append(inputs: readonly AppendInput[]): Promise<AppendResult[]> {
    return this.exclusive(() => this.appendLocked(inputs));
  }

  async heldIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.em().find(StoredObject, { id: { $in: [...ids] } }, { fields: ['id'] });
    return new Set(rows.map((r) => r.id));
  }

  async getObject(id: string): Promise<StoredObject | null> {
    return this.em().findOne(StoredObject, { id });
  }

  async getObjects(ids: readonly string[]): Promise<StoredObject[]> {
    if (ids.length === 0) return [];
    return this.em().find(StoredObject, { id: { $in: [...ids] } });
  }

  async objectsTargeting(target: string, kinds?: readonly string[]): Promise<StoredObject[]> {
    return this.em().find(
      StoredObject,
      { target, ...(kinds && { kind: { $in: [...kinds] } }) },
      { orderBy: { created: 'asc', id: 'asc' } },
    );
  }

  /** Objects referring to any of `targets`, grouped by target, oldest first: one query for a whole batch. */
  async objectsTargetingAny(targets: readonly string[]): Promise<Map<string, StoredObject[]>> {
    const out = new Map<string, StoredObject[]>();
    if (targets.length === 0) return out;
    const rows = await this.em().find(
      StoredObject,
      { target: { $in: [...new Set(targets)] } },
      { orderBy: { created: 'asc', id: 'asc' } },
    );
    for (const r of rows) {
      const list = out.get(r.target!) ?? [];
      list.push(r);
      out.set(r.target!, list);
    }
    return out;
  }

  /** Log entries strictly after `afterSeq`, oldest first. */
  async logAfter(afterSeq: number, limit: number): Promise<LogRow[]> {
    const em = this.em();
    const entries = await em.find(LogEntry, { seq: { $gt: afterSeq } }, { orderBy: { seq: 'asc' }, limit });
    const objects = await em.find(StoredObject, { id: { $in: entries.map((e) => e.objectId) } });
    const byId = new Map(objects.map((o) => [o.id, o]));
    return entries.map((e) => ({ seq: e.seq, object: byId.get(e.objectId)! }));
  }

  /** Objects created at or after `since`, by id, after `afterId`: pages of a reconciliation manifest. */
  async objectsCreatedSince(since: Date, afterId: string | undefined, limit: number): Promise<StoredObject[]> {
    return this.em().find(
      StoredObject,
      { created: { $gte: since }, ...(afterId && { id: { $gt: afterId } }) },
      { orderBy: { id: 'asc' }, limit },
    );
  }

  async objectsOfKind(kind: string, limit = 1000): Promise<StoredObject[]> {
    return this.em().find(StoredObject, { kind }, { orderBy: { created: 'desc', id: 'desc' }, limit });
  }

  async latestOfKind(kind: string): Promise<StoredObject | null> {
    return this.em().findOne(StoredObject, { kind }, { orderBy: { created: 'desc', id: 'desc' } });
  }

  async seqOf(id: string): Promise<number | undefined> {
    return (await this.em().findOne(LogEntry, { objectId: id }))?.seq;
  }

  // ------------------------------------------------------------ items

  async queryItems(q: ItemQuery): Promise<Item[]> {
    const where: Record<string, unknown> = {};
    if (q.kinds?.length) where.kind = { $in: q.kinds };
    if (q.categories?.length) where.category = { $in: q.categories };
    if (q.severities?.length) where.severity = { $in: q.severities };
    if (q.tlps?.length) where.tlp = { $in: q.tlps };
    if (q.origins?.length) where.origin = { $in: q.origins };
    if (q.statuses?.length) where.status = { $in: q.statuses };
    if (q.topic) where.topic = q.topic;
    if (!q.includeRetracted) where.retracted = false;
    if (!q.includeSuperseded) where.supersededBy = null;
    const and: Record<string, unknown>[] = [];
    if (q.since) and.push({ created: { $gte: q.since } });
    if (q.until) and.push({ created: { $lt: q.until } });
    if (q.text) {
      for (const word of q.text.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
        // SQLite's LIKE has no default escape character, so name one: '%', '_' and backslash in the text are literal.
        const pattern = `%${word.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
        and.push({ [raw((alias) => `${alias}.search_text like ? escape '\\'`, [pattern])]: [] });
      }
    }
    if (q.before) {
      and.push({
        $or: [{ created: { $lt: q.before.created } }, { created: q.before.created, id: { $lt: q.before.id } }],
      });
    }
    if (and.length) where.$and = and;
    return this.em().find(Item, where, { orderBy: { created: 'desc', id: 'desc' }, limit: q.limit });
  }

  async getItem(id: string): Promise<Item | null> {
    return this.em().findOne(Item, { id });
  }

  /** Bulletins per UTC day, category and severity since `since` (for charts over time). */
  async countBulletinsByDay(since: Date): Promise<{ day: string; category: string; severity: string; n: number }[]> {
    const rows = await this.em().find(
      Item,
      { kind: 'bulletin', created: { $gte: since }, retracted: false, supersededBy: null },
      { fields: ['created', 'category', 'severity'], limit: 100_000 },
    );
    const counts = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.created.toISOString().slice(0, 10)}|${r.category ?? 'none'}|${r.severity ?? 'none'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts]
      .map(([key, n]) => {
        const [day, category, severity] = key.split('|') as [string, string, string];
        return { day, category, severity, n };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));
  }

  async countItemsBy(
    field: 'category' | 'severity' | 'origin' | 'status',
    where: { kinds?: string[]; since?: Date } = {},
  ): Promise<Record<string, number>> {
    const qb = this.knex()('items')
      .select(field)
      .count({ n: '*' })
      .where('retracted', false)
      .whereNull('superseded_by')
      .groupBy(field);
    if (where.kinds?.length) qb.whereIn('kind', where.kinds);
    if (where.since) qb.where('created', '>=', this.dialect === 'sqlite' ? where.since.getTime() : where.since);
    const rows = (await qb) as { [k: string]: unknown; n: number | string }[];
    return Object.fromEntries(rows.map((r) => [String(r[field] ?? 'none'), Number(r.n)]));
  }

  // ----------------------------------------------------------- outbox

  async recipientsWithDue(now: Date): Promise<string[]> {
    const rows = await this.knex()('outbox')
      .distinct('recipient')
      .where('outcome', 'pending')
      .where('next_attempt_at', '<=', this.dialect === 'sqlite' ? now.getTime() : now);
    return rows.map((r: { recipient: string }) => r.recipient);
  }

  async dueFor(recipient: string, now: Date, limit: number): Promise<DueDelivery[]> {
    const em = this.em();
    const rows = await em.find(
      OutboxEntry,
      { recipient, outcome: 'pending', nextAttemptAt: { $lte: now } },
      { orderBy: { id: 'asc' }, limit },
    );
    const objects = await em.find(
      StoredObject,
      { id: { $in: rows.map((r) => r.objectId) } },
      { fields: ['id', 'jws'] },
    );
    const jws = new Map(objects.map((o) => [o.id, o.jws]));
    return rows.map((r) => ({
      rowId: r.id,
      objectId: r.objectId,
      attempts: r.attempts,
      createdAt: r.createdAt,
      jws: jws.get(r.objectId)!,
    }));
  }

  /** Final answers from the recipient: accepted, duplicate or rejected. A final answer is never overwritten. */
  async recordOutcomes(
    recipient: string,
    outcomes: readonly { objectId: string; outcome: Exclude<Outcome, 'pending'>; reason?: string }[],
  ): Promise<void> {
    const now = new Date();
    // One UPDATE per distinct (outcome, reason): a batch of 100 accepted objects is one statement.
    const groups = new Map<string, { outcome: Exclude<Outcome, 'pending'>; reason: string | null; ids: string[] }>();
    for (const o of outcomes) {
      const key = `${o.outcome}\n${o.reason ?? ''}`;
      const g = groups.get(key) ?? { outcome: o.outcome, reason: o.reason ?? null, ids: [] };
      g.ids.push(o.objectId);
      groups.set(key, g);
    }
    await this.em().transactional(async (em) => {
      for (const g of groups.values()) {
        await em.nativeUpdate(
          OutboxEntry,
          { objectId: { $in: g.ids }, recipient, outcome: 'pending' },
          { outcome: g.outcome, reason: g.reason, deliveredAt: now, lastError: null },
        );
      }
    });
  }

  /** A failed attempt: the rows stay pending and are tried again at `nextAttemptAt`. */
  async recordAttemptFailure(rowIds: readonly number[], error: string, nextAttemptAt: Date): Promise<void> {
    if (rowIds.length === 0) return;
    const knex = this.knex();
    await knex('outbox')
      .whereIn('id', [...rowIds])
      .update({
        attempts: knex.raw('attempts + 1'),
        last_error: error.slice(0, 2000),
        next_attempt_at: this.dialect === 'sqlite' ? nextAttemptAt.getTime() : nextAttemptAt,
      });
  }

  /** Moves every pending delivery to a peer forward to `at` (used when a peer's breaker opens). */
  async deferRecipient(recipient: string, at: Date): Promise<void> {
    await this.em().nativeUpdate(
      OutboxEntry,
      { recipient, outcome: 'pending', nextAttemptAt: { $lt: at } },
      { nextAttemptAt: at },
    );
  }

  async deliveriesOf(objectId: string): Promise<OutboxEntry[]> {
    return this.em().find(OutboxEntry, { objectId }, { orderBy: { recipient: 'asc' } });
  }

  async pendingCount(recipient?: string): Promise<number> {
    return this.em().count(OutboxEntry, { outcome: 'pending', ...(recipient && { recipient }) });
  }

  async pendingByRecipient(): Promise<Record<string, number>> {
    const rows = await this.knex()('outbox')
      .select('recipient')
      .count({ n: '*' })
      .where('outcome', 'pending')
      .groupBy('recipient');
    return Object.fromEntries(
      (rows as unknown as { recipient: string; n: number | string }[]).map((r) => [r.recipient, Number(r.n)]),
    );
  }

  async nextDueAt(): Promise<Date | undefined> {
    const row = await this.em().findOne(
      OutboxEntry,
      { outcome: 'pending' },
      { orderBy: { nextAttemptAt: 'asc' }, fields: ['nextAttemptAt'] },
    );
    return row?.nextAttemptAt;
  }

  // ---------------------------------------------------------- members

  async listMembers(): Promise<MemberRecord[]> {
    return this.em().find(MemberRecord, {}, { orderBy: { node: 'asc' } });
  }

  /** Replaces the member table with a newer roster, in one transaction. */
  async replaceMembers(members: readonly Omit<MemberRecord, 'updatedAt' | 'rosterVersion'>[], version: number) {
    const now = new Date();
    await this.em().transactional(async (em) => {
      await em.nativeDelete(MemberRecord, {});
      if (members.length > 0) {
        await em.insertMany(
          MemberRecord,
          members.map((m) => ({ ...m, rosterVersion: version, updatedAt: now })),
        );
      }
    });
  }

  // ------------------------------------------------------------ peers

  async getPeer(node: string): Promise<PeerState | null> {
    return this.em().findOne(PeerState, { node });
  }

  async listPeers(): Promise<PeerState[]> {
    return this.em().find(PeerState, {}, { orderBy: { node: 'asc' } });
  }

  async updatePeer(node: string, patch: Partial<Omit<PeerState, 'node'>>): Promise<void> {
    const em = this.em();
    const existing = await em.findOne(PeerState, { node });
    if (existing) {
      em.assign(existing, patch);
    } else {
      em.persist(em.create(PeerState, { cursorSeq: 0, consecutiveFailures: 0, ...patch, node }));
    }
    await em.flush();
  }

  // ------------------------------------------------------------ users

  async createUser(u: { username: string; displayName: string; passwordHash: string; roles: Role[] }): Promise<User> {
    const em = this.em();
    const user = em.create(User, { ...u, disabled: false, createdAt: new Date() });
    await em.persistAndFlush(user);
    return user;
  }

  async findUser(username: string): Promise<User | null> {
    return this.em().findOne(User, { username });
  }

  async getUser(id: number): Promise<User | null> {
    return this.em().findOne(User, { id });
  }

  async listUsers(): Promise<User[]> {
    return this.em().find(User, {}, { orderBy: { username: 'asc' } });
  }

  async updateUser(id: number, patch: Partial<Pick<User, 'passwordHash' | 'roles' | 'disabled' | 'displayName'>>) {
    await this.em().nativeUpdate(User, { id }, patch);
  }

  // --------------------------------------------------------- sessions

  async createSession(s: Omit<Session, 'lastSeenAt' | 'createdAt'>): Promise<void> {
    const now = new Date();
    await this.em().insert(Session, { ...s, createdAt: now, lastSeenAt: now });
  }

  async findSession(id: string): Promise<Session | null> {
    return this.em().findOne(Session, { id });
  }

  async touchSession(id: string, at: Date, expiresAt: Date): Promise<void> {
    await this.em().nativeUpdate(Session, { id }, { lastSeenAt: at, expiresAt });
  }

  async deleteSession(id: string): Promise<void> {
    await this.em().nativeDelete(Session, { id });
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    return this.em().nativeDelete(Session, { expiresAt: { $lte: now } });
  }

  // ------------------------------------------------------ enrollments

  async addEnrollment(e: Omit<Enrollment, 'status' | 'receivedAt' | 'decidedAt' | 'decidedBy' | 'reason'>) {
    await this.em().insert(Enrollment, { ...e, status: 'pending', receivedAt: new Date() });
  }

  async getEnrollment(id: string): Promise<Enrollment | null> {
    return this.em().findOne(Enrollment, { id });
  }

  async listEnrollments(status?: Enrollment['status']): Promise<Enrollment[]> {
    return this.em().find(Enrollment, status ? { status } : {}, { orderBy: { receivedAt: 'desc' } });
  }

  /** Records a decision on a pending enrollment; returns false if it was not pending. */
  async decideEnrollment(
    id: string,
    decision: { status: 'approved' | 'rejected'; reason?: string; by: string },
  ): Promise<boolean> {
    const n = await this.em().nativeUpdate(
      Enrollment,
      { id, status: 'pending' },
      { status: decision.status, reason: decision.reason ?? null, decidedAt: new Date(), decidedBy: decision.by },
    );
    return n === 1;
  }

  // ------------------------------------------------------------ audit

  async audit(e: Omit<AuditEvent, 'id' | 'at'> & { at?: Date }): Promise<void> {
    await this.em().insert(AuditEvent, { ...e, at: e.at ?? new Date() });
  }

  async listAudit(q: { action?: string; actor?: string; limit: number; beforeId?: number }): Promise<AuditEvent[]> {
    return this.em().find(
      AuditEvent,
      {
        ...(q.action && { action: q.action }),
        ...(q.actor && { actor: q.actor }),
        ...(q.beforeId && { id: { $lt: q.beforeId } }),
      },
      { orderBy: { id: 'desc' }, limit: q.limit },
    );
  }
}
