import {
  assembleGeneralJws,
  cosign,
  type GeneralJws,
  type NodeKey,
  type SignatureBlock,
  statementTextBytes,
} from '@citylink/crypto';
import { EVERYONE, type ObjectOfKind, type SignedObject, type Tlp } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { Publish } from '../authoring/marking.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import type { FeedBus } from '../ingest/pipeline.js';
import type { RosterState } from '../membership/roster-state.js';
import type { Views } from '../views/views.js';
import { checkFundingAnnex } from './funding-annex.js';
import { exportStatement } from './statement-export.js';
import type { Piece } from './statement-fold.js';
import { StatementList } from './statement-list.js';
import { isInvited } from './statement-permissions.js';
import { decodePiece, frozenText, StatementReader } from './statement-reader.js';
import { checkStatementObject } from './statement-rules.js';
import { RevisionDiffs } from './word-diff.js';

type Revision = ObjectOfKind<'statement-revision'>;
type Signature = ObjectOfKind<'statement-signature'>;

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

/**
 * Joint statements. Every step is a signed object addressed to the statement's
 * audience (the invited cities, the originator, and the hub when it is included);
 * the current state is a fold over those objects, so it does not depend on the
 * order they arrived in, and every node computes the same thing.
 */
export class Statements {
  readonly #reader: StatementReader;
  readonly #diffs: RevisionDiffs;
  readonly #list: StatementList;

  constructor(private readonly n: StatementsDeps) {
    this.#reader = new StatementReader(n);
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

  /** The whole state of a statement as this node sees it, or undefined if it is not visible here. */
  state(statementId: string, viewer?: SessionUser) {
    return this.#reader.state(statementId, viewer);
  }

  /** The statements this person may see, from the read model (see StatementList). */
  list(viewer: SessionUser, opts: { addressedTo?: string } = {}) {
    return this.#list.list((m) => this.n.views.canSee(viewer, m), opts.addressedTo);
  }

  /**
   * A readable word-level diff between two revisions of the same statement, or from a
   * revision to the text a comment proposes (an amendment, reviewed against the
   * current revision), bounded in time and edit length (`wordByWord: false` past the
   * bounds) and cached per pair.
   */
  async diff(statementId: string, from: string, to: string, viewer: SessionUser) {
    const s = await this.#visible(statementId, viewer);
    const a = s.revisions.find((r) => r.id === from);
    const proposal = s.comments.find((c) => c.id === to && c.proposedText !== null);
    const b = s.revisions.find((r) => r.id === to) ?? (proposal && { id: proposal.id, text: proposal.proposedText! });
    if (!a || !b) throw new NotFoundError('compare a revision of this statement with a revision or an amendment of it');
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
      fundingAnnex?: string[] | undefined;
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
    if (input.fundingAnnex) {
      await checkFundingAnnex(this.n.store, input.fundingAnnex, { audience, cities: [this.n.id, ...invited] });
    }
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
          ...(input.fundingAnnex && { fundingAnnex: input.fundingAnnex }),
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
    input: { title?: string; text: string; addressees?: string[]; fundingAnnex?: string[] | undefined },
    actor: SessionUser,
  ) {
    // Allowed during sign-on too: a new text gets a new hash, and earlier signatures must be made again.
    const s = await this.#asOriginator(statementId, actor);
    const parent = s.revisions[s.revisions.length - 1]!;
    const fundingAnnex = input.fundingAnnex ?? parent.fundingAnnex;
    const marking = this.#marking(s);
    if (fundingAnnex.length > 0) {
      await checkFundingAnnex(this.n.store, fundingAnnex, {
        audience: marking.audience,
        cities: [s.originator, ...s.invited],
      });
    }
    return this.n.publish(
      'statement-revision',
      {
        ...marking,
        body: {
          statement: statementId,
          parent: parent.id,
          title: input.title ?? parent.title,
          text: input.text,
          addressees: input.addressees ?? parent.addressees,
          invited: s.invited,
          ...(fundingAnnex.length > 0 && { fundingAnnex }),
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
    const loaded = (await this.#reader.load(statementId))!;
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
    const sigs = (await this.n.store.getObjects(ids)).map((o) => decodePiece<Signature>(o));
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

  /** The final document, its verification bundle and a printable page (see statement-export.ts). */
  async export(statementId: string, viewer: SessionUser) {
    return exportStatement(
      { reader: this.#reader, store: this.n.store, roster: this.n.roster },
      await this.#visible(statementId, viewer),
    );
  }

  /** Authorship rules for statement objects arriving here (see statement-rules.ts). */
  check(o: SignedObject, opts: { id: string; batch?: ReadonlyMap<string, { object: SignedObject }> }) {
    return checkStatementObject(this.#reader, this.n.store, o, opts);
  }
}
