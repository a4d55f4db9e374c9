import { EntitySchema } from '@mikro-orm/core';

/**
 * Election Day tables (hub): the escalations already sent (each exactly once),
 * the notification centre, the durable queue of e-mail and webhook deliveries,
 * and each account's notification preferences.
 */

/** One escalation, keyed so that it can happen only once: `ack:<bulletin>` or `checkin:<period>:<city>:<since>`. */
export class Escalation {
  key!: string;
  kind!: 'ack' | 'checkin';
  /** The bulletin id or the city's node id. */
  subject!: string;
  period!: string;
  at!: Date;
}
export const EscalationSchema = new EntitySchema<Escalation>({
  class: Escalation,
  tableName: 'escalations',
  indexes: [{ properties: ['period'] }],
  properties: {
    key: { type: 'string', length: 200, primary: true },
    kind: { type: 'string', length: 16 },
    subject: { type: 'string', length: 63 },
    period: { type: 'string', length: 43 },
    at: { type: 'datetime' },
  },
});

/** One entry of an account's notification centre. */
export class Notification {
  id!: number;
  username!: string;
  /** `signature-awaited`, `ack-overdue`, `checkin-overdue`, `advisory`, `statement-invitation`, `comment`. */
  kind!: string;
  /** The object or city it is about. */
  subject?: string | null;
  /** What the recipient may see: never more than its TLP allows them. */
  text!: string;
  emergency!: boolean;
  createdAt!: Date;
  readAt?: Date | null;
}
export const NotificationSchema = new EntitySchema<Notification>({
  class: Notification,
  tableName: 'notifications',
  indexes: [{ properties: ['username', 'readAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    username: { type: 'string', length: 200 },
    kind: { type: 'string', length: 40 },
    subject: { type: 'string', length: 200, nullable: true },
    text: { type: 'text' },
    emergency: { type: 'boolean', default: false },
    createdAt: { type: 'datetime' },
    readAt: { type: 'datetime', nullable: true },
  },
});

/** An e-mail or webhook delivery waiting, retried with backoff; kept after it is done as the receipt. */
export class NotificationDelivery {
  id!: number;
  channel!: 'email' | 'webhook';
  /** The address or URL. */
  target!: string;
  /** JSON: the message (subject, text) or the webhook body. */
  payload!: string;
  attempts!: number;
  nextAttemptAt!: Date;
  doneAt?: Date | null;
  lastError?: string | null;
}
export const NotificationDeliverySchema = new EntitySchema<NotificationDelivery>({
  class: NotificationDelivery,
  tableName: 'notification_deliveries',
  indexes: [{ properties: ['doneAt', 'nextAttemptAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    channel: { type: 'string', length: 16 },
    target: { type: 'string', length: 2048 },
    payload: { type: 'text' },
    attempts: { type: 'integer', default: 0 },
    nextAttemptAt: { type: 'datetime' },
    doneAt: { type: 'datetime', nullable: true },
    lastError: { type: 'text', nullable: true },
  },
});

/** An account's notification preferences (JSON), absent = the defaults. */
export class NotificationPrefs {
  username!: string;
  prefs!: string;
}
export const NotificationPrefsSchema = new EntitySchema<NotificationPrefs>({
  class: NotificationPrefs,
  tableName: 'notification_prefs',
  properties: {
    username: { type: 'string', length: 200, primary: true },
    prefs: { type: 'text' },
  },
});

export const OPERATIONS_ENTITIES = [
  EscalationSchema,
  NotificationSchema,
  NotificationDeliverySchema,
  NotificationPrefsSchema,
];
