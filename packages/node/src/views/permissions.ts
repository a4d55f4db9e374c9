import type { SessionUser } from '../accounts/accounts.js';
import type { NodeConfig } from '../config.js';
import { hasAcknowledged, mayEndorse, mayRetract, maySetStatus, maySupersede, speaksForHub } from '../ingest/rules.js';

/** What the signed-in person may do with an object here; the console shows exactly these actions. */
export interface ObjectPermissions {
  acknowledge: boolean;
  endorse: boolean;
  setStatus: boolean;
  retract: boolean;
  /** Publish a new version that supersedes this one. */
  correct: boolean;
}

/** The same rules ingest and authoring apply, asked for one person and one object. */
export function objectPermissions(
  node: { self: string; role: NodeConfig['role'] },
  user: SessionUser,
  o: { origin: string; kind: string },
  item: { retracted: boolean; supersededBy?: string | null | undefined } | null | undefined,
  /** The objects held that answer it (acknowledgements, statuses…). */
  answers: readonly { kind: string; origin: string }[] = [],
): ObjectPermissions {
  const open = !item?.retracted;
  const own = o.origin === node.self;
  const by = { origin: node.self, byHub: speaksForHub(node.role, user.roles) };
  const versioned = o.kind === 'bulletin' || o.kind === 'note';
  return {
    acknowledge: open && o.kind === 'bulletin' && !own && !hasAcknowledged(node.self, answers),
    endorse: open && mayEndorse(o) && !own,
    setStatus: open && maySetStatus(by, o),
    retract: open && versioned && mayRetract(by, o),
    correct: open && versioned && maySupersede(by, o) && !item?.supersededBy,
  };
}
