import type { Member } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import { TRPCClientError } from '@trpc/client';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import { ConflictError, ForbiddenError, InvalidInputError, RateLimitedError } from '../errors.js';
import type { PeerApi } from '../federation/peer-api.js';
import { checkPeerUrl, type PeerUrlPolicy } from '../federation/peer-url.js';
import type { RosterState } from './roster-state.js';

/** What membership needs from the node, and nothing more. */
export interface MembershipDeps {
  readonly id: string;
  baseUrl(): string;
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly roster: RosterState;
  readonly store: Store;
  readonly urlPolicy: PeerUrlPolicy;
  hub(): PeerApi;
  publicHub(): PeerApi;
  publishMembers(members: Member[], actor: string, action?: string, alongside?: () => Promise<void>): Promise<void>;
}

export function requireHub(n: MembershipDeps): void {
  if (n.config.role !== 'hub') throw new ForbiddenError('only the hub manages membership');
}

/** Refuses (and logs) a base URL the peer URL policy does not allow. */
export async function checkMemberUrl(n: MembershipDeps, baseUrl: string, context: string): Promise<void> {
  const checked = await checkPeerUrl(baseUrl, n.urlPolicy);
  if (!checked.ok) {
    n.log.warn({ baseUrl, reason: checked.reason }, `${context}: base URL not allowed`);
    throw new InvalidInputError(`${context}: base URL not allowed: ${checked.reason}`);
  }
}

/**
 * The hub's 4xx answer to a call made on an admin's behalf, as the domain error it
 * stands for here (not a 500); anything else (the hub unreachable) is rethrown as is.
 */
export function hubRefusal(err: unknown, what: string): unknown {
  if (!(err instanceof TRPCClientError)) return err;
  const data = err.data as { code?: string; retryAfterMs?: number } | undefined;
  const code = data?.code;
  if (code === 'CONFLICT') return new ConflictError(`${what}: ${err.message}`);
  if (code === 'TOO_MANY_REQUESTS')
    return new RateLimitedError(`${what}: ${err.message}`, data?.retryAfterMs ?? 60_000);
  if (code === 'BAD_REQUEST' || code === 'FORBIDDEN' || code === 'NOT_FOUND') {
    return new InvalidInputError(`${what}: ${err.message}`);
  }
  return err;
}
