import { createHash, randomBytes } from 'node:crypto';
import type { Role, SessionOwner, Store } from '@citylink/store';
import { hash, verify } from '@node-rs/argon2';
import { type BulkheadPolicy, BulkheadRejectedError, bulkhead } from 'cockatiel';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { InvalidInputError, RateLimitedError, UnauthenticatedError } from '../errors.js';
import { addressKey } from '../http/address.js';
import { passwordWeakness } from './password-policy.js';
import { type Limiter, SharedLimiter } from './shared-limiter.js';

/** OWASP's argon2id baseline: 19 MiB, 2 passes. */
const ARGON2 = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'citylink_session';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  /** With displayName, the profile a signature block is made from; may be absent for system actors. */
  title?: string | null;
  roles: Role[];
}

const publicUser = (u: SessionOwner): SessionUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  title: u.title ?? null,
  roles: [...u.roles],
});

export const hashPassword = (password: string) => hash(password, ARGON2);
const sessionId = (token: string) => createHash('sha256').update(token).digest('hex');

// A real hash to verify against when the user does not exist, so timing does not reveal usernames.
const DUMMY_HASH = hash('citylink-dummy-password', ARGON2);

export interface LoginLimits {
  loginAttemptsPer15Min: number;
  loginFailuresPerAddressPer15Min: number;
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  passwordChecksPerSecond: number;
}

/** Sign-in is one call per HTTP request (a batch or a socket would queue any number of guesses). */
export const LOGIN_ALONE = 'sign in with a request of its own, not inside a batch';
export const LOGIN_OVER_HTTP = 'sign in over HTTP, not over a WebSocket';

/** How long a sign-in refused because every password check slot is busy should wait. */
const BUSY_RETRY_MS = 1_000;

/** The sign-in limits' window. */
const WINDOW_S = 15 * 60;

/**
 * Local accounts: argon2id passwords, opaque session tokens stored hashed, login
 * rate limiting. Every attempt takes a point from its account+address and its
 * address budget before the password is checked (so parallel guesses cannot all
 * be tried), and password checks run through a small bulkhead: argon2 shares
 * libuv's thread pool with the Ed25519 checks of federation traffic.
 */
export class Accounts {
  /** Per account and address, and per address: in the shared database for hub processes (shared-limiter.ts). */
  readonly #perAccount: Limiter;
  readonly #perAddress: Limiter;
  readonly #checkRate: RateLimiterMemory;
  readonly #hashing: BulkheadPolicy;

  constructor(
    private readonly store: Store,
    limits: LoginLimits,
    private readonly log?: Logger,
  ) {
    const shared = store.loginThrottles;
    const limiter = (name: string, points: number): Limiter =>
      shared
        ? new SharedLimiter(shared, name, points, WINDOW_S * 1000)
        : new RateLimiterMemory({ points, duration: WINDOW_S });
    this.#perAccount = limiter('account', limits.loginAttemptsPer15Min);
    this.#perAddress = limiter('address', limits.loginFailuresPerAddressPer15Min);
    this.#checkRate = new RateLimiterMemory({ points: Math.ceil(limits.passwordChecksPerSecond * 4), duration: 4 });
    this.#hashing = bulkhead(limits.passwordHashConcurrency, limits.passwordHashQueue);
  }

  /** `context`: words of this node (its name and id) a password must not lean on. */
  async create(
    u: { username: string; password: string; displayName?: string; title?: string; roles: Role[] },
    context: string[] = [],
  ): Promise<SessionUser> {
    const weak = await passwordWeakness(u.password, [u.username, u.displayName ?? '', ...context]);
    if (weak) throw new InvalidInputError(weak);
    const user = await this.store.createUser({
      username: u.username,
      displayName: u.displayName ?? u.username,
      title: u.title ?? null,
      passwordHash: await hashPassword(u.password),
      roles: u.roles,
    });
    return publicUser(user);
  }

  /**
   * Checks credentials. The attempt is counted (per `username|ip` and per ip) before
   * the password is checked; a success gives the points back.
   */
  async login(
    username: string,
    password: string,
    ip: string,
  ): Promise<{ token: string; user: SessionUser; expiresAt: Date }> {
    const address = addressKey(ip);
    const account = `${username.toLowerCase()}|${address}`;
    await this.#take(this.#perAddress, address, { ip }, 'too many failed sign-in attempts from this address');
    try {
      await this.#take(this.#perAccount, account, { ip, username }, 'too many failed sign-in attempts');
    } catch (err) {
      await this.#perAddress.reward(address, 1);
      throw err;
    }
    // Refused for want of capacity: not checked, so not counted.
    const busy = async (why: string, retryAfterMs: number) => {
      await Promise.all([this.#perAddress.reward(address, 1), this.#perAccount.reward(account, 1)]);
      this.log?.warn({ ip, username }, `sign-in refused: ${why}`);
      return new RateLimitedError('sign-in is busy; try again in a moment', retryAfterMs);
    };
    try {
      await this.#checkRate.consume('all');
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw await busy('too many password checks per second', Math.max(res.msBeforeNext, 100));
    }
    const user = await this.store.findUser(username);
    let ok: boolean;
    try {
      ok = await this.#hashing.execute(async () => verify(user?.passwordHash ?? (await DUMMY_HASH), password));
    } catch (err) {
      if (!(err instanceof BulkheadRejectedError)) throw err;
      await this.#checkRate.reward('all', 1);
      throw await busy('every password check slot is busy', BUSY_RETRY_MS);
    }
    if (!user || !ok || user.disabled) throw new UnauthenticatedError('wrong username or password');
    await Promise.all([this.#perAccount.delete(account), this.#perAddress.reward(address, 1)]);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.store.createSession({ id: sessionId(token), userId: user.id, expiresAt });
    return { token, user: publicUser(user), expiresAt };
  }

  async #take(limiter: Limiter, key: string, who: Record<string, string>, message: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      this.log?.warn({ ...who, retryAfterMs: res.msBeforeNext }, `sign-in refused: ${message}`);
      throw new RateLimitedError(`${message}; try again in ${Math.ceil(res.msBeforeNext / 1000)} s`, res.msBeforeNext);
    }
  }

  /** Resolves a session token; sliding expiry. Returns undefined for unknown or expired sessions. */
  async authenticate(token: string | undefined): Promise<SessionUser | undefined> {
    if (!token || token.length > 200) return undefined;
    const id = sessionId(token);
    const session = await this.store.findSession(id);
    const now = new Date();
    if (!session) return undefined;
    if (session.expiresAt <= now) {
      await this.store.deleteSession(id);
      return undefined;
    }
    const { user } = session;
    if (!user || user.disabled) return undefined;
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      await this.store.touchSession(id, now, new Date(now.getTime() + SESSION_TTL_MS));
    }
    return publicUser(user);
  }

  /** A person's own profile: the name and title their signature block is made from. */
  async updateProfile(user: SessionUser, p: { displayName: string; title: string | null }): Promise<SessionUser> {
    await this.store.updateUser(user.id, { displayName: p.displayName, title: p.title });
    return { ...user, displayName: p.displayName, title: p.title };
  }

  async logout(token: string): Promise<void> {
    await this.store.deleteSession(sessionId(token));
  }
}

export function sessionTokenFromCookie(header: string | undefined): string | undefined {
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

export function sessionCookie(token: string, maxAgeS: number, secure: boolean): string {
  return stringifySetCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    maxAge: maxAgeS,
    secure,
  });
}
