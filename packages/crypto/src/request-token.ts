import { LIMITS } from '@citylink/protocol';
import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import type { KeyResolver } from './key-ring.js';
import { keyValidAt } from './key-ring.js';
import type { NodeKey } from './keys.js';

export const REQUEST_TOKEN_TYP = 'citylink-request+jwt';

/**
 * Short-lived token a node attaches to every node-to-node call: `iss` the caller,
 * `aud` the target node, a unique `jti`, and `scope` naming the procedure, so a
 * captured token cannot be replayed elsewhere or twice.
 */
export async function createRequestToken(args: {
  key: NodeKey;
  issuer: string;
  audience: string;
  scope: string;
  ttlMs?: number;
  now?: Date;
}): Promise<string> {
  const ttl = Math.min(args.ttlMs ?? 60_000, LIMITS.maxRequestTokenTtlMs);
  const iat = Math.floor((args.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ scope: args.scope })
    .setProtectedHeader({ alg: 'EdDSA', typ: REQUEST_TOKEN_TYP, kid: args.key.kid })
    .setIssuer(args.issuer)
    .setAudience(args.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.ceil(ttl / 1000))
    .setJti(crypto.randomUUID())
    .sign(args.key.privateKey);
}

/**
 * Remembers token ids, per issuer, until they expire. Bounded, and failing closed:
 * an issuer with `maxPerIssuer` live ids, or a cache with `maxEntries`, gets its
 * new tokens refused (`full`) rather than have live ids forgotten, which would let
 * those be replayed. Only tokens with a valid member signature get here, so one
 * member flooding on purpose locks out itself first: at the default 50 calls/s
 * per peer, an honest peer holds at most about 7,500 live ids.
 */
export class ReplayCache {
  readonly #byIssuer = new Map<string, Map<string, number>>();
  #size = 0;
  /** When every issuer's expired ids were last swept (at most once a second). */
  #sweptAt = Number.NEGATIVE_INFINITY;
  constructor(
    readonly maxEntries = 100_000,
    readonly maxPerIssuer = Math.ceil(maxEntries / 10),
  ) {}

  /** Records `jti` unless the issuer used it before and it has not expired, or there is no room. */
  claim(issuer: string, jti: string, expiresAtMs: number, nowMs: number = Date.now()): 'claimed' | 'replayed' | 'full' {
    let seen = this.#byIssuer.get(issuer);
    if (!seen) {
      seen = new Map();
      this.#byIssuer.set(issuer, seen);
    }
    const known = seen.get(jti);
    if (known !== undefined && known > nowMs) return 'replayed';
    this.#dropExpired(seen, nowMs);
    if (this.#size >= this.maxEntries && nowMs - this.#sweptAt >= 1_000) {
      this.#sweptAt = nowMs;
      for (const [other, ids] of this.#byIssuer) {
        this.#dropExpired(ids, nowMs);
        if (ids.size === 0 && other !== issuer) this.#byIssuer.delete(other);
      }
    }
    const fresh = !seen.has(jti);
    if (fresh && (seen.size >= this.maxPerIssuer || this.#size >= this.maxEntries)) return 'full';
    if (fresh) this.#size++;
    seen.set(jti, expiresAtMs);
    return 'claimed';
  }

  /** Ids arrive about in expiry order (one lifetime for all): expired ones sit at the front. */
  #dropExpired(ids: Map<string, number>, nowMs: number): void {
    for (const [id, exp] of ids) {
      if (exp > nowMs) break;
      ids.delete(id);
      this.#size--;
    }
  }
}

export type RequestTokenResult =
  | { ok: true; issuer: string; scope: string; jti: string; kid: string }
  | {
      ok: false;
      reason: 'malformed' | 'unknown_kid' | 'key_revoked' | 'invalid' | 'replayed' | 'busy';
      detail: string;
    };

export async function verifyRequestToken(
  token: unknown,
  options: { audience: string; scope?: string; resolveKey: KeyResolver; replay: ReplayCache; now?: Date },
): Promise<RequestTokenResult> {
  if (typeof token !== 'string' || token.length > 4096) {
    return { ok: false, reason: 'malformed', detail: 'request token missing or too long' };
  }
  let iss: unknown;
  let kid: unknown;
  try {
    iss = decodeJwt(token).iss;
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { ok: false, reason: 'malformed', detail: 'request token is not a JWT' };
  }
  if (typeof iss !== 'string' || typeof kid !== 'string') {
    return { ok: false, reason: 'malformed', detail: 'request token lacks iss or kid' };
  }
  const resolved = await options.resolveKey(iss, kid);
  if (!resolved) return { ok: false, reason: 'unknown_kid', detail: `no key ${kid} for node ${iss}` };
  const now = options.now ?? new Date();
  if (!keyValidAt(resolved.record, now.toISOString()).ok) {
    return { ok: false, reason: 'key_revoked', detail: `key ${kid} of ${iss} is not valid now` };
  }
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, resolved.key, {
      algorithms: ['EdDSA'],
      typ: REQUEST_TOKEN_TYP,
      audience: options.audience,
      issuer: iss,
      requiredClaims: ['iat', 'exp', 'jti', 'aud', 'iss'],
      maxTokenAge: Math.ceil(LIMITS.maxRequestTokenTtlMs / 1000),
      clockTolerance: 30,
      currentDate: now,
    }));
  } catch (err) {
    return { ok: false, reason: 'invalid', detail: (err as Error).message };
  }
  const exp = (payload.exp as number) * 1000;
  if (exp - (payload.iat as number) * 1000 > LIMITS.maxRequestTokenTtlMs) {
    return { ok: false, reason: 'invalid', detail: 'request token lives longer than allowed' };
  }
  const scope = typeof payload.scope === 'string' ? payload.scope : '';
  if (options.scope !== undefined && scope !== options.scope) {
    return { ok: false, reason: 'invalid', detail: `token is for ${scope}, not ${options.scope}` };
  }
  const jti = payload.jti as string;
  const claim = options.replay.claim(iss, jti, exp + 30_000, now.getTime());
  if (claim === 'replayed') return { ok: false, reason: 'replayed', detail: `token ${jti} was already used` };
  if (claim === 'full') {
    return {
      ok: false,
      reason: 'busy',
      detail: `too many live request tokens (from ${iss}, or in all) to remember; retry in a minute`,
    };
  }
  return { ok: true, issuer: iss, scope, jti, kid };
}
