import {
  importPublicKey,
  type NodeKey,
  payloadOfJws,
  type ResolvedKey,
  signObject,
  thumbprint,
  verifyObject,
} from '@citylink/crypto';
import { type KeyRecord, type Member, type ObjectOfKind, utf8 } from '@citylink/protocol';
import { Mutex } from 'async-mutex';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { checkMemberUrl, hubRefusal, type MembershipDeps, requireHub } from './membership-deps.js';

/** What a city says of itself when it enrolls, and what the approving official may correct. */
export type CityProfile = Pick<Member, 'county' | 'population'>;

/** The county and population a stored request carries (the request verified when it came in). */
function profileOf(jws: string): CityProfile {
  try {
    const body = JSON.parse(utf8.decode(payloadOfJws(jws)))?.body as CityProfile | undefined;
    return {
      ...(typeof body?.county === 'string' && { county: body.county }),
      ...(typeof body?.population === 'number' && { population: body.population }),
    };
  } catch {
    return {};
  }
}

/** An enrollment request is good for a day; older ones are refused (with the id check, this stops replays). */
const ENROLLMENT_MAX_AGE_MS = 24 * 3600 * 1000;

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
/**
 * Joining: the hub keeps the queue of self-signed requests and turns an approval
 * into the next roster version; a city sends its request and checks the decision.
 */
export class Enrollments {
  constructor(
    private readonly n: MembershipDeps,
    private readonly keys: { current: () => NodeKey },
  ) {}

  /** Hub: takes a self-signed enrollment request into the queue. */
  async receiveEnrollment(jws: string): Promise<{ id: string; status: 'pending' }> {
    requireHub(this.n);
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
    await checkMemberUrl(this.n, e.body.baseUrl, 'enrollment refused');
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
    requireHub(this.n);
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
        ...profileOf(e.jws),
        competing: e.status === 'pending' ? (openByNode.get(e.node) ?? 1) - 1 : 0,
      }));
  }

  async enrollmentStatus(id: string) {
    requireHub(this.n);
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

  /** `profile`: the official's county and population for the city, each in place of what the request said. */
  async approve(id: string, by: string, profile: CityProfile = {}): Promise<{ version: number }> {
    requireHub(this.n);
    return this.#deciding.runExclusive(() => this.#approve(id, by, profile));
  }

  async #approve(id: string, by: string, profile: CityProfile): Promise<{ version: number }> {
    const e = await this.n.store.getEnrollment(id);
    if (!e) throw new NotFoundError(`no enrollment ${id}`);
    if (e.status !== 'pending') throw new ConflictError(`enrollment ${id} was already decided`);
    if (this.isExpired(e)) throw new ConflictError(`enrollment ${id} has expired; the city must send a new request`);
    if (this.n.roster.member(e.node)) throw new ConflictError(`${e.node} is already a member`);
    // Checked again: what the name resolves to may have changed since the request came in.
    await checkMemberUrl(this.n, e.baseUrl, 'approval refused');
    const request = await verifyObject(e.jws, { resolveKey: await enrollmentKey(e.jws), kinds: ['enrollment'] });
    if (!request.ok) throw new InvalidInputError('the stored enrollment no longer verifies');
    const body = request.object as ObjectOfKind<'enrollment'>;
    const county = profile.county ?? body.body.county;
    const population = profile.population ?? body.body.population;
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
          ...(county !== undefined && { county }),
          ...(population !== undefined && { population }),
        },
      ],
      by,
      'enrollment.approved',
      decide,
    );
    return { version: this.n.roster.version };
  }

  async reject(id: string, reason: string, by: string): Promise<void> {
    requireHub(this.n);
    const e = await this.n.store.getEnrollment(id);
    if (e && this.isExpired(e)) throw new ConflictError(`enrollment ${id} has expired`);
    if (!(await this.n.store.decideEnrollment(id, { status: 'rejected', reason, by }))) {
      throw new ConflictError(`enrollment ${id} does not exist or was already decided`);
    }
    await this.n.store.audit({ actor: `user:${by}`, action: 'enrollment.rejected', subject: id, detail: { reason } });
  }

  /** City: asks the hub to enroll this node with its current key. */
  async enroll(contact: string, profile: CityProfile = {}): Promise<{ id: string; status: string }> {
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
          ...(profile.county !== undefined && { county: profile.county }),
          ...(profile.population !== undefined && { population: profile.population }),
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
