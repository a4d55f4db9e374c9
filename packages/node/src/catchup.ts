import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import { describeFailure } from './delivery.js';
import type { PeerClient } from './peer-client.js';
import type { Inbound } from './pipeline.js';

const PAGE = 500;
const MANIFEST_WINDOW_MS = 30 * 24 * 3600 * 1000;

/**
 * Pull-based convergence. `pull` walks a peer's log from the stored cursor
 * (exclusive sequence + epoch) and feeds every object through the inbound
 * pipeline; `reconcile` compares id manifests and fetches what both push and pull
 * missed. Both are idempotent: a duplicate is a no-op.
 */
export class CatchUp {
  readonly #inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly n: {
      store: Store;
      inbound: Inbound;
      log: Logger;
      client: (node: string) => PeerClient | undefined;
    },
  ) {}

  /** Pulls everything new from `peer`; returns the number of objects accepted. Concurrent calls share one run. */
  pull(peer: string): Promise<number> {
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
    const state = await store.getPeer(peer);
    let epoch = state?.cursorEpoch ?? null;
    let after = state?.cursorSeq ?? 0;
    let accepted = 0;
    try {
      for (let pages = 0; pages < 10_000; pages++) {
        let page = await client.federation.changes.query({ after, limit: PAGE });
        if (epoch !== null && page.epoch !== epoch) {
          log.warn(
            { peer, was: epoch, now: page.epoch },
            'peer log was reset (new epoch); pulling it again from the start',
          );
          after = 0;
          page = await client.federation.changes.query({ after, limit: PAGE });
        }
        epoch = page.epoch;
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
        if (page.next >= page.head) break;
      }
    } catch (err) {
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
        const page = await client.federation.manifest.query({ since, ...(after && { after }), limit: 2000 });
        const held = await this.n.store.heldIds(page.ids);
        const missing = page.ids.filter((id) => !held.has(id));
        for (let i = 0; i < missing.length; i += 100) {
          const { objects } = await client.federation.fetch.query({ ids: missing.slice(i, i + 100) });
          const results = await this.n.inbound.receive(objects, peer, 'pull');
          accepted += results.filter((r) => r.outcome === 'accepted').length;
        }
        if (!page.next) break;
        after = page.next;
      }
    } catch (err) {
      this.n.log.warn({ peer, err: String(err) }, 'manifest reconciliation failed; will try again');
    }
    if (accepted > 0) {
      this.n.log.info({ peer, accepted }, 'reconciliation fetched objects that push and pull had missed');
    }
    return accepted;
  }
}
