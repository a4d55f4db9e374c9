/**
 * TLP 2.0 (FIRST) as enforced by the network. See docs/protocol.md, "Marking rules".
 */

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export const TLP_DESCRIPTIONS: Record<Tlp, string> = {
  CLEAR: 'Anyone, including the public page and the press.',
  GREEN: 'Every member of this state network (all cities and the state hub).',
  AMBER: 'Only the organizations you pick, on a need-to-know basis; they may not pass it on.',
  'AMBER+STRICT': 'Only the organizations you pick, inside those organizations; no passing on.',
  RED: 'Only the named people you pick (and you, its author); nobody else, not even your colleagues or theirs.',
};

/** Higher is stricter. */
export function tlpRank(tlp: Tlp): number {
  return TLP_LEVELS.indexOf(tlp);
}

/** The audience token that means "every member of the network"; valid for GREEN and CLEAR only. */
export const EVERYONE = '*';

export interface Marked {
  origin: string;
  tlp: Tlp;
  audience: readonly string[];
  recipients?: readonly { node: string; user: string }[] | undefined;
}

export function sharesWithNetwork(tlp: Tlp): boolean {
  return tlp === 'GREEN' || tlp === 'CLEAR';
}

/**
 * May `node` hold this object at all? The origin always may. Otherwise the node must be
 * named in the audience, or the audience is `*` and the marking is GREEN or CLEAR.
 * An empty or unknown audience shares with nobody. For RED, the node must also host a
 * named recipient.
 */
export function mayReceive(obj: Marked, node: string): boolean {
  if (node === obj.origin) return true;
  if (obj.tlp === 'RED') {
    return obj.audience.includes(node) && (obj.recipients ?? []).some((r) => r.node === node);
  }
  if (obj.audience.includes(node)) return true;
  return sharesWithNetwork(obj.tlp) && obj.audience.includes(EVERYONE);
}

/**
 * May `holder` pass this object to `target`? The origin delivers to its audience.
 * Any other holder may pass on GREEN and CLEAR only, and only to nodes that may
 * receive it; AMBER, AMBER+STRICT and RED are never forwarded by a non-originator.
 * Handing an object back to its own origin (a node restoring a lost database)
 * discloses nothing and is always allowed.
 */
export function canForward(obj: Marked, holder: string, target: string): boolean {
  if (target === holder) return false;
  if (target === obj.origin) return true;
  if (!mayReceive(obj, target)) return false;
  return holder === obj.origin || sharesWithNetwork(obj.tlp);
}

/**
 * May this person see the object in a console? Node-level receipt must already hold.
 * RED is shown only to the named recipients, at the origin as anywhere else: its
 * author is named (`withAuthorNamed`), so the author keeps it, and nobody else there
 * (not the author's mayor, not an administrator) reads it unless named.
 */
export function mayDisplay(obj: Marked, viewer: { node: string; user: string }): boolean {
  if (!mayReceive(obj, viewer.node)) return false;
  if (obj.tlp !== 'RED') return true;
  return (obj.recipients ?? []).some((r) => r.node === viewer.node && r.user === viewer.user);
}

/** Only CLEAR appears on public pages. */
export function isPublic(obj: Pick<Marked, 'tlp'>): boolean {
  return obj.tlp === 'CLEAR';
}

/** Anyone may tighten a marking; only the originator may loosen it. */
export function isMarkingChangeAllowed(from: Tlp, to: Tlp, byOriginator: boolean): boolean {
  return byOriginator || tlpRank(to) >= tlpRank(from);
}

// ------------------------------------------------------------------ responses

/**
 * Kinds that answer another object named in `body.target`. What may be seen of a
 * response is bounded by what may be seen of its target: an acknowledgement, a
 * status note or a retraction reason about a RED bulletin is RED information.
 */
