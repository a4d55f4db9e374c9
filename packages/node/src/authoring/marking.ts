import type { ObjectKind, SignedObject } from '@citylink/protocol';
import type { SessionUser } from '../accounts/accounts.js';

export interface Marking {
  tlp: SignedObject['tlp'];
  audience: string[];
  recipients?: { node: string; user: string }[] | undefined;
  expires?: string | undefined;
}

/** Signs a new object authored by this node, stores it and queues its deliveries. */
export type Publish = (
  kind: ObjectKind,
  input: Marking & { body: unknown },
  actor: SessionUser,
) => Promise<{ id: string }>;
