import type { Db } from '../db.js';
import { StatementSummary } from '../entities.js';

export type NewStatementSummary = Omit<StatementSummary, 'updatedAt'>;

/** The statements' read model: one folded list entry per statement. */
export class StatementsReader {
  constructor(protected readonly db: Db) {}

  async list(): Promise<StatementSummary[]> {
    return this.db.em().find(StatementSummary, {}, { orderBy: { statementId: 'asc' } });
  }
}

export class StatementsTransactor extends StatementsReader {
  async upsert(rows: readonly NewStatementSummary[]): Promise<void> {
    this.db.assertWritable();
    const updatedAt = new Date();
    for (const row of rows) await this.db.em().upsert(StatementSummary, { ...row, updatedAt });
  }
}
