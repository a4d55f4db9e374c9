import type { BodyOf } from '@citylink/protocol';
import type { Store, TrainingRecord } from '@citylink/store';
import type { SessionUser } from '../accounts/accounts.js';
import { ForbiddenError, InvalidInputError } from '../errors.js';

export type TrainingSummaryBody = BodyOf<'training-summary'>;

/**
 * Personal training records, kept in the city's own database and never federated:
 * no signed object carries them. What travels is the summary made from them
 * (`summarize`): counts of people, for a period and a course.
 */
export class TrainingRecords {
  constructor(private readonly n: { role: 'city' | 'hub'; store: Store }) {}

  #cityOnly(): void {
    if (this.n.role !== 'city') throw new ForbiddenError('training records are kept by cities');
  }

  async add(
    r: { person: string; course: string; completed: string; hasAccess: boolean },
    actor: SessionUser,
  ): Promise<TrainingRecord> {
    this.#cityOnly();
    return this.n.store.transact((tx) => tx.training.add({ ...r, recordedBy: actor.username }));
  }

  /** The records held here (a hub keeps none). */
  async list(): Promise<TrainingRecord[]> {
    return this.n.store.read((r) => r.training.list());
  }

  async remove(id: number): Promise<{ removed: number }> {
    this.#cityOnly();
    return { removed: await this.n.store.transact((tx) => tx.training.remove(id)) };
  }

  /**
   * The summary of one course over a period: of the `staffWithAccess` people with
   * access to voter-registration records, how many completed it (distinct people),
   * and how many office-mates without access did.
   */
  async summarize(q: {
    from: string;
    to: string;
    course: string;
    coversSpearPhishing: boolean;
    staffWithAccess: number;
  }): Promise<TrainingSummaryBody> {
    this.#cityOnly();
    const done = (await this.list()).filter(
      (r) => r.course === q.course && r.completed >= q.from && r.completed <= q.to,
    );
    const trained = new Set(done.filter((r) => r.hasAccess).map((r) => r.person.trim().toLowerCase())).size;
    const mates = new Set(done.filter((r) => !r.hasAccess).map((r) => r.person.trim().toLowerCase())).size;
    if (trained > q.staffWithAccess) {
      throw new InvalidInputError(
        `${trained} people with access completed ${q.course}, more than the ${q.staffWithAccess} staff with access you gave`,
      );
    }
    return {
      period: { from: q.from, to: q.to },
      course: q.course,
      coversSpearPhishing: q.coversSpearPhishing,
      staffWithAccess: q.staffWithAccess,
      trained,
      ...(mates > 0 && { officeMatesTrained: mates }),
    };
  }
}
