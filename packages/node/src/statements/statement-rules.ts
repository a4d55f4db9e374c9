import type { ObjectOfKind, SignedObject } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { NodeRejectReason } from '../ingest/pipeline.js';
import type { Piece } from './statement-fold.js';
import { isInvited } from './statement-permissions.js';
import { STATEMENT_KINDS, type StatementReader } from './statement-reader.js';

type SignOn = ObjectOfKind<'statement-signon'>;
type Signature = ObjectOfKind<'statement-signature'>;

/**
 * Authorship rules for statement objects arriving at this node, checked when the
 * objects they refer to are held (the fold ignores whatever slips through
 * because it arrived first). `id`: the object's id; `batch`: objects admitted
 * earlier in the same append, not in the store yet.
 */
export async function checkStatementObject(
  reader: StatementReader,
  store: Pick<Store, 'getObject'>,
  o: SignedObject,
  { id, batch }: { id: string; batch?: ReadonlyMap<string, { object: SignedObject }> },
): Promise<[NodeRejectReason, string] | undefined> {
  if (!STATEMENT_KINDS.has(o.kind)) return undefined;
  const statementId = (o.body as { statement?: string }).statement;
  if (!statementId) return undefined; // a new statement
  const s = await reader.context(statementId);
  if (!s) return undefined;
  const fromOriginator = [
    'statement-revision',
    'statement-decision',
    'statement-signon',
    'statement-final',
    'statement-delivery',
  ];
  if (fromOriginator.includes(o.kind) && o.origin !== s.originator) {
    return ['not_authorized', `only ${s.originator} may issue ${o.kind} for this statement`];
  }
  const invited = isInvited(s, o.origin);
  if (o.kind === 'statement-comment' && !invited) {
    return ['not_authorized', `only the originator and invited cities may comment; ${o.origin} is neither`];
  }
  // Held statement objects and those ahead of this one in the same append.
  const pieces: Piece[] = [...s.refs];
  for (const [bid, b] of batch ?? []) {
    if ((b.object.body as { statement?: string }).statement === statementId) {
      pieces.push({ id: bid, object: b.object, jws: '' });
    }
  }
  if (o.kind === 'statement-signature') {
    if (!invited) return ['not_authorized', `${o.origin} was not invited to sign`];
    const withdrawn = new Set(
      pieces
        .filter((p) => p.object.kind === 'statement-withdrawal' && p.object.origin === o.origin)
        .map((p) => (p.object as ObjectOfKind<'statement-withdrawal'>).body.signature),
    );
    const standing = pieces.find(
      (p) =>
        p.object.kind === 'statement-signature' &&
        p.object.origin === o.origin &&
        p.object.body.signOn === o.body.signOn &&
        !withdrawn.has(p.id),
    );
    if (standing) {
      return [
        'duplicate_signature',
        `${o.origin} already has a signature on this sign-on (${standing.id}); withdraw it before signing again`,
      ];
    }
    if (s.signOn && s.payload && o.body.signOn === s.signOn.id) {
      if (o.created > s.signOn.object.body.deadline) {
        return ['deadline_passed', `signed after the deadline ${s.signOn.object.body.deadline}`];
      }
      if (o.body.textHash !== s.signOn.object.body.textHash) return ['bad_cosignature', 'signed a different text hash'];
      const problem = await reader.signatureProblem({ id, object: o, jws: '' }, s);
      if (problem) {
        return ['bad_cosignature', `the co-signature does not count for ${o.origin} over the frozen text: ${problem}`];
      }
    }
  }
  if (o.kind === 'statement-withdrawal') {
    const sig = pieces.find((p) => p.id === o.body.signature);
    if (sig && sig.object.kind !== 'statement-signature') {
      return ['not_authorized', `${o.body.signature} is not a signature on this statement`];
    }
    if (!sig && (await store.getObject(o.body.signature))) {
      return ['not_authorized', `${o.body.signature} is not a signature on this statement`];
    }
    // Not held yet: accepted, and the fold counts it only if the signature turns out to share its origin.
    if (sig && sig.object.origin !== o.origin) {
      return ['not_authorized', `only ${sig.object.origin}, which signed it, may withdraw signature ${sig.id}`];
    }
  }
  if (o.kind === 'statement-final') {
    // Checked against the sign-on it names; one not held yet is checked by the fold once it is.
    const signOn = pieces.find(
      (p): p is Piece<SignOn> =>
        p.id === o.body.signOn && p.object.kind === 'statement-signon' && p.object.origin === s.originator,
    );
    const frozen = signOn && s.frozenFor(signOn);
    if (signOn && frozen) {
      const signatures = new Map(
        pieces.filter((r) => r.object.kind === 'statement-signature').map((r) => [r.id, r as Piece<Signature>]),
      );
      const check = await reader.finalCheck(
        { id, object: o, jws: '' },
        signOn,
        frozen.payload,
        s,
        (sid) => signatures.get(sid),
        true,
      );
      const problem = check.problem ?? check.unverified[0]?.reason;
      if (problem) return ['bad_final', `the final does not match the signatures held here: ${problem}`];
    }
  }
  return undefined;
}
