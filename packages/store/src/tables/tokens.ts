import type { Db } from '../db.js';
import { ApiToken, type TokenRole } from '../token-entity.js';

export interface NewApiToken {
  id: string;
  name: string;
  role: TokenRole;
  createdBy: string;
}

/** Machine accounts' API tokens (hashes only). */
export class TokensReader {
  constructor(protected readonly db: Db) {}

  /** The token with this hash, revoked or not. */
  async find(id: string): Promise<ApiToken | null> {
    return this.db.em().findOne(ApiToken, { id });
  }

  async byName(name: string): Promise<ApiToken | null> {
    return this.db.em().findOne(ApiToken, { name });
  }

  async list(): Promise<ApiToken[]> {
    return this.db.em().find(ApiToken, {}, { orderBy: { name: 'asc' } });
  }
}

export class TokensTransactor extends TokensReader {
  async create(t: NewApiToken): Promise<void> {
    this.db.assertWritable();
    await this.db.em().insert(ApiToken, { ...t, createdAt: new Date(), revokedAt: null, lastUsedAt: null });
  }

  /** Marks the named token revoked; false if there is no such token or it already was. */
  async revoke(name: string, at: Date): Promise<boolean> {
    this.db.assertWritable();
    return (await this.db.em().nativeUpdate(ApiToken, { name, revokedAt: null }, { revokedAt: at })) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    this.db.assertWritable();
    await this.db.em().nativeUpdate(ApiToken, { id }, { lastUsedAt: at });
  }
}
