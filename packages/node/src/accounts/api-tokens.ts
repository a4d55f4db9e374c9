import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken, Store, TokenRole } from '@citylink/store';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';

/** Tokens start with this, so a leaked one is easy to recognise (and to search for in logs and repositories). */
export const TOKEN_PREFIX = 'cltok_';
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A machine account, as the feed routes see it once its token checked out. */
export interface MachineAccount {
  kind: 'token';
  name: string;
  role: TokenRole;
  /**
   * The name TLP rules see. Prefixed so that a RED object naming a person never
   * names a token of the same name: tokens are never a named RED recipient.
   */
  username: string;
}

export interface TokenListing {
  name: string;
  role: TokenRole;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const listing = (t: ApiToken): TokenListing => ({
  name: t.name,
  role: t.role,
  createdAt: t.createdAt.toISOString(),
  createdBy: t.createdBy,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

/** How often a token's `lastUsedAt` is written at most (every feed request would otherwise write). */
const TOUCH_EVERY_MS = 60_000;

/**
 * API tokens for machine accounts (a SIEM, a TAXII client, MISP): 32 random bytes,
 * shown once, stored as SHA-256 (they are not guessable, so a slow hash adds
 * nothing), revocable, each creation and revocation in the audit trail with the
 * same transaction. Used by the CLI directly on a node's database and by the node.
 */
export class ApiTokens {
  constructor(private readonly store: Store) {}

  /** Creates a token; answers it (the only time it is seen). */
  async create(t: { name: string; role: TokenRole; by: string }): Promise<{ token: string; listing: TokenListing }> {
    if (!TOKEN_NAME.test(t.name)) {
      throw new InvalidInputError('a token name is 1-100 letters, digits, dots, dashes or underscores');
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = tokenHash(token);
    const created = await this.store.transact(async (tx) => {
      if (await tx.tokens.byName(t.name))
        throw new ConflictError(`a token named ${t.name} exists (names stay taken after a revocation)`);
      await tx.tokens.create({ id, name: t.name, role: t.role, createdBy: t.by });
      await tx.audit.add({ actor: t.by, action: 'token.add', subject: t.name, detail: { role: t.role } });
      return tx.tokens.find(id);
    });
    return { token, listing: listing(created!) };
  }

  async revoke(name: string, by: string): Promise<void> {
    await this.store.transact(async (tx) => {
      const t = await tx.tokens.byName(name);
      if (!t) throw new NotFoundError(`no token named ${name}`);
      if (t.revokedAt) throw new ConflictError(`token ${name} was revoked at ${t.revokedAt.toISOString()}`);
      await tx.tokens.revoke(name, new Date());
      await tx.audit.add({ actor: by, action: 'token.revoke', subject: name, detail: { role: t.role } });
    });
  }

  async list(): Promise<TokenListing[]> {
    return (await this.store.read((r) => r.tokens.list())).map(listing);
  }

  /** The machine account of a live token, or undefined (unknown, revoked, malformed). */
  async authenticate(token: string | undefined): Promise<MachineAccount | undefined> {
    if (!token?.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const id = tokenHash(token);
    const t = await this.store.read((r) => r.tokens.find(id));
    if (!t || t.revokedAt) return undefined;
    const now = new Date();
    if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await this.store.transact((tx) => tx.tokens.touch(id, now));
    }
    return { kind: 'token', name: t.name, role: t.role, username: `token:${t.name}` };
  }
}
