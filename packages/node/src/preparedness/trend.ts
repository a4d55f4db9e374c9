import { RECOMMENDATIONS, SCORE_STATUSES, type ScoreStatus } from '@citylink/protocol';
import type { GridLine, Store } from '@citylink/store';

/** The trend shown by default: the last 30 days. */
export const DEFAULT_TREND_DAYS = 30;
export const MAX_TREND_DAYS = 366;

/** One day of the trend: per recommendation, how many cities had each status. */
export interface TrendDay {
  day: string;
  cities: number;
  counts: ({ recommendation: number } & Record<ScoreStatus, number>)[];
}

/** The UTC calendar day of `at`, YYYY-MM-DD. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** The day `days - 1` days before `at`'s (so `days` days in all, today included). */
export function firstDay(at: Date, days: number): string {
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) - (days - 1) * 86_400_000;
  return utcDay(new Date(start));
}

const INDEX: Record<string, number> = { d: 0, p: 1, s: 2, m: 3 };

/** Counts per recommendation, `[done, partial, stale, missing]` each, from the grid's status letters. */
export function gridCounts(lines: readonly Pick<GridLine, 'statuses'>[]): number[][] {
  const counts = RECOMMENDATIONS.map(() => [0, 0, 0, 0]);
  for (const line of lines) {
    for (let i = 0; i < counts.length; i++) counts[i]![INDEX[line.statuses[i] ?? 'm'] ?? 3]! += 1;
  }
  return counts;
}

/**
 * The grid's daily snapshots (table `grid_snapshots`): `record` writes the day's
 * counts, one row per UTC day of the injected clock, a later write the same day
 * replacing the earlier one; `last` reads the most recent days.
 */
export class GridTrend {
  /** The day of the last snapshot this process wrote (so an unchanged grid writes once a day). */
  #written: string | undefined;

  constructor(private readonly n: { store: Store; now: () => Date }) {}

  /** Whether today has no snapshot from this process yet. */
  due(): boolean {
    return this.#written !== utcDay(this.n.now());
  }

  async record(lines: readonly Pick<GridLine, 'statuses'>[]): Promise<string> {
    const at = this.n.now();
    const day = utcDay(at);
    const counts = JSON.stringify(gridCounts(lines));
    await this.n.store.transact((tx) => tx.scorecards.putSnapshot({ day, cities: lines.length, counts, takenAt: at }));
    this.#written = day;
    return day;
  }

  async last(days = DEFAULT_TREND_DAYS): Promise<TrendDay[]> {
    const from = firstDay(this.n.now(), Math.min(Math.max(days, 1), MAX_TREND_DAYS));
    const rows = await this.n.store.read((r) => r.scorecards.snapshots(from));
    return rows.map((r) => ({
      day: r.day,
      cities: r.cities,
      counts: (JSON.parse(r.counts) as number[][]).map((c, i) => ({
        recommendation: RECOMMENDATIONS[i]?.n ?? i + 1,
        ...(Object.fromEntries(SCORE_STATUSES.map((s, j) => [s, c[j] ?? 0])) as Record<ScoreStatus, number>),
      })),
    }));
  }
}
