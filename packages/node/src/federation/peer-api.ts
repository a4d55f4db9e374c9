import type { NodeKey } from '@citylink/crypto';
import type { ObjectResult } from '../ingest/pipeline.js';
import type { RelayedDelivery } from '../views/views.js';

/** The request-token scope that authenticates a whole WebSocket link (docs/protocol.md §10.1). */
export const LINK_SCOPE = 'federation.link';

/** A page of a peer's log (`federation.changes`, docs/protocol.md). */
export interface ChangesPage {
  epoch: string;
  items: { seq: number; jws: string }[];
  next: number;
  head: number;
}

interface Query<I, O> {
  query(input: I): Promise<O>;
}
interface Mutation<I, O> {
  mutate(input: I): Promise<O>;
}

/**
 * What a node calls on another node: the `federation` procedures, typed from the
 * protocol rather than from the node's own router, so federation code does not
 * depend on the staff and admin API. The tRPC adapter (peer-client.ts) is checked
 * against this interface at compile time and injected by the composition root.
 */
export interface PeerApi {
  federation: {
    deliver: Mutation<{ objects: string[] }, { results: ObjectResult[] }>;
    changes: Query<{ after: number; limit?: number }, ChangesPage>;
    manifest: Query<{ since: string; after?: string; limit?: number }, { ids: string[]; next: string | null }>;
    fetch: Query<{ ids: string[] }, { objects: string[] }>;
    deliveryReport: Query<{ ids: string[] }, { deliveries: (RelayedDelivery & { objectId: string })[] }>;
    roster: { query(): Promise<{ jws: string | null; version: number }> };
    offerRoster: Mutation<{ jws: string }, { adopted: boolean; version: number }>;
    hubKeyChain: { query(): Promise<{ chain: string[] }> };
    announceKey: Mutation<{ jws: string }, { version: number; roster: string }>;
    enroll: Mutation<{ jws: string }, { id: string; status: 'pending' }>;
    enrollmentStatus: Query<
      { id: string },
      { id: string; node: string; status: string; reason: string | null; roster: string | null }
    >;
  };
}

/** A federation client to one peer, and the way to close it. */
export interface PeerLink {
  readonly api: PeerApi;
  /** Whether a persistent connection to the peer is open now. */
  isOpen(): boolean;
  close(): Promise<void>;
}

export interface PeerLinkArgs {
  baseUrl: string;
  self: string;
  target: string;
  key: () => NodeKey;
  timeoutMs: number;
}

/** How the node reaches peers; the composition root injects the tRPC implementation. */
export interface PeerTransport {
  /** An authenticated link to a member (HTTP or a persistent WebSocket, per configuration). */
  link(args: PeerLinkArgs): PeerLink;
  /** An unauthenticated client for the hub's enrollment procedures. */
  publicClient(baseUrl: string, timeoutMs: number): PeerApi;
}
