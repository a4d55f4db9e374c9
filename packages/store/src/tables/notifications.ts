import type { Db } from '../db.js';
import { boolParam, dateParam, insertRows } from '../dialect.js';
import type { Notification, NotificationDelivery } from '../entities-operations.js';

export type NewNotification = Omit<Notification, 'id' | 'readAt'>;
export type NewNotificationDelivery = Pick<NotificationDelivery, 'channel' | 'target' | 'payload' | 'nextAttemptAt'>;

interface NotificationRow {
  id: number;
  username: string;
  kind: string;
  subject: string | null;
  text: string;
  emergency: number | boolean;
  created_at: Date | number;
  read_at: Date | number | null;
}
const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  username: r.username,
  kind: r.kind,
  subject: r.subject,
  text: r.text,
  emergency: Boolean(r.emergency),
  createdAt: new Date(r.created_at),
  readAt: r.read_at == null ? null : new Date(r.read_at),
});

interface DeliveryRow {
  id: number;
  channel: 'email' | 'webhook';
  target: string;
  payload: string;
  attempts: number;
  next_attempt_at: Date | number;
  done_at: Date | number | null;
  last_error: string | null;
}
const toDelivery = (r: DeliveryRow): NotificationDelivery => ({
  id: r.id,
  channel: r.channel,
  target: r.target,
  payload: r.payload,
  attempts: r.attempts,
  nextAttemptAt: new Date(r.next_attempt_at),
  doneAt: r.done_at == null ? null : new Date(r.done_at),
  lastError: r.last_error,
});

/** The notification centre, the durable e-mail/webhook queue, and each account's preferences. */
export class NotificationsReader {
  constructor(protected readonly db: Db) {}

  async list(username: string, limit: number): Promise<Notification[]> {
    const rows: NotificationRow[] = await this.db
      .knex('notifications')
      .select('*')
      .where({ username })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toNotification);
  }

  async unread(username: string): Promise<number> {
    const row = await this.db.knex('notifications').count({ n: '*' }).where({ username }).whereNull('read_at').first();
    return Number(row?.n ?? 0);
  }

  async prefs(username: string): Promise<string | null> {
    const row: { prefs: string } | undefined = await this.db
      .knex('notification_prefs')
      .select('prefs')
      .where({ username })
      .first();
    return row?.prefs ?? null;
  }

  async deliveries(limit = 100): Promise<NotificationDelivery[]> {
    const rows: DeliveryRow[] = await this.db.knex('notification_deliveries').select('*').orderBy('id').limit(limit);
    return rows.map(toDelivery);
  }

  /** Deliveries not done whose next attempt is due at `now`, oldest first. */
  async due(now: Date, limit: number): Promise<NotificationDelivery[]> {
    const rows: DeliveryRow[] = await this.db
      .knex('notification_deliveries')
      .select('*')
      .whereNull('done_at')
      .where('next_attempt_at', '<=', dateParam(this.db.dialect, now))
      .orderBy('id')
      .limit(limit);
    return rows.map(toDelivery);
  }
}

export class NotificationsTransactor extends NotificationsReader {
  async add(rows: readonly NewNotification[]): Promise<void> {
    this.db.assertWritable();
    const d = (x: Date) => dateParam(this.db.dialect, x);
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'notifications',
      rows.map((n) => ({
        username: n.username,
        kind: n.kind,
        subject: n.subject ?? null,
        text: n.text,
        emergency: boolParam(this.db.dialect, n.emergency),
        created_at: d(n.createdAt),
        read_at: null,
      })),
    );
  }

  /** Marks the account's notifications read: these ids, or all of them. */
  async markRead(username: string, ids: readonly number[] | 'all', at: Date): Promise<void> {
    this.db.assertWritable();
    const q = this.db.knex('notifications').where({ username }).whereNull('read_at');
    if (ids !== 'all') q.whereIn('id', ids);
    await q.update({ read_at: dateParam(this.db.dialect, at) });
  }

  async setPrefs(username: string, prefs: string): Promise<void> {
    this.db.assertWritable();
    await this.db.knex('notification_prefs').insert({ username, prefs }).onConflict('username').merge();
  }

  async enqueue(rows: readonly NewNotificationDelivery[]): Promise<void> {
    this.db.assertWritable();
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'notification_deliveries',
      rows.map((r) => ({
        channel: r.channel,
        target: r.target,
        payload: r.payload,
        attempts: 0,
        next_attempt_at: dateParam(this.db.dialect, r.nextAttemptAt),
        done_at: null,
        last_error: null,
      })),
    );
  }

  /** One attempt's outcome: done, or the error and when to try again. */
  async attempted(id: number, at: Date, outcome: { ok: true } | { ok: false; error: string; retryAt: Date }) {
    this.db.assertWritable();
    const d = (x: Date) => dateParam(this.db.dialect, x);
    await this.db
      .knex('notification_deliveries')
      .where({ id })
      .increment('attempts', 1)
      .update(
        outcome.ok
          ? { done_at: d(at), last_error: null }
          : { last_error: outcome.error.slice(0, 2000), next_attempt_at: d(outcome.retryAt) },
      );
  }
}
