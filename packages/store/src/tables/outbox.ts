import type { Knex } from '@mikro-orm/knex';
import type { Db } from '../db.js';
import { CHUNK, dateParam, insertRows } from '../dialect.js';
import { OutboxEntry, type Outcome } from '../entities.js';
import { notQuarantined } from './objects.js';

export interface DueDelivery {
  rowId: number;
  objectId: string;
  attempts: number;
  createdAt: Date;
  jws: string;
}

export interface OutcomeJob {
  recipient: string;
  outcomes: readonly { objectId: string; outcome: Exclude<Outcome, 'pending'>; reason?: string }[];
  /** When the recipient answered (default: now). */
  at?: Date;
}

/** One row per (object, recipient) this node must deliver, with its final answer once there is one. */
export class OutboxReader {
  constructor(protected readonly db: Db) {}

  async recipientsWithDue(now: Date): Promise<string[]> {
    const rows = await this.db
      .knex('outbox')
      .distinct('recipient')
      .where('outcome', 'pending')
      .where('next_attempt_at', '<=', now)
      .where(unclaimedAt(this.db, now));
    return rows.map((r: { recipient: string }) => r.recipient);
  }

  /** Up to `limit` pending rows for `recipient` due at `now`, in row order, after row `afterRowId`. */
  async dueFor(recipient: string, now: Date, limit: number, afterRowId = 0): Promise<DueDelivery[]> {
    const rows: { id: number; object_id: string; attempts: number; created_at: Date | number; jws: string }[] =
      await this.db
        .knex('outbox')
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

  async deliveriesOf(objectId: string): Promise<OutboxEntry[]> {
    return this.db.em().find(OutboxEntry, { objectId }, { orderBy: { recipient: 'asc' } });
  }

  async pendingCount(recipient?: string): Promise<number> {
    const q = this.db.knex('outbox').count({ n: '*' }).where('outcome', 'pending');
    if (recipient) q.where('recipient', recipient);
    const [row] = (await q) as { n: number | string }[];
    return Number(row?.n ?? 0);
  }

  async pendingByRecipient(): Promise<Record<string, number>> {
    const rows = await this.db
      .knex('outbox')
      .select('recipient')
      .count({ n: '*' })
      .where('outcome', 'pending')
      .groupBy('recipient');
    return Object.fromEntries(
      (rows as unknown as { recipient: string; n: number | string }[]).map((r) => [r.recipient, Number(r.n)]),
    );
  }

  /** The earliest a pending row is due and not claimed by a process (a claim's lease end counts as its due time). */
  async nextDueAt(): Promise<Date | undefined> {
    const due = this.db.knex.raw(
      'min(case when claimed_until is not null and claimed_until > next_attempt_at then claimed_until else next_attempt_at end) as at',
    );
    const row = (await this.db.knex('outbox').select(due).where('outcome', 'pending').first()) as
      | { at: Date | number | null }
      | undefined;
    return row?.at == null ? undefined : new Date(row.at);
  }
}

/** Rows no process holds a live claim on at `now`. */
const unclaimedAt = (db: Db, now: Date) => (q: Knex.QueryBuilder) =>
  q.whereNull('claimed_until').orWhere('claimed_until', '<=', dateParam(db.dialect, now));

export class OutboxTransactor extends OutboxReader {
  /**
   * Hub processes sharing a PostgreSQL database: up to `limit` rows due for `recipient`
   * after row `afterRowId`, claimed for `claim.owner` until `claim.until` in one
   * statement. `FOR UPDATE SKIP LOCKED` passes over rows another process is claiming
   * at this instant, the lease over rows it claimed before; a dead process's claims
   * simply run out. Rows this process claimed itself stay its own (a batch cut short by
   * its byte limit goes on with them). An outcome or a failed attempt ends the claim.
   */
  async claimDue(
    recipient: string,
    now: Date,
    limit: number,
    afterRowId: number,
    claim: { owner: string; until: Date },
  ): Promise<DueDelivery[]> {
    this.db.assertWritable();
    const { rows } = (await this.db.knex.raw(
      `with claimed as (
         update outbox set claimed_by = ?, claimed_until = ?
         where id in (
           select o.id from outbox o join objects on objects.id = o.object_id
           where o.recipient = ? and o.outcome = 'pending' and o.next_attempt_at <= ? and o.id > ?
             and (objects.hold is null or objects.hold <> 'quarantined')
             and (o.claimed_until is null or o.claimed_until <= ? or o.claimed_by = ?)
           order by o.id limit ? for update of o skip locked)
         returning id, object_id, attempts, created_at)
       select claimed.*, objects.jws from claimed join objects on objects.id = claimed.object_id order by claimed.id`,
      [claim.owner, claim.until, recipient, now, afterRowId, now, claim.owner, limit],
    )) as { rows: { id: number; object_id: string; attempts: number; created_at: Date; jws: string }[] };
    return rows.map((r) => ({
      rowId: Number(r.id),
      objectId: r.object_id,
      attempts: r.attempts,
      createdAt: new Date(r.created_at),
      jws: r.jws,
    }));
  }

  /** Queues deliveries, due at once. */
  async enqueue(rows: readonly { objectId: string; recipient: string }[], now: Date): Promise<void> {
    this.db.assertWritable();
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'outbox',
      rows.map((r) => ({
        object_id: r.objectId,
        recipient: r.recipient,
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
        outcome: 'pending',
      })),
    );
  }

  /** Final answers of many pushes, to any recipients. A final answer is never overwritten. */
  async recordOutcomes(jobs: readonly OutcomeJob[], now: Date): Promise<void> {
    this.db.assertWritable();
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
          await this.db
            .knex('outbox')
            .whereIn('object_id', g.ids.slice(n, n + CHUNK))
            .where({ recipient, outcome: 'pending' })
            .update({ outcome: g.outcome, reason: g.reason, delivered_at: at, last_error: null });
        }
      }
    }
  }

  /** A failed attempt: the rows stay pending and are tried again at `nextAttemptAt`. */
  async recordAttemptFailure(rowIds: readonly number[], error: string, nextAttemptAt: Date): Promise<void> {
    this.db.assertWritable();
    if (rowIds.length === 0) return;
    const knex = this.db.knex;
    await knex('outbox')
      .whereIn('id', [...rowIds])
      .update({
        attempts: knex.raw('attempts + 1'),
        last_error: error.slice(0, 2000),
        claimed_by: null,
        claimed_until: null,
        next_attempt_at: dateParam(this.db.dialect, nextAttemptAt),
      });
  }

  /** Moves every pending delivery to a peer forward to `at` (used when a peer's breaker opens). */
  async deferRecipient(recipient: string, at: Date): Promise<void> {
    this.db.assertWritable();
    await this.db
      .em()
      .nativeUpdate(OutboxEntry, { recipient, outcome: 'pending', nextAttemptAt: { $lt: at } }, { nextAttemptAt: at });
  }

  /** Cancels the pending deliveries of `objectIds`, with `reason` as their final answer. */
  async cancelPending(objectIds: readonly string[], reason: string, now: Date): Promise<void> {
    this.db.assertWritable();
    for (let n = 0; n < objectIds.length; n += CHUNK) {
      await this.db
        .knex('outbox')
        .whereIn('object_id', objectIds.slice(n, n + CHUNK))
        .where('outcome', 'pending')
        .update({ outcome: 'cancelled', reason: reason.slice(0, 2000), delivered_at: now });
    }
  }
}
