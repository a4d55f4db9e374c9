import {
  assembleGeneralJws,
  cosign,
  type GeneralJws,
  type NodeKey,
  type SignatureBlock,
  statementTextBytes,
} from '@citylink/crypto';
import { EVERYONE, type ObjectOfKind, type SignedObject, type StatementText, type Tlp } from '@citylink/protocol';
import type { Store, StoredObject } from '@citylink/store';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { Publish } from '../authoring/marking.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import type { FeedBus, NodeRejectReason } from '../ingest/pipeline.js';
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
  type VerifiedEntry,
} from './statement-fold.js';
import { StatementList } from './statement-list.js';
import { isInvited } from './statement-permissions.js';
import { RevisionDiffs } from './word-diff.js';

type Revision = ObjectOfKind<'statement-revision'>;
type SignOn = ObjectOfKind<'statement-signon'>;
type Signature = ObjectOfKind<'statement-signature'>;
type Final = ObjectOfKind<'statement-final'>;

/** What the statements service needs from the node, and nothing more. */
export interface StatementsDeps {
  readonly id: string;
  readonly config: { name: string };
  readonly roster: RosterState;
  readonly store: Store;
  readonly bus: FeedBus;
  readonly log: Logger;
  readonly views: Pick<Views, 'canSee'>;
  readonly publish: Publish;
  signingKey(): NodeKey;
}

/** What the signature and final checks need of a statement. */
interface Context {
  originator: string;
  invited: string[];
  signOns: Piece<SignOn>[];
  signOn: Piece<SignOn> | undefined;
  text: StatementText | undefined;
  payload: Uint8Array | undefined;
  frozenFor: (signOn: Piece<SignOn>) => { text: StatementText; payload: Uint8Array } | undefined;
}

export type SignerStatus = 'signed' | 'must re-sign' | 'withdrawn' | 'not signed';

const STATEMENT_KINDS = new Set([
  'statement-revision',
  'statement-comment',
  'statement-decision',
  'statement-signon',
  'statement-signature',
  'statement-withdrawal',
  'statement-final',
  'statement-delivery',
]);

const piece = <T extends SignedObject>(o: StoredObject): Piece<T> => ({
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
  };
}

/**
 * Joint statements. Every step is a signed object addressed to the statement's
 * audience (the invited cities, the originator, and the hub when it is included);
 * the current state is a fold over those objects, so it does not depend on the
 * order they arrived in, and every node computes the same thing.
 */
export class Statements {
  readonly #checks: CosignatureChecks;
  readonly #diffs: RevisionDiffs;
  readonly #list: StatementList;
  readonly #finalChecks = new LRUCache<string, FinalCheck>({ max: 1_000 });
  /** Decoded objects by id (content-addressed, so never stale): a fold decodes each object once. */
  readonly #decoded = new LRUCache<string, Piece>({ maxSize: 32_000_000, sizeCalculation: (p) => p.jws.length });
  /** The frozen text and its canonical bytes, by sign-on id. */
  readonly #frozen = new LRUCache<string, { text: StatementText; payload: Uint8Array }>({ max: 500 });

