import { EntitySchema } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';

/**
 * Sign-in attempt counters shared by several hub processes on one PostgreSQL database
 * (docs/operations.md "Running the hub highly available"): one row per key (account
 * and address, or address), points taken within a window that starts at the first
 * attempt. A city (one process) keeps its counters in memory and never writes here.
 */
export class LoginThrottle {
  key!: string;
  points!: number;
  expiresAt!: Date;
}
export const LoginThrottleSchema = new EntitySchema<LoginThrottle>({
  class: LoginThrottle,
  tableName: 'login_throttles',
  properties: {
    key: { type: 'string', length: 255, primary: true },
    points: { type: 'integer' },
    expiresAt: { type: 'datetime', index: 'login_throttles_expires_at_index' },
  },
});

/** Takes one point of `key` (a new window of `durationMs` if the last one ended); answers the points taken and the window's end. */
export async function takeLoginPoint(
  knex: Knex,
  key: string,
  durationMs: number,
): Promise<{ points: number; expiresAt: Date }> {
  const now = new Date();
  const until = new Date(now.getTime() + durationMs);
  const { rows } = (await knex.raw(
    `insert into login_throttles (key, points, expires_at) values (?, 1, ?)
     on conflict (key) do update set
       points = case when login_throttles.expires_at <= ? then 1 else login_throttles.points + 1 end,
       expires_at = case when login_throttles.expires_at <= ? then excluded.expires_at else login_throttles.expires_at end
     returning points, expires_at`,
    [key, until, now, now],
  )) as { rows: { points: number; expires_at: Date }[] };
  return { points: Number(rows[0]!.points), expiresAt: new Date(rows[0]!.expires_at) };
}

/** Gives `n` points of `key` back (a success, or an attempt refused before it was checked). */
export async function giveLoginPoints(knex: Knex, key: string, n: number): Promise<void> {
  await knex('login_throttles')
    .where({ key })
    .update({ points: knex.raw('greatest(points - ?, 0)', [n]) });
}

export async function clearLoginPoints(knex: Knex, key: string): Promise<void> {
  await knex('login_throttles').where({ key }).delete();
}

/** The counters of one database, for a hub process's sign-in limits (node: accounts/shared-limiter.ts). */
export class SharedLoginThrottles {
  constructor(private readonly knex: Knex) {}
  take = (key: string, durationMs: number) => takeLoginPoint(this.knex, key, durationMs);
  give = (key: string, n: number) => giveLoginPoints(this.knex, key, n);
  clear = (key: string) => clearLoginPoints(this.knex, key);
}
