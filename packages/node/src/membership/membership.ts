import { copyFile } from 'node:fs/promises';
import {
  generateNodeKey,
  importPublicKey,
  type NodeKey,
  payloadOfJws,
  type ResolvedKey,
  signObject,
  thumbprint,
  verifyObject,
  writeKeyFile,
} from '@citylink/crypto';
import { type KeyRecord, LIMITS, type Member, type ObjectOfKind, utf8 } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import { TRPCClientError } from '@trpc/client';
import { Mutex } from 'async-mutex';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError } from '../errors.js';
import type { PeerApi } from '../federation/peer-api.js';
import { checkPeerUrl, type PeerUrlPolicy } from '../federation/peer-url.js';
import type { RosterState } from './roster-state.js';

const HUB_KEY_CHAIN_META = 'hub_key_chain';
/** An enrollment request is good for a day; older ones are refused (with the id check, this stops replays). */
const ENROLLMENT_MAX_AGE_MS = 24 * 3600 * 1000;
/**
 * How far ahead an announced key may start. The old key stays valid until the new
 * one starts, so an unbounded `validFrom` would keep a "rotated" key alive for years.
 */
export const MAX_KEY_LEAD_MS = 7 * 24 * 3600 * 1000;

export type MemberStatus = Member['status'];

/** The key an enrollment is self-signed with, taken from its own (not yet verified) payload. */
async function enrollmentKey(jws: string): Promise<(node: string, kid: string) => Promise<ResolvedKey | undefined>> {
  let claimed: { kid?: string; jwk?: KeyRecord['jwk'] } | undefined;
  try {
    const payload = JSON.parse(utf8.decode(payloadOfJws(jws)));
    claimed = payload?.body?.key;
  } catch {
    claimed = undefined;
  }
  return async (_node, kid) => {
    if (!claimed?.jwk || claimed.kid !== kid) return undefined;
    if ((await thumbprint(claimed.jwk)) !== kid) return undefined;
    return {
      record: { kid, jwk: claimed.jwk, validFrom: '1970-01-01T00:00:00.000Z' },
      key: await importPublicKey(claimed.jwk),
    };
  };
}

/** What membership needs from the node, and nothing more. */
export interface MembershipDeps {
  readonly id: string;
  baseUrl(): string;
  readonly config: NodeConfig;
  readonly log: Logger;
  readonly roster: RosterState;
  readonly store: Store;
  readonly urlPolicy: PeerUrlPolicy;
  hub(): PeerApi;
  publicHub(): PeerApi;
  publishMembers(members: Member[], actor: string, action?: string, alongside?: () => Promise<void>): Promise<void>;
}

/**
 * Joining, key changes and removal. The hub side keeps the enrollment queue and
 * turns every decision into a new signed roster version; every side can rotate
 * its own key by announcing the next one signed with the current one.
 */
export class Membership {
  constructor(
    private readonly n: MembershipDeps,
    private readonly keys: { current: () => NodeKey; replace: (next: NodeKey) => void },
  ) {}

