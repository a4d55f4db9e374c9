import {
  isPublic,
  isPublicResponse,
  isResponseKind,
  mayDisplay,
  mayDisplayResponse,
  type SignedObject,
} from '@citylink/protocol';
import type { Item, ItemQuery, Store, StoredObject } from '@citylink/store';
import type { SessionUser } from '../accounts/accounts.js';
import type { NodeConfig } from '../config.js';
import type { FeedBus } from '../ingest/pipeline.js';
import { decodeStored, marked } from '../ingest/projection.js';
import { mayReadKind } from '../ingest/rules.js';
import { objectPermissions } from './permissions.js';

export interface FeedEntry {
  seq: number;
  id: string;
  kind: string;
  origin: string;
  created: string;
  tlp: string;
  audience: string[];
  target: string | null;
  object: SignedObject;
  jws: string;
}

export interface RelayedDelivery {
  recipient: string;
  outcome: string;
  reason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

export interface ItemView {
  id: string;
  kind: string;
  origin: string;
  created: string;
  tlp: string;
  title: string;
  category: string | null;
  severity: string | null;
  topic: string | null;
  status: string | null;
  retracted: boolean;
  supersededBy: string | null;
  /** Set when the object was taken before any roster since this node's start confirmed its key. */
  unconfirmed?: true;
}

function itemView(item: Item): ItemView {
  return {
    id: item.id,
    kind: item.kind,
    origin: item.origin,
    created: item.created.toISOString(),
    tlp: item.tlp,
    title: item.title,
    category: item.category ?? null,
    severity: item.severity ?? null,
    topic: item.topic ?? null,
    status: item.status ?? null,
    retracted: item.retracted,
    supersededBy: item.supersededBy ?? null,
  };
}

/** RED bulletins one overview checks person by person. */
const MAX_RED_COUNTED = 10_000;

/** Read models for consoles and the CLI. Every read applies `mayDisplay` for the person asking. */
export class Views {
  constructor(
    private readonly n: {
      self: string;
      role: NodeConfig['role'];
      store: Store;
      bus: FeedBus;
      /** Outcomes of the hub's onward delivery of one of our network-wide objects (cities only). */
      relayed?: (id: string) => Promise<RelayedDelivery[]>;
    },
  ) {}

  /** The newest log sequence: where a live feed starts when the client names none. */
  head(): number {
    return this.n.store.headSeq;
  }

  /** `mayDisplay` of the object's own marking; for objects that may answer another one, use `visible`. */
  canSee(user: SessionUser, o: Pick<StoredObject, 'origin' | 'tlp' | 'audience' | 'recipients'>): boolean {
    return mayDisplay(marked(o), { node: this.n.self, user: user.username });
  }

  /**
   * The objects this person may see, in order: `mayDisplay`, and for an answer
   * (acknowledgement, status, retraction, endorsement) `mayDisplayResponse` against
   * the object it answers, looked up once for the whole batch (`known` saves lookups).
   */
  async visible<T extends StoredObject>(
    user: SessionUser,
    objects: readonly T[],
    known: readonly StoredObject[] = [],
  ): Promise<T[]> {
    const byId = new Map<string, StoredObject>([...known, ...objects].map((o) => [o.id, o]));
    const missing = [
      ...new Set(
        objects.filter((o) => isResponseKind(o.kind) && o.target && !byId.has(o.target)).map((o) => o.target!),
      ),
    ];
    if (missing.length > 0) for (const t of await this.n.store.getObjects(missing)) byId.set(t.id, t);
    const viewer = { node: this.n.self, user: user.username };
    return objects.filter((o) => {
      if (!mayReadKind(o.kind, this.n.role, user.roles)) return false;
      if (!isResponseKind(o.kind)) return mayDisplay(marked(o), viewer);
      const target = o.target ? byId.get(o.target) : undefined;
      return mayDisplayResponse(marked(o), target && marked(target), viewer);
    });
  }

  /** Log rows this person may see. */
  async #visibleRows<R extends { object: StoredObject }>(user: SessionUser, rows: readonly R[]): Promise<R[]> {
    const ok = new Set(
      await this.visible(
        user,
        rows.map((r) => r.object),
      ),
    );
    // Log pages carry quarantined objects (the cursor moves past them); nobody is shown one.
    return rows.filter((r) => r.object.hold !== 'quarantined' && ok.has(r.object));
  }

