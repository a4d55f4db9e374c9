import { LIMITS, ObjectIdSchema } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Inbound } from '../ingest/pipeline.js';
import type { Metrics } from '../metrics.js';
import { describeFailure } from './delivery.js';
import type { PeerApi } from './peer-api.js';

const PAGE = 500;
const MANIFEST_PAGE = 2000;
const FETCH_BATCH = 100;
const MANIFEST_WINDOW_MS = 30 * 24 * 3600 * 1000;
const PENALTY_BASE_MS = 60_000;
const PENALTY_CAP_MS = 3_600_000;

/** A peer's answer that breaks the protocol; nothing of it is consumed. */
export class PeerProtocolError extends Error {
  override name = 'PeerProtocolError';
}

const Jws = z.string().min(1).max(LIMITS.absoluteMaxObjectBytes);
const Seq = z.number().int().min(0);
const changesPage = (after: number, limit: number) =>
  z.object({
    epoch: z.string().min(1).max(200),
    items: z.array(z.object({ seq: Seq, jws: Jws })).max(limit),
    next: Seq.min(after),
    head: Seq,
  });
const manifestPage = (limit: number) =>
  z.object({ ids: z.array(ObjectIdSchema).max(limit), next: ObjectIdSchema.nullable() });
const fetchPage = (asked: number) => z.object({ objects: z.array(Jws).max(asked) });

/** Checks a peer's answer against what was asked for, before anything of it is used. */
function checked<T>(schema: z.ZodType<T>, answer: unknown, what: string): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PeerProtocolError(`${what}: ${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Pull-based convergence. `pull` walks a peer's log from the stored cursor
 * (exclusive sequence + epoch) and feeds every object through the inbound
 * pipeline; `reconcile` compares id manifests and fetches what both push and pull
 * missed. Both are idempotent: a duplicate is a no-op.
 */
export class CatchUp {
  readonly #inFlight = new Map<string, Promise<number>>();
  /** Peers that answered against the protocol: not asked again until `until` (doubling, capped). */
  readonly #penalty = new Map<string, { strikes: number; until: number }>();

  constructor(
    private readonly n: {
      store: Store;
      inbound: Inbound;
      log: Logger;
      metrics?: Metrics;
      client: (node: string) => PeerApi | undefined;
    },
  ) {}

  /** Pulls everything new from `peer`; returns the number of objects accepted. Concurrent calls share one run. */
  pull(peer: string): Promise<number> {
    const penalty = this.#penalty.get(peer);
    if (penalty && penalty.until > Date.now()) return Promise.resolve(0);
    let run = this.#inFlight.get(peer);
    if (!run) {
      run = this.#pull(peer).finally(() => this.#inFlight.delete(peer));
      this.#inFlight.set(peer, run);
    }
    return run;
  }

  async #pull(peer: string): Promise<number> {
    const client = this.n.client(peer);
    if (!client) return 0;
    const { store, log } = this.n;
    return this.#withPenalty(peer, () => this.#pages(peer, client, store, log));
  }

  async #withPenalty(peer: string, run: () => Promise<number>): Promise<number> {
    try {
      const n = await run();
      this.#penalty.delete(peer);
      return n;
    } catch (err) {
      if (!(err instanceof PeerProtocolError)) throw err;
      this.n.metrics?.rejects.inc({ reason: 'peer_answer_invalid' });
      const strikes = (this.#penalty.get(peer)?.strikes ?? 0) + 1;
      const waitMs = Math.min(PENALTY_BASE_MS * 2 ** (strikes - 1), PENALTY_CAP_MS);
      this.#penalty.set(peer, { strikes, until: Date.now() + waitMs });
      this.n.log.warn({ peer, err: err.message, waitMs }, 'peer answered against the protocol; nothing of it used');
      await this.n.store.updatePeer(peer, {
        lastError: `invalid answer: ${err.message}`.slice(0, 500),
        lastErrorAt: new Date(),
      });
      return 0;
    }
  }

  async #pages(peer: string, client: PeerApi, store: Store, log: Logger): Promise<number> {
    const state = await store.getPeer(peer);
    let epoch = state?.cursorEpoch ?? null;
    let after = state?.cursorSeq ?? 0;
    let accepted = 0;
    try {
      const changes = async (from: number) =>
        checked(
          changesPage(from, PAGE),
          await client.federation.changes.query({ after: from, limit: PAGE }),
          'changes page',
        );
      // The next page is asked for while this one is verified and stored (the
      // peer's read and the transfer overlap this node's work); the cursor still
      // moves one stored page at a time.
      let next = changes(after);
      for (let pages = 0; pages < 10_000; pages++) {
        let page = await next;
        if (epoch !== null && page.epoch !== epoch) {
          log.warn(
            { peer, was: epoch, now: page.epoch },
            'peer log was reset (new epoch); pulling it again from the start',
          );
          after = 0;
          page = await changes(after);
        }
        epoch = page.epoch;
        const more = page.next < page.head;
        if (more) {
          next = changes(page.next);
          next.catch(() => undefined); // awaited on the next turn; a failure there ends this pull
        }
        if (page.items.length > 0) {
          const results = await this.n.inbound.receive(
            page.items.map((i) => i.jws),
            peer,
            'pull',
          );
          accepted += results.filter((r) => r.outcome === 'accepted').length;
        }
        after = page.next;
        await store.updatePeer(peer, { cursorEpoch: epoch, cursorSeq: after, lastPullAt: new Date() });
        if (!more) break;
      }
    } catch (err) {
      if (err instanceof PeerProtocolError) throw err;
      const why = describeFailure(err);
      await store.updatePeer(peer, { lastError: `pull: ${why}`.slice(0, 500), lastErrorAt: new Date() });
      log.warn({ peer, err: why }, 'pull failed; will try again');
    }
    return accepted;
  }

  /**
   * Compares the ids `peer` may send us (last 30 days) with what we hold and
   * fetches the missing ones. Returns the number accepted.
   */
  async reconcile(peer: string, now = new Date()): Promise<number> {
    const client = this.n.client(peer);
    if (!client) return 0;
    const since = new Date(now.getTime() - MANIFEST_WINDOW_MS).toISOString();
    let accepted = 0;
    let after: string | undefined;
    try {
      for (let pages = 0; pages < 1000; pages++) {
        const page = checked(
          manifestPage(MANIFEST_PAGE),
          await client.federation.manifest.query({ since, ...(after && { after }), limit: MANIFEST_PAGE }),
          'manifest page',
        );
        const held = await this.n.store.heldIds(page.ids);
        const missing = page.ids.filter((id) => !held.has(id));
        for (let i = 0; i < missing.length; i += FETCH_BATCH) {
          const ids = missing.slice(i, i + FETCH_BATCH);
          const { objects } = checked(
            fetchPage(ids.length),
            await client.federation.fetch.query({ ids }),
            'fetch answer',
          );
          const results = await this.n.inbound.receive(objects, peer, 'pull');
          accepted += results.filter((r) => r.outcome === 'accepted').length;
        }
        if (!page.next) break;
        after = page.next;
      }
    } catch (err) {
      if (err instanceof PeerProtocolError) this.n.metrics?.rejects.inc({ reason: 'peer_answer_invalid' });
      this.n.log.warn({ peer, err: String(err) }, 'manifest reconciliation failed; will try again');
    }
    if (accepted > 0) {
      this.n.log.info({ peer, accepted }, 'reconciliation fetched objects that push and pull had missed');
    }
    return accepted;
  }
}
