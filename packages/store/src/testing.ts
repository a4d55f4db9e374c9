import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import pg from 'pg';
import { engineOfStore } from './internals.js';
import type { Store } from './store.js';

export const TEST_POSTGRES_URL = process.env.CITYLINK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Creates an empty PostgreSQL database for one test and returns its URL and a
 * function that drops it. There is no silent skip: an unreachable server fails
 * the test with the reason, in CI and on a developer machine alike.
 */
export async function createTestPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `citylink_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is required for these tests and is not reachable at ${TEST_POSTGRES_URL} ` +
        `(set CITYLINK_TEST_PG_URL): ${(err as Error).message}`,
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: TEST_POSTGRES_URL.replace(/\/[^/?]*(\?.*)?$/, `/${name}$1`),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The ORM under a Store, for tests that inspect the schema or migrations. */
export function ormOf(store: Store): MikroORM {
  return engineOfStore(store).orm;
}

/** The query builder under a Store, for tests that look at rows no reader returns. */
export function knexOf(store: Store): Knex {
  return engineOfStore(store).knex;
}
