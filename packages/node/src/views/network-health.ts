import type { Store } from '@citylink/store';
import type { Delivery } from '../federation/delivery.js';
import type { InboundLinks } from '../federation/inbound-links.js';
import type { PeerPool } from '../federation/peer-pool.js';
import type { FederationServing } from '../federation/serving.js';
import type { RosterState } from '../membership/roster-state.js';

function recoveredSince(failedAt: Date | null | undefined, successes: (Date | null | undefined)[]): boolean {
  return !!failedAt && successes.some((ok) => ok && ok.getTime() > failedAt.getTime());
}

/** The hub's view of every member: last seen, links, backlog, breaker, catch-up lag, key age. */
export class NetworkHealth {
  constructor(
    private readonly deps: {
      store: Store;
      roster: RosterState;
      delivery: Delivery;
      inboundLinks: InboundLinks;
      peers: PeerPool;
      serving: FederationServing;
    },
  ) {}

  async list() {
    const { store, roster, delivery, inboundLinks, peers, serving } = this.deps;
    const [rows, pending] = await Promise.all([store.listPeers(), store.pendingByRecipient()]);
    const byNode = new Map(rows.map((p) => [p.node, p]));
    const now = Date.now();
    return roster.members().map((m) => {
      const p = byNode.get(m.node);
      const newestKey = m.keys.reduce((a, k) => (Date.parse(k.validFrom) > Date.parse(a.validFrom) ? k : a));
      const pulledUpTo = serving.pulledUpTo(m.node);
      return {
        node: m.node,
        name: m.name,
        role: m.role,
        status: m.status,
        lastSeen: p?.lastInboundAt?.toISOString() ?? null,
        /** Persistent links open now: the member's to this node, and this node's to the member. */
        link: { in: inboundLinks.isOpen(m.node), out: peers.isOpen(m.node) },
        lastPushOk: p?.lastPushOkAt?.toISOString() ?? null,
        /** The last failure talking to the member, unless a push or pull has worked since. */
        lastError: p?.lastError && !recoveredSince(p.lastErrorAt, [p.lastPushOkAt, p.lastPullAt]) ? p.lastError : null,
        backlog: pending[m.node] ?? 0,
        breaker: delivery.breakerState(m.node),
        pullCursor: p?.cursorSeq ?? 0,
        /** How far behind our log the member's catch-up is (null until it pulled since our start). */
        catchUpLag: pulledUpTo !== undefined ? store.headSeq - pulledUpTo : null,
        keyAgeDays: Math.floor((now - Date.parse(newestKey.validFrom)) / 86_400_000),
      };
    });
  }
}
