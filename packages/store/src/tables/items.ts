import { raw } from '@mikro-orm/core';
import type { Db } from '../db.js';
import { CHUNK, dateParam, insertRows } from '../dialect.js';
import { Item } from '../entities.js';
import { indexPendingSearch, searchCondition } from '../search.js';

export type NewItem = Omit<Item, 'updatedAt'>;
export type ItemPatch = Partial<Pick<Item, 'status' | 'retracted' | 'supersededBy'>>;

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

function itemPatchRow(p: ItemPatch) {
  return {
    ...(p.status !== undefined && { status: p.status }),
    ...(p.retracted !== undefined && { retracted: p.retracted }),
    ...(p.supersededBy !== undefined && { superseded_by: p.supersededBy }),
  };
}

/** The projection of bulletins and notes the feeds and charts read. */
export class ItemsReader {
  constructor(protected readonly db: Db) {}

  async query(q: ItemQuery): Promise<Item[]> {
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
    const search = q.text ? searchCondition(this.db.dialect, q.text) : undefined;
    if (search) {
      await indexPendingSearch(this.db);
      and.push({ [raw(search.sql, [search.param])]: [] });
    }
    if (q.before) {
      and.push({
        $or: [{ created: { $lt: q.before.created } }, { created: q.before.created, id: { $lt: q.before.id } }],
      });
    }
    if (and.length) where.$and = and;
    return this.db.em().find(Item, where, { orderBy: { created: 'desc', id: 'desc' }, limit: q.limit });
  }

  async get(id: string): Promise<Item | null> {
    return this.db.em().findOne(Item, { id });
  }

  /** Bulletins per UTC day, category and severity since `since` (for charts over time); `tlpsExcept` left out. */
  async countBulletinsByDay(
    since: Date,
    where: { tlpsExcept?: string[] } = {},
  ): Promise<{ day: string; category: string; severity: string; n: number }[]> {
    const rows = await this.db.em().find(
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

  async countBy(
    field: 'category' | 'severity' | 'origin' | 'status',
    where: { kinds?: string[]; since?: Date; tlpsExcept?: string[] } = {},
  ): Promise<Record<string, number>> {
    const qb = this.db
      .knex('items')
      .select(field)
      .count({ n: '*' })
      .where('retracted', false)
      .whereNull('superseded_by')
      .groupBy(field);
    if (where.kinds?.length) qb.whereIn('kind', where.kinds);
    if (where.tlpsExcept?.length) qb.whereNotIn('tlp', where.tlpsExcept);
    if (where.since) qb.where('created', '>=', dateParam(this.db.dialect, where.since));
    const rows = (await qb) as { [k: string]: unknown; n: number | string }[];
    return Object.fromEntries(rows.map((r) => [String(r[field] ?? 'none'), Number(r.n)]));
  }
}

export class ItemsTransactor extends ItemsReader {
  async insert(items: readonly NewItem[], updatedAt: Date): Promise<void> {
    this.db.assertWritable();
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'items',
      items.map((i) => itemRow(i, updatedAt)),
    );
  }

  /** Applies projection changes (status, retraction, supersession) in order. */
  async patch(patches: readonly { id: string; patch: ItemPatch }[], updatedAt: Date): Promise<void> {
    this.db.assertWritable();
    for (const { id, patch } of patches) {
      await this.db
        .knex('items')
        .where('id', id)
        .update({ ...itemPatchRow(patch), updated_at: updatedAt });
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    this.db.assertWritable();
    for (let n = 0; n < ids.length; n += CHUNK) {
      await this.db
        .knex('items')
        .whereIn('id', ids.slice(n, n + CHUNK))
        .delete();
    }
  }
}
