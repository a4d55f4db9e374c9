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
  RED: 'Only the named people you pick; nobody else, not even their colleagues.',
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
 * RED is shown only to the named recipients (and to people of the origin node).
 */
export function mayDisplay(obj: Marked, viewer: { node: string; user: string }): boolean {
  if (!mayReceive(obj, viewer.node)) return false;
  if (obj.tlp !== 'RED' || viewer.node === obj.origin) return true;
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
