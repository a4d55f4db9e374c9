import { LIMITS } from '@citylink/protocol';
import type { OutcomeJob, Store } from '@citylink/store';
import { Mutex } from 'async-mutex';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import type { ObjectResult } from '../ingest/pipeline.js';
import type { RosterState } from '../membership/roster-state.js';
import type { Metrics } from '../metrics.js';
import type { PeerApi } from './peer-api.js';

/** A round writes its outcomes once this many rows have them, not only when it ends. */
const SETTLED_WRITE_ROWS = 1_000;

/** Exponential backoff with "equal jitter": half fixed, half random, capped. Spreads a returning peer's load. */
export function backoffDelay(attempts: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempts, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** One line for logs and the outbox: HTTP status if there was one, and the root cause of transport errors. */
export function describeFailure(err: unknown): string {
  const e = err as {
    message?: string;
    meta?: { response?: { status?: number } };
    cause?: { message?: string; cause?: { message?: string } };
  };
  const status = e?.meta?.response?.status;
  return [status && `HTTP ${status}`, e?.message ?? String(err), e?.cause?.message, e?.cause?.cause?.message]
    .filter((part, i, all) => part && all.indexOf(part) === i)
    .join(': ');
}

/**
 * The longest prefix of `rows` whose objects fit in one batch's byte limit, and at
 * least one row. Without it, 100 large objects (bulletins may reach 64 KiB) would
 * make a batch that every recipient refuses, for ever.
 */
export function withinBatchBytes<R extends { jws: string }>(rows: readonly R[]): R[] {
  let bytes = 0;
  let n = 0;
  while (n < rows.length) {
    bytes += Buffer.byteLength(rows[n]!.jws, 'utf8');
    if (n > 0 && bytes > LIMITS.maxBatchBytes) break;
    n++;
  }
  return rows.slice(0, n);
}

export class DeliveryProtocolError extends Error {
  override name = 'DeliveryProtocolError';
}

/**
 * The outbox worker. For each recipient with due rows it pushes batches to the
 * recipient's `federation.deliver`, records every per-object outcome, and on
 * failure pushes the rows' next attempt out with jittered backoff. A circuit
 * breaker per peer stops hammering a peer that keeps failing; the outbox rows are
 * the durable state, so a crash or restart loses nothing.
 */
export class Delivery {
  readonly #breakers = new Map<string, CircuitBreakerPolicy>();
  /** One round at a time, background or flush: two rounds at once would push the same rows twice. */
  readonly #rounds = new Mutex();
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** When each peer's success was last written (see #markHealthy). */
  readonly #healthyWrittenAt = new Map<string, number>();
  /** Rows that got a final outcome, by any round (background or flush). */
  #completed = 0;
  /**
   * Outcomes received in the current round, written in one transaction when it ends
   * (or once there are many): a commit per push was most of a hub's database time in
   * a fan-out. They need no durability of their own: rows whose outcome is lost in a
   * crash are pushed again and answered `duplicate`.
   */
  #settled: OutcomeJob[] = [];
  #settledRows = 0;

  constructor(
    private readonly n: {
      self: string;
      store: Store;
      roster: RosterState;
      metrics: Metrics;
      log: Logger;
      config: NodeConfig['delivery'];
      tickMs: number;
      client: (node: string) => PeerApi | undefined;
    },
  ) {}

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Something new is in the outbox: run a round now (or right after the current one). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      void this.#schedule();
    });
  }

  /**
   * Waits for the current round, then delivers everything due now. Returns how many
   * rows got a final outcome meanwhile, counting the background round's work too.
   */
  async flush(): Promise<number> {
    if (this.#stopped) return 0;
    const before = this.#completed;
    await this.#running;
    await this.#rounds.runExclusive(() => this.#round(new Date()));
    return this.#completed - before;
  }

  breakerState(node: string): 'closed' | 'open' | 'half-open' {
    const state = this.#breakers.get(node)?.state;
    return state === CircuitState.Open || state === CircuitState.Isolated
      ? 'open'
      : state === CircuitState.HalfOpen
        ? 'half-open'
        : 'closed';
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#rounds.runExclusive(() => this.#round(new Date()));
      } catch (err) {
        this.n.log.error({ err: String(err) }, 'delivery round failed');
      }
    } while (this.#again && !this.#stopped);
  }

  async #schedule(): Promise<void> {
    if (this.#stopped) return;
    const next = await this.n.store.nextDueAt().catch(() => undefined);
    this.n.metrics.outboxDepth.set(await this.n.store.pendingCount().catch(() => 0));
    const wait = next ? Math.max(0, next.getTime() - Date.now()) : this.n.tickMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), Math.min(wait, this.n.tickMs));
    this.#timer.unref();
  }

  async #round(now: Date): Promise<void> {
    const queue = await this.n.store.recipientsWithDue(now);
    const workers = Array.from({ length: Math.min(this.n.config.concurrency, queue.length) }, async () => {
      for (let r = queue.shift(); r !== undefined && !this.#stopped; r = queue.shift()) {
        this.#completed += await this.#deliverTo(r, now);
      }
    });
    // Every worker is done before the round's outcomes are written, even if one failed.
    const ended = await Promise.allSettled(workers);
    await this.#writeSettled();
    for (const e of ended) if (e.status === 'rejected') throw e.reason;
  }

  async #writeSettled(): Promise<void> {
    const jobs = this.#settled;
    this.#settled = [];
    this.#settledRows = 0;
    await this.n.store.recordAllOutcomes(jobs);
  }

  /**
   * Records a successful push in the peer's state, but writes at most every 10 s per
   * peer unless it was failing: a fan-out to every city must not cost a write per batch.
   */
  async #markHealthy(node: string): Promise<void> {
    const now = Date.now();
    const last = this.#healthyWrittenAt.get(node);
    if (last !== undefined && now - last < 10_000) return;
    this.#healthyWrittenAt.set(node, now);
    await this.n.store.updatePeer(node, { lastPushOkAt: new Date(now), consecutiveFailures: 0 });
  }

  #breaker(node: string): CircuitBreakerPolicy {
    let b = this.#breakers.get(node);
    if (!b) {
      b = circuitBreaker(handleAll, {
        halfOpenAfter: this.n.config.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(this.n.config.breakerThreshold),
      });
      b.onBreak(() => this.n.log.warn({ peer: node }, 'circuit opened: pausing deliveries to peer'));
      b.onReset(() => this.n.log.info({ peer: node }, 'circuit closed: peer delivering again'));
      this.#breakers.set(node, b);
    }
    return b;
  }

  async #deliverTo(recipient: string, now: Date): Promise<number> {
    const { store, config } = this.n;
    const client = this.n.roster.isActive(recipient) ? this.n.client(recipient) : undefined;
    if (!client) {
      // Not an active member (yet): keep the rows, look again later.
      await store.deferRecipient(recipient, new Date(now.getTime() + config.backoffCapMs));
      return 0;
    }
    const breaker = this.#breaker(recipient);
    let done = 0;
    // Rows pushed in this round keep `pending` until the round's outcomes are written.
    let after = 0;
    for (;;) {
      const due = await store.dueFor(recipient, now, config.batchSize, after);
      if (due.length === 0) break;
      const rows = withinBatchBytes(due);
      let results: ObjectResult[];
      try {
        results = await breaker.execute(async () => {
          const res = await client.federation.deliver.mutate({ objects: rows.map((r) => r.jws) });
          if (!Array.isArray(res.results) || res.results.length !== rows.length) {
            throw new DeliveryProtocolError(`expected ${rows.length} results, got ${res.results?.length}`);
          }
          return res.results;
        });
      } catch (err) {
        const attempts = Math.max(...rows.map((r) => r.attempts));
        const delay =
          err instanceof BrokenCircuitError
            ? config.breakerHalfOpenMs
            : backoffDelay(attempts, config.backoffBaseMs, config.backoffCapMs);
        const message = describeFailure(err);
        await store.recordAttemptFailure(
          rows.map((r) => r.rowId),
          message,
          new Date(Date.now() + delay),
        );
        if (!(err instanceof BrokenCircuitError)) {
          this.n.metrics.deliveryFailures.inc({ peer: recipient });
          this.#healthyWrittenAt.delete(recipient);
          const state = await store.getPeer(recipient);
          await store.updatePeer(recipient, {
            lastError: message.slice(0, 500),
            lastErrorAt: new Date(),
            consecutiveFailures: (state?.consecutiveFailures ?? 0) + 1,
          });
          this.n.log.warn({ peer: recipient, rows: rows.length, retryInMs: delay, err: message }, 'delivery failed');
        }
        break;
      }
      const outcomes = results.map((r, i) => ({
        objectId: rows[i]!.objectId,
        outcome: r.outcome,
        ...(r.outcome === 'rejected' && { reason: `${r.reason}: ${r.detail}` }),
      }));
      after = rows[rows.length - 1]!.rowId;
      this.#settled.push({ recipient, outcomes, at: new Date() });
      this.#settledRows += outcomes.length;
      if (this.#settledRows >= SETTLED_WRITE_ROWS) await this.#writeSettled();
      const at = Date.now();
      for (const [i, r] of results.entries()) {
        this.n.metrics.objectsOut.inc({ outcome: r.outcome });
        this.n.metrics.deliveryLatency.observe((at - rows[i]!.createdAt.getTime()) / 1000);
        if (r.outcome === 'rejected') {
          this.n.log.warn({ peer: recipient, id: rows[i]!.objectId, reason: r.reason }, 'recipient rejected object');
        }
      }
      await this.#markHealthy(recipient);
      done += rows.length;
      if ((due.length < config.batchSize && rows.length === due.length) || this.#stopped) break;
    }
    return done;
  }
}
