import type { Db } from '../db.js';
import { CHUNK, dateParam, insertRows } from '../dialect.js';
import type { ScorecardCell } from '../entities.js';

export type NewScorecardCell = ScorecardCell;

interface CellRow {
  city: string;
  recommendation: number;
  key: string;
  status: string;
  reason: string;
  next: string;
  computed_at: Date | number;
}

const toCell = (r: CellRow): ScorecardCell => ({
  city: r.city,
  recommendation: Number(r.recommendation),
  key: r.key,
  status: r.status,
  reason: r.reason,
  next: r.next,
  computedAt: new Date(r.computed_at),
});

/** The hub's statewide preparedness grid (cities × recommendations): one plain indexed select. */
export class ScorecardsReader {
  constructor(protected readonly db: Db) {}

  async grid(q: { cities?: readonly string[]; statuses?: readonly string[] } = {}): Promise<ScorecardCell[]> {
    const query = this.db
      .knex('scorecard_cells')
      .select('city', 'recommendation', 'key', 'status', 'reason', 'next', 'computed_at')
      .orderBy([{ column: 'city' }, { column: 'recommendation' }]);
    if (q.cities) query.whereIn('city', [...q.cities]);
    if (q.statuses) query.whereIn('status', [...q.statuses]);
    return ((await query) as CellRow[]).map(toCell);
  }

  /** When each city's rows were last computed. */
  async computedAt(): Promise<Map<string, Date>> {
    const rows: { city: string; at: Date | number }[] = await this.db
      .knex('scorecard_cells')
      .select('city')
      .min({ at: 'computed_at' })
      .groupBy('city');
    return new Map(rows.map((r) => [r.city, new Date(r.at)]));
  }
}

export class ScorecardsTransactor extends ScorecardsReader {
  /** Replaces the rows of each city named in `cells` with those rows. */
  async replace(cells: readonly NewScorecardCell[]): Promise<void> {
    this.db.assertWritable();
    const cities = [...new Set(cells.map((c) => c.city))];
    if (cities.length === 0) return;
    const knex = this.db.knex;
    for (let n = 0; n < cities.length; n += CHUNK) {
      await knex('scorecard_cells')
        .whereIn('city', cities.slice(n, n + CHUNK))
        .delete();
    }
    const rows = cells.map((c) => ({
      city: c.city,
      recommendation: c.recommendation,
      key: c.key,
      status: c.status,
      reason: c.reason,
      next: c.next,
      computed_at: dateParam(this.db.dialect, c.computedAt),
    }));
    await insertRows(knex, this.db.dialect, 'scorecard_cells', rows);
  }

  /** Drops every row of these cities (no longer in the roster). */
  async remove(cities: readonly string[]): Promise<void> {
    this.db.assertWritable();
    for (let n = 0; n < cities.length; n += CHUNK) {
      await this.db
        .knex('scorecard_cells')
        .whereIn('city', cities.slice(n, n + CHUNK))
        .delete();
    }
  }
}
