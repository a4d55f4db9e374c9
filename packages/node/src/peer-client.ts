import { createRequestToken, type NodeKey } from '@citylink/crypto';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from './routers/index.js';

export type PeerClient = TRPCClient<AppRouter>;

/**
 * A tRPC client for calling another node's `federation` procedures. Every call
 * carries a fresh request token bound to the target node and the procedure.
 */
export function createPeerClient(args: {
  baseUrl: string;
  self: string;
  target: string;
  key: () => NodeKey;
  timeoutMs: number;
}): PeerClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${args.baseUrl.replace(/\/$/, '')}/trpc`,
        headers: async ({ op }) => ({
          authorization: `CityLink ${await createRequestToken({
            key: args.key(),
            issuer: args.self,
            audience: args.target,
            scope: op.path,
          })}`,
        }),
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(args.timeoutMs) }),
      }),
    ],
  });
}

/** A client for the few federation procedures open to nodes that are not members yet (enrollment). */
export function createPublicPeerClient(baseUrl: string, timeoutMs: number): PeerClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl.replace(/\/$/, '')}/trpc`,
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) }),
      }),
    ],
  });
}
