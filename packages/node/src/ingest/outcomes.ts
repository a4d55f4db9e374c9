import type { RejectReason } from '@citylink/crypto';

/** Node-level refusals, after the signature checks of `verifyObject`. */
export type NodeRejectReason =
  | RejectReason
  | 'not_member'
  | 'not_addressed'
  | 'not_forwardable'
  | 'not_authorized'
  | 'unknown_target'
  | 'deadline_passed'
  | 'bad_cosignature'
  | 'wider_than_target'
  | 'unknown_recipient'
  | 'duplicate_acknowledgement'
  | 'duplicate_signature'
  | 'bad_final';

export type ObjectResult =
  | { id: string; outcome: 'accepted'; seq: number }
  | { id: string; outcome: 'duplicate' }
  | { id?: string; outcome: 'rejected'; reason: NodeRejectReason; detail: string };
