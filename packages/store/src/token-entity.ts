import { EntitySchema } from '@mikro-orm/core';

/** Roles a machine account (an API token) may have; never a person's role, so never a console session. */
export const TOKEN_ROLES = ['feed-reader'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** A machine account's API token. Only the SHA-256 of the token is stored; revoked tokens are kept for the audit. */
export class ApiToken {
  /** SHA-256 (hex) of the token. */
  id!: string;
  name!: string;
  role!: TokenRole;
  createdAt!: Date;
  createdBy!: string;
  revokedAt?: Date | null;
  lastUsedAt?: Date | null;
}
export const ApiTokenSchema = new EntitySchema<ApiToken>({
  class: ApiToken,
  tableName: 'api_tokens',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    name: { type: 'string', length: 100, unique: true },
    role: { type: 'string', length: 32 },
    createdAt: { type: 'datetime' },
    createdBy: { type: 'string', length: 200 },
    revokedAt: { type: 'datetime', nullable: true },
    lastUsedAt: { type: 'datetime', nullable: true },
  },
});
