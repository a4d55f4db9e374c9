import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import type { MikroORM, Options } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import Database from 'better-sqlite3';
import { loadPg, parseHosts, resolveConnection } from './pg-hosts.js';
import { PgNodeLock } from './pg-node-lock.js';
import { afterRawWrite } from './wal-sync.js';

/**
 * Every place SQLite and PostgreSQL differ for this store: the driver, session
 * set-up, the node lock, how rows are inserted, how dates and JSON come back and
 * are bound in raw comparisons, and which errors are the driver's.
 */

export type Dialect = 'sqlite' | 'postgresql';

export function dialectOf(config: { databaseUrl?: string | undefined }): Dialect {
  return config.databaseUrl && /^postgres(ql)?:\/\//.test(config.databaseUrl) ? 'postgresql' : 'sqlite';
}

/** pg's error class, once a PostgreSQL database has been opened in this process. */
let PgDatabaseError: (new (...args: never[]) => Error) | undefined;

/**
 * The driver part of the MikroORM options. The PostgreSQL driver (and pg) is loaded
 * only for a PostgreSQL database: a city on SQLite never needs it (about 10 MB of
 * an idle process).
 */
export async function driverOptions(config: {
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
}): Promise<Options> {
  if (dialectOf(config) === 'postgresql') {
    const [{ PostgreSqlDriver }, pg] = await Promise.all([import('@mikro-orm/postgresql'), loadPg()]);
    PgDatabaseError = pg.DatabaseError;
    const hosts = parseHosts(config.databaseUrl!);
    if (!hosts) return { driver: PostgreSqlDriver, clientUrl: config.databaseUrl, pool: { min: 1, max: 10 } };
    // Several servers (primary, standby): each new connection looks for the one to write to (pg-hosts.ts).
    const first = hosts.hosts[0]!;
    return {
      driver: PostgreSqlDriver,
      host: first.host,
      port: first.port,
      user: hosts.user,
      dbName: hosts.database,
      pool: { min: 1, max: 10 },
      driverOptions: {
        // Knex asks again for new connections once the answer is a second old.
        connection: async () => {
          const at = Date.now();
          return { ...(await resolveConnection(hosts)), expirationChecker: () => Date.now() - at > 1_000 };
        },
      },
    };
  }
  const path = config.sqlitePath ?? ':memory:';
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return { driver: BetterSqliteDriver, dbName: path };
}

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
export const CHUNK = 500;

/** SQLite keeps dates as epoch ms; a raw comparison must bind the same. */
export const dateParam = (dialect: Dialect, d: Date): Date | number => (dialect === 'sqlite' ? d.getTime() : d);

/** SQLite returns JSON columns as text, PostgreSQL as values. */
/** Booleans as the driver binds them: better-sqlite3 takes 0/1, PostgreSQL a boolean. */
export const boolParam = (dialect: Dialect, b: boolean): boolean | number => (dialect === 'sqlite' ? Number(b) : b);
export const fromJson = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** Session settings for a node database, before migrations run. */
export async function prepareSession(orm: MikroORM, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  const conn = orm.em.getConnection();
  // WAL + FULL sync: a committed append survives a crash or power loss. Once the
  // migrations ran, a file database moves the commit's fsync off the event loop
  // (wal-sync.ts), as durable as FULL.
  await conn.execute('pragma journal_mode = WAL');
  await conn.execute('pragma synchronous = FULL');
  await conn.execute('pragma busy_timeout = 5000');
}

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
function lockSqlite(path: string): NodeLock | undefined {
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

/**
 * PostgreSQL: see `PgNodeLock` (a session lock of its own, taken again after a failover).
 */
async function lockPostgres(url: string, shared: boolean): Promise<NodeLock> {
  const lock = await PgNodeLock.take(url, shared);
  if (!lock) {
    throw new DatabaseInUseError(
      shared
        ? `${IN_USE} (a city node holds it; only hub processes may share a database)`
        : `${IN_USE} (its advisory lock is held by another session; only hub processes may share a database)`,
    );
  }
  return lock;
}

/** Takes the database for this process alone, or for hub processes only when `shared` (see `Store.open`). */
export async function takeNodeLock(
  dialect: Dialect,
  sqlitePath: string,
  databaseUrl: string,
  shared = false,
): Promise<NodeLock | undefined> {
  return dialect === 'sqlite' ? lockSqlite(sqlitePath) : lockPostgres(databaseUrl, shared);
}

/** An error raised by the database driver (rather than by code running in a transaction). */
export function isDriverError(err: unknown): err is Error {
  return err instanceof Database.SqliteError || (PgDatabaseError !== undefined && err instanceof PgDatabaseError);
}

/** Errors that mean the database cannot be reached now (down, restarting, failed over, read-only standby). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '25006', // read_only_sql_transaction: connected to a standby
  '08000',
  '08003',
  '08006',
]);

/** Why the database is unreachable, if `err` says it is; undefined for any other error. */
export function unreachableReason(err: unknown): string | undefined {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown; previous?: unknown } | undefined, n = 0;
    e && n < 4;
    n++
  ) {
    const message = typeof e.message === 'string' ? e.message : '';
    if (
      (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) ||
      /Connection terminated|Timeout acquiring a connection|connect ECONNREFUSED/.test(message)
    ) {
      return message || String(e.code);
    }
    e = (e.previous ?? e.cause) as typeof e;
  }
  return undefined;
}

/** What the insert path uses of a better-sqlite3 connection. */
interface SqliteConnection {
  inTransaction: boolean;
  prepare(sql: string): { run(params: unknown[]): unknown };
}

/** Prepared single-row inserts per SQLite connection: compiling a fresh multi-row INSERT per batch costs more than running it. */
const sqliteInserts = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection['prepare']>>>();

const sqliteValue = (v: unknown) =>
  v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : (v ?? null);

/**
 * Inserts rows (all with the same columns) through `knex`. On SQLite, through the
 * connection's own better-sqlite3 handle with a cached prepared statement (the
 * pool has one connection, so inside a transaction that is the transaction's);
 * elsewhere as multi-row INSERTs of up to CHUNK rows.
 */
export async function insertRows(
  knex: Knex,
  dialect: Dialect,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  if (dialect === 'sqlite') {
    const db = (await knex.client.acquireConnection()) as SqliteConnection;
    try {
      const columns = Object.keys(rows[0]!);
      const sql = `insert into \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
      const cache = sqliteInserts.get(db) ?? new Map<string, ReturnType<SqliteConnection['prepare']>>();
      sqliteInserts.set(db, cache);
      const statement = cache.get(sql) ?? db.prepare(sql);
      cache.set(sql, statement);
      for (const row of rows) statement.run(columns.map((c) => sqliteValue(row[c])));
      afterRawWrite(knex, db);
    } finally {
      if (!isTransaction(knex)) await knex.client.releaseConnection(db);
    }
    return;
  }
  for (let n = 0; n < rows.length; n += CHUNK) await knex(table).insert(rows.slice(n, n + CHUNK));
}

const isTransaction = (knex: Knex): boolean => (knex as unknown as Partial<Knex.Transaction>).isTransaction === true;
