import { isPublic, mayDisplay, type SignedObject } from '@citylink/protocol';
import type { Item, ItemQuery, Store, StoredObject } from '@citylink/store';
import type { SessionUser } from './auth.js';
import type { FeedBus } from './pipeline.js';
import { decodeStored } from './projection.js';

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

/** Read models for consoles and the CLI. Every read applies `mayDisplay` for the person asking. */
export class Views {
  constructor(
    private readonly n: {
      self: string;
      store: Store;
      bus: FeedBus;
      /** Outcomes of the hub's onward delivery of one of our network-wide objects (cities only). */
      relayed?: (id: string) => Promise<RelayedDelivery[]>;
    },
  ) {}

  canSee(user: SessionUser, o: Pick<StoredObject, 'origin' | 'tlp' | 'audience' | 'recipients'>): boolean {
    return mayDisplay(
      {
        origin: o.origin,
        tlp: o.tlp as SignedObject['tlp'],
        audience: o.audience,
        recipients: o.recipients ?? undefined,
      },
      { node: this.n.self, user: user.username },
    );
  }

  /** Log pages carry quarantined objects (the cursor moves past them); nobody is shown one. */
  #shows(user: SessionUser, o: StoredObject): boolean {
    return o.hold !== 'quarantined' && this.canSee(user, o);
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
      items: rows.filter((r) => this.#shows(user, r.object)).map((r) => this.entry(r.seq, r.object)),
      next: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
      head: this.n.store.headSeq,
    };
  }

  async detail(user: SessionUser, id: string) {
    const { store, self } = this.n;
    const o = await store.getObject(id);
    if (!o || !this.canSee(user, o)) return null;
    const [item, refs, seq] = await Promise.all([store.getItem(id), store.objectsTargeting(id), store.seqOf(id)]);
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
      item: item && {
        status: item.status ?? null,
        retracted: item.retracted,
        supersededBy: item.supersededBy ?? null,
      },
      related: refs
        .filter((r) => this.canSee(user, r))
        .map((r) => ({
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
          const visible = rows.filter((r) => this.#shows(user, r.object)).map((r) => this.entry(r.seq, r.object));
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
