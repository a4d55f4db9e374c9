import { copyFile } from 'node:fs/promises';
import { generateNodeKey, type NodeKey, signObject, thumbprint, verifyObject, writeKeyFile } from '@citylink/crypto';
import { type KeyRecord, LIMITS, type Member, type ObjectOfKind } from '@citylink/protocol';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import { type CityProfile, Enrollments } from './enrollment.js';
import { checkMemberUrl, type MembershipDeps, requireHub } from './membership-deps.js';

export type { MembershipDeps } from './membership-deps.js';

const HUB_KEY_CHAIN_META = 'hub_key_chain';
/**
 * How far ahead an announced key may start. The old key stays valid until the new
 * one starts, so an unbounded `validFrom` would keep a "rotated" key alive for years.
 */
export const MAX_KEY_LEAD_MS = 7 * 24 * 3600 * 1000;

export type MemberStatus = Member['status'];

/**
 * Joining, key changes and removal. Joining is `Enrollments` (enrollment.ts); the
 * rest turns every decision into a new signed roster version, and every side can
 * rotate its own key by announcing the next one signed with the current one.
 */
export class Membership {
  readonly enrollments: Enrollments;

  constructor(
    private readonly n: MembershipDeps,
    private readonly keys: { current: () => NodeKey; replace: (next: NodeKey) => void },
  ) {
    this.enrollments = new Enrollments(n, keys);
  }

  receiveEnrollment(jws: string) {
    return this.enrollments.receiveEnrollment(jws);
  }
  isExpired(e: { status: string; receivedAt: Date }, now = Date.now()): boolean {
    return this.enrollments.isExpired(e, now);
  }
  listEnrollments(status?: 'pending' | 'approved' | 'rejected' | 'expired') {
    return this.enrollments.listEnrollments(status);
  }
  enrollmentStatus(id: string) {
    return this.enrollments.enrollmentStatus(id);
  }
  approve(id: string, by: string, profile?: CityProfile) {
    return this.enrollments.approve(id, by, profile);
  }
  reject(id: string, reason: string, by: string) {
    return this.enrollments.reject(id, reason, by);
  }
  enroll(contact: string, profile?: CityProfile) {
    return this.enrollments.enroll(contact, profile);
  }
  checkEnrollment() {
    return this.enrollments.checkEnrollment();
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
    requireHub(this.n);
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
    requireHub(this.n);
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
    requireHub(this.n);
    const m = this.#member(node);
    await checkMemberUrl(this.n, baseUrl, 'URL change refused');
    await this.n.publishMembers([{ ...m, baseUrl }], by, 'membership.url');
    return this.n.roster.version;
  }

  /**
   * Hub: a member announces its next key, signed with its current one. The old
   * key's window closes where the new one starts, so both keep verifying what
   * they signed. A kid is a key thumbprint, so it can never be reused.
   */
  async acceptKeyAnnouncement(jws: string, caller: string): Promise<{ version: number; roster: string }> {
    requireHub(this.n);
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
    requireHub(this.n);
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
}
