import { statementTextBytes } from '@citylink/crypto';
import { fundingAnnexHash, type ObjectOfKind, type SignedObject, type StatementText } from '@citylink/protocol';
import type { Store, StoredObject } from '@citylink/store';
import { LRUCache } from 'lru-cache';
import type { SessionUser } from '../accounts/accounts.js';
import { decodeStored } from '../ingest/projection.js';
import type { RosterState } from '../membership/roster-state.js';
import type { Views } from '../views/views.js';
import {
  byCreated,
  CosignatureChecks,
  checkFinal,
  cosignatureProblem,
  countedWithdrawals,
  currentSignatures,
  type FinalCheck,
  type Piece,
} from './statement-fold.js';

type Revision = ObjectOfKind<'statement-revision'>;
type SignOn = ObjectOfKind<'statement-signon'>;
type Signature = ObjectOfKind<'statement-signature'>;
type Final = ObjectOfKind<'statement-final'>;

/** What the signature and final checks need of a statement. */
export interface Context {
  originator: string;
  invited: string[];
  signOns: Piece<SignOn>[];
  signOn: Piece<SignOn> | undefined;
  text: StatementText | undefined;
  payload: Uint8Array | undefined;
  frozenFor: (signOn: Piece<SignOn>) => { text: StatementText; payload: Uint8Array } | undefined;
}

export type SignerStatus = 'signed' | 'must re-sign' | 'withdrawn' | 'not signed';

export const STATEMENT_KINDS = new Set([
  'statement-revision',
  'statement-comment',
  'statement-decision',
  'statement-signon',
  'statement-signature',
  'statement-withdrawal',
  'statement-final',
  'statement-delivery',
]);

export const decodePiece = <T extends SignedObject>(o: StoredObject): Piece<T> => ({
  id: o.id,
  object: decodeStored(o) as T,
  jws: o.jws,
});

/** The frozen document a sign-on fixes: the revision's text as co-signed. */
export function frozenText(statement: string, revision: Piece<Revision>): StatementText {
  return {
    v: 1,
    kind: 'statement-text',
    statement,
    revision: revision.id,
    title: revision.object.body.title,
    text: revision.object.body.text,
    addressees: revision.object.body.addressees,
    ...(revision.object.body.fundingAnnex && { fundingAnnex: fundingAnnexHash(revision.object.body.fundingAnnex) }),
  };
}

/**
 * The read side of joint statements: loads a statement's objects and folds them
 * into its state, with the one co-signature check. The fold does not depend on
 * the order objects arrived in, so every node computes the same thing; decoded
 * objects, frozen texts and signature checks are cached (content-addressed).
 */
export class StatementReader {
  readonly #checks: CosignatureChecks;
  readonly #finalChecks = new LRUCache<string, FinalCheck>({ max: 1_000 });
  /** Decoded objects by id (content-addressed, so never stale): a fold decodes each object once. */
  readonly #decoded = new LRUCache<string, Piece>({ maxSize: 32_000_000, sizeCalculation: (p) => p.jws.length });
  /** The frozen text and its canonical bytes, by sign-on id. */
  readonly #frozen = new LRUCache<string, { text: StatementText; payload: Uint8Array }>({ max: 500 });

  constructor(private readonly n: { store: Store; roster: RosterState; views: Pick<Views, 'canSee'> }) {
    this.#checks = new CosignatureChecks(n.roster);
  }

  async load(statementId: string) {
    const first = await this.n.store.getObject(statementId);
    if (first?.kind !== 'statement-revision') return undefined;
    const head = this.piece(first) as Piece<Revision>;
    if (head.object.body.statement) return undefined;
    const refs = (await this.n.store.objectsTargeting(statementId))
      .filter((r) => STATEMENT_KINDS.has(r.kind))
      .map((r) => this.piece(r));
    return { head, refs, originator: first.origin, stored: first };
  }

  piece(o: StoredObject): Piece {
    let p = this.#decoded.get(o.id);
    if (!p) {
      p = decodePiece(o);
      this.#decoded.set(o.id, p);
    }
    return p;
  }