  constructor(private readonly n: StatementsDeps) {
    this.#checks = new CosignatureChecks(n.roster);
    this.#diffs = new RevisionDiffs((err) => n.log.warn({ err: String(err) }, 'revision diff worker failed'));
    this.#list = new StatementList({
      store: n.store,
      bus: n.bus,
      rosterVersion: () => n.roster.version,
      fold: (id) => this.state(id),
    });
  }

  /** Stops the diff worker. */
  close(): Promise<void> {
    return this.#diffs.close();
  }

  // ------------------------------------------------------------ reading

  async #load(statementId: string) {
    const first = await this.n.store.getObject(statementId);
    if (first?.kind !== 'statement-revision') return undefined;
    const head = this.#piece(first) as Piece<Revision>;
    if (head.object.body.statement) return undefined;
    const refs = (await this.n.store.objectsTargeting(statementId))
      .filter((r) => STATEMENT_KINDS.has(r.kind))
      .map((r) => this.#piece(r));
    return { head, refs, originator: first.origin, stored: first };
  }

  #piece(o: StoredObject): Piece {
    let p = this.#decoded.get(o.id);
    if (!p) {
      p = piece(o);
      this.#decoded.set(o.id, p);
    }
    return p;
  }

  /** What the rules need: originator, revisions, invited cities, the current sign-on and its frozen text. */
  async #context(statementId: string) {
    const loaded = await this.#load(statementId);
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
  async #signatureProblem(s: Piece<Signature>, ctx: Context): Promise<string | undefined> {
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
        check = await this.#checkFinal(f, signOn, frozen.payload, ctx, (id) => signatures.get(id));
        this.#finalChecks.set(key, check);
      }
      if (!check.problem) out.push({ piece: f, check });
    }
    return out;
  }

  #checkFinal(
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
    const ctx = await this.#context(statementId);
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
        problem: await this.#signatureProblem(s, ctx),
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
  /** The statements this person may see, from the read model (see StatementList). */
  list(viewer: SessionUser, opts: { addressedTo?: string } = {}) {
    return this.#list.list((m) => this.n.views.canSee(viewer, m), opts.addressedTo);
  }

  /**
   * A readable word-level diff between two revisions of the same statement, bounded
   * in time and edit length (`wordByWord: false` past the bounds) and cached per pair.
   */
  async diff(statementId: string, from: string, to: string, viewer: SessionUser) {
    const s = await this.#visible(statementId, viewer);
    const a = s.revisions.find((r) => r.id === from);
    const b = s.revisions.find((r) => r.id === to);
    if (!a || !b) throw new NotFoundError('both revisions must belong to this statement');
    return this.#diffs.between(a, b);
  }

  async #visible(statementId: string, viewer: SessionUser) {
    const s = await this.state(statementId, viewer);
    if (!s) throw new NotFoundError(`no statement ${statementId} visible to you here`);
    return s;
  }

  // ------------------------------------------------------------ writing

  #marking(s: { tlp: Tlp; audience: string[]; originator: string; invited: string[] }, tlp?: Tlp) {
    const audience = [...new Set([...s.audience, ...s.invited, s.originator])].filter(
      (n) => n !== this.n.id && n !== EVERYONE,
    );
    return tlp === 'CLEAR' || tlp === 'GREEN' ? { tlp, audience: [EVERYONE] } : { tlp: s.tlp, audience };
  }

  async create(
    input: {
      title: string;
      text: string;
      addressees: string[];
      invited: string[];
      includeHub: boolean;
      signOnDeadline?: string | undefined;
    },
    actor: SessionUser,
  ) {
    const invited = [...new Set(input.invited)].filter((n) => n !== this.n.id);
    for (const node of invited) {
      if (!this.n.roster.isActive(node)) throw new InvalidInputError(`${node} is not an active member`);
    }
    const hub = this.n.roster.hubNode;
    const audience = [...new Set([...invited, ...(input.includeHub && hub !== this.n.id ? [hub] : [])])];
    if (audience.length === 0) throw new InvalidInputError('invite at least one city (or include the hub)');
    return this.n.publish(
      'statement-revision',
      {
        tlp: 'AMBER',
        audience,
        body: {
          title: input.title,
          text: input.text,
          addressees: input.addressees,
          invited,
          ...(input.signOnDeadline && { signOnDeadline: input.signOnDeadline }),
        },
      },
      actor,
    );
  }

  async #asOriginator(statementId: string, actor: SessionUser) {
    const s = await this.#visible(statementId, actor);
    if (s.originator !== this.n.id) throw new ForbiddenError('only the originating city may do this');
    if (s.final) throw new ConflictError('the statement is final');
    return s;
  }

  async revise(
    statementId: string,
    input: { title?: string; text: string; addressees?: string[] },
    actor: SessionUser,
  ) {
    // Allowed during sign-on too: a new text gets a new hash, and earlier signatures must be made again.
    const s = await this.#asOriginator(statementId, actor);
    const parent = s.revisions[s.revisions.length - 1]!;
    return this.n.publish(
      'statement-revision',
      {
        ...this.#marking(s),
        body: {
          statement: statementId,
          parent: parent.id,
          title: input.title ?? parent.title,
          text: input.text,
          addressees: input.addressees ?? parent.addressees,
          invited: s.invited,
        },
      },
      actor,
    );
  }

  async comment(statementId: string, input: { comment: string; proposedText?: string }, actor: SessionUser) {
    const s = await this.#visible(statementId, actor);
    if (!isInvited(s, this.n.id)) {
      throw new ForbiddenError('only invited cities may comment');
    }
    if (s.final) throw new ConflictError('the statement is final');
    const revision = s.revisions[s.revisions.length - 1]!;
    return this.n.publish(
      'statement-comment',
      {
        ...this.#marking(s),
        body: {
          statement: statementId,
          revision: revision.id,
          comment: input.comment,
          ...(input.proposedText && { proposedText: input.proposedText }),
        },
      },
      actor,
    );
  }

  /** Accepting an amendment publishes a new revision with its text, then the decision naming it. */
  async decide(
    statementId: string,
    input: { proposal: string; decision: 'accepted' | 'declined'; reason?: string },
    actor: SessionUser,
  ) {
    const s = await this.#asOriginator(statementId, actor);
    const proposal = s.comments.find((c) => c.id === input.proposal);
    if (!proposal?.proposedText) throw new NotFoundError('no proposed amendment with that id');
    if (proposal.decision) throw new ConflictError('that amendment was already decided');
    let revision: string | undefined;
    if (input.decision === 'accepted') {
      revision = (await this.revise(statementId, { text: proposal.proposedText }, actor)).id;
    }
    const decision = await this.n.publish(
      'statement-decision',
      {
        ...this.#marking(s),
        body: {
          statement: statementId,
          proposal: input.proposal,
          decision: input.decision,
          ...(revision && { revision }),
          ...(input.reason && { reason: input.reason }),
        },
      },
      actor,
    );
    return { id: decision.id, revision: revision ?? null };
  }

  /** Freezes the latest revision: its text hash is fixed and signatures can be collected until `deadline`. */
  async openSignOn(statementId: string, input: { deadline: string }, actor: SessionUser) {
    const s = await this.#asOriginator(statementId, actor);
    if (Date.parse(input.deadline) <= Date.now()) throw new InvalidInputError('the deadline must be in the future');
    const revision = s.revisions[s.revisions.length - 1]!;
    const loaded = (await this.#load(statementId))!;
    const rev = [loaded.head, ...loaded.refs].find((p) => p.id === revision.id) as Piece<Revision>;
    const { textHash } = statementTextBytes(frozenText(statementId, rev));
    const signOn = await this.n.publish(
      'statement-signon',
      {
        ...this.#marking(s),
        body: { statement: statementId, revision: revision.id, textHash, deadline: input.deadline },
      },
      actor,
    );
    return { id: signOn.id, textHash };
  }

  /** The mayor signs the frozen text with this city's key; the signature block is covered by the signature. */
  async sign(statementId: string, input: { name: string; title: string; city?: string }, actor: SessionUser) {
    if (!actor.roles.includes('signer')) throw new ForbiddenError('only the mayor (signer role) can sign for the city');
    const s = await this.#visible(statementId, actor);
    if (!s.signOn?.text) throw new ConflictError('sign-on is not open for this statement');
    if (s.signOn.deadline < new Date().toISOString()) {
      throw new ConflictError(`the sign-on deadline (${s.signOn.deadline}) has passed`);
    }
    if (!isInvited(s, this.n.id)) {
      throw new ForbiddenError('this city was not invited to sign');
    }
    const mine = s.signers.find((x) => x.node === this.n.id);
    if (mine?.status === 'signed') {
      throw new ConflictError('this city has already signed this text; withdraw the signature to sign again');
    }
    const block: SignatureBlock = { name: input.name, title: input.title, city: input.city ?? this.n.config.name };
    const { bytes, textHash } = statementTextBytes(s.signOn.text);
    if (textHash !== s.signOn.textHash) throw new ConflictError('the frozen text does not match its hash');
    const cosignature = await cosign(bytes, this.n.signingKey(), {
      node: this.n.id,
      block,
      signedAt: new Date().toISOString(),
    });
    return this.n.publish(
      'statement-signature',
      {
        ...this.#marking(s),
        body: { statement: statementId, signOn: s.signOn.id, textHash, block, cosignature },
      },
      actor,
    );
  }

  async withdraw(statementId: string, input: { reason?: string }, actor: SessionUser) {
    if (!actor.roles.includes('signer')) throw new ForbiddenError('only the mayor (signer role) can withdraw');
    const s = await this.#visible(statementId, actor);
    const mine = s.signers.find((x) => x.node === this.n.id);
    if (!mine?.signature || mine.status === 'withdrawn')
      throw new ConflictError('this city has no signature to withdraw');
    return this.n.publish(
      'statement-withdrawal',
      {
        ...this.#marking(s),
        body: { statement: statementId, signature: mine.signature, ...(input.reason && { reason: input.reason }) },
      },
      actor,
    );
  }

  /**
   * Closes the sign-on and issues the final document: one General JWS carrying
   * every counted signature over the same bytes. After a final, `addendum: true`
   * issues an addendum with the signatures counted since.
   */
  async finalize(statementId: string, input: { tlp?: Tlp; addendum?: boolean }, actor: SessionUser) {
    const s = await this.#visible(statementId, actor);
    if (s.originator !== this.n.id) throw new ForbiddenError('only the originating city may finalize');
    if (!s.signOn?.text) throw new ConflictError('open sign-on first');
    if (!!s.final !== !!input.addendum) {
      throw new ConflictError(s.final ? 'already final: issue an addendum for late signers' : 'not final yet');
    }
    const already = new Set([...(s.final?.signatures ?? []), ...s.addenda.flatMap((a) => a.signatures)]);
    const ids = s.counted.filter((id) => !already.has(id));
    if (ids.length === 0) throw new ConflictError('there are no (new) signatures to include');
    const sigs = (await this.n.store.getObjects(ids)).map((o) => piece<Signature>(o));
    const order = new Map(ids.map((id, i) => [id, i]));
    sigs.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    const { bytes, textHash } = statementTextBytes(s.signOn.text);
    const document: GeneralJws = assembleGeneralJws(
      bytes,
      sigs.map((x) => x.object.body.cosignature),
    );
    return this.n.publish(
      'statement-final',
      {
        ...this.#marking(s, input.tlp),
        body: {
          statement: statementId,
          signOn: s.signOn.id,
          textHash,
          signatures: ids,
          document,
          ...(input.addendum && s.final && { addendumTo: s.final.id }),
        },
      },
      actor,
    );
  }

  async recordDelivery(
    statementId: string,
    input: { to: string; method: 'email' | 'mail' | 'hand' | 'portal' | 'other'; deliveredAt: string; note?: string },
    actor: SessionUser,
  ) {
    const s = await this.#visible(statementId, actor);
    if (s.originator !== this.n.id) throw new ForbiddenError('only the originating city records deliveries');
    if (!s.final) throw new ConflictError('finalize the statement before recording its delivery');
    return this.n.publish(
      'statement-delivery',
      {
        ...this.#marking(s),
        body: {
          statement: statementId,
          final: s.final.id,
          to: input.to,
          method: input.method,
          deliveredAt: input.deliveredAt,
          ...(input.note && { note: input.note }),
        },
      },
      actor,
    );
  }

  // ------------------------------------------------------------ export

  /**
   * The final document three ways: the General JWS, a verification bundle (the JWS
   * plus the hub-signed roster and the hub key needed to check it offline), and a
   * printable HTML page.
   */
  async export(statementId: string, viewer: SessionUser) {
    const s = await this.#visible(statementId, viewer);
    const ctx = s.final && (await this.#context(statementId));
    const signOn = s.final && ctx?.signOns.find((so) => so.id === s.final?.signOn);
    const text = signOn && ctx?.frozenFor(signOn)?.text;
    if (!s.final || !text) throw new ConflictError('the statement is not final yet');
    const hub = this.n.roster.member(this.n.roster.hubNode);
    const finalJws = (await this.n.store.getObject(s.final.id))!.jws;
    const bundle = {
      format: 'citylink-statement-bundle/1',
      statement: s.id,
      final: s.final.id,
      finalJws,
      title: text.title,
      addressees: text.addressees,
      textHash: s.final.textHash,
      document: s.final.document,
      roster: this.n.roster.jws ?? null,
      hub: { node: this.n.roster.hubNode, keys: this.n.roster.hubKeys },
    };
    return {
      document: s.final.document,
      bundle,
      html: renderHtml(text, s.final.verified, s.final.unverified.length, s.final.textHash, hub?.name),
    };
  }

  // ---------------------------------------------------------- receiving

  /**
   * Authorship rules for statement objects arriving at this node, checked when the
   * objects they refer to are held (the fold ignores whatever slips through
   * because it arrived first). `id`: the object's id; `batch`: objects admitted
   * earlier in the same append, not in the store yet.
   */
  async check(
    o: SignedObject,
    { id, batch }: { id: string; batch?: ReadonlyMap<string, { object: SignedObject }> },
  ): Promise<[NodeRejectReason, string] | undefined> {
    if (!STATEMENT_KINDS.has(o.kind)) return undefined;
    const statementId = (o.body as { statement?: string }).statement;
    if (!statementId) return undefined; // a new statement
    const s = await this.#context(statementId);
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
        if (o.body.textHash !== s.signOn.object.body.textHash)
          return ['bad_cosignature', 'signed a different text hash'];
        const problem = await this.#signatureProblem({ id, object: o, jws: '' }, s);
        if (problem) {
          return [
            'bad_cosignature',
            `the co-signature does not count for ${o.origin} over the frozen text: ${problem}`,
          ];
        }
      }
    }
    if (o.kind === 'statement-withdrawal') {
      const sig = pieces.find((p) => p.id === o.body.signature);
      if (sig && sig.object.kind !== 'statement-signature') {
        return ['not_authorized', `${o.body.signature} is not a signature on this statement`];
      }
      if (!sig && (await this.n.store.getObject(o.body.signature))) {
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
        const check = await this.#checkFinal(
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
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A self-contained printable page: the text, the signature blocks, and a short
 * verification fingerprint. Only entries verified here are listed: a block is
 * whatever its signer wrote, and only its signature makes it a city's.
 */
function renderHtml(
  text: StatementText,
  entries: readonly VerifiedEntry[],
  unverified: number,
  textHash: string,
  hubName: string | undefined,
): string {
  const blocks = entries.map(
    (e) =>
      `<li><strong>${escapeHtml(e.block.name)}</strong><br>${escapeHtml(e.block.title)}, ${escapeHtml(e.block.city)}<br><small>signed ${escapeHtml(e.signedAt)} · node ${escapeHtml(e.node)}</small></li>`,
  );
  const fingerprint = textHash.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(text.title)}</title>
<style>body{font:12pt/1.5 Georgia,serif;max-width:42rem;margin:2rem auto;color:#111}h1{font-size:18pt}ol{list-style:none;padding:0;columns:2}li{margin:0 0 1rem;break-inside:avoid}footer{margin-top:2rem;border-top:1px solid #999;font:9pt/1.4 monospace}</style>
</head><body>
<p>To: ${text.addressees.map(escapeHtml).join('; ')}</p>
<h1>${escapeHtml(text.title)}</h1>
${text.text
  .split(/\n{2,}/)
  .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
  .join('\n')}
<h2>Signed</h2>
<ol>${blocks.join('\n')}</ol>
<footer>Verification fingerprint ${fingerprint} (SHA-256 of the signed text: ${escapeHtml(textHash)}).
${entries.length} signatures, each by the signing city's key, checkable offline with the verification bundle (citylink verify)${hubName ? `; membership attested by ${escapeHtml(hubName)}` : ''}.${unverified > 0 ? ` ${unverified} further entries of the document do not verify here and are not listed.` : ''}</footer>
</body></html>
`;
}
