import { EventEmitter } from 'node:events';
import { sharedVerifyPool, type VerifiedObject, type verifyObject } from '@citylink/crypto';
import {
  canForward,
  EVERYONE,
  HUB_ONLY_KINDS,
  isResponseKind,
  LIMITS,
  type Marked,
  mayReceive,
  responseMarkingError,
  type SignedObject,
  sharesWithNetwork,
} from '@citylink/protocol';
import {
  type AppendInput,
  AppendRaceError,
  GroupCommit,
  isUniqueViolation,
  type NewAuditEvent,
  type Store,
} from '@citylink/store';
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import { quarantineReason } from '../membership/quarantine.js';
import type { RosterState } from '../membership/roster-state.js';
import type { Metrics } from '../metrics.js';
import type { NodeRejectReason, ObjectResult } from './outcomes.js';
import { pluginFor } from './plugins/registry.js';
import { projectionOf, storedRecord, targetOf } from './projection.js';

export type { NodeRejectReason, ObjectResult } from './outcomes.js';

export type IngestPath = 'local' | 'push' | 'pull';

export interface Appended {
  seq: number;
  id: string;
  kind: string;
}

/** Emits `appended` with the new log entries after every committed append. */
export class FeedBus extends EventEmitter<{ appended: [Appended[]] }> {}

/** What the rules need to know of an object already held (or accepted earlier in the batch). */
type Held = Marked & { kind: string };
/** An object earlier in the same batch: what the rules need of it, and the object itself. */
type Pending = Held & { object: SignedObject };

interface Checked {
  index: number;
  verified: VerifiedObject;
  /** The roster version it was verified under. */
  rosterVersion: number;
}

/**
 * May objects from other nodes come in now? `closed`: not until a roster confirms the
 * keys (refused, retryable); `unconfirmed`: yes, marked so until a roster confirms them.
 */
export type RemoteIntake = 'open' | 'unconfirmed' | 'closed';

/** One receive call's verified candidates, waiting to be stored. */
interface Job {
  candidates: readonly Checked[];
  from: string;
  audit?: NewAuditEvent | undefined;
  unconfirmed: boolean;
}

/**
 * The inbound pipeline: every object, local or remote, enters the node here.
 * Verify (signature, key window, schema, size, time) → membership → audience and
 * forwarding rules → authorship rules → dedupe → store + log + outbox in one
 * transaction → live event. A refusal changes nothing and is answered, counted,
 * logged and audited.
 */
export class Inbound {
  /**
   * Batches that arrive while another is being stored wait and are then stored
   * together, under one lock and in one transaction (group commit): with many
   * senders at once, one fsync serves them all.
   */
  readonly #admit = new GroupCommit<Job, ObjectResult[]>((jobs) => this.#write(jobs));

