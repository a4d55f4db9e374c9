import { randomBytes } from 'node:crypto';
import { MikroORM, raw } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex, SqlEntityManager } from '@mikro-orm/knex';
import { Mutex } from 'async-mutex';
import { type DatabaseConfig, type Dialect, dialectOf, ormOptions, prepareSqliteFile } from './database.js';
import {
  AuditEvent,
  Enrollment,
  Item,
  LogEntry,
  MemberRecord,
  Meta,
  type ObjectHold,
  OutboxEntry,
  type Outcome,
  PeerState,
  type Role,
  Session,
  type StoredObject,
  User,
} from './entities.js';
import { lockPostgres, lockSqlite, type NodeLock } from './node-lock.js';

export type NewObject = Omit<StoredObject, 'receivedAt'>;
export type NewItem = Omit<Item, 'updatedAt'>;
export type ItemPatch = Partial<Pick<Item, 'status' | 'retracted' | 'supersededBy'>>;
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'>;

export interface AppendInput {
  object: NewObject;
  /** Projection row for bulletins and notes. */
  item?: NewItem;
  /** Changes this object makes to existing projection rows (status, retraction, supersession). */
  effects?: { id: string; patch: ItemPatch }[];
  /** Nodes to deliver this object to; one outbox row each. */
  recipients?: readonly string[];
  /** The action that created it (a local post), recorded in the same transaction. */
  audit?: NewAuditEvent;
}

export interface AppendResult {
  id: string;
  seq: number;
  duplicate: boolean;
}

export type SignedWith = Pick<
  StoredObject,
  'id' | 'kind' | 'origin' | 'kid' | 'created' | 'receivedAt' | 'receivedFrom' | 'target'
