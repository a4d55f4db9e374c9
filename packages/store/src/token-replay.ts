import { EntitySchema } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';

/**
 * Request tokens already used at one of several hub processes on one PostgreSQL
 * database (docs/operations.md "Running the hub highly available"): each process
 * keeps its own replay cache in memory as before, and a hub process also claims
 * every token's id here, so a token captured and replayed at another process is
 * refused there too. A city (one process) never writes this table.
 */
export class TokenReplay {
  issuer!: string;
  jti!: string;
  expiresAt!: Date;
}
export const TokenReplaySchema = new EntitySchema<TokenReplay>({
  class: TokenReplay,
  tableName: 'token_replays',
  properties: {
    issuer: { type: 'string', length: 64, primary: true },
    jti: { type: 'string', length: 64, primary: true },
    expiresAt: { type: 'datetime', index: 'token_replays_expires_at_index' },
  },
});

/** Claims `jti` of `issuer` until `expiresAt`; false if some process claimed it before and it has not expired. */
export async function claimTokenOnce(knex: Knex, issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
  const now = new Date();
  // An expired claim of the same id gives way (ids are random: in practice only a replay repeats one).
  await knex('token_replays').where({ issuer, jti }).where('expires_at', '<=', now).delete();
  const rows = await knex('token_replays')
    .insert({ issuer, jti, expires_at: expiresAt })
    .onConflict(['issuer', 'jti'])
    .ignore()
    .returning('jti');
  const swept = lastSweep.get(knex) ?? 0;
  if (now.getTime() - swept > 60_000) {
    lastSweep.set(knex, now.getTime());
    await dropExpiredTokenClaims(knex, now);
  }
  return (rows as unknown[]).length === 1;
}

/** When each database's expired claims were last dropped (once a minute per process). */
const lastSweep = new WeakMap<Knex, number>();

/** Drops claims that have expired; returns how many. */
export function dropExpiredTokenClaims(knex: Knex, now = new Date()): Promise<number> {
  return knex('token_replays').where('expires_at', '<=', now).delete();
}
