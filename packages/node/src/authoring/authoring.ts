import { signObject } from '@citylink/crypto';
import {
  isResponseKind,
  type ObjectKind,
  type RESPONSE_KINDS,
  responseMarking,
  type SignedObject,
  withAuthorNamed,
} from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { NodeConfig } from '../config.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Inbound } from '../ingest/pipeline.js';
import { marked } from '../ingest/projection.js';
import { hasAcknowledged, mayEndorse, mayRetract, maySetStatus, speaksForHub } from '../ingest/rules.js';
import type { RosterState } from '../membership/roster-state.js';
import type { SigningKey } from '../signing-key.js';
import type { Views } from '../views/views.js';
import type { Marking } from './marking.js';

export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/** Objects this node authors: signed with its key, then taken in like any other. */
export class Authoring {
  constructor(
    private readonly deps: {
      self: string;
      role: NodeConfig['role'];
      roster: RosterState;
      key: SigningKey;
      inbound: Inbound;
      store: Store;
      views: Views;
      log: Logger;
      /** Refuses RED recipients who are not in the RED directory (see RedDirectory). */
      checkRecipients?: (recipients: readonly { node: string; user: string }[], author: string) => Promise<void>;
    },
  ) {}

  /** Signs a new object authored by this node, stores it, queues its deliveries. */
  async publish<K extends ObjectKind>(
    kind: K,
    input: Marking & { body: unknown },
    actor: SessionUser,
  ): Promise<{ id: string }> {
    const { self } = this.deps;
    this.#requireActiveMember();
    // The author of a RED object is one of its named people: answers to it reach the origin.
    const marking = withAuthorNamed(
      { tlp: input.tlp, audience: input.audience, recipients: input.recipients },
      { node: self, user: actor.username },
    );
    // An answer to RED names its target's people; anything else names people from the directory.
    if (marking.recipients && !isResponseKind(kind)) {
      await this.deps.checkRecipients?.(marking.recipients, actor.username);
    }
    const object = {
      v: 1,
      kind,
      origin: self,
      created: new Date().toISOString(),
      tlp: marking.tlp,
      audience: marking.audience,
      ...(marking.recipients && { recipients: marking.recipients }),
      ...(input.expires && { expires: input.expires }),
      body: input.body,
    } as SignedObject;
    const signed = await signObject(object, this.deps.key.current());
    const [result] = await this.deps.inbound.receive([signed.jws], self, 'local', {
      actor: `user:${actor.username}`,
      action: `object.${kind}`,
      subject: signed.id,
      detail: { tlp: input.tlp, audience: input.audience },
    });
    if (!result || result.outcome === 'rejected') {
      throw new InvalidInputError(
        `not accepted: ${result && 'reason' in result ? `${result.reason}: ${result.detail}` : ''}`,
      );
    }
    return { id: signed.id };
  }

  /**
   * A city that is not an active member of the roster it holds could sign objects
   * that no peer would ever accept: say so instead of answering with an id.
   */
  #requireActiveMember(): void {
    const { role, roster, self, log } = this.deps;
    if (role !== 'city' || roster.isActive(self)) return;
    const m = roster.member(self);
    const why = m
      ? `is ${m.status} in the network's roster`
      : 'is not in the network\u2019s roster yet (enroll with `citylink enroll` and wait for the hub to approve)';
    log.warn({ status: m?.status ?? null }, 'local post refused: this node is not an active member');
    throw new ConflictError(`not posted: ${self} ${why}; nothing it posts could be delivered`);
  }

  /**
   * Publishes an object about another one (acknowledgement, endorsement, status,
   * retraction) under `responseMarking`: the target's marking and audience, and for
   * a RED target, RED for exactly its named recipients (the author among them).
   */
  async respond(
    kind: ResponseKind,
    targetId: string,
    body: Record<string, unknown>,
    actor: SessionUser,
  ): Promise<{ id: string }> {
    const { self, role, store, views } = this.deps;
    const target = await store.getObject(targetId);
    if (!target || !(await views.visible(actor, [target])).length)
      throw new NotFoundError(`no object ${targetId} visible to you here`);
    const by = { origin: self, byHub: speaksForHub(role, actor.roles) };
    if (kind === 'retraction' && !mayRetract(by, target)) throw new ForbiddenError('only the author may retract');
    if (kind === 'endorsement' && !mayEndorse(target)) throw new InvalidInputError('only notes can be endorsed');
    if (kind === 'acknowledgement' && hasAcknowledged(self, await store.objectsTargeting(targetId, [kind]))) {
      throw new ConflictError(`${self} has already acknowledged this report`);
    }
    if (kind === 'bulletin-status') {
      if (target.kind !== 'bulletin') throw new InvalidInputError('status applies to bulletins');
      if (!maySetStatus(by, target)) {
        throw new ForbiddenError('only the author city or a hub official may change the status');
      }
    }
    return this.publish(kind, { ...responseMarking(marked(target), self), body: { target: targetId, ...body } }, actor);
  }
}
