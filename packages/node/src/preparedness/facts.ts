import type { NodeFacts } from '@citylink/protocol';
import type { PeerState, Store } from '@citylink/store';
import { awaitingSignature } from './sign-ons.js';

const latest = (...dates: (Date | null | undefined)[]): string | undefined => {
  const times = dates.filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : undefined;
};

const contact = (p: PeerState | null) => latest(p?.lastInboundAt, p?.lastPushOkAt, p?.lastPullAt);

/**
 * What this node knows of `city` without any evidence object: membership, the last
 * contact between the city and the hub (seen from whichever of the two this node is),
 * its latest report or acknowledgement, public item and statement signature.
 * `full`: the node may use what it holds of the city (its own node, or the hub);
 * otherwise only the roster.
 */
export async function nodeFacts(
  n: {
    self: string;
    role: 'city' | 'hub';
    hubNode: string;
    store: Store;
    isActive: (node: string) => boolean;
    now?: Date;
  },
  city: string,
  full: boolean,
): Promise<NodeFacts> {
  const facts: NodeFacts = { member: n.isActive(city) };
  if (!full) return facts;
  const link = n.role === 'hub' ? city : city === n.self ? n.hubNode : undefined;
  const [peer, reportOrAck, publicItem, signed] = await n.store.read((r) =>
    Promise.all([
      link ? r.peers.get(link) : null,
      r.objects.latestCreated(city, ['bulletin', 'acknowledgement']),
      r.objects.latestCreated(city, ['bulletin', 'note'], ['CLEAR']),
      r.objects.latestCreated(city, ['statement-signature']),
    ]),
  );
  const awaiting = await awaitingSignature(n.store, city, n.now ?? new Date());
  const lastHubContact = contact(peer);
  const lastReportOrAck = latest(reportOrAck);
  const lastPublicItem = latest(publicItem);
  const lastStatementSigned = latest(signed);
  return {
    ...facts,
    ...(lastHubContact && { lastHubContact }),
    ...(lastReportOrAck && { lastReportOrAck }),
    ...(lastPublicItem && { lastPublicItem }),
    ...(lastStatementSigned && { lastStatementSigned }),
    ...(awaiting > 0 && { awaitingSignature: awaiting }),
  };
}
