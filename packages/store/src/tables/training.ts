import type { Db } from '../db.js';
import { TrainingRecord } from '../entities.js';

export type NewTrainingRecord = Omit<TrainingRecord, 'id' | 'recordedAt'>;

/** Personal training records: at the city only, never part of any signed object. */
export class TrainingReader {
  constructor(protected readonly db: Db) {}

  async list(): Promise<TrainingRecord[]> {
    return this.db.em().find(TrainingRecord, {}, { orderBy: { completed: 'desc', id: 'desc' } });
  }
}

export class TrainingTransactor extends TrainingReader {
  async add(r: NewTrainingRecord): Promise<TrainingRecord> {
    this.db.assertWritable();
    const em = this.db.em();
    const row = em.create(TrainingRecord, { ...r, recordedAt: new Date() });
    await em.persistAndFlush(row);
    return row;
  }

  async remove(id: number): Promise<number> {
    this.db.assertWritable();
    return this.db.em().nativeDelete(TrainingRecord, { id });
  }
}
