/**
 * Who may answer what, written once: the inbound pipeline applies these to the
 * origin node of an object, authoring to the signed-in person before signing, and
 * the API to tell the console what that person may do (`can`).
 */

interface Target {
  origin: string;
  kind: string;
}

/** Only the author of an object may retract it. */
export function mayRetract(by: { origin: string }, target: Target): boolean {
  return target.origin === by.origin;
}

/** Only the author of a bulletin or notes may supersede them with a new version. */
export function maySupersede(by: { origin: string }, target: Target): boolean {
  return target.origin === by.origin;
}

/** A bulletin's status: set by its author city or by the hub (`byHub`). */
export function maySetStatus(by: { origin: string; byHub: boolean }, target: Target): boolean {
  return target.kind === 'bulletin' && (by.byHub || target.origin === by.origin);
}

/** Only notes can be endorsed. */
export function mayEndorse(target: Target): boolean {
  return target.kind === 'note';
}

/** At the hub, the people who speak for the hub (status of another city's bulletin, posture). */
export function speaksForHub(role: 'hub' | 'city', roles: readonly string[]): boolean {
  return role === 'hub' && roles.some((r) => r === 'hub-official' || r === 'admin');
}

/**
 * At the hub, the kinds read by the people who speak for it alone: the officials'
 * shift log and the cities' check-ins (the situation board, the shift log and the
 * escalations are theirs too). Plain hub staff never see them on any read path.
 */
const HUB_OFFICIALS_KINDS: readonly string[] = ['shift-note', 'checkin'];

export function mayReadKind(kind: string, role: 'hub' | 'city', roles: readonly string[]): boolean {
  return role !== 'hub' || !HUB_OFFICIALS_KINDS.includes(kind) || speaksForHub(role, roles);
}

/**
 * A city acknowledges ("seen it here too") a report once: a second acknowledgement
 * from the same origin is refused, whoever at that city signs it.
 */
export function hasAcknowledged(origin: string, answers: readonly { kind: string; origin: string }[]): boolean {
  return answers.some((a) => a.kind === 'acknowledgement' && a.origin === origin);
}