export const RESPONSE_KINDS = ['acknowledgement', 'endorsement', 'bulletin-status', 'retraction'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

export function isResponseKind(kind: string): kind is ResponseKind {
  return (RESPONSE_KINDS as readonly string[]).includes(kind);
}

export interface TlpMarking {
  tlp: Tlp;
  audience: string[];
  recipients?: { node: string; user: string }[] | undefined;
}

/**
 * The marking `responder` gives a response to `target`. A response to RED is RED
 * for exactly the target's named recipients (its author among them, see
 * `withAuthorNamed`), so it reaches the origin and the named people and nobody
 * else. Otherwise it keeps the target's marking and goes to the target's origin
 * and audience.
 */
export function responseMarking(target: Marked, responder: string): TlpMarking {
  if (target.tlp === 'RED') {
    const recipients = (target.recipients ?? []).filter((r) => mayReceive(target, r.node));
    return { tlp: 'RED', audience: [...new Set(recipients.map((r) => r.node))], recipients };
  }
  const everyone = target.audience.includes(EVERYONE) && sharesWithNetwork(target.tlp);
  const audience = everyone
    ? [EVERYONE]
    : [...new Set([...target.audience, target.origin])].filter((n) => n !== responder && n !== EVERYONE);
  return { tlp: target.tlp, audience };
}

/**
 * A RED object as its author publishes it: the author is named among the
 * recipients, so that responses from the other recipients (which are addressed to
 * the target's recipients) reach the origin node. The origin's people see its RED
 * objects anyway; naming the author changes nobody's view of the object itself.
 */
export function withAuthorNamed<M extends TlpMarking>(marking: M, author: { node: string; user: string }): M {
  if (marking.tlp !== 'RED') return marking;
  const recipients = marking.recipients ?? [];
  if (recipients.some((r) => r.node === author.node && r.user === author.user)) return marking;
  const audience = marking.audience.includes(author.node) ? marking.audience : [...marking.audience, author.node];
  return { ...marking, audience, recipients: [...recipients, author] };
}

/**
 * Why a response may not be accepted next to its target, or undefined if it may.
 * A response is never looser than its target, its origin must itself be allowed
 * the target, it is addressed only to nodes that may receive the target, and a
 * response to RED names only the target's recipients (its author among them).
 */
export function responseMarkingError(response: Marked, target: Marked): string | undefined {
  if (!mayReceive(target, response.origin)) return `${response.origin} may not hold the object it answers`;
  if (tlpRank(response.tlp) < tlpRank(target.tlp)) {
    return `a ${response.tlp} answer to a ${target.tlp} object is looser than its target`;
  }
  for (const node of response.audience) {
    const ok =
      node === EVERYONE
        ? target.audience.includes(EVERYONE) && sharesWithNetwork(target.tlp)
        : mayReceive(target, node);
    if (!ok) return `addressed to ${node === EVERYONE ? 'the whole network' : node}, who may not receive its target`;
  }
  if (target.tlp === 'RED') {
    const named = target.recipients ?? [];
    for (const r of response.recipients ?? []) {
      if (!named.some((t) => t.node === r.node && t.user === r.user)) {
        return `names ${r.user}@${r.node}, who is not a recipient of its RED target`;
      }
    }
  }
  return undefined;
}

/**
 * May this person see a response? Only if they may see its target (which must be
 * held: an answer to something unknown shows nothing) and the response itself. An
 * answer to RED is RED for the target's named people, so it is shown to exactly them.
 */
export function mayDisplayResponse(
  response: Marked,
  target: Marked | undefined,
  viewer: { node: string; user: string },
): boolean {
  if (!target || !mayDisplay(target, viewer) || !mayReceive(response, viewer.node)) return false;
  return mayDisplay(response, viewer);
}

/**
 * May `holder` pass a response to `target`? As `canForward`, and the target node
 * must be allowed the object answered, when the holder knows it.
 */
export function canForwardResponse(
  response: Marked,
  answered: Marked | undefined,
  holder: string,
  target: string,
): boolean {
  return canForward(response, holder, target) && (answered === undefined || mayReceive(answered, target));
}

/** May a response appear on a public page? Only a CLEAR answer to a held CLEAR object. */
export function isPublicResponse(response: Pick<Marked, 'tlp'>, target: Pick<Marked, 'tlp'> | undefined): boolean {
  return isPublic(response) && target !== undefined && isPublic(target);
}
