import type { Db } from '../db.js';
import { dateParam, insertRows } from '../dialect.js';
import type { StoredObject } from '../entities.js';
import { type ObjectRow, toStoredObject } from './objects.js';

export interface LogRow {
  seq: number;
  object: StoredObject;
}

/** The append-only log: one gap-free sequence number per object. */
export class LogReader {
  constructor(protected readonly db: Db) {}

  /**
   * Log entries strictly after `afterSeq`, oldest first. Quarantined objects are in
   * the page (the cursor must move past them) with `object.hold` set: callers that
   * show or pass on entries leave them out.
   */
  async after(afterSeq: number, limit: number): Promise<LogRow[]> {
    const rows: (ObjectRow & { seq: number })[] = await this.db
      .knex('log')
      .join('objects', 'objects.id', 'log.object_id')
      .select('log.seq', 'objects.*')
      .where('log.seq', '>', afterSeq)
      .orderBy('log.seq')
      .limit(limit);
    return rows.map((r) => ({ seq: Number(r.seq), object: toStoredObject(r) }));
  }

  /**
   * Like `after`, with each row's append time, keeping only some markings and kinds
   * (feeds that serve a slice of the log: TAXII collections). The filter runs on the
   * page read in log order: asked of the database, it lets the planner walk a marking
   * index and sort, which grows with the table. `last` is the last sequence read
   * (the cursor moves past rows the filter dropped); `read` how many were.
   */
  async slice(q: {
    afterSeq: number;
    limit: number;
    tlps: readonly string[];
    kinds: readonly string[];
  }): Promise<{ rows: (LogRow & { appendedAt: Date })[]; last: number | undefined; read: number }> {
    const rows: (ObjectRow & { seq: number; appended_at: Date | number })[] = await this.db
      .knex('log')
      .join('objects', 'objects.id', 'log.object_id')
      .select('log.seq', 'log.appended_at', 'objects.*')
      .where('log.seq', '>', q.afterSeq)
      .orderBy('log.seq')
      .limit(q.limit);
    const tlps = new Set(q.tlps);
    const kinds = new Set(q.kinds);
    return {
      rows: rows
        .filter((r) => tlps.has(r.tlp) && kinds.has(r.kind))
        .map((r) => ({ seq: Number(r.seq), appendedAt: new Date(r.appended_at), object: toStoredObject(r) })),
      last: rows.length > 0 ? Number(rows[rows.length - 1]!.seq) : undefined,
      read: rows.length,
    };
  }

  /** The last sequence number appended at or before `at` (0 if none): where "added after `at`" starts. */
  async seqAppendedBy(at: Date): Promise<number> {
    const row: { seq?: number | string | null } | undefined = await this.db
      .knex('log')
      .max({ seq: 'seq' })
      .where('appended_at', '<=', dateParam(this.db.dialect, at))
      .first();
    return Number(row?.seq ?? 0);
  }

  /** The log rows of these objects, with their append times, in log order (objects not in the log are left out). */
  async ofObjects(ids: readonly string[]): Promise<(LogRow & { appendedAt: Date })[]> {
    const out: (LogRow & { appendedAt: Date })[] = [];
    for (let n = 0; n < ids.length; n += 500) {
      const rows: (ObjectRow & { seq: number; appended_at: Date | number })[] = await this.db
        .knex('log')
        .join('objects', 'objects.id', 'log.object_id')
        .select('log.seq', 'log.appended_at', 'objects.*')
        .whereIn('log.object_id', ids.slice(n, n + 500));
      for (const r of rows)
        out.push({ seq: Number(r.seq), appendedAt: new Date(r.appended_at), object: toStoredObject(r) });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async seqOf(id: string): Promise<number | undefined> {
    const row: { seq: number } | undefined = await this.db.knex('log').select('seq').where('object_id', id).first();
    return row ? Number(row.seq) : undefined;
  }

  /** The highest sequence number in the log, 0 for an empty log. */
  async head(): Promise<number> {
    const row: { seq?: number | string | null } | undefined = await this.db.knex('log').max({ seq: 'seq' }).first();
    return Number(row?.seq ?? 0);
  }
}

export class LogTransactor extends LogReader {
  /** Only the append path calls this: it hands out the sequence numbers under its lock. */
  async insert(entries: readonly { seq: number; objectId: string }[], appendedAt: Date): Promise<void> {
    this.db.assertWritable();
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'log',
      entries.map((e) => ({ seq: e.seq, object_id: e.objectId, appended_at: appendedAt })),
    );
  }
}
