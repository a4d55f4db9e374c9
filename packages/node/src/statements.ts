import {
  assembleGeneralJws,
  cosign,
  type GeneralJws,
  type SignatureBlock,
  statementTextBytes,
  verifyCosignatures,
} from '@citylink/crypto';
import {
  base64url,
  EVERYONE,
  type ObjectOfKind,
  type SignedObject,
  type StatementText,
  type Tlp,
} from '@citylink/protocol';
import type { StoredObject } from '@citylink/store';
import { diffWords } from 'diff';
import type { SessionUser } from './auth.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from './errors.js';
import type { CityLinkNode } from './node.js';
import type { NodeRejectReason } from './pipeline.js';
import { decodeStored } from './projection.js';

type Revision = ObjectOfKind<'statement-revision'>;
type SignOn = ObjectOfKind<'statement-signon'>;
type Signature = ObjectOfKind<'statement-signature'>;

interface Piece<T extends SignedObject = SignedObject> {
  id: string;
  object: T;
  jws: string;
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

const byCreated = (a: Piece, b: Piece) => a.object.created.localeCompare(b.object.created) || a.id.localeCompare(b.id);
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
  constructor(private readonly n: CityLinkNode) {}

  // ------------------------------------------------------------ reading

  async #load(statementId: string) {
    const first = await this.n.store.getObject(statementId);
    if (first?.kind !== 'statement-revision') return undefined;
    const head = piece<Revision>(first);
    if (head.object.body.statement) return undefined;
    const refs = (await this.n.store.objectsTargeting(statementId))
      .filter((r) => STATEMENT_KINDS.has(r.kind))
      .map((r) => piece(r));
    return { head, refs, originator: first.origin, stored: first };
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
    const frozen = signOn && this.#revisionFor(revisions, signOn);
    return { ...loaded, of, revisions, invited, signOn, text: frozen && frozenText(statementId, frozen) };
  }

  /** The whole state of a statement as this node sees it, or undefined if it is not visible here. */
  async state(statementId: string, viewer?: SessionUser) {
    const ctx = await this.#context(statementId);
    if (!ctx) return undefined;
    if (viewer && !this.n.views.canSee(viewer, ctx.stored)) return undefined;
    const { head, originator, of, revisions, invited, signOn } = ctx;
    const latest = revisions[revisions.length - 1]!;
    const withdrawn = new Map(
      of('statement-withdrawal').map((w) => [
        w.object.body.signature,
        { id: w.id, by: w.object.origin, at: w.object.created },
      ]),
    );
    const finals = of('statement-final', true);
    const final = finals.find((f) => !f.object.body.addendumTo);

    // Signatures count only on the current sign-on, from invited cities or the originator, before the deadline.
    const payload = ctx.text && statementTextBytes(ctx.text).bytes;
    const signatures = await Promise.all(
      of('statement-signature').map(async (s) => {
        const sig = s.object.body;
        let problem: string | undefined;
        if (!signOn || sig.signOn !== signOn.id) problem = 'signed an earlier sign-on; must re-sign';
        else if (sig.textHash !== signOn.object.body.textHash) problem = 'signed different text';
        else if (s.object.created > signOn.object.body.deadline) problem = 'signed after the deadline';
        else if (s.object.origin !== originator && !invited.includes(s.object.origin)) problem = 'not invited';
        else if (payload) {
          const check = await verifyCosignatures(
            assembleGeneralJws(payload, [sig.cosignature]),
            this.n.roster.resolveKey,
          );
          const signer = check.signers[0];
          if (!signer?.ok)
            problem = `co-signature does not verify: ${signer && 'reason' in signer ? signer.reason : ''}`;
          else if (signer.node !== s.object.origin) problem = 'co-signature by another node';
        }
        return { piece: s, problem, withdrawal: withdrawn.get(s.id) };
      }),
    );
    const counted = signatures.filter((s) => !s.problem && !s.withdrawal);
    const latestBy = new Map<string, (typeof signatures)[number]>();
    for (const s of signatures) latestBy.set(s.piece.object.origin, s);

    const cities = [...new Set([originator, ...invited])];
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
        : revisions.length > 1 || of('statement-comment').length > 0
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
      comments: of('statement-comment').map((c) => {
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
            id: final.id,
            created: final.object.created,
            signatures: final.object.body.signatures,
            textHash: final.object.body.textHash,
            document: final.object.body.document,
            /** Signatures withdrawn after the final: recorded; the delivered document stays as sent. */
            withdrawnAfterFinal: final.object.body.signatures.filter((id) => withdrawn.has(id)),
          }
        : null,
      addenda: finals
        .filter((f) => f.object.body.addendumTo)
        .map((f) => ({ id: f.id, created: f.object.created, signatures: f.object.body.signatures })),
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
  async list(viewer: SessionUser, opts: { addressedTo?: string } = {}) {
    const firsts = (await this.n.store.objectsOfKind('statement-revision')).filter(
      (o) =>
        o.target === null &&
        this.n.views.canSee(viewer, o) &&
        (!opts.addressedTo || o.audience.includes(opts.addressedTo)),
    );
    const out = [];
    for (const f of firsts) {
      const s = await this.state(f.id);
      if (s) {
        out.push({
          id: s.id,
          title: s.title,
          originator: s.originator,
          phase: s.phase,
          addressees: s.addressees,
          signed: s.signers.filter((x) => x.status === 'signed').length,
          invited: s.invited.length,
          deadline: s.signOn?.deadline ?? null,
        });
      }
    }
    return out;
  }

  /** A readable word-level diff between two revisions of the same statement. */
  async diff(statementId: string, from: string, to: string, viewer: SessionUser) {
    const s = await this.#visible(statementId, viewer);
    const a = s.revisions.find((r) => r.id === from);
    const b = s.revisions.find((r) => r.id === to);
    if (!a || !b) throw new NotFoundError('both revisions must belong to this statement');
    return diffWords(a.text, b.text).map((p) => ({
      text: p.value,
      change: p.added ? ('added' as const) : p.removed ? ('removed' as const) : ('same' as const),
    }));
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
    if (!s.invited.includes(this.n.id) && s.originator !== this.n.id) {
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
    if (s.originator !== this.n.id && !s.invited.includes(this.n.id)) {
      throw new ForbiddenError('this city was not invited to sign');
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
    if (!s.final || !s.signOn?.text) throw new ConflictError('the statement is not final yet');
    const hub = this.n.roster.member(this.n.roster.hubNode);
    const finalJws = (await this.n.store.getObject(s.final.id))!.jws;
    const bundle = {
      format: 'citylink-statement-bundle/1',
      statement: s.id,
      final: s.final.id,
      finalJws,
      title: s.signOn.text.title,
      addressees: s.signOn.text.addressees,
      textHash: s.final.textHash,
      document: s.final.document,
      roster: this.n.roster.jws ?? null,
      hub: { node: this.n.roster.hubNode, keys: this.n.roster.hubKeys },
    };
    return {
      document: s.final.document,
      bundle,
      html: renderHtml(s.signOn.text, s.final.document, s.final.textHash, hub?.name),
    };
  }

  // ---------------------------------------------------------- receiving

  /**
   * Authorship rules for statement objects arriving at this node, checked when the
   * objects they refer to are held (the fold ignores whatever slips through
   * because it arrived first).
   */
  async check(o: SignedObject): Promise<[NodeRejectReason, string] | undefined> {
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
    const invited = o.origin === s.originator || s.invited.includes(o.origin);
    if (o.kind === 'statement-comment' && !invited) {
      return ['not_authorized', `${o.origin} was not invited to this statement`];
    }
    if (o.kind === 'statement-signature') {
      if (!invited) return ['not_authorized', `${o.origin} was not invited to sign`];
      if (s.signOn && s.text && o.body.signOn === s.signOn.id) {
        if (o.created > s.signOn.object.body.deadline) {
          return ['deadline_passed', `signed after the deadline ${s.signOn.object.body.deadline}`];
        }
        if (o.body.textHash !== s.signOn.object.body.textHash)
          return ['bad_cosignature', 'signed a different text hash'];
        const { bytes } = statementTextBytes(s.text);
        const check = await verifyCosignatures(
          assembleGeneralJws(bytes, [o.body.cosignature]),
          this.n.roster.resolveKey,
        );
        const signer = check.signers[0];
        if (!signer?.ok || signer.node !== o.origin) {
          return ['bad_cosignature', 'the co-signature does not verify for this city over the frozen text'];
        }
      }
    }
    if (o.kind === 'statement-withdrawal') {
      const sig = await this.n.store.getObject(o.body.signature);
      if (sig && sig.origin !== o.origin) return ['not_authorized', 'only the signing city may withdraw its signature'];
    }
    return undefined;
  }
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A self-contained printable page: the text, the signature blocks, and a short verification fingerprint. */
function renderHtml(text: StatementText, document: GeneralJws, textHash: string, hubName: string | undefined): string {
  const blocks = document.signatures.map((s) => {
    const header = JSON.parse(Buffer.from(base64url.decode(s.protected)).toString('utf8')) as {
      block: SignatureBlock;
      node: string;
      iat: string;
    };
    return `<li><strong>${escapeHtml(header.block.name)}</strong><br>${escapeHtml(header.block.title)}, ${escapeHtml(header.block.city)}<br><small>signed ${escapeHtml(header.iat)} · node ${escapeHtml(header.node)}</small></li>`;
  });
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
${document.signatures.length} signatures, each by the signing city's key, checkable offline with the verification bundle (citylink verify)${hubName ? `; membership attested by ${escapeHtml(hubName)}` : ''}.</footer>
</body></html>
`;
}
