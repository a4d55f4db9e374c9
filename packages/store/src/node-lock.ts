import type { Knex } from '@mikro-orm/knex';
import Database from 'better-sqlite3';

/** A second node process tried to use a database that a running node holds. */
export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

/** Held by a node process for as long as it runs on a database. */
export interface NodeLock {
  release(): Promise<void>;
}

const IN_USE = 'another CityLink node process is using this database; run exactly one node per database';

/**
 * SQLite: an exclusive transaction, never committed, on a lock file beside the
 * database. The operating system drops the lock when the process ends, however it
 * ends, so a crash leaves nothing stale. Other programs (backups, `citylink user
 * add`) still open the database itself.
 */
export function lockSqlite(path: string): NodeLock | undefined {
  if (path === ':memory:' || path === '') return undefined;
  const lockFile = `${path}.node-lock`;
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    throw new DatabaseInUseError(`${IN_USE} (${lockFile} is locked: ${(err as Error).message})`);
  }
  return { release: async () => db.close() };
}

/** Session advisory locks are per database, so one key serves every CityLink database. */
const ADVISORY_KEY = '4857541737417633387'; // 'CityLink' as a 64-bit integer

interface PgConnection {
  query(sql: string, params: unknown[]): Promise<{ rows: { ok: boolean }[] }>;
}

/**
 * PostgreSQL: a session advisory lock on a pooled connection set aside for it. The
 * server drops it when that session ends, so a crash leaves nothing stale.
 */
export async function lockPostgres(knex: Knex): Promise<NodeLock> {
  const client = knex.client as {
    acquireConnection(): Promise<PgConnection>;
    releaseConnection(c: PgConnection): Promise<void>;
  };
  const conn = await client.acquireConnection();
  const { rows } = await conn.query('select pg_try_advisory_lock($1::bigint) as ok', [ADVISORY_KEY]);
  if (!rows[0]?.ok) {
    await client.releaseConnection(conn);
    throw new DatabaseInUseError(`${IN_USE} (its advisory lock is held by another session)`);
  }
  return {
    release: async () => {
      await conn.query('select pg_advisory_unlock($1::bigint) as ok', [ADVISORY_KEY]).catch(() => undefined);
      await client.releaseConnection(conn);
    },
  };
}
