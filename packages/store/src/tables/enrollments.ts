import type { Db } from '../db.js';
import { Enrollment } from '../entities.js';

export type NewEnrollment = Omit<Enrollment, 'status' | 'receivedAt' | 'decidedAt' | 'decidedBy' | 'reason'>;

export interface EnrollmentDecision {
  status: 'approved' | 'rejected';
  reason?: string;
  by: string;
}

/** Requests to join the network, held by the hub until an official decides. */
export class EnrollmentsReader {
  constructor(protected readonly db: Db) {}

  async get(id: string): Promise<Enrollment | null> {
    return this.db.em().findOne(Enrollment, { id });
  }

  async list(status?: Enrollment['status']): Promise<Enrollment[]> {
    return this.db.em().find(Enrollment, status ? { status } : {}, { orderBy: { receivedAt: 'desc' } });
  }
}

export class EnrollmentsTransactor extends EnrollmentsReader {
  async add(e: NewEnrollment): Promise<void> {
    this.db.assertWritable();
    await this.db.em().insert(Enrollment, { ...e, status: 'pending', receivedAt: new Date() });
  }

  /** Records a decision on a pending enrollment; returns false if it was not pending. */
  async decide(id: string, decision: EnrollmentDecision): Promise<boolean> {
    this.db.assertWritable();
    const n = await this.db
      .em()
      .nativeUpdate(
        Enrollment,
        { id, status: 'pending' },
        { status: decision.status, reason: decision.reason ?? null, decidedAt: new Date(), decidedBy: decision.by },
      );
    return n === 1;
  }
}
