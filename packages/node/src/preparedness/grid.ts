import { isPreparednessKind, type ScoreRow } from '@citylink/protocol';
import type { ScorecardCell, Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { FeedBus } from '../ingest/pipeline.js';

/** Kinds whose arrival may change a city's row: its evidence and the facts the scorecard reads. */
const AFFECTS = new Set(['bulletin', 'acknowledgement', 'note', 'statement-signature', 'retraction']);
/** Ids waiting to be resolved to their city; past this, every city is refolded instead. */
const MAX_PENDING = 10_000;

/**
 * The hub's statewide grid as a read model (table `scorecard_cells`): arrivals mark
 * their city for refolding, the next read refolds exactly those, and rows older than
 * `maxAgeMs` are refolded too (staleness moves with the clock, not only with objects).
 * A read is then one indexed select.
 */
export class ScorecardGrid {
  readonly #pending = new Set<string>();
  #all = true;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly n: {
      store: Store;
      bus: FeedBus;
      log: Logger;
      /** The cities the grid lists (the roster's). */
      cities: () => string[];
      compute: (city: string) => Promise<ScoreRow[]>;
      now: () => Date;
      maxAgeMs: number;
    },
  ) {
    n.bus.on('appended', (events) => {
      for (const e of events) if (isPreparednessKind(e.kind) || AFFECTS.has(e.kind)) this.#pending.add(e.id);
      if (this.#pending.size > MAX_PENDING) {
        this.#pending.clear();
        this.#all = true;
      }
    });
  }

  /** The cities the grid lists. */
  cityList(): string[] {
    return this.n.cities();
  }

  /** Refolds every city at the next read (the roster changed, say). */
  invalidate(): void {
    this.#all = true;
  }

  /** Brings the table up to date: one refresh at a time; callers during one wait for it. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const { store, now, maxAgeMs } = this.n;
    const cities = this.n.cities();
    const listed = new Set(cities);
    const ids = [...this.#pending];
    this.#pending.clear();
    const all = this.#all;
    this.#all = false;
    const dirty = new Set<string>();
    if (!all && ids.length > 0) {
      for (const o of await store.getObjects(ids)) if (listed.has(o.origin)) dirty.add(o.origin);
    }
    const computed = await store.read((r) => r.scorecards.computedAt());
    const oldest = now().getTime() - maxAgeMs;
    for (const city of cities) {
      const at = computed.get(city);
      if (all || !at || at.getTime() < oldest) dirty.add(city);
    }
    const gone = [...computed.keys()].filter((c) => !listed.has(c));
    if (dirty.size === 0 && gone.length === 0) return;
    const at = now();
    const cells: ScorecardCell[] = [];
    for (const city of dirty) {
      for (const row of await this.n.compute(city)) cells.push({ city, ...row, computedAt: at });
    }
    await store.transact(async (tx) => {
      await tx.scorecards.replace(cells);
      await tx.scorecards.remove(gone);
    });
    this.n.log.debug({ cities: dirty.size, removed: gone.length }, 'preparedness grid refolded');
  }

  /** The grid rows, after bringing them up to date. */
  async rows(q: { cities?: readonly string[]; statuses?: readonly string[] } = {}): Promise<ScorecardCell[]> {
    await this.refresh();
    return this.n.store.read((r) => r.scorecards.grid(q));
  }
}
