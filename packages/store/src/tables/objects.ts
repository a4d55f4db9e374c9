import type { Knex } from '@mikro-orm/knex';
import type { Db } from '../db.js';
import { CHUNK, dateParam, fromJson, insertRows } from '../dialect.js';
import type { ObjectHold, StoredObject } from '../entities.js';

export type NewObject = Omit<StoredObject, 'receivedAt'>;

export type SignedWith = Pick<
  StoredObject,
  'id' | 'kind' | 'origin' | 'kid' | 'created' | 'receivedAt' | 'receivedFrom' | 'target'
>;

/** An `objects` row as the drivers return it (SQLite: dates as epoch ms, JSON as text). */
export interface ObjectRow {
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
export const notQuarantined = (table: string) => (q: Knex.QueryBuilder) =>
  q.whereNull(`${table}.hold`).orWhere(`${table}.hold`, '<>', 'quarantined');

export function toStoredObject(r: ObjectRow): StoredObject {
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

/** The signed objects, exactly as received. Quarantined ones are left out unless a method says otherwise. */
export class ObjectsReader {
  constructor(protected readonly db: Db) {}

  async heldIds(ids: readonly string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (let n = 0; n < ids.length; n += CHUNK) {
      const rows: { id: string }[] = await this.db
        .knex('objects')
        .select('id')
        .whereIn('id', ids.slice(n, n + CHUNK));
      for (const r of rows) held.add(r.id);
    }
    return held;
  }

  async get(id: string): Promise<StoredObject | null> {
    return (await this.getMany([id]))[0] ?? null;
  }

  async getMany(ids: readonly string[]): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (let n = 0; n < ids.length; n += CHUNK) {
      out.push(...(await this.#select((q) => q.whereIn('id', ids.slice(n, n + CHUNK)))));
    }
    return out;
  }

  targeting(target: string, kinds?: readonly string[]): Promise<StoredObject[]> {
    return this.#select((q) => {
      q.where('target', target).orderBy([{ column: 'created' }, { column: 'id' }]);
      if (kinds) q.whereIn('kind', [...kinds]);
    });
  }

  /** Objects referring to any of `targets`, grouped by target, oldest first: one query for a whole batch. */
  async targetingAny(targets: readonly string[]): Promise<Map<string, StoredObject[]>> {
    const out = new Map<string, StoredObject[]>();
    const unique = [...new Set(targets)];
    for (let n = 0; n < unique.length; n += CHUNK) {
      const rows = await this.#select((q) =>
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

  /** Objects created at or after `since`, by id, after `afterId`: pages of a reconciliation manifest. */
  createdSince(since: Date, afterId: string | undefined, limit: number): Promise<StoredObject[]> {
    return this.#select((q) => {
      q.where('created', '>=', since).orderBy('id').limit(limit);
      if (afterId) q.where('id', '>', afterId);
    });
  }

  ofKind(kind: string, limit = 1000): Promise<StoredObject[]> {
    return this.#select((q) =>
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
    return (await this.ofKind(kind, 1))[0] ?? null;
  }

  /** The newest object of `kind` from each origin (by signing time, then id), whatever the arrival order. */
  latestOfKindPerOrigin(kind: string): Promise<StoredObject[]> {
    const knex = this.db.knex;
    return this.#select((q) =>
      q
        .where('objects.kind', kind)
        .whereNotExists(
          knex('objects as later')
            .select(knex.raw('1'))
            .whereRaw('later.kind = objects.kind and later.origin = objects.origin')
            .where((w) =>
              w
                .whereRaw('later.created > objects.created')
                .orWhereRaw('later.created = objects.created and later.id > objects.id'),
            )
            .where(notQuarantined('later')),
        )
        .orderBy('objects.origin'),
    );
  }

  /** Objects of `origin` of one of `kinds`, oldest first (a city's preparedness evidence). */
  ofOrigin(origin: string, kinds: readonly string[], limit = 10_000): Promise<StoredObject[]> {
    return this.#select((q) =>
      q
        .where('origin', origin)
        .whereIn('kind', [...kinds])
        .orderBy([{ column: 'created' }, { column: 'id' }])
        .limit(limit),
    );
  }

  /** When `origin` last signed an object of one of `kinds` (of one of `tlps`, when given); null if never. */
  async latestCreated(origin: string, kinds: readonly string[], tlps?: readonly string[]): Promise<Date | null> {
    const q = this.db
      .knex('objects')
      .max({ at: 'created' })
      .where('origin', origin)
      .whereIn('kind', [...kinds])
      .where(notQuarantined('objects'));
    if (tlps) q.whereIn('tlp', [...tlps]);
    const [row] = (await q) as { at: Date | number | null }[];
    return row?.at == null ? null : new Date(row.at);
  }

  /**
   * Held objects of `origin` signed with one of `kids`, quarantined ones left out, for
   * re-checking their key windows: the envelope only, not the signed bytes.
   */
  async signedWith(origin: string, kids: readonly string[]): Promise<SignedWith[]> {
    if (kids.length === 0) return [];
    const rows: Pick<
      ObjectRow,
      'id' | 'kind' | 'origin' | 'kid' | 'created' | 'received_at' | 'received_from' | 'target'
    >[] = await this.db
      .knex('objects')
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
  heldAs(hold: ObjectHold, limit = 1000): Promise<StoredObject[]> {
    return this.#select((q) => q.where('hold', hold).orderBy('received_at').limit(limit), { quarantined: true });
  }

  /** Objects matching `where`, leaving out quarantined ones unless asked. */
  async #select(where: (q: Knex.QueryBuilder) => void, opts: { quarantined?: boolean } = {}): Promise<StoredObject[]> {
    const q = this.db.knex('objects').select('*');
    if (!opts.quarantined) q.where(notQuarantined('objects'));
    where(q);
    return ((await q) as ObjectRow[]).map(toStoredObject);
  }
}

export class ObjectsTransactor extends ObjectsReader {
  /** Stores new objects, all received at `receivedAt`. Only the append path calls this (it assigns their seqs). */
  async insert(objects: readonly NewObject[], receivedAt: Date): Promise<void> {
    this.db.assertWritable();
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'objects',
      objects.map((o) => objectRow(o, receivedAt)),
    );
  }

  /** Marks objects quarantined; their exact bytes stay, for audit. */
  async quarantine(ids: readonly string[]): Promise<void> {
    this.db.assertWritable();
    for (let n = 0; n < ids.length; n += CHUNK) {
      await this.db
        .knex('objects')
        .whereIn('id', ids.slice(n, n + CHUNK))
        .update({ hold: 'quarantined' });
    }
  }

  /** Clears `unconfirmed` from objects that arrived at or before `upTo`; returns how many. */
  async confirmArrivedBy(upTo: Date): Promise<number> {
    this.db.assertWritable();
    return this.db
      .knex('objects')
      .where('hold', 'unconfirmed')
      .where('received_at', '<=', dateParam(this.db.dialect, upTo))
      .update({ hold: null });
  }
}
