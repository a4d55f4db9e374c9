import { canForwardResponse, isResponseKind, type Marked, ObjectIdSchema } from '@citylink/protocol';
import type { Store, StoredObject } from '@citylink/store';
import type { BackgroundTasks } from '../background.js';
import { marked } from '../ingest/projection.js';
import type { RosterIntake } from '../membership/roster-intake.js';
import { SealedCursors } from './manifest-cursor.js';

/** Rows one manifest call may scan, whatever the caller may receive of them. */
const MANIFEST_SCAN_BUDGET = 10_000;
/** A `changes` page stops adding objects past this many bytes (peers accept 16 MiB per answer). */
const PAGE_BYTES = 8 * 1024 * 1024;

/** What this node serves to its peers: `changes`, `manifest` and `fetch`, each filtered by what the peer may receive. */
export class FederationServing {
  readonly #cursors = new SealedCursors();
  readonly #pulledUpTo = new Map<string, number>();
  readonly #lastTouched = new Map<string, number>();

  constructor(private readonly deps: { self: string; store: Store; intake: RosterIntake; tasks: BackgroundTasks }) {}

  /** Where `peer`'s catch-up stands in our log, once it pulled since our start. */
  pulledUpTo(peer: string): number | undefined {
    return this.#pulledUpTo.get(peer);
  }

  /** Records when a peer last called us (at most every 10 s per peer, off the request path). */
  touch(node: string): void {
    const now = Date.now();
    if (now - (this.#lastTouched.get(node) ?? 0) < 10_000) return;
    this.#lastTouched.set(node, now);
    this.deps.tasks.run(() => this.deps.store.updatePeer(node, { lastInboundAt: new Date(now) }));
  }

  /** Delivery outcomes of objects `peer` authored that this node relayed (the hub's fan-out of `*` objects). */
  async deliveryReport(peer: string, ids: string[]) {
    const { store } = this.deps;
    const own = (await store.getObjects(ids)).filter((o) => o.origin === peer);
    const rows = await Promise.all(own.map((o) => store.deliveriesOf(o.id)));
    return rows.flat().map((d) => ({
      objectId: d.objectId,
      recipient: d.recipient,
      outcome: d.outcome,
      reason: d.reason ?? null,
      attempts: d.attempts,
      nextAttemptAt: d.outcome === 'pending' ? d.nextAttemptAt.toISOString() : null,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    }));
  }

  /** Log entries after `after` that this node may pass to `peer`. */
  async changesFor(peer: string, after: number, limit: number) {
    this.deps.intake.requireConfirmed(peer);
    const all = await this.deps.store.logAfter(after, limit);
    let bytes = 0;
    const rows = all.filter((r, i) => {
      bytes += r.object.jws.length;
      return i === 0 || bytes <= PAGE_BYTES;
    });
    // Where each peer's catch-up stands in our log (for the hub's network view).
    this.#pulledUpTo.set(peer, rows.length > 0 ? rows[rows.length - 1]!.seq : after);
    const maySend = await this.#sendable(
      rows.map((r) => r.object),
      peer,
    );
    const items = rows
      .filter((r) => r.object.hold !== 'quarantined' && maySend(r.object))
      .map((r) => ({ seq: r.seq, jws: r.object.jws }));
    return {
      epoch: this.deps.store.epoch,
      items,
      next: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
      head: this.deps.store.headSeq,
    };
  }

  /**
   * Ids of objects created since `since` that `peer` may receive, in id order.
   * Filtered before limiting, and the cursor is sealed: a page never hands over,
   * in `ids` or in `next`, the id of an object the peer may not receive. Each call
   * scans at most MANIFEST_SCAN_BUDGET rows; `next` is null once the scan reached
   * the end. `after` is a cursor from an earlier page, or (older peers) a plain id.
   */
  async manifestFor(peer: string, since: Date, after: string | undefined, limit: number) {
    this.deps.intake.requireConfirmed(peer);
    let position =
      after === undefined || ObjectIdSchema.safeParse(after).success ? after : this.#cursors.open(after, peer);
    const ids: string[] = [];
    let scanned = 0;
    let end = false;
    while (ids.length < limit && scanned < MANIFEST_SCAN_BUDGET) {
      const want = Math.min(Math.max(limit, 200), MANIFEST_SCAN_BUDGET - scanned);
      const rows = await this.deps.store.objectsCreatedSince(since, position, want);
      scanned += rows.length;
      const maySend = await this.#sendable(rows, peer);
      for (const o of rows) {
        position = o.id;
        if (maySend(o)) ids.push(o.id);
        if (ids.length === limit) break;
      }
      if (rows.length < want) {
        end = position === rows[rows.length - 1]?.id || rows.length === 0;
        break;
      }
    }
    return { ids, next: end || position === undefined ? null : this.#cursors.seal(position, peer) };
  }

  async fetchFor(peer: string, ids: string[]): Promise<string[]> {
    this.deps.intake.requireConfirmed(peer);
    const objects = await this.deps.store.getObjects(ids);
    const maySend = await this.#sendable(objects, peer);
    return objects.filter(maySend).map((o) => o.jws);
  }

  /**
   * Which of these objects this node may pass to `peer`: `canForward`, and for an
   * answer (acknowledgement, status, retraction, endorsement) the peer must also be
   * allowed what it answers, when that is held here.
   */
  async #sendable(objects: readonly StoredObject[], peer: string): Promise<(o: StoredObject) => boolean> {
    const answered = await this.#answered(objects);
    return (o) => canForwardResponse(marked(o), answered(o), this.deps.self, peer);
  }

  /** The held objects that these objects answer, by answering object. */
  async #answered(objects: readonly StoredObject[]): Promise<(o: StoredObject) => Marked | undefined> {
    const wanted = [...new Set(objects.filter((o) => isResponseKind(o.kind) && o.target).map((o) => o.target!))];
    const held = new Map(
      (wanted.length > 0 ? await this.deps.store.getObjects(wanted) : []).map((t) => [t.id, marked(t)]),
    );
    return (o) => (isResponseKind(o.kind) && o.target ? held.get(o.target) : undefined);
  }
}
