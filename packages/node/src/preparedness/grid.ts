import { isPreparednessKind, RECOMMENDATIONS, type ScoreRow, type ScoreStatus } from '@citylink/protocol';
import type { CityScorecard, Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { FeedBus } from '../ingest/pipeline.js';
import { GridTrend } from './trend.js';

/** Kinds whose arrival may change a city's row: its evidence and the facts the scorecard reads. */
const AFFECTS = new Set([
  'bulletin',
  'acknowledgement',
  'note',
  'statement-signature',
  'statement-withdrawal',
  'retraction',
]);
/** Kinds that change the rows of every city they name (a sign-on or a final: the invited cities): refold all. */
const AFFECTS_MANY = new Set(['statement-signon', 'statement-final']);
/** Ids waiting to be resolved to their city; past this, every city is refolded instead. */
const MAX_PENDING = 10_000;

const LETTER: Record<ScoreStatus, string> = { done: 'd', partial: 'p', stale: 's', missing: 'm' };
const STATUS: Record<string, ScoreStatus> = { d: 'done', p: 'partial', s: 'stale', m: 'missing' };

/** One cell of the grid; reasons and next steps only when asked for. */
export interface GridCell {
  city: string;
  recommendation: number;
  key: string;
  status: ScoreStatus;
  reason?: string;
  next?: string;
  computedAt: Date;
}

/**
 * The hub's statewide grid as a read model (table `city_scorecards`, one row per city): arrivals mark
 * their city for refolding, the next read refolds exactly those, and rows older than
 * `maxAgeMs` are refolded too (staleness moves with the clock, not only with objects).
 * A read is then one indexed select.
 */
export class ScorecardGrid {
  /** The daily counts, written by the refresh that first sees a new day or a change. */
  readonly trend: GridTrend;
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
    this.trend = new GridTrend({ store: n.store, now: n.now });
    n.bus.on('appended', (events) => {
      for (const e of events) {
        if (isPreparednessKind(e.kind) || AFFECTS.has(e.kind)) this.#pending.add(e.id);
        else if (AFFECTS_MANY.has(e.kind)) this.#all = true;
      }
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
    const computed = new Map((await store.read((r) => r.scorecards.grid())).map((l) => [l.city, l.computedAt]));
    const oldest = now().getTime() - maxAgeMs;
    for (const city of cities) {
      const at = computed.get(city);
      if (all || !at || at.getTime() < oldest) dirty.add(city);
    }
    const gone = [...computed.keys()].filter((c) => !listed.has(c));
    if (dirty.size === 0 && gone.length === 0) {
      if (this.trend.due()) await this.trend.record(await store.read((r) => r.scorecards.grid()));
      return;
    }
    const at = now();
    const cells: CityScorecard[] = [];
    for (const city of dirty) {
      const rows = await this.n.compute(city);
      cells.push({
        city,
        statuses: rows.map((r) => LETTER[r.status]).join(''),
        detail: JSON.stringify(rows.map((r) => ({ key: r.key, reason: r.reason, next: r.next }))),
        computedAt: at,
      });
    }
    await store.transact(async (tx) => {
      await tx.scorecards.replace(cells);
      await tx.scorecards.remove(gone);
    });
    await this.trend.record(await store.read((r) => r.scorecards.grid()));
    this.n.log.debug({ cities: dirty.size, removed: gone.length }, 'preparedness grid refolded');
  }

  /** The grid cells (cities × recommendations), after bringing them up to date. */
  async rows(
    q: { cities?: readonly string[]; statuses?: readonly string[]; reasons?: boolean } = {},
  ): Promise<GridCell[]> {
    await this.refresh();
    const lines = await this.n.store.read((r) => (q.reasons ? r.scorecards.details(q) : r.scorecards.grid(q)));
    const out: GridCell[] = [];
    for (const line of lines) {
      const detail =
        'detail' in line ? (JSON.parse(line.detail as string) as { reason: string; next: string }[]) : undefined;
      for (const [i, r] of RECOMMENDATIONS.entries()) {
        const status = STATUS[line.statuses[i] ?? 'm'] ?? 'missing';
        if (q.statuses && !q.statuses.includes(status)) continue;
        out.push({
          city: line.city,
          recommendation: r.n,
          key: r.key,
          status,
          ...(detail?.[i] && { reason: detail[i].reason, next: detail[i].next }),
          computedAt: line.computedAt,
        });
      }
    }
    return out;
  }
}