>;

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
  #nodeLock: NodeLock | undefined;
  /**
   * The query builder under MikroORM. The hot paths (append, dedupe, references,
   * outbox, catch-up pages) use it directly: MikroORM's entity layer costs several
   * times more than the statements themselves, and those paths need no entities.
   */
  readonly #knex: Knex;
  private constructor(
    readonly orm: MikroORM,
    readonly dialect: Dialect,
    readonly epoch: string,
  ) {
    this.#knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
  }

  /**
   * Opens the database and brings its schema up to date. `node: true` (a node
   * process) also takes the database for this process alone until `close()`: a
   * second node on the same database fails with `DatabaseInUseError`, since two
   * would hand out the same log sequence numbers. Tools that only add accounts or
   * read open it without.
   */
  static async open(config: DatabaseConfig, opts: { node?: boolean } = {}): Promise<Store> {
    if (dialectOf(config) === 'sqlite') prepareSqliteFile(config.sqlitePath ?? ':memory:');
    const orm = await MikroORM.init(ormOptions(config));
    let lock: NodeLock | undefined;
    try {
      const dialect = dialectOf(config);
      const knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
      if (opts.node) {
        lock = dialect === 'sqlite' ? lockSqlite(config.sqlitePath ?? ':memory:') : await lockPostgres(knex);
      }
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
      store.#nodeLock = lock;
      const last = await em.findOne(LogEntry, { seq: { $gt: 0 } }, { orderBy: { seq: 'desc' }, fields: ['seq'] });
      store.#headSeq = last?.seq ?? 0;
      return store;
    } catch (err) {
      await lock?.release();
      await orm.close(true);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#appendLock.waitForUnlock();
    const lock = this.#nodeLock;
    this.#nodeLock = undefined; // closing twice is harmless
    await lock?.release();
    await this.orm.close(true);
  }

  em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  knex(): Knex {
    return this.#knex;
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
    await this.#transaction(async (trx) => {
      await insertRows(
        trx,
        this.dialect,
        'objects',
        fresh.map((i) => objectRow(i.object, now)),
      );
      await insertRows(
        trx,
        this.dialect,
        'log',
        fresh.map((i, n) => ({ seq: firstSeq + n, object_id: i.object.id, appended_at: now })),
      );
      await insertRows(
        trx,
        this.dialect,
        'items',
        fresh.flatMap((i) => (i.item ? [itemRow(i.item, now)] : [])),
      );
      for (const i of fresh) {
        for (const effect of i.effects ?? []) {
          await trx('items')
            .where('id', effect.id)
            .update({ ...itemPatchRow(effect.patch), updated_at: now });
        }
      }
      await insertRows(
        trx,
        this.dialect,
        'outbox',
        fresh.flatMap((i) =>
          (i.recipients ?? []).map((recipient) => ({
            object_id: i.object.id,
            recipient,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            outcome: 'pending',
          })),
        ),
      );
      await insertRows(
        trx,
        this.dialect,
        'audit_events',
        fresh.flatMap((i) => (i.audit ? [auditRow(i.audit, now)] : [])),
      );
    });
    this.#headSeq = seq;
    return results;
  }

  /** Appends under the lock; see `appendLocked`. */
  append(inputs: readonly AppendInput[]): Promise<AppendResult[]> {
    return this.exclusive(() => this.appendLocked(inputs));
  }

  async heldIds(ids: readonly string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (let n = 0; n < ids.length; n += CHUNK) {
      const rows: { id: string }[] = await this.#knex('objects')
        .select('id')
        .whereIn('id', ids.slice(n, n + CHUNK));
      for (const r of rows) held.add(r.id);
    }
    return held;
  }

  async getObject(id: string): Promise<StoredObject | null> {
    return (await this.getObjects([id]))[0] ?? null;
  }

  async getObjects(ids: readonly string[]): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (let n = 0; n < ids.length; n += CHUNK) {
      out.push(...(await this.#objects((q) => q.whereIn('id', ids.slice(n, n + CHUNK)))));
    }
    return out;
  }

  async objectsTargeting(target: string, kinds?: readonly string[]): Promise<StoredObject[]> {
    return this.#objects((q) => {
      q.where('target', target).orderBy([{ column: 'created' }, { column: 'id' }]);
      if (kinds) q.whereIn('kind', [...kinds]);
    });
  }

  /** Objects referring to any of `targets`, grouped by target, oldest first: one query for a whole batch. */
  async objectsTargetingAny(targets: readonly string[]): Promise<Map<string, StoredObject[]>> {
    const out = new Map<string, StoredObject[]>();
    const unique = [...new Set(targets)];
    for (let n = 0; n < unique.length; n += CHUNK) {
      const rows = await this.#objects((q) =>
        q.whereIn('target', unique.slice(n, n + CHUNK)).orderBy([{ column: 'created' }, { column: 'id' }]),
      );
      for (const r of rows) {
        const list = out.get(r.target!) ?? [];
        list.push(r);
        out.set(r.target!, list);
      }
    }
    return out;
  }

  /**
   * Log entries strictly after `afterSeq`, oldest first. Quarantined objects are in
   * the page (the cursor must move past them) with `object.hold` set: callers that
   * show or pass on entries leave them out.
   */
  async logAfter(afterSeq: number, limit: number): Promise<LogRow[]> {
    const rows: (ObjectRow & { seq: number })[] = await this.#knex('log')
      .join('objects', 'objects.id', 'log.object_id')
      .select('log.seq', 'objects.*')
      .where('log.seq', '>', afterSeq)
      .orderBy('log.seq')
      .limit(limit);
    return rows.map((r) => ({ seq: Number(r.seq), object: toStoredObject(r) }));
  }

  /** Objects created at or after `since`, by id, after `afterId`: pages of a reconciliation manifest. */
  async objectsCreatedSince(since: Date, afterId: string | undefined, limit: number): Promise<StoredObject[]> {
    return this.#objects((q) => {
      q.where('created', '>=', since).orderBy('id').limit(limit);
      if (afterId) q.where('id', '>', afterId);
    });
  }

  async objectsOfKind(kind: string, limit = 1000): Promise<StoredObject[]> {
    return this.#objects((q) =>
      q
        .where('kind', kind)
        .orderBy([
          { column: 'created', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit),
    );
  }

  async latestOfKind(kind: string): Promise<StoredObject | null> {
    return (await this.objectsOfKind(kind, 1))[0] ?? null;
  }

  /** A query-builder transaction whose errors are MikroORM's (UniqueConstraintViolationException, …). */
  async #transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    try {
      return await this.#knex.transaction(fn);
    } catch (err) {
      throw err instanceof Error ? this.orm.em.getDriver().convertException(err) : err;
    }
  }

  /** Objects matching `where`, leaving out quarantined ones unless asked. */
  async #objects(where: (q: Knex.QueryBuilder) => void, opts: { quarantined?: boolean } = {}): Promise<StoredObject[]> {
    const q = this.#knex('objects').select('*');
    if (!opts.quarantined) q.where(notQuarantined('objects'));
    where(q);
    return ((await q) as ObjectRow[]).map(toStoredObject);
  }

  async seqOf(id: string): Promise<number | undefined> {
    const row: { seq: number } | undefined = await this.#knex('log').select('seq').where('object_id', id).first();
    return row ? Number(row.seq) : undefined;
  }

  // ------------------------------------------------------- quarantine

  /**
   * Held objects of `origin` signed with one of `kids`, quarantined ones left out, for
   * re-checking their key windows: the envelope only, not the signed bytes.
   */
  async objectsSignedWith(origin: string, kids: readonly string[]): Promise<SignedWith[]> {
    if (kids.length === 0) return [];
    const rows: Pick<
      ObjectRow,
      'id' | 'kind' | 'origin' | 'kid' | 'created' | 'received_at' | 'received_from' | 'target'
    >[] = await this.#knex('objects')
      .select('id', 'kind', 'origin', 'kid', 'created', 'received_at', 'received_from', 'target')
      .where('origin', origin)
      .whereIn('kid', [...kids])
      .where(notQuarantined('objects'));
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      origin: r.origin,
      kid: r.kid,
      created: new Date(r.created),
      receivedAt: new Date(r.received_at),
      receivedFrom: r.received_from,
      target: r.target,
    }));
  }

  /** Every object held under `hold` (quarantined ones included when asked for). */
  async objectsHeldAs(hold: ObjectHold, limit = 1000): Promise<StoredObject[]> {
    return this.#objects((q) => q.where('hold', hold).orderBy('received_at').limit(limit), { quarantined: true });
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
    if (!this.#appendLock.isLocked()) throw new Error('quarantineLocked outside exclusive()');
    if (q.ids.length === 0) return;
    const now = new Date();
    await this.#transaction(async (trx) => {
      for (let n = 0; n < q.ids.length; n += CHUNK) {
        const ids = q.ids.slice(n, n + CHUNK);
        await trx('objects').whereIn('id', ids).update({ hold: 'quarantined' });
        await trx('items').whereIn('id', ids).delete();
        await trx('outbox')
          .whereIn('object_id', ids)
          .where('outcome', 'pending')
          .update({ outcome: 'cancelled', reason: `quarantined here: ${q.reason}`.slice(0, 2000), delivered_at: now });
      }
      for (const { id, patch } of q.itemPatches) {
        await trx('items')
          .where('id', id)
          .update({ ...itemPatchRow(patch), updated_at: now });
      }
      await insertRows(
        trx,
        this.dialect,
        'audit_events',
        q.audits.map((a) => auditRow(a, now)),
      );
    });
  }

  /** Clears `unconfirmed` from objects that arrived at or before `upTo`; returns how many. */
  async confirmArrivedBy(upTo: Date): Promise<number> {
    return this.#knex('objects')
      .where('hold', 'unconfirmed')
      .where('received_at', '<=', this.dialect === 'sqlite' ? upTo.getTime() : upTo)
      .update({ hold: null });
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

  /** Bulletins per UTC day, category and severity since `since` (for charts over time); `tlpsExcept` left out. */
  async countBulletinsByDay(
    since: Date,
    where: { tlpsExcept?: string[] } = {},
  ): Promise<{ day: string; category: string; severity: string; n: number }[]> {
    const rows = await this.em().find(
      Item,
      {
        kind: 'bulletin',
        created: { $gte: since },
        retracted: false,
        supersededBy: null,
        ...(where.tlpsExcept?.length && { tlp: { $nin: where.tlpsExcept } }),
      },
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
    where: { kinds?: string[]; since?: Date; tlpsExcept?: string[] } = {},
  ): Promise<Record<string, number>> {
    const qb = this.knex()('items')
      .select(field)
      .count({ n: '*' })
      .where('retracted', false)
      .whereNull('superseded_by')
      .groupBy(field);
    if (where.kinds?.length) qb.whereIn('kind', where.kinds);
    if (where.tlpsExcept?.length) qb.whereNotIn('tlp', where.tlpsExcept);
    if (where.since) qb.where('created', '>=', this.dialect === 'sqlite' ? where.since.getTime() : where.since);
    const rows = (await qb) as { [k: string]: unknown; n: number | string }[];
    return Object.fromEntries(rows.map((r) => [String(r[field] ?? 'none'), Number(r.n)]));
  }

  // ----------------------------------------------------------- outbox

  async recipientsWithDue(now: Date): Promise<string[]> {
    const rows = await this.#knex('outbox')
      .distinct('recipient')
      .where('outcome', 'pending')
      .where('next_attempt_at', '<=', now);
    return rows.map((r: { recipient: string }) => r.recipient);
  }

  /** Up to `limit` pending rows for `recipient` due at `now`, in row order, after row `afterRowId`. */
  async dueFor(recipient: string, now: Date, limit: number, afterRowId = 0): Promise<DueDelivery[]> {
    const rows: { id: number; object_id: string; attempts: number; created_at: Date | number; jws: string }[] =
      await this.#knex('outbox')
        .join('objects', 'objects.id', 'outbox.object_id')
        .select('outbox.id', 'outbox.object_id', 'outbox.attempts', 'outbox.created_at', 'objects.jws')
        .where({ 'outbox.recipient': recipient, 'outbox.outcome': 'pending' })
        .where(notQuarantined('objects'))
        .where('outbox.next_attempt_at', '<=', now)
        .where('outbox.id', '>', afterRowId)
        .orderBy('outbox.id')
        .limit(limit);
    return rows.map((r) => ({
      rowId: Number(r.id),
      objectId: r.object_id,
      attempts: r.attempts,
      createdAt: new Date(r.created_at),
      jws: r.jws,
    }));
  }

  /** Final answers from `recipient`: accepted, duplicate or rejected (see `recordAllOutcomes`). */
  recordOutcomes(recipient: string, outcomes: OutcomeJob['outcomes']): Promise<void> {
    return this.recordAllOutcomes([{ recipient, outcomes }]);
  }

  /**
   * Final answers of many pushes, to any recipients, in one transaction (the outbox
   * worker writes a whole round's at once). A final answer is never overwritten.
   */
  async recordAllOutcomes(jobs: readonly OutcomeJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = new Date();
    await this.#transaction(async (trx) => {
      for (const { recipient, outcomes, at = now } of jobs) {
        // One UPDATE per distinct (outcome, reason): a batch of 100 accepted objects is one statement.
        const groups = new Map<string, { outcome: string; reason: string | null; ids: string[] }>();
        for (const o of outcomes) {
          const key = `${o.outcome}\n${o.reason ?? ''}`;
          const g = groups.get(key) ?? { outcome: o.outcome, reason: o.reason ?? null, ids: [] };
          g.ids.push(o.objectId);
          groups.set(key, g);
        }
        for (const g of groups.values()) {
          for (let n = 0; n < g.ids.length; n += CHUNK) {
            await trx('outbox')
              .whereIn('object_id', g.ids.slice(n, n + CHUNK))
              .where({ recipient, outcome: 'pending' })
              .update({ outcome: g.outcome, reason: g.reason, delivered_at: at, last_error: null });
          }
        }
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
    const q = this.#knex('outbox').count({ n: '*' }).where('outcome', 'pending');
    if (recipient) q.where('recipient', recipient);
    const [row] = (await q) as { n: number | string }[];
    return Number(row?.n ?? 0);
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
    const row = (await this.#knex('outbox').min({ at: 'next_attempt_at' }).where('outcome', 'pending').first()) as
      | { at: Date | number | null }
      | undefined;
    return row?.at == null ? undefined : new Date(row.at);
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
    const row = Object.fromEntries(Object.entries(patch).map(([k, v]) => [snakeCase(k), v]));
    const q = this.#knex('peers')
      .insert({ cursor_seq: 0, consecutive_failures: 0, ...row, node })
      .onConflict('node');
    await (Object.keys(row).length > 0 ? q.merge(Object.keys(row)) : q.ignore());
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

  /** A session with its user, in one query: every authenticated request asks for both. */
  async findSession(id: string): Promise<(Session & { user: SessionOwner | null }) | null> {
    const row = (await this.#knex('sessions')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.*', 'users.username', 'users.display_name', 'users.roles', 'users.disabled', {
        uid: 'users.id',
      })
      .where('sessions.id', id)
      .first()) as
      | {
          id: string;
          user_id: number;
          created_at: Date | number;
          expires_at: Date | number;
          last_seen_at: Date | number;
          uid: number | null;
          username: string;
          display_name: string;
          roles: string | Role[];
          disabled: boolean | number;
        }
      | undefined;
    if (!row) return null;
    return {
      id: row.id,
      userId: Number(row.user_id),
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
      lastSeenAt: new Date(row.last_seen_at),
      user:
        row.uid == null
          ? null
          : {
              id: Number(row.uid),
              username: row.username,
              displayName: row.display_name,
              roles: fromJson(row.roles),
              disabled: Boolean(row.disabled),
            },
    };
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

  async audit(e: NewAuditEvent & { at?: Date }): Promise<void> {
    await this.#knex('audit_events').insert(auditRow(e, e.at ?? new Date()));
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

/** The user fields a session check needs. */
export type SessionOwner = Pick<User, 'id' | 'username' | 'displayName' | 'roles' | 'disabled'>;

/** MikroORM's default column naming: `lastPushOkAt` → `last_push_ok_at`. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/** What the append path uses of a better-sqlite3 connection. */
interface SqliteConnection {
  prepare(sql: string): { run(params: unknown[]): unknown };
}

/** Prepared single-row inserts per SQLite connection: compiling a fresh multi-row INSERT per batch costs more than running it. */
const sqliteInserts = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection['prepare']>>>();

const sqliteValue = (v: unknown) =>
  v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : (v ?? null);

/**
 * Inserts rows (all with the same columns) inside `trx`. On SQLite, through the
 * transaction's own connection with a cached prepared statement; elsewhere as
 * multi-row INSERTs of up to CHUNK rows.
 */
async function insertRows(
  trx: Knex.Transaction,
  dialect: Dialect,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  if (dialect === 'sqlite') {
    const db = (await trx.client.acquireConnection()) as SqliteConnection;
    const columns = Object.keys(rows[0]!);
    const sql = `insert into \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
    const cache = sqliteInserts.get(db) ?? new Map<string, ReturnType<SqliteConnection['prepare']>>();
    sqliteInserts.set(db, cache);
    const statement = cache.get(sql) ?? db.prepare(sql);
    cache.set(sql, statement);
    for (const row of rows) statement.run(columns.map((c) => sqliteValue(row[c])));
    return;
  }
  for (let n = 0; n < rows.length; n += CHUNK) await trx(table).insert(rows.slice(n, n + CHUNK));
}

/** An `objects` row as the drivers return it (SQLite: dates as epoch ms, JSON as text). */
interface ObjectRow {
  id: string;
  kind: string;
  origin: string;
  kid: string;
  created: Date | number;
  received_at: Date | number;
  received_from: string;
  tlp: string;
  audience: string | string[];
  recipients: string | StoredObject['recipients'];
  target: string | null;
  jws: string;
  hold: ObjectHold | null;
}

/** `hold` is null for nearly every row; a plain `<>` would drop those rows too. */
const notQuarantined = (table: string) => (q: Knex.QueryBuilder) =>
  q.whereNull(`${table}.hold`).orWhere(`${table}.hold`, '<>', 'quarantined');

const fromJson = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function toStoredObject(r: ObjectRow): StoredObject {
  return {
    id: r.id,
    kind: r.kind,
    origin: r.origin,
    kid: r.kid,
    created: new Date(r.created),
    receivedAt: new Date(r.received_at),
    receivedFrom: r.received_from,
    tlp: r.tlp,
    audience: fromJson(r.audience),
    recipients: r.recipients == null ? null : fromJson(r.recipients),
    target: r.target,
    jws: r.jws,
    hold: r.hold ?? null,
  };
}

function objectRow(o: NewObject, receivedAt: Date) {
  return {
    id: o.id,
    kind: o.kind,
    origin: o.origin,
    kid: o.kid,
    created: o.created,
    received_at: receivedAt,
    received_from: o.receivedFrom,
    tlp: o.tlp,
    audience: JSON.stringify(o.audience),
    recipients: o.recipients == null ? null : JSON.stringify(o.recipients),
    target: o.target ?? null,
    jws: o.jws,
    hold: o.hold ?? null,
  };
}

function itemRow(i: NewItem, updatedAt: Date) {
  return {
    id: i.id,
    kind: i.kind,
    origin: i.origin,
    created: i.created,
    tlp: i.tlp,
    title: i.title,
    category: i.category ?? null,
    severity: i.severity ?? null,
    topic: i.topic ?? null,
    status: i.status ?? null,
    retracted: i.retracted,
    superseded_by: i.supersededBy ?? null,
    search_text: i.searchText,
    updated_at: updatedAt,
  };
}

function auditRow(e: NewAuditEvent, at: Date) {
  return {
    at,
    actor: e.actor,
    action: e.action,
    subject: e.subject ?? null,
    detail: e.detail == null ? null : JSON.stringify(e.detail),
  };
}

function itemPatchRow(p: ItemPatch) {
  return {
    ...(p.status !== undefined && { status: p.status }),
    ...(p.retracted !== undefined && { retracted: p.retracted }),
    ...(p.supersededBy !== undefined && { superseded_by: p.supersededBy }),
  };
}

export interface OutcomeJob {
  recipient: string;
  outcomes: readonly { objectId: string; outcome: Exclude<Outcome, 'pending'>; reason?: string }[];
  /** When the recipient answered (default: now). */
  at?: Date;
}

/**
 * Group commit: jobs submitted while a write is in flight are written together by
 * the next one, in a single transaction, and each caller's promise settles when
 * the transaction holding its job commits. `write` returns one result per job,
 * in order. One fsync then serves many concurrent callers. A group whose write
 * fails is written again job by job, so one bad job does not fail its neighbours.
 */
export class GroupCommit<J, R = void> {
  #queue: { job: J; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  #writing = false;

  constructor(private readonly write: (jobs: readonly J[]) => Promise<R[]>) {}

  submit(job: J): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      try {
        const results = await this.write(batch.map((b) => b.job));
        for (const [i, b] of batch.entries()) b.resolve(results[i]!);
      } catch (err) {
        if (batch.length === 1) batch[0]!.reject(err);
        // The group's transaction rolled back, perhaps for one job's sake: write each
        // alone, so that only a job that fails by itself fails.
        else for (const b of batch) await this.write([b.job]).then(([r]) => b.resolve(r!), b.reject);
      }
    }
    this.#writing = false;
  }
}
