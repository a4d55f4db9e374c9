import type { Db } from '../db.js';
import { dateParam } from '../dialect.js';
import type { Escalation } from '../entities-operations.js';

/** A bulletin waiting for the hub's acknowledgement, with when the hub received it. */
export interface OpenBulletinRow {
  id: string;
  origin: string;
  title: string;
  severity: string;
  tlp: string;
  receivedAt: Date;
}

/**
 * The Election Day read model, straight from indexed columns: the bulletins still
 * `published` (nobody acknowledged them), each city's last check-in of a period,
 * and the escalations already sent.
 */
export class OperationsReader {
  constructor(protected readonly db: Db) {}

  async openBulletins(): Promise<OpenBulletinRow[]> {
    const rows: {
      id: string;
      origin: string;
      title: string;
      severity: string;
      tlp: string;
      received_at: Date | number;
    }[] = await this.db
      .knex('items')
      .join('objects', 'objects.id', 'items.id')
      .select('items.id', 'items.origin', 'items.title', 'items.severity', 'items.tlp', 'objects.received_at')
      .where('items.status', 'published')
      .where('items.kind', 'bulletin')
      .where('items.retracted', false)
      .whereNull('items.superseded_by');
    return rows.map((r) => ({
      id: r.id,
      origin: r.origin,
      title: r.title,
      severity: r.severity,
      tlp: r.tlp,
      receivedAt: new Date(r.received_at),
    }));
  }

  /** Each city's last check-in (when this node received it) for the period `period`. */
  async lastCheckIns(period: string): Promise<Map<string, number>> {
    const rows: { origin: string; last: Date | number | string }[] = await this.db
      .knex('objects')
      .select('origin')
      .max({ last: 'received_at' })
      .where({ kind: 'checkin', target: period })
      .where((q) => q.whereNull('hold').orWhere('hold', '<>', 'quarantined'))
      .groupBy('origin');
    return new Map(
      rows.map((r) => [r.origin, new Date(typeof r.last === 'string' ? Number(r.last) : r.last).getTime()]),
    );
  }

  async escalationKeys(period: string): Promise<Set<string>> {
    const rows: { key: string }[] = await this.db.knex('escalations').select('key').where({ period });
    return new Set(rows.map((r) => r.key));
  }

  async escalationsIn(period: string): Promise<Escalation[]> {
    const rows: { key: string; kind: 'ack' | 'checkin'; subject: string; period: string; at: Date | number }[] =
      await this.db.knex('escalations').select('*').where({ period }).orderBy('at');
    return rows.map((r) => ({ ...r, at: new Date(r.at) }));
  }

  async escalationsOf(subject: string): Promise<Escalation[]> {
    const rows: { key: string; kind: 'ack' | 'checkin'; subject: string; period: string; at: Date | number }[] =
      await this.db.knex('escalations').select('*').where({ subject }).orderBy('at');
    return rows.map((r) => ({ ...r, at: new Date(r.at) }));
  }
}

export class OperationsTransactor extends OperationsReader {
  /** Records an escalation; false if one with this key was already recorded (it happens once). */
  async recordEscalation(e: Escalation): Promise<boolean> {
    this.db.assertWritable();
    const held = await this.db.knex('escalations').select('key').where({ key: e.key }).first();
    if (held) return false;
    await this.db.knex('escalations').insert({ ...e, at: dateParam(this.db.dialect, e.at) });
    return true;
  }
}
