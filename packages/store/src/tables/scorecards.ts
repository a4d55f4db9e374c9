import type { Db } from '../db.js';
import { CHUNK, dateParam, insertRows } from '../dialect.js';
import type { CityScorecard, GridSnapshot } from '../entities.js';

export type NewCityScorecard = CityScorecard;

/** One city's line of the grid: its statuses as letters, and when they were computed. */
export interface GridLine {
  city: string;
  statuses: string;
  computedAt: Date;
}

/** The hub's statewide preparedness grid (table `city_scorecards`): one short row per city. */
export class ScorecardsReader {
  constructor(protected readonly db: Db) {}

  /** Every city's statuses (or those of `cities`), by city: the grid read. */
  async grid(q: { cities?: readonly string[] } = {}): Promise<GridLine[]> {
    const query = this.db.knex('city_scorecards').select('city', 'statuses', 'computed_at').orderBy('city');
    if (q.cities) query.whereIn('city', [...q.cities]);
    const rows = (await query) as { city: string; statuses: string; computed_at: Date | number }[];
    return rows.map((r) => ({ city: r.city, statuses: r.statuses, computedAt: new Date(r.computed_at) }));
  }

  /** The reasons and next steps too (JSON per city). */
  async details(q: { cities?: readonly string[] } = {}): Promise<CityScorecard[]> {
    const query = this.db.knex('city_scorecards').select('city', 'statuses', 'detail', 'computed_at').orderBy('city');
    if (q.cities) query.whereIn('city', [...q.cities]);
    const rows = (await query) as { city: string; statuses: string; detail: string; computed_at: Date | number }[];
    return rows.map((r) => ({
      city: r.city,
      statuses: r.statuses,
      detail: r.detail,
      computedAt: new Date(r.computed_at),
    }));
  }

  /** The daily snapshots from `fromDay` (YYYY-MM-DD, inclusive), oldest first. */
  async snapshots(fromDay: string): Promise<GridSnapshot[]> {
    const rows = (await this.db
      .knex('grid_snapshots')
      .select('day', 'cities', 'counts', 'taken_at')
      .where('day', '>=', fromDay)
      .orderBy('day')) as { day: string; cities: number; counts: string; taken_at: Date | number }[];
    return rows.map((r) => ({ day: r.day, cities: r.cities, counts: r.counts, takenAt: new Date(r.taken_at) }));
  }
}

export class ScorecardsTransactor extends ScorecardsReader {
  /** Writes the day's snapshot: one row per day, a second write the same day replaces the first. */
  async putSnapshot(s: GridSnapshot): Promise<void> {
    this.db.assertWritable();
    await this.db
      .knex('grid_snapshots')
      .insert({ day: s.day, cities: s.cities, counts: s.counts, taken_at: dateParam(this.db.dialect, s.takenAt) })
      .onConflict('day')
      .merge(['cities', 'counts', 'taken_at']);
  }

  /** Replaces these cities' rows. */
  async replace(rows: readonly NewCityScorecard[]): Promise<void> {
    this.db.assertWritable();
    await this.remove(rows.map((r) => r.city));
    await insertRows(
      this.db.knex,
      this.db.dialect,
      'city_scorecards',
      rows.map((r) => ({
        city: r.city,
        statuses: r.statuses,
        detail: r.detail,
        computed_at: dateParam(this.db.dialect, r.computedAt),
      })),
    );
  }

  /** Drops the rows of these cities (no longer in the roster). */
  async remove(cities: readonly string[]): Promise<void> {
    this.db.assertWritable();
    for (let n = 0; n < cities.length; n += CHUNK) {
      await this.db
        .knex('city_scorecards')
        .whereIn('city', cities.slice(n, n + CHUNK))
        .delete();
    }
  }
}
