import { createHash, randomBytes } from 'node:crypto';
import type { Role, SessionOwner, Store } from '@citylink/store';
import { hash, verify } from '@node-rs/argon2';
import { parseCookie, stringifySetCookie } from 'cookie';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { InvalidInputError, RateLimitedError, UnauthenticatedError } from './errors.js';
import { passwordWeakness } from './password-policy.js';

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
  roles: Role[];
}

const publicUser = (u: SessionOwner): SessionUser => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  roles: [...u.roles],
});

export const hashPassword = (password: string) => hash(password, ARGON2);
const sessionId = (token: string) => createHash('sha256').update(token).digest('hex');

// A real hash to verify against when the user does not exist, so timing does not reveal usernames.
const DUMMY_HASH = hash('citylink-dummy-password', ARGON2);

/** Local accounts: argon2id passwords, opaque session tokens stored hashed, login rate limiting. */
export class Accounts {
  readonly #limiter: RateLimiterMemory;

  constructor(
    private readonly store: Store,
    loginAttemptsPer15Min: number,
  ) {
    this.#limiter = new RateLimiterMemory({ points: loginAttemptsPer15Min, duration: 15 * 60 });
  }

  /** `context`: words of this node (its name and id) a password must not lean on. */
  async create(
    u: { username: string; password: string; displayName?: string; roles: Role[] },
    context: string[] = [],
  ): Promise<SessionUser> {
    const weak = await passwordWeakness(u.password, [u.username, u.displayName ?? '', ...context]);
    if (weak) throw new InvalidInputError(weak);
    const user = await this.store.createUser({
      username: u.username,
      displayName: u.displayName ?? u.username,
      passwordHash: await hashPassword(u.password),
      roles: u.roles,
    });
    return publicUser(user);
  }

  /** Checks credentials; failed attempts count against `username|ip` and lock it out for a while. */
  async login(
    username: string,
    password: string,
    ip: string,
  ): Promise<{ token: string; user: SessionUser; expiresAt: Date }> {
    const key = `${username.toLowerCase()}|${ip}`;
    const state = await this.#limiter.get(key);
    if (state && state.remainingPoints <= 0) {
      throw new RateLimitedError(
        `too many failed sign-in attempts; try again in ${Math.ceil(state.msBeforeNext / 1000)} s`,
        state.msBeforeNext,
      );
    }
    const user = await this.store.findUser(username);
    const ok = await verify(user?.passwordHash ?? (await DUMMY_HASH), password);
    if (!user || !ok || user.disabled) {
      try {
        await this.#limiter.consume(key);
      } catch (res) {
        if (res instanceof RateLimiterRes) {
          throw new RateLimitedError('too many failed sign-in attempts; try again later', res.msBeforeNext);
        }
        throw res;
      }
      throw new UnauthenticatedError('wrong username or password');
    }
    await this.#limiter.delete(key);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.store.createSession({ id: sessionId(token), userId: user.id, expiresAt });
    return { token, user: publicUser(user), expiresAt };
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