  #requireHub(): void {
    if (this.n.config.role !== 'hub') throw new ForbiddenError('only the hub manages membership');
  }

  // -------------------------------------------------------- enrollment

  /** Hub: takes a self-signed enrollment request into the queue. */
  async receiveEnrollment(jws: string): Promise<{ id: string; status: 'pending' }> {
    this.#requireHub();
    const result = await verifyObject(jws, { resolveKey: await enrollmentKey(jws), kinds: ['enrollment'] });
    if (!result.ok) throw new InvalidInputError(`enrollment refused: ${result.reason}: ${result.detail}`);
    const e = result.object as ObjectOfKind<'enrollment'>;
    if (e.origin !== e.body.node) throw new InvalidInputError('enrollment refused: origin and node differ');
    if (e.body.network !== this.n.config.network) {
      throw new InvalidInputError(`enrollment refused: this hub serves network ${this.n.config.network}`);
    }
    if (Date.now() - Date.parse(e.created) > ENROLLMENT_MAX_AGE_MS) {
      throw new InvalidInputError('enrollment refused: expired (older than 24 h); sign a new request');
    }
    if (await this.n.store.getEnrollment(result.id)) {
      throw new ConflictError('enrollment refused: replayed (this exact request was already received)');
    }
    if (this.n.roster.member(e.body.node)) {
      throw new ConflictError(`enrollment refused: ${e.body.node} is already a member`);
    }
    await this.#checkUrl(e.body.baseUrl, 'enrollment refused');
    // Requests for the same id wait side by side (an official sees them as competing),
    // so nobody can hold an id by asking first; expired ones no longer count.
    const competing = (await this.#open()).filter((p) => p.node === e.body.node);
    if (competing.length >= this.n.config.enrollment.maxCompeting) {
      throw new ConflictError(
        `enrollment refused: ${competing.length} requests for ${e.body.node} are already waiting for a decision`,
      );
    }
    await this.n.store.addEnrollment({
      id: result.id,
      node: e.body.node,
      name: e.body.name,
      baseUrl: e.body.baseUrl,
      kid: e.body.key.kid,
      contact: e.body.contact,
      jws,
    });
    await this.n.store.audit({
      actor: `node:${e.body.node}`,
      action: 'enrollment.received',
      subject: e.body.node,
      detail: { id: result.id, baseUrl: e.body.baseUrl, kid: e.body.key.kid },
    });
    return { id: result.id, status: 'pending' };
  }

  /** Refuses (and logs) a base URL the peer URL policy does not allow. */
  async #checkUrl(baseUrl: string, context: string): Promise<void> {
    const checked = await checkPeerUrl(baseUrl, this.n.urlPolicy);
    if (!checked.ok) {
      this.n.log.warn({ baseUrl, reason: checked.reason }, `${context}: base URL not allowed`);
      throw new InvalidInputError(`${context}: base URL not allowed: ${checked.reason}`);
    }
  }

  /** A pending request older than `enrollment.pendingTtlMs` has expired. */
  isExpired(e: { status: string; receivedAt: Date }, now = Date.now()): boolean {
    return e.status === 'pending' && now - e.receivedAt.getTime() > this.n.config.enrollment.pendingTtlMs;
  }

  /** Pending requests that have not expired. */
  async #open() {
    return (await this.n.store.listEnrollments('pending')).filter((p) => !this.isExpired(p));
  }

  /**
   * Hub: enrollment requests for the console, newest first but requests for the same
   * node id together, each with its status (`expired` for a pending one too old to
   * decide) and how many other open requests compete for its node id.
   */
  async listEnrollments(status?: 'pending' | 'approved' | 'rejected' | 'expired') {
    this.#requireHub();
    const now = Date.now();
    const all = (await this.n.store.listEnrollments(status === 'expired' ? 'pending' : status)).map((e) => ({
      ...e,
      status: this.isExpired(e, now) ? ('expired' as const) : e.status,
    }));
    const list = status ? all.filter((e) => e.status === status) : all;
    const openByNode = new Map<string, number>();
    for (const e of all) if (e.status === 'pending') openByNode.set(e.node, (openByNode.get(e.node) ?? 0) + 1);
    const firstSeen = new Map<string, number>();
    list.forEach((e, i) => {
      if (!firstSeen.has(e.node)) firstSeen.set(e.node, i);
    });
    return list
      .map((e, i) => ({ e, i }))
      .sort((a, b) => firstSeen.get(a.e.node)! - firstSeen.get(b.e.node)! || a.i - b.i)
      .map(({ e }) => ({
        ...e,
        competing: e.status === 'pending' ? (openByNode.get(e.node) ?? 1) - 1 : 0,
      }));
  }

  async enrollmentStatus(id: string) {
    this.#requireHub();
    const e = await this.n.store.getEnrollment(id);
    if (!e) throw new NotFoundError(`no enrollment ${id}`);
    return {
      id,
      node: e.node,
      status: this.isExpired(e) ? ('expired' as const) : e.status,
      reason: e.reason ?? null,
      roster: e.status === 'approved' ? (this.n.roster.jws ?? null) : null,
    };
  }

  /** One decision at a time: two officials approving competing requests for one id must not both win. */
  readonly #deciding = new Mutex();

  async approve(id: string, by: string): Promise<{ version: number }> {
    this.#requireHub();
    return this.#deciding.runExclusive(() => this.#approve(id, by));
  }

  async #approve(id: string, by: string): Promise<{ version: number }> {
    const e = await this.n.store.getEnrollment(id);
    if (!e) throw new NotFoundError(`no enrollment ${id}`);
    if (e.status !== 'pending') throw new ConflictError(`enrollment ${id} was already decided`);
    if (this.isExpired(e)) throw new ConflictError(`enrollment ${id} has expired; the city must send a new request`);
    if (this.n.roster.member(e.node)) throw new ConflictError(`${e.node} is already a member`);
    // Checked again: what the name resolves to may have changed since the request came in.
    await this.#checkUrl(e.baseUrl, 'approval refused');
    const request = await verifyObject(e.jws, { resolveKey: await enrollmentKey(e.jws), kinds: ['enrollment'] });
    if (!request.ok) throw new InvalidInputError('the stored enrollment no longer verifies');
    const body = request.object as ObjectOfKind<'enrollment'>;
    // The decision, the roster that lists the node and the audit rows: one transaction.
    const decide = async () => {
      if (!(await this.n.store.decideEnrollment(id, { status: 'approved', by }))) {
        throw new ConflictError(`enrollment ${id} was already decided`);
      }
      for (const other of await this.#open()) {
        if (other.node !== e.node) continue;
        const reason = `another request for ${e.node} was approved`;
        if (await this.n.store.decideEnrollment(other.id, { status: 'rejected', reason, by })) {
          await this.n.store.audit({
            actor: `user:${by}`,
            action: 'enrollment.rejected',
            subject: other.id,
            detail: { reason },
          });
        }
      }
    };
    await this.n.publishMembers(
      [
        {
          node: e.node,
          name: e.name,
          baseUrl: e.baseUrl,
          role: 'city',
          status: 'active',
          keys: [{ kid: e.kid, jwk: body.body.key.jwk, validFrom: body.created }],
          contact: e.contact,
        },
      ],
      by,
      'enrollment.approved',
      decide,
    );
    return { version: this.n.roster.version };
  }

  async reject(id: string, reason: string, by: string): Promise<void> {
    this.#requireHub();
    const e = await this.n.store.getEnrollment(id);
    if (e && this.isExpired(e)) throw new ConflictError(`enrollment ${id} has expired`);
    if (!(await this.n.store.decideEnrollment(id, { status: 'rejected', reason, by }))) {
      throw new ConflictError(`enrollment ${id} does not exist or was already decided`);
    }
    await this.n.store.audit({ actor: `user:${by}`, action: 'enrollment.rejected', subject: id, detail: { reason } });
  }

  // ------------------------------------------------- status and keys

  #member(node: string): Member {
    const m = this.n.roster.member(node);
    if (!m) throw new NotFoundError(`${node} is not in the roster`);
    return m;
  }

  /**
   * Hub: suspend (reversible), reinstate, revoke or decommission a member, effective
   * at `at` (default now). Revoking closes every key at that instant; objects signed
   * before it stay valid. Decommissioning ends the keys' windows the same way.
   */
  async setStatus(node: string, status: MemberStatus, by: string, at = new Date()): Promise<number> {
    this.#requireHub();
    if (node === this.n.id) throw new InvalidInputError('the hub cannot change its own status');
    const m = this.#member(node);
    const when = at.toISOString();
    const keys = m.keys.map((k) =>
      status === 'revoked' && !k.revokedAt
        ? { ...k, revokedAt: when }
        : status === 'decommissioned' && !k.validUntil
          ? { ...k, validUntil: when }
          : k,
    );
    await this.n.publishMembers([{ ...m, status, keys }], by, `membership.${status}`);
    return this.n.roster.version;
  }

  /** Hub: revoke one key from `at` on; `compromised` distrusts everything it ever signed. */
  async revokeKey(node: string, kid: string, by: string, opts: { at?: Date; compromised?: boolean } = {}) {
    this.#requireHub();
    const m = this.#member(node);
    if (!m.keys.some((k) => k.kid === kid)) throw new NotFoundError(`${node} has no key ${kid}`);
    const keys = m.keys.map((k) =>
      k.kid === kid
        ? { ...k, revokedAt: (opts.at ?? new Date()).toISOString(), ...(opts.compromised && { compromised: true }) }
        : k,
    );
    await this.n.publishMembers([{ ...m, keys }], by, 'key.revoked');
    return this.n.roster.version;
  }

  async changeUrl(node: string, baseUrl: string, by: string): Promise<number> {
    this.#requireHub();
    const m = this.#member(node);
    await this.#checkUrl(baseUrl, 'URL change refused');
    await this.n.publishMembers([{ ...m, baseUrl }], by, 'membership.url');
    return this.n.roster.version;
  }

  /**
   * Hub: a member announces its next key, signed with its current one. The old
   * key's window closes where the new one starts, so both keep verifying what
   * they signed. A kid is a key thumbprint, so it can never be reused.
   */
  async acceptKeyAnnouncement(jws: string, caller: string): Promise<{ version: number; roster: string }> {
    this.#requireHub();
    const result = await verifyObject(jws, { resolveKey: this.n.roster.resolveKey, kinds: ['key-announcement'] });
    if (!result.ok) throw new InvalidInputError(`key announcement refused: ${result.reason}: ${result.detail}`);
    const a = result.object as ObjectOfKind<'key-announcement'>;
    if (a.origin !== caller || a.body.node !== caller) {
      throw new ForbiddenError('a node may only announce its own keys');
    }
    if (a.body.replaces !== result.kid) {
      throw new InvalidInputError('the announcement must be signed by the key it replaces');
    }
    const m = this.#member(caller);
    this.#checkValidFrom(a.body.key.validFrom, caller);
    await this.#checkNewKey(a.body.key, m);
    const keys: KeyRecord[] = [
      ...m.keys.map((k) => (k.kid === result.kid ? { ...k, validUntil: a.body.key.validFrom } : k)),
      { kid: a.body.key.kid, jwk: a.body.key.jwk, validFrom: a.body.key.validFrom },
    ];
    await this.n.publishMembers([{ ...m, keys }], `node:${caller}`, 'key.rotated');
    return { version: this.n.roster.version, roster: this.n.roster.jws! };
  }

  /**
   * A new key starts within `MAX_KEY_LEAD_MS` from now, and not before now less the
   * clock-skew window: starting it earlier would end the old key's window in the past
   * and disown what the old key signed since.
   */
  #checkValidFrom(validFrom: string, caller: string, now = Date.now()): void {
    const at = Date.parse(validFrom);
    let why: string | undefined;
    if (at > now + MAX_KEY_LEAD_MS) why = `validFrom ${validFrom} is more than 7 days ahead`;
    else if (at < now - LIMITS.maxClockSkewMs) {
      why = `validFrom ${validFrom} is more than ${LIMITS.maxClockSkewMs / 60_000} minutes in the past`;
    }
    if (!why) return;
    this.n.log.warn({ peer: caller, validFrom }, `key announcement refused: ${why}`);
    throw new InvalidInputError(`key announcement refused: ${why}`);
  }

  async #checkNewKey(key: { kid: string; jwk: KeyRecord['jwk'] }, m: Member): Promise<void> {
    if ((await thumbprint(key.jwk)) !== key.kid) {
      throw new InvalidInputError('the new key\u2019s kid is not its RFC 7638 thumbprint');
    }
    const taken = this.n.roster.members().some((other) => other.keys.some((k) => k.kid === key.kid));
    if (taken || m.keys.some((k) => k.kid === key.kid)) throw new ConflictError('that key is already in use');
  }

  async hubKeyChain(): Promise<string[]> {
    this.#requireHub();
    return JSON.parse((await this.n.store.getMeta(HUB_KEY_CHAIN_META)) ?? '[]') as string[];
  }

  /**
   * Rotates this node's key. A city announces the new key to the hub (signed with
   * the old one) and switches once the hub's roster carries it; the hub appends
   * the announcement to its key chain, which pinned cities follow, and signs the
   * next roster with the new key. The old key file is kept beside the new one.
   */
  async rotateOwnKey(by: string): Promise<{ kid: string; previous: string }> {
    const old = this.keys.current();
    const next = await generateNodeKey();
    const announcement = await signObject(
      {
        v: 1,
        kind: 'key-announcement',
        origin: this.n.id,
        created: new Date().toISOString(),
        tlp: 'GREEN',
        audience: ['*'],
        body: {
          node: this.n.id,
          replaces: old.kid,
          key: { kid: next.kid, jwk: next.publicJwk, validFrom: next.created },
        },
      },
      old,
    );
    const keyFile = this.n.config.keyFile;
    await copyFile(keyFile, `${keyFile}.${old.kid}.retired`);
    if (this.n.config.role === 'hub') {
      const chain = [...(await this.hubKeyChain()), announcement.jws];
      await this.n.store.setMeta(HUB_KEY_CHAIN_META, JSON.stringify(chain));
      await writeKeyFile(keyFile, next);
      this.keys.replace(next);
      this.n.roster.setHubKeys([
        ...this.n.roster.hubKeys,
        { kid: next.kid, jwk: next.publicJwk, validFrom: next.created },
      ]);
      const me = this.#member(this.n.id);
      await this.n.publishMembers(
        [
          {
            ...me,
            keys: [
              ...me.keys.map((k) => (k.kid === old.kid ? { ...k, validUntil: next.created } : k)),
              { kid: next.kid, jwk: next.publicJwk, validFrom: next.created },
            ],
          },
        ],
        by,
        'key.rotated',
      );
    } else {
      const { roster } = await this.n.hub().federation.announceKey.mutate({ jws: announcement.jws });
      await writeKeyFile(keyFile, next);
      this.keys.replace(next);
      await this.n.roster.adopt(roster);
      await this.n.store.audit({
        actor: `user:${by}`,
        action: 'key.rotated',
        subject: this.n.id,
        detail: { kid: next.kid, previous: old.kid },
      });
    }
    return { kid: next.kid, previous: old.kid };
  }

  /** City: asks the hub to enroll this node with its current key. */
  async enroll(contact: string): Promise<{ id: string; status: string }> {
    if (this.n.config.role !== 'city') throw new InvalidInputError('only a city enrolls');
    const key = this.keys.current();
    const request = await signObject(
      {
        v: 1,
        kind: 'enrollment',
        origin: this.n.id,
        created: new Date().toISOString(),
        tlp: 'GREEN',
        audience: [this.n.roster.hubNode],
        body: {
          network: this.n.config.network,
          node: this.n.id,
          name: this.n.config.name,
          baseUrl: this.n.baseUrl(),
          key: { kid: key.kid, jwk: key.publicJwk },
          contact,
        },
      },
      key,
    );
    const accepted = await this.n
      .publicHub()
      .federation.enroll.mutate({ jws: request.jws })
      .catch((err: unknown) => {
        throw hubRefusal(err, 'the hub refused the enrollment');
      });
    await this.n.store.setMeta('enrollment_id', accepted.id);
    return accepted;
  }

  /** City: checks a pending enrollment; when approved, adopts the roster that lists us. */
  async checkEnrollment(): Promise<{ status: string; reason: string | null }> {
    const id = await this.n.store.getMeta('enrollment_id');
    if (!id) throw new NotFoundError('this node has not sent an enrollment request');
    const status = await this.n.publicHub().federation.enrollmentStatus.query({ id });
    if (status.status === 'approved' && status.roster) await this.n.roster.adopt(status.roster);
    return { status: status.status, reason: status.reason };
  }
}

/**
 * The hub's 4xx answer to a call made on an admin's behalf, as the domain error it
 * stands for here (not a 500); anything else (the hub unreachable) is rethrown as is.
 */
function hubRefusal(err: unknown, what: string): unknown {
  if (!(err instanceof TRPCClientError)) return err;
  const data = err.data as { code?: string; retryAfterMs?: number } | undefined;
  const code = data?.code;
  if (code === 'CONFLICT') return new ConflictError(`${what}: ${err.message}`);
  if (code === 'TOO_MANY_REQUESTS')
    return new RateLimitedError(`${what}: ${err.message}`, data?.retryAfterMs ?? 60_000);
  if (code === 'BAD_REQUEST' || code === 'FORBIDDEN' || code === 'NOT_FOUND') {
    return new InvalidInputError(`${what}: ${err.message}`);
  }
  return err;
}