  /**
   * Hub processes sharing PostgreSQL: a group of plain bulletins (they answer nothing)
   * takes the database's append lock only around its log write (store/src/shared-append.ts);
   * if another process committed something that bears on them meanwhile, it is appended
   * again under the whole lock, where dedupe and the rules see everything.
   */
  async #write(jobs: readonly Job[]): Promise<ObjectResult[][]> {
    const independent = jobs.every((j) =>
      j.candidates.every((c) => c.verified.kind === 'bulletin' && targetOf(c.verified.object) === undefined),
    );
    if (independent) {
      try {
        return await this.n.store.exclusive(() => this.#store(jobs), { independent });
      } catch (err) {
        if (!(err instanceof AppendRaceError || isUniqueViolation(err))) throw err;
      }
    }
    return this.n.store.exclusive(() => this.#store(jobs));
  }

  constructor(
    private readonly n: {
      self: string;
      role: 'city' | 'hub';
      store: Store;
      roster: RosterState;
      metrics: Metrics;
      log: Logger;
      bus: FeedBus;
      resolveKey: Parameters<typeof verifyObject>[1]['resolveKey'];
      /** Kind-specific authorship rules (joint statements). */
      extraRules?: (
        o: SignedObject,
        ctx: { id: string; batch: ReadonlyMap<string, { object: SignedObject }> },
      ) => Promise<[NodeRejectReason, string] | undefined>;
      /** Whether an account here may be named on TLP:RED from other nodes (the RED directory). */
      receivesRed?: (username: string) => Promise<boolean>;
      /** Called after an append that queued deliveries (wakes the outbox worker). */
      onQueued?: () => void;
      /** Whether objects from other nodes are taken now (default: always). */
      intake?: () => RemoteIntake;
    },
  ) {}

  /**
   * `audit`: for a local post, the person's action, stored in the same transaction
   * as the object it created (so an accepted post always has its audit row).
   */
  async receive(
    items: readonly unknown[],
    from: string,
    path: IngestPath,
    audit?: NewAuditEvent,
  ): Promise<ObjectResult[]> {
    const results: ObjectResult[] = new Array(items.length);
    const reject = (index: number, reason: NodeRejectReason, detail: string, id?: string) => {
      results[index] = { ...(id && { id }), outcome: 'rejected', reason, detail };
    };
    const intake = path === 'local' ? 'open' : (this.n.intake?.() ?? 'open');
    if (intake === 'closed') {
      this.n.metrics.rejects.inc({ reason: 'roster_unconfirmed' });
      this.n.log.warn({ from, path, objects: items.length }, 'objects refused: roster not confirmed yet');
      throw new UnavailableError('roster not confirmed yet: this node restarted and has not reached the hub; retry');
    }

    const rosterVersion = this.n.roster.version;
    // Off the event loop where it pays (worker threads, libuv): see VerifyPool.
    const verified = await sharedVerifyPool().verifyAll(items, { resolveKey: this.n.resolveKey });
    const candidates: Checked[] = [];
    for (const [index, v] of verified.entries()) {
      if (!v.ok) {
        reject(index, v.reason, v.detail);
        continue;
      }
      const refusal = this.#admission(v.object, from, path);
      if (refusal) reject(index, refusal[0], refusal[1], v.id);
      else candidates.push({ index, verified: v, rosterVersion });
    }

    if (candidates.length > 0) {
      const decided = await this.#admit.submit({ candidates, from, audit, unconfirmed: intake === 'unconfirmed' });
      const events: Appended[] = [];
      for (const [i, c] of candidates.entries()) {
        const r = decided[i]!;
        results[c.index] = r;
        if (r.outcome !== 'accepted') continue;
        events.push({ seq: r.seq, id: r.id, kind: c.verified.kind });
        this.n.metrics.objectsIn.inc({ kind: c.verified.kind, path });
      }
      if (events.length > 0) {
        this.n.metrics.logHead.set(this.n.store.headSeq);
        this.n.bus.emit('appended', events);
      }
    }

    for (const r of results) {
      if (r.outcome === 'duplicate') this.n.metrics.duplicatesIn.inc();
      if (r.outcome !== 'rejected') continue;
      this.n.metrics.rejects.inc({ reason: r.reason });
      this.n.log.warn({ from, path, id: r.id, reason: r.reason, detail: r.detail }, 'object rejected');
    }
    const rejected = results.filter((r) => r.outcome === 'rejected');
    if (rejected.length > 0 && path !== 'local') {
      await this.n.store.audit({
        actor: `node:${from}`,
        action: 'object.rejected',
        subject: null,
        detail: { path, rejected: rejected.slice(0, 20) },
      });
    }
    return results;
  }

  /**
   * Dedupe, authorship rules, projection and append for verified candidates, under
   * the append lock; one result per candidate of each job, in order.
   */
  async #store(jobs: readonly Job[]): Promise<ObjectResult[][]> {
    const all = jobs.flatMap((j) =>
      j.candidates.map((c) => ({ c, from: j.from, audit: j.audit, unconfirmed: j.unconfirmed })),
    );
    const decided = new Map<Checked, ObjectResult>();
    const inputs: AppendInput[] = [];
    const order: Checked[] = [];
    const held = await this.n.store.heldIds(all.map(({ c }) => c.verified.id));
    const seen = new Set<string>();
    // Objects accepted earlier in this batch count as held for the rules (a page of catch-up
    // often carries a bulletin and its status update together).
    const pending = new Map<string, Pending>();
    const refs = await this.n.store.objectsTargetingAny(
      all.flatMap(({ c }) => [c.verified.id, ...(targetOf(c.verified.object) ? [targetOf(c.verified.object)!] : [])]),
    );
    const refsOf = (target: string) => refs.get(target) ?? [];
    for (const { c, from, audit, unconfirmed } of all) {
      const { id, object } = c.verified;
      if (held.has(id) || seen.has(id)) {
        decided.set(c, { id, outcome: 'duplicate' });
        continue;
      }
      const refusal = this.#rosterMoved(c) ?? (await this.#authorship(object, pending, id, refsOf));
      if (refusal) {
        decided.set(c, { id, outcome: 'rejected', reason: refusal[0], detail: refusal[1] });
        continue;
      }
      seen.add(id);
      pending.set(id, {
        origin: object.origin,
        kind: object.kind,
        tlp: object.tlp,
        audience: object.audience,
        recipients: object.recipients,
        object,
      });
      inputs.push({
        object: {
          ...storedRecord(c.verified, from),
          ...(unconfirmed && object.origin !== this.n.self && { hold: 'unconfirmed' as const }),
        },
        ...projectionOf(id, object, refsOf),
        recipients: this.#recipients(object, from),
        ...(audit && { audit }),
      });
      order.push(c);
    }
    const out = await this.n.store.appendLocked(inputs, { checked: true });
    for (const [i, r] of out.entries()) {
      decided.set(
        order[i]!,
        r.duplicate ? { id: r.id, outcome: 'duplicate' } : { id: r.id, outcome: 'accepted', seq: r.seq },
      );
    }
    if (inputs.some((i) => i.recipients && i.recipients.length > 0)) this.n.onQueued?.();
    return jobs.map((j) => j.candidates.map((c) => decided.get(c)!));
  }

