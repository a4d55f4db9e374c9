import type { Marked, SignedObject } from '@citylink/protocol';
import type { NodeRejectReason } from '../outcomes.js';

/** An object the rules may look at: held here, or earlier in the same batch. */
export type HeldObject = Marked & { kind: string };

export interface AuthorizeContext {
  /** The held object with this id, or undefined (arrival order may differ). */
  held(id: string): Promise<HeldObject | undefined>;
  /** Whether the object's origin is the hub. */
  byHub: boolean;
  /** The objects held (or earlier in the batch) that answer `target`. */
  answers(target: string): Promise<readonly { kind: string; origin: string }[]>;
}

export type Refusal = readonly [NodeRejectReason, string];

/**
 * What one object kind adds to the pipeline: who may author it about what. The
 * registry (registry.ts) dispatches on `kind`; kinds without rules have no plugin.
 */
export interface KindPlugin<O extends SignedObject = SignedObject> {
  authorize(o: O, ctx: AuthorizeContext): Promise<Refusal | undefined>;
}
