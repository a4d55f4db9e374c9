import type { Knex } from '@mikro-orm/knex';
import { type AppendInput, type AppendPlan, planAppend, writeAppendBody, writeAppendLog } from './append.js';
import { LOCK_KEYS, type Sharing } from './shared.js';
import type { StoreTransactor } from './transactor.js';

/**
 * Another process committed, while this group was being written, an object that
 * answers one of its objects (or the same object): the group's projection may be
 * stale. Nothing of the group was written; append it again under the whole lock.
 */
export class AppendRaceError extends Error {
  override name = 'AppendRaceError';
}

/** PostgreSQL's unique_violation: the same object committed by another process meanwhile. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown })?.code === '23505';

/**
 * The append of a group of independent objects (no target: plain bulletins) by one of
 * several hub processes on one PostgreSQL database, with the database's append lock
 * taken late (docs/architecture.md "Several hub processes"): the objects, items, search
 * rows, deliveries and audit rows are written first, by every process at once; then
 * `pg_advisory_xact_lock` is taken, the head read under it, the log entries written and
 * the transaction committed, which releases it. Sequence numbers still commit in order
 * (the lock is held from their assignment to the commit), so no reader skips one; only
 * the log write and the commit take turns between processes.
 *
 * What the late lock could miss is re-checked under it: an object another process
 * committed meanwhile that answers one of these (AppendRaceError), and the same object
 * committed by another process (the objects' primary key: a unique violation). Either
 * way the transaction rolls back and the caller appends again under the whole lock.
 */
export async function appendLateLocked(
  tx: StoreTransactor,
  knex: Knex,
  sharing: Sharing,
  inputs: readonly AppendInput[],
  now: Date,
  receivedAt: Date,
): Promise<AppendPlan> {
  const provisional = planAppend(inputs, new Set(), 0);
  await writeAppendBody(tx, provisional.fresh, now, receivedAt);
  await knex.raw('select pg_advisory_xact_lock(?::bigint)', [LOCK_KEYS.append]);
  const answered = await tx.objects.targetingAny(provisional.fresh.map((i) => i.object.id));
  if ([...answered.values()].some((list) => list.length > 0)) {
    throw new AppendRaceError('an answer to one of these objects was committed meanwhile');
  }
  const plan = planAppend(inputs, new Set(), await tx.log.head());
  await writeAppendLog(tx, plan, now);
  await sharing.notifyAppend(knex, plan.firstSeq, plan.head);
  return plan;
}
