import {
  assembleGeneralJws,
  type CosignatureEntry,
  type KeyResolver,
  type SignatureBlock,
  type SignerResult,
  verifyCosignatures,
} from '@citylink/crypto';
import { base64url, type ObjectOfKind, type SignedObject } from '@citylink/protocol';
import { LRUCache } from 'lru-cache';

/** The pure parts of the statement fold: which signatures and withdrawals count, final checks. */

export interface Piece<T extends SignedObject = SignedObject> {
  id: string;
  object: T;
  jws: string;
}
type Signature = ObjectOfKind<'statement-signature'>;
type Withdrawal = ObjectOfKind<'statement-withdrawal'>;
type Final = ObjectOfKind<'statement-final'>;

export const byCreated = (a: Piece, b: Piece) =>
  a.object.created.localeCompare(b.object.created) || a.id.localeCompare(b.id);

// ------------------------------------------------------------ signatures

/**
 * One current signature per city: the latest by `created` replaces the earlier
 * ones, so a city that floods signatures costs one verification, not thousands.
 */
export function currentSignatures(sigs: readonly Piece<Signature>[]): Map<string, Piece<Signature>> {
  const latest = new Map<string, Piece<Signature>>();
  for (const s of [...sigs].sort(byCreated)) latest.set(s.object.origin, s);
  return latest;
}

/**
 * Withdrawals that count: only the signing city may withdraw its signature. A
 * withdrawal naming a signature not held here yet counts once that signature
 * arrives, and only if the two share an origin.
 */
export function countedWithdrawals(
  withdrawals: readonly Piece<Withdrawal>[],
  signatures: ReadonlyMap<string, Piece<Signature>>,
): Map<string, { id: string; by: string; at: string }> {
  const out = new Map<string, { id: string; by: string; at: string }>();
  for (const w of [...withdrawals].sort(byCreated)) {
    const sig = signatures.get(w.object.body.signature);
    if (!sig || sig.object.origin !== w.object.origin || out.has(sig.id)) continue;
    out.set(sig.id, { id: w.id, by: w.object.origin, at: w.object.created });
  }
  return out;
}

/**
 * Co-signature verification results, by what was verified (a signature object's
 * id, or a final's entry) and the roster version they were checked against: a new
 * roster may revoke a key, so it starts afresh. Bounded.
 */
export class CosignatureChecks {
  readonly #results = new LRUCache<string, SignerResult>({ max: 50_000 });

  constructor(private readonly keys: { readonly resolveKey: KeyResolver; readonly version: number }) {}

  async verify(what: string, payload: Uint8Array, entry: CosignatureEntry): Promise<SignerResult> {
    const key = `${this.keys.version}|${what}`;
    const hit = this.#results.get(key);
    if (hit) return hit;
    const check = await verifyCosignatures(assembleGeneralJws(payload, [entry]), this.keys.resolveKey);
    const result: SignerResult = check.signers[0] ?? { index: 0, ok: false, reason: 'no readable signature' };
    this.#results.set(key, result);
    return result;
  }
}

/** Why a co-signature does not count for `origin`, or undefined when it does. */
export function cosignatureProblem(result: SignerResult, origin: string): string | undefined {
  if (!result.ok) return `co-signature does not verify: ${result.reason}`;
  if (result.node !== origin) return 'co-signature by another node';
  return undefined;
}

// ----------------------------------------------------------------- finals

export interface VerifiedEntry {
  index: number;
  signature: string;
  node: string;
  block: SignatureBlock;
  signedAt: string;
}

export interface FinalCheck {
  /** Set when the final as a whole does not match the sign-on and the signatures it names. */
  problem?: string;
  /** Document entries that verify over the frozen text with a key of the named city valid at signing. */
  verified: VerifiedEntry[];
  /** Entries that do not, with the reason. */
  unverified: { index: number; reason: string }[];
}

/**
 * Checks a final (or addendum) against the sign-on it names: the frozen text, one
 * entry per named signature, each entry a co-signature by an invited city or the
 * originator made before the deadline, and each named signature (when held) the
 * same co-signature by the same city. A final a receiver can check is accepted
 * only without a problem and with every entry verified.
 */
export async function checkFinal(
  final: Piece<Final>,
  ctx: {
    signOn: { id: string; textHash: string; deadline: string };
    payload: Uint8Array;
    cities: ReadonlySet<string>;
    signature: (id: string) => Piece<Signature> | undefined;
    checks: CosignatureChecks;
    /** Stop at the first entry that does not verify (ingest refuses the final anyway). */
    firstProblemOnly?: boolean;
  },
): Promise<FinalCheck> {
  const body = final.object.body;
  const verified: VerifiedEntry[] = [];
  const unverified: { index: number; reason: string }[] = [];
  const fail = (problem: string): FinalCheck => ({ problem, verified, unverified });
  if (body.signOn !== ctx.signOn.id) return fail(`the final names sign-on ${body.signOn}, not the current one`);
  if (body.textHash !== ctx.signOn.textHash) return fail('the final is for a different text hash');
  if (body.document.payload !== base64url.encode(ctx.payload)) {
    return fail('the document payload is not the frozen text');
  }
  if (body.document.signatures.length !== body.signatures.length) {
    return fail('the document has a different number of entries than the signatures it names');
  }
  if (new Set(body.signatures).size !== body.signatures.length) return fail('the final names a signature twice');
  const nodes = new Set<string>();
  for (const [index, entry] of body.document.signatures.entries()) {
    const id = body.signatures[index]!;
    const held = ctx.signature(id);
    const same =
      held &&
      held.object.body.cosignature.protected === entry.protected &&
      held.object.body.cosignature.signature === entry.signature;
    if (held && !same) {
      unverified.push({ index, reason: `entry ${index} is not the co-signature of signature ${id}` });
      if (ctx.firstProblemOnly) break;
      continue;
    }
    const result = await ctx.checks.verify(
      same ? `${id}|${body.textHash}` : `${final.id}|${index}`,
      ctx.payload,
      entry,
    );
    let reason: string | undefined;
    if (!result.ok) reason = result.reason;
    else if (held && held.object.origin !== result.node) reason = `signature ${id} is by another city`;
    else if (held && held.object.body.signOn !== body.signOn) reason = `signature ${id} is on another sign-on`;
    else if (!ctx.cities.has(result.node)) reason = `${result.node} was not invited to sign`;
    else if (result.signedAt > ctx.signOn.deadline) reason = `${result.node} signed after the deadline`;
    else if (nodes.has(result.node)) reason = `${result.node} appears twice`;
    if (reason || !result.ok) {
      unverified.push({ index, reason: `entry ${index}: ${reason}` });
      if (ctx.firstProblemOnly) break;
      continue;
    }
    nodes.add(result.node);
    verified.push({ index, signature: id, node: result.node, block: result.block, signedAt: result.signedAt });
  }
  return { verified, unverified };
}
