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
 * Remembers token ids until they expire. Bounded, and failing closed: when it is
 * full of ids that have not expired, it refuses new ones (`full`) instead of
 * forgetting live ones, which would let those be replayed. Only tokens with a
 * valid member signature reach it, and links need one token per connection, so
 * filling it takes a member flooding on purpose.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  /** When expired ids were last swept out (at most once a second: a sweep reads every id). */
  #sweptAt = Number.NEGATIVE_INFINITY;
  constructor(readonly maxEntries = 100_000) {}

  /** Records `jti` unless it was already seen and has not expired, or the cache is full of live ids. */
  claim(jti: string, expiresAtMs: number, nowMs: number = Date.now()): 'claimed' | 'replayed' | 'full' {
    const known = this.#seen.get(jti);
    if (known !== undefined && known > nowMs) return 'replayed';
    if (this.#seen.size >= this.maxEntries && nowMs - this.#sweptAt >= 1_000) {
      this.#sweptAt = nowMs;
      for (const [id, exp] of this.#seen) if (exp <= nowMs) this.#seen.delete(id);
    }
    if (this.#seen.size >= this.maxEntries) return 'full';
    this.#seen.set(jti, expiresAtMs);
    return 'claimed';
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
  const claim = options.replay.claim(`${iss} ${jti}`, exp + 30_000, now.getTime());
  if (claim === 'replayed') return { ok: false, reason: 'replayed', detail: `token ${jti} was already used` };
  if (claim === 'full') {
    return { ok: false, reason: 'busy', detail: 'too many live request tokens to remember; retry in a minute' };
  }
  return { ok: true, issuer: iss, scope, jti, kid };
}
