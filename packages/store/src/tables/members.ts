import type { Db } from '../db.js';
import { MemberRecord } from '../entities.js';

export type NewMember = Omit<MemberRecord, 'updatedAt' | 'rosterVersion'>;

/** The members of the roster this node holds. */
export class MembersReader {
  constructor(protected readonly db: Db) {}

  async list(): Promise<MemberRecord[]> {
    return this.db.em().find(MemberRecord, {}, { orderBy: { node: 'asc' } });
  }
}

export class MembersTransactor extends MembersReader {
  /** Replaces the whole table with the members of roster `version`. */
  async replace(members: readonly NewMember[], version: number): Promise<void> {
    this.db.assertWritable();
    const now = new Date();
    const em = this.db.em();
    await em.nativeDelete(MemberRecord, {});
    if (members.length > 0) {
      await em.insertMany(
        MemberRecord,
        members.map((m) => ({ ...m, rosterVersion: version, updatedAt: now })),
      );
    }
  }
}
