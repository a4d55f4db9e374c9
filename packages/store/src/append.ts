import type { NewAuditEvent } from './tables/audit.js';
import type { ItemPatch, NewItem } from './tables/items.js';
import type { NewObject } from './tables/objects.js';
import type { StoreTransactor } from './transactor.js';

export interface AppendInput {
  object: NewObject;
  /** Projection row for bulletins and notes. */
  item?: NewItem;
  /** Changes this object makes to existing projection rows (status, retraction, supersession). */
  effects?: { id: string; patch: ItemPatch }[];
  /** Nodes to deliver this object to; one outbox row each. */
  recipients?: readonly string[];
  /** The action that created it (a local post), recorded in the same transaction. */
  audit?: NewAuditEvent;
}

export interface AppendResult {
  id: string;
  seq: number;
  duplicate: boolean;
}

export interface AppendPlan {
  /** One per input, in order. */
  results: AppendResult[];
  /** The inputs to write, in seq order from `firstSeq`. */
  fresh: AppendInput[];
  firstSeq: number;
  /** The log head once they are written. */
  head: number;
}

/** Hands out the next seqs to the inputs not `held` (nor repeated within the batch); the rest are duplicates. */
export function planAppend(inputs: readonly AppendInput[], held: Set<string>, headSeq: number): AppendPlan {
  let seq = headSeq;
  const results: AppendResult[] = [];
  const fresh: AppendInput[] = [];
  for (const input of inputs) {
    if (held.has(input.object.id)) {
      results.push({ id: input.object.id, seq: 0, duplicate: true });
      continue;
    }
    held.add(input.object.id);
    seq += 1;
    results.push({ id: input.object.id, seq, duplicate: false });
    fresh.push(input);
  }
  return { results, fresh, firstSeq: headSeq + 1, head: seq };
}

/**
 * Writes a planned batch: objects, log entries, items, their effects, deliveries and audit rows, in `tx`.
 * `receivedAt` is the node's clock (injectable for Election Day tests); everything else is stamped `now`.
 */
export async function writeAppend(tx: StoreTransactor, plan: AppendPlan, now: Date, receivedAt = now): Promise<void> {
  await writeAppendBody(tx, plan.fresh, now, receivedAt);
  await writeAppendLog(tx, plan, now);
}

/** Everything of an append but its log entries (which need the sequence numbers). */
export async function writeAppendBody(
  tx: StoreTransactor,
  fresh: readonly AppendInput[],
  now: Date,
  receivedAt = now,
): Promise<void> {
  await tx.objects.insert(
    fresh.map((i) => i.object),
    receivedAt,
  );
  await tx.items.insert(
    fresh.flatMap((i) => (i.item ? [i.item] : [])),
    now,
  );
  await tx.items.patch(
    fresh.flatMap((i) => i.effects ?? []),
    now,
  );
  await tx.outbox.enqueue(
    fresh.flatMap((i) => (i.recipients ?? []).map((recipient) => ({ objectId: i.object.id, recipient }))),
    now,
  );
  await tx.audit.addMany(
    fresh.flatMap((i) => (i.audit ? [i.audit] : [])),
    now,
  );
}

/** The log entries of a planned batch, `firstSeq` on. */
export async function writeAppendLog(tx: StoreTransactor, plan: AppendPlan, now: Date): Promise<void> {
  await tx.log.insert(
    plan.fresh.map((i, n) => ({ seq: plan.firstSeq + n, objectId: i.object.id })),
    now,
  );
}