  /**
   * A roster adopted between verification and now may have closed the key: judge the
   * object as the adoption's re-check judged what was already held (it could not see this one).
   */
  #rosterMoved(c: Checked): [NodeRejectReason, string] | undefined {
    const { object, kid } = c.verified;
    if (c.rosterVersion === this.n.roster.version || object.origin === this.n.self) return undefined;
    const member = this.n.roster.member(object.origin);
    if (!member) return ['not_member', `${object.origin} is not a member of the network`];
    const why = quarantineReason(
      member,
      member.keys.find((k) => k.kid === kid),
      { kid, created: new Date(object.created), receivedAt: new Date() },
    );
    return why ? ['key_revoked', why] : undefined;
  }

  /** Checks that need only the verified object and who handed it over. */
  #admission(o: SignedObject, from: string, path: IngestPath): [NodeRejectReason, string] | undefined {
    const { self, roster } = this.n;
    if (path === 'local') {
      return o.origin === self ? undefined : ['not_authorized', 'a local post must originate here'];
    }
    if (o.origin === self) return undefined; // our own object coming back during catch-up
    // A revoked or decommissioned origin's old objects stay valid: its key windows decide (verifyObject).
    const originMember = roster.member(o.origin);
    if (!originMember) return ['not_member', `${o.origin} is not a member of the network`];
    if (originMember.status === 'suspended') return ['not_member', `${o.origin} is suspended`];
    if (!roster.isActive(from)) return ['not_member', `sender ${from} is not an active member of the network`];
    if ((HUB_ONLY_KINDS as string[]).includes(o.kind) && originMember.role !== 'hub') {
      return ['not_authorized', `only the hub may issue ${o.kind}`];
    }
    if (!mayReceive(o, self)) return ['not_addressed', `${o.tlp} object is not addressed to ${self}`];
    if (from !== o.origin && !canForward(o, from, self)) {
      return ['not_forwardable', `${from} may not pass on a ${o.tlp} object from ${o.origin}`];
    }
    return undefined;
  }

  /** Rules about who may refer to what; needs the store, runs under the append lock. */
  async #authorship(
    o: SignedObject,
    pending: ReadonlyMap<string, Pending>,
    id: string,
    refsOf: (target: string) => readonly { kind: string; origin: string }[],
  ): Promise<[NodeRejectReason, string] | undefined> {
    const held = async (id: string): Promise<Held | undefined> => {
      const p = pending.get(id);
      if (p) return p;
      const s = await this.n.store.getObject(id);
      return s ? { ...s, tlp: s.tlp as SignedObject['tlp'], recipients: s.recipients ?? undefined } : undefined;
    };
    if (isResponseKind(o.kind)) {
      // An answer is judged against what it answers, when that is held (arrival order
      // may differ; read paths apply the same bound once the target arrives).
      const t = await held((o.body as { target: string }).target);
      const wider = t && responseMarkingError(o, t);
      if (wider) return ['wider_than_target', wider];
    }
    const unknown = await this.#unknownRecipient(o);
    if (unknown) return ['unknown_recipient', unknown];
    const byHub = this.n.roster.member(o.origin)?.role === 'hub' || o.origin === this.n.roster.hubNode;
    const answers = async (target: string) => [
      ...refsOf(target),
      ...[...pending.values()].filter((p) => targetOf(p.object) === target),
    ];
    const refused = await pluginFor(o)?.authorize(o, { held, byHub, answers });
    if (refused) return [...refused];
    const extra = await this.n.extraRules?.(o, { id, batch: pending });
    if (extra) return extra;
    return undefined;
  }

  /**
   * A RED object from another node naming someone here who is not in this node's
   * RED directory reaches no one: refused, so its author sees it was not delivered.
   * An answer to RED names its target's people (bounded by `wider_than_target`).
   */
  async #unknownRecipient(o: SignedObject): Promise<string | undefined> {
    const { self, receivesRed } = this.n;
    if (o.tlp !== 'RED' || o.origin === self || isResponseKind(o.kind) || !receivesRed) return undefined;
    for (const r of o.recipients ?? []) {
      if (r.node === self && !(await receivesRed(r.user))) {
        return `${self}/${r.user} is not in ${self}'s directory of people who may receive TLP:RED`;
      }
    }
    return undefined;
  }

  /**
   * Who this node must deliver the object to. The origin delivers to every named
   * node, and a network-wide object (`*`) to the hub; the hub relays network-wide
   * GREEN/CLEAR objects to every other active member. Nobody else forwards.
   */
  #recipients(o: SignedObject, from: string): string[] {
    const { self, role, roster } = this.n;
    const out = new Set<string>();
    const everyone = o.audience.includes(EVERYONE) && sharesWithNetwork(o.tlp);
    if (o.origin === self && from === self) {
      for (const node of o.audience) if (node !== EVERYONE && node !== self) out.add(node);
      if (everyone) {
        if (role === 'hub') for (const node of roster.activeNodes()) out.add(node);
        else out.add(roster.hubNode);
      }
    } else if (role === 'hub' && everyone) {
      for (const node of roster.activeNodes()) if (node !== from && node !== o.origin) out.add(node);
    }
    out.delete(self);
    return [...out].filter((node) => roster.isActive(node) && canForward(o, self, node)).slice(0, LIMITS.maxAudience);
  }
}