  entry(seq: number, o: StoredObject): FeedEntry {
    return {
      seq,
      id: o.id,
      kind: o.kind,
      origin: o.origin,
      created: o.created.toISOString(),
      tlp: o.tlp,
      audience: o.audience,
      target: o.target ?? null,
      object: decodeStored(o),
      jws: o.jws,
    };
  }

  async feed(user: SessionUser, q: Omit<ItemQuery, 'limit'> & { limit: number }) {
    const items: ItemView[] = [];
    let before = q.before;
    // Over-fetch: some rows may be RED objects for someone else.
    for (let round = 0; round < 10 && items.length < q.limit; round++) {
      const page = await this.n.store.queryItems({ ...q, ...(before && { before }), limit: q.limit * 2 });
      if (page.length === 0) break;
      const objects = new Map((await this.n.store.getObjects(page.map((p) => p.id))).map((o) => [o.id, o]));
      for (const item of page) {
        const o = objects.get(item.id);
        if (!o || !this.canSee(user, o)) continue;
        items.push(o.hold === 'unconfirmed' ? { ...itemView(item), unconfirmed: true } : itemView(item));
        if (items.length === q.limit) break;
      }
      const last = page[page.length - 1]!;
      before = { created: last.created, id: last.id };
      if (page.length < q.limit * 2) break;
    }
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: items.length === q.limit && last ? { created: last.created, id: last.id } : null,
    };
  }

  /**
   * Bulletin counts for the hub's situation view, of what this person may see:
   * RED bulletins count only for their named recipients (and the origin's people).
   * Everything else the hub holds, every hub account may see, so the database
   * counts it; RED items are few and are checked one by one (at most MAX_RED_COUNTED).
   */
  async overview(user: SessionUser, q: { since?: Date | undefined; daysSince: Date }) {
    const { store } = this.n;
    const where = { kinds: ['bulletin'], tlpsExcept: ['RED'], ...(q.since && { since: q.since }) };
    const fields = ['category', 'severity', 'origin', 'status'] as const;
    const [byCategory, bySeverity, byOrigin, byStatus] = (await Promise.all(
      fields.map((f) => store.countItemsBy(f, where)),
    )) as [Record<string, number>, Record<string, number>, Record<string, number>, Record<string, number>];
    const byDay = await store.countBulletinsByDay(q.daysSince, { tlpsExcept: ['RED'] });
    const red = await store.queryItems({
      kinds: ['bulletin'],
      tlps: ['RED'],
      ...(q.since && { since: q.since }),
      limit: MAX_RED_COUNTED,
    });
    const seen = new Set((await this.visible(user, await store.getObjects(red.map((i) => i.id)))).map((o) => o.id));
    const add = (counts: Record<string, number>, key: string | null | undefined) => {
      counts[key ?? 'none'] = (counts[key ?? 'none'] ?? 0) + 1;
    };
    for (const item of red.filter((i) => seen.has(i.id))) {
      add(byCategory, item.category);
      add(bySeverity, item.severity);
      add(byOrigin, item.origin);
      add(byStatus, item.status);
      if (item.created < q.daysSince) continue;
      const day = item.created.toISOString().slice(0, 10);
      const [category, severity] = [item.category ?? 'none', item.severity ?? 'none'];
      const row = byDay.find((d) => d.day === day && d.category === category && d.severity === severity);
      if (row) row.n++;
      else byDay.push({ day, category, severity, n: 1 });
    }
    byDay.sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));
    return { byCategory, bySeverity, byOrigin, byStatus, byDay };
  }

  /**
   * The public page: TLP:CLEAR bulletins and notes only, for anyone, with no login.
   * Nothing else can appear here: the query itself is restricted to CLEAR.
   */
  async publicFeed(q: {
    limit: number;
    before?: { created: Date; id: string } | undefined;
    text?: string | undefined;
  }) {
    const page = await this.n.store.queryItems({
      tlps: ['CLEAR'],
      kinds: ['bulletin', 'note'],
      limit: q.limit,
      ...(q.before && { before: q.before }),
      ...(q.text && { text: q.text }),
    });
    const items = page.filter((i) => isPublic({ tlp: i.tlp as SignedObject['tlp'] })).map(itemView);
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === q.limit && last ? { created: last.created, id: last.id } : null };
  }

  /** One TLP:CLEAR object for the public page, or null. */
  async publicObject(id: string) {
    const o = await this.n.store.getObject(id);
    if (!o || !isPublic({ tlp: o.tlp as SignedObject['tlp'] })) return null;
    if (isResponseKind(o.kind)) {
      const target = o.target ? await this.n.store.getObject(o.target) : null;
      if (!isPublicResponse(marked(o), target ? marked(target) : undefined)) return null;
    }
    return {
      id: o.id,
      kind: o.kind,
      origin: o.origin,
      created: o.created.toISOString(),
      object: decodeStored(o),
      jws: o.jws,
    };
  }

  async objectsAfter(user: SessionUser, after: number, limit: number) {
    const rows = await this.n.store.logAfter(after, limit);
    return {
      items: (await this.#visibleRows(user, rows)).map((r) => this.entry(r.seq, r.object)),
      next: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
      head: this.n.store.headSeq,
    };
  }

  async detail(user: SessionUser, id: string) {
    const { store, self } = this.n;
    const o = await store.getObject(id);
    if (!o || (await this.visible(user, [o])).length === 0) return null;
    const [item, allRefs, seq, escalations] = await Promise.all([
      store.getItem(id),
      store.objectsTargeting(id),
      store.seqOf(id),
      store.read((r) => r.operations.escalationsOf(id)),
    ]);
    const refs = onePerCity(await this.visible(user, allRefs, [o]));
    const deliveries = o.origin === self ? await store.deliveriesOf(id) : [];
    // A network-wide object goes to the hub, which relays it: ask the hub how that went.
    const asksHub = o.origin === self && o.audience.includes('*') && this.n.relayed !== undefined;
    const relayed = asksHub ? await this.n.relayed!(id).catch(() => null) : [];
    return {
      ...this.entry(seq ?? 0, o),
      kid: o.kid,
      receivedAt: o.receivedAt.toISOString(),
      receivedFrom: o.receivedFrom,
      /** Taken while the hub was unreachable after a restart; no roster has confirmed its key since. */
      unconfirmed: o.hold === 'unconfirmed',
      recipients: o.recipients ?? null,
      can: objectPermissions(this.n, user, o, item, allRefs),
      item: item && {
        status: item.status ?? null,
        retracted: item.retracted,
        supersededBy: item.supersededBy ?? null,
      },
      related: refs.map((r) => ({
        id: r.id,
        kind: r.kind,
        origin: r.origin,
        created: r.created.toISOString(),
        object: decodeStored(r),
      })),
      deliveries: [
        ...deliveries.map((d) => ({
          recipient: d.recipient,
          outcome: d.outcome as string,
          reason: d.reason ?? null,
          attempts: d.attempts,
          nextAttemptAt: d.outcome === 'pending' ? d.nextAttemptAt.toISOString() : null,
          lastError: d.lastError ?? null,
          deliveredAt: d.deliveredAt?.toISOString() ?? null,
          via: null as string | null,
        })),
        ...(relayed ?? []).map((d) => ({ ...d, lastError: null, via: 'hub' as string | null })),
      ],
      /** False when the hub could not be asked just now about its onward delivery of this object. */
      relayReportAvailable: relayed !== null,
      /** Election Day: when its acknowledgement went overdue and was escalated (hub). */
      escalations: escalations.map((e) => ({ kind: e.kind, at: e.at.toISOString() })),
    };
  }

  /**
   * Yields batches of visible log entries after `after`, forever, until `signal`
   * aborts. The listener is armed before each read, so an append between the read
   * and the wait is never missed.
   */
  async *follow(user: SessionUser, after: number, signal: AbortSignal | undefined): AsyncGenerator<FeedEntry[]> {
    let cursor = after;
    let dirty = false;
    let wake: (() => void) | undefined;
    const onAppend = () => {
      dirty = true;
      wake?.();
    };
    const onAbort = () => wake?.();
    this.n.bus.on('appended', onAppend);
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        dirty = false;
        const rows = await this.n.store.logAfter(cursor, 200);
        if (rows.length > 0) {
          cursor = rows[rows.length - 1]!.seq;
          const visible = (await this.#visibleRows(user, rows)).map((r) => this.entry(r.seq, r.object));
          if (visible.length > 0) yield visible;
          continue;
        }
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.n.bus.off('appended', onAppend);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * A city acknowledges a report once (ingest refuses a second one); one that arrived
 * before that rule, or from a node that ignores it, is shown once: its first.
 */
function onePerCity<T extends { kind: string; origin: string; created: Date }>(refs: readonly T[]): T[] {
  const acked = new Set<string>();
  return [...refs]
    .sort((a, b) => a.created.getTime() - b.created.getTime())
    .filter((r) => {
      if (r.kind !== 'acknowledgement') return true;
      if (acked.has(r.origin)) return false;
      acked.add(r.origin);
      return true;
    });
}