  /** What the rules need: originator, revisions, invited cities, the current sign-on and its frozen text. */
  async context(statementId: string) {
    const loaded = await this.load(statementId);
    if (!loaded) return undefined;
    const { head, refs, originator } = loaded;
    const of = <K extends SignedObject['kind']>(kind: K, fromOriginator = false) =>
      refs
        .filter((r) => r.object.kind === kind && (!fromOriginator || r.object.origin === originator))
        .sort(byCreated) as Piece<ObjectOfKind<K>>[];
    const revisions = [head, ...of('statement-revision', true)];
    const invited = [...new Set(revisions.flatMap((r) => r.object.body.invited))];
    const signOns = of('statement-signon', true);
    const signOn = signOns[signOns.length - 1];
    const frozenFor = (so: Piece<SignOn>) => {
      let f = this.#frozen.get(so.id);
      if (!f) {
        const revision = this.#revisionFor(revisions, so);
        if (!revision) return undefined;
        const text = frozenText(statementId, revision);
        f = { text, payload: statementTextBytes(text).bytes };
        this.#frozen.set(so.id, f);
      }
      return f;
    };
    const current = signOn && frozenFor(signOn);
    return {
      ...loaded,
      of,
      revisions,
      invited,
      signOns,
      signOn,
      frozenFor,
      text: current?.text,
      payload: current?.payload,
    };
  }

  /** Why a signature does not count (on the current sign-on), or undefined when it does. */
  async signatureProblem(s: Piece<Signature>, ctx: Context): Promise<string | undefined> {
    const { signOn, originator, invited, payload } = ctx;
    const sig = s.object.body;
    if (!signOn || sig.signOn !== signOn.id) return 'signed an earlier sign-on; must re-sign';
    if (sig.textHash !== signOn.object.body.textHash) return 'signed different text';
    if (s.object.created > signOn.object.body.deadline) return 'signed after the deadline';
    if (s.object.origin !== originator && !invited.includes(s.object.origin)) return 'not invited';
    if (!payload) return undefined;
    const result = await this.#checks.verify(`${s.id}|${sig.textHash}`, payload, sig.cosignature);
    const problem = cosignatureProblem(result, s.object.origin);
    if (problem || !result.ok) return problem;
    const { name, title, city } = result.block;
    if (name !== sig.block.name || title !== sig.block.title || city !== sig.block.city) {
      return 'the signature block differs from the one signed';
    }
    return undefined;
  }

