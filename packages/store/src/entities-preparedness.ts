import { EntitySchema } from '@mikro-orm/core';

/**
 * The hub's statewide preparedness grid, one row per city: the ten statuses as ten
 * letters (`d`one, `p`artial, `s`tale, `m`issing), so a grid read is 2,000 short rows,
 * and the reasons and next steps as JSON for whoever asks for them.
 */
export class CityScorecard {
  city!: string;
  statuses!: string;
  /** JSON: `[{key, reason, next}]`, one per recommendation, in order. */
  detail!: string;
  /** When the city's evidence was last folded into this row. */
  computedAt!: Date;
}
export const CityScorecardSchema = new EntitySchema<CityScorecard>({
  class: CityScorecard,
  tableName: 'city_scorecards',
  properties: {
    city: { type: 'string', length: 63, primary: true },
    statuses: { type: 'string', length: 16 },
    detail: { type: 'text' },
    computedAt: { type: 'datetime' },
  },
});

/**
 * The statewide grid's counts on one UTC day (the trend of the hub's roll-up): per
 * recommendation, how many cities are done, partial, stale or missing, as they stood
 * at the day's last refresh. One row per day; writing the same day again replaces it.
 */
export class GridSnapshot {
  /** YYYY-MM-DD (UTC). */
  day!: string;
  /** Cities in the grid that day. */
  cities!: number;
  /** JSON: `[[done, partial, stale, missing], …]`, one per recommendation, in order. */
  counts!: string;
  takenAt!: Date;
}
export const GridSnapshotSchema = new EntitySchema<GridSnapshot>({
  class: GridSnapshot,
  tableName: 'grid_snapshots',
  properties: {
    day: { type: 'string', length: 10, primary: true },
    cities: { type: 'integer' },
    counts: { type: 'text' },
    takenAt: { type: 'datetime' },
  },
});

/**
 * One person's completed training, kept at the city only: personal data that is never
 * federated. The city signs a `training-summary` (counts) from these.
 */
export class TrainingRecord {
  id!: number;
  person!: string;
  course!: string;
  /** YYYY-MM-DD. */
  completed!: string;
  /** Whether the person has access to voter-registration records. */
  hasAccess!: boolean;
  recordedBy!: string;
  recordedAt!: Date;
}
export const TrainingRecordSchema = new EntitySchema<TrainingRecord>({
  class: TrainingRecord,
  tableName: 'training_records',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    person: { type: 'string', length: 200 },
    course: { type: 'string', length: 200 },
    completed: { type: 'string', length: 10 },
    hasAccess: { type: 'boolean' },
    recordedBy: { type: 'string', length: 200 },
    recordedAt: { type: 'datetime' },
  },
});
