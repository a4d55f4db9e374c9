import type { BodyOf, NodeFacts } from '@citylink/protocol';
import type { PeerState, Store } from '@citylink/store';
import { decodeStored } from '../ingest/projection.js';

/** How many sign-ons are looked at (newest first) for statements awaiting the city's signature. */
const RECENT_SIGN_ONS = 500;

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

/**
 * Statements whose sign-on is open now (its deadline not passed, no final yet) and
 * that `city` may sign (it started the statement or the signed-on revision invites
 * it) but has not signed, or withdrew its signature: from the objects this node holds.
 */
export async function awaitingSignature(store: Store, city: string, now: Date): Promise<number> {
  const signOns = await store.read((r) => r.objects.ofKind('statement-signon', RECENT_SIGN_ONS));
  // The newest sign-on of each statement is the one that counts (a new text opens a new one).
  const current = new Map<string, { id: string; body: BodyOf<'statement-signon'> }>();
  for (const s of signOns) {
    const body = decodeStored(s).body as BodyOf<'statement-signon'>;
    if (!current.has(body.statement)) current.set(body.statement, { id: s.id, body });
  }
  const open = [...current.values()].filter((s) => Date.parse(s.body.deadline) > now.getTime());
  if (open.length === 0) return 0;
  const related = await store.read((r) => r.objects.targetingAny(open.map((s) => s.body.statement)));
  // The first revision's id is the statement's id; its origin started the statement.
  const held = new Map(
    (await store.getObjects(open.flatMap((s) => [s.body.statement, s.body.revision]))).map((o) => [o.id, o] as const),
  );
  const bodyOf = <
    K extends 'statement-revision' | 'statement-final' | 'statement-withdrawal' | 'statement-signature',
  >(o: {
    jws: string;
  }) => decodeStored(o).body as BodyOf<K>;
  let count = 0;
  for (const s of open) {
    const objects = related.get(s.body.statement) ?? [];
    const first = held.get(s.body.statement);
    const revision = held.get(s.body.revision);
    if (!first || !revision) continue;
    if (first.origin !== city && !bodyOf<'statement-revision'>(revision).invited.includes(city)) continue;
    if (objects.some((o) => o.kind === 'statement-final' && bodyOf<'statement-final'>(o).signOn === s.id)) continue;
    const withdrawn = new Set(
      objects
        .filter((o) => o.kind === 'statement-withdrawal' && o.origin === city)
        .map((o) => bodyOf<'statement-withdrawal'>(o).signature),
    );
    const signedNow = objects.some(
      (o) =>
        o.kind === 'statement-signature' &&
        o.origin === city &&
        !withdrawn.has(o.id) &&
        bodyOf<'statement-signature'>(o).signOn === s.id,
    );
    if (!signedNow) count += 1;
  }
  return count;
}