  /**
   * Finals that match the sign-on they name, each with the entries that verify
   * here. A final whose sign-on is not held, or that does not match it, is ignored.
   */
  async #validFinals(finals: Piece<Final>[], ctx: Context, signatures: ReadonlyMap<string, Piece<Signature>>) {
    const out: { piece: Piece<Final>; check: FinalCheck }[] = [];
    for (const f of finals) {
      const signOn = ctx.signOns.find((so) => so.id === f.object.body.signOn);
      const frozen = signOn && ctx.frozenFor(signOn);
      if (!signOn || !frozen) continue;
      // What is held can change the outcome: key on the roster and on the signatures held.
      const key = `${this.n.roster.version}|${f.id}|${signatures.size}`;
      let check = this.#finalChecks.get(key);
      if (!check) {
        check = await this.finalCheck(f, signOn, frozen.payload, ctx, (id) => signatures.get(id));
        this.#finalChecks.set(key, check);
      }
      if (!check.problem) out.push({ piece: f, check });
    }
    return out;
  }

  finalCheck(
    f: Piece<Final>,
    signOn: Piece<SignOn>,
    payload: Uint8Array,
    ctx: Context,
    signature: (id: string) => Piece<Signature> | undefined,
    firstProblemOnly = false,
  ): Promise<FinalCheck> {
    return checkFinal(f, {
      firstProblemOnly,
      signOn: { id: signOn.id, textHash: signOn.object.body.textHash, deadline: signOn.object.body.deadline },
      payload,
      cities: new Set([ctx.originator, ...ctx.invited]),
      signature,
      checks: this.#checks,
    });
  }

  /** The whole state of a statement as this node sees it, or undefined if it is not visible here. */
  async state(statementId: string, viewer?: SessionUser) {
    const ctx = await this.context(statementId);
    if (!ctx) return undefined;
    if (viewer && !this.n.views.canSee(viewer, ctx.stored)) return undefined;
    const { head, originator, of, revisions, invited, signOn } = ctx;
    const latest = revisions[revisions.length - 1]!;
    const cities = [...new Set([originator, ...invited])];
    const allSignatures = of('statement-signature');
    const signatureById = new Map(allSignatures.map((s) => [s.id, s]));
    const withdrawn = countedWithdrawals(of('statement-withdrawal'), signatureById);

    // One current signature per city; it counts only on the current sign-on, before the deadline.
    const current = currentSignatures(allSignatures.filter((s) => cities.includes(s.object.origin)));
    const signatures = await Promise.all(
      [...current.values()].sort(byCreated).map(async (s) => ({
        piece: s,
        problem: await this.signatureProblem(s, ctx),
        withdrawal: withdrawn.get(s.id),
      })),
    );
    const counted = signatures.filter((s) => !s.problem && !s.withdrawal);
    const latestBy = new Map(signatures.map((s) => [s.piece.object.origin, s]));

    const finals = await this.#validFinals(of('statement-final', true), ctx, signatureById);
    const final = finals.find((f) => !f.piece.object.body.addendumTo);
    // Only the originator and invited cities may comment.
    const comments = of('statement-comment').filter((c) => cities.includes(c.object.origin));
    const signers = cities.map((node) => {
      const s = latestBy.get(node);
      const status: SignerStatus = !s
        ? 'not signed'
        : s.withdrawal
          ? 'withdrawn'
          : s.problem
            ? 'must re-sign'
            : 'signed';
      return {
        node,
        name: this.n.roster.member(node)?.name ?? node,
        status,
        block: s?.piece.object.body.block ?? null,
        signature: s?.piece.id ?? null,
        signedAt: s?.piece.object.created ?? null,
        problem: s?.problem ?? null,
      };
    });

    const now = new Date().toISOString();
    const phase = final
      ? of('statement-delivery', true).length > 0
        ? 'delivered'
        : 'final'
      : signOn
        ? signOn.object.body.deadline < now
          ? 'closed'
          : 'sign-on open'
        : revisions.length > 1 || comments.length > 0
          ? 'circulating'
          : 'draft';

    return {
      id: statementId,
      originator,
      phase,
      tlp: head.object.tlp,
      audience: head.object.audience,
      title: latest.object.body.title,
      addressees: latest.object.body.addressees,
      invited,
      revisions: revisions.map((r, i) => ({
        id: r.id,
        number: i + 1,
        parent: r.object.body.parent ?? null,
        created: r.object.created,
        title: r.object.body.title,
        text: r.object.body.text,
        addressees: r.object.body.addressees,
        fundingAnnex: r.object.body.fundingAnnex ?? [],
      })),
      comments: comments.map((c) => {
        const decision = of('statement-decision', true).find((d) => d.object.body.proposal === c.id);
        return {
          id: c.id,
          origin: c.object.origin,
          created: c.object.created,
          revision: c.object.body.revision,
          comment: c.object.body.comment,
          proposedText: c.object.body.proposedText ?? null,
          decision: decision
            ? {
                decision: decision.object.body.decision,
                revision: decision.object.body.revision ?? null,
                reason: decision.object.body.reason ?? null,
              }
            : null,
        };
      }),
      signOn: signOn
        ? {
            id: signOn.id,
            revision: signOn.object.body.revision,
            textHash: signOn.object.body.textHash,
            deadline: signOn.object.body.deadline,
            text: ctx.text ?? null,
          }
        : null,
      signers,
      counted: counted.map((s) => s.piece.id),
      final: final
        ? {
            id: final.piece.id,
            created: final.piece.object.created,
            signOn: final.piece.object.body.signOn,
            signatures: final.piece.object.body.signatures,
            textHash: final.piece.object.body.textHash,
            document: final.piece.object.body.document,
            /** The document's entries that verify here; only these are shown or printed. */
            verified: final.check.verified,
            unverified: final.check.unverified,
            /** Signatures withdrawn after the final: recorded; the delivered document stays as sent. */
            withdrawnAfterFinal: final.piece.object.body.signatures.filter((id) => withdrawn.has(id)),
          }
        : null,
      addenda: finals
        .filter((f) => f.piece.object.body.addendumTo)
        .map((f) => ({
          id: f.piece.id,
          created: f.piece.object.created,
          signatures: f.piece.object.body.signatures,
        })),
      deliveries: of('statement-delivery', true).map((d) => ({
        id: d.id,
        to: d.object.body.to,
        method: d.object.body.method,
        deliveredAt: d.object.body.deliveredAt,
        note: d.object.body.note ?? null,
      })),
    };
  }

  #revisionFor(revisions: Piece<Revision>[], signOn: Piece<SignOn>): Piece<Revision> | undefined {
    return revisions.find((r) => r.id === signOn.object.body.revision);
  }

  /** Statements visible to this person, newest first. */
}
