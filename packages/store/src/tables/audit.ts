import type { Db } from '../db.js';
import { insertRows } from '../dialect.js';
import { AuditEvent } from '../entities.js';

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'>;

export interface AuditQuery {
  action?: string;
  actor?: string;
  subject?: string;
  limit: number;
  beforeId?: number;
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

/** Who did what, newest first. */
export class AuditReader {
  constructor(protected readonly db: Db) {}

  async list(q: AuditQuery): Promise<AuditEvent[]> {
    return this.db.em().find(
      AuditEvent,
      {
        ...(q.action && { action: q.action }),
        ...(q.actor && { actor: q.actor }),
        ...(q.subject && { subject: q.subject }),
        ...(q.beforeId && { id: { $lt: q.beforeId } }),
      },
      { orderBy: { id: 'desc' }, limit: q.limit },
    );
  }
}

export class AuditTransactor extends AuditReader {
  /** One event, at `e.at` or now. */
  async add(e: NewAuditEvent & { at?: Date }): Promise<void> {
    this.db.assertWritable();
    await this.db.knex('audit_events').insert(auditRow(e, e.at ?? new Date()));
  }

  /** Several events at once, all at `at`. */
  async addMany(events: readonly NewAuditEvent[], at: Date): Promise<void> {
    this.db.assertWritable();
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'audit_events',
      events.map((e) => auditRow(e, at)),
    );
  }
}
