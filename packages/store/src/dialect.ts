import type { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Dialect } from './database.js';
import { lockPostgres, lockSqlite, type NodeLock } from './node-lock.js';

/**
 * Every place SQLite and PostgreSQL differ for this store: how rows are inserted,
 * how dates and JSON come back and are bound in raw comparisons, session set-up,
 * the node lock, and which errors are the driver's.
 */

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
export const CHUNK = 500;

/** SQLite keeps dates as epoch ms; a raw comparison must bind the same. */
export const dateParam = (dialect: Dialect, d: Date): Date | number => (dialect === 'sqlite' ? d.getTime() : d);

/** SQLite returns JSON columns as text, PostgreSQL as values. */
export const fromJson = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/** Session settings for a node database, before migrations run. */
export async function prepareSession(orm: MikroORM, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  const conn = orm.em.getConnection();
  // WAL + FULL sync: a committed append survives a crash or power loss.
  await conn.execute('pragma journal_mode = WAL');
  await conn.execute('pragma synchronous = FULL');
  await conn.execute('pragma busy_timeout = 5000');
}

/** Takes the database for this process alone (see `Store.open`). */
export async function takeNodeLock(dialect: Dialect, sqlitePath: string, knex: Knex): Promise<NodeLock | undefined> {
  return dialect === 'sqlite' ? lockSqlite(sqlitePath) : lockPostgres(knex);
}

/** An error raised by the database driver (rather than by code running in a transaction). */
export function isDriverError(err: unknown): err is Error {
  return err instanceof Database.SqliteError || err instanceof pg.DatabaseError;
}

/** What the insert path uses of a better-sqlite3 connection. */
interface SqliteConnection {
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
    } finally {
      if (!isTransaction(knex)) await knex.client.releaseConnection(db);
    }
    return;
  }
  for (let n = 0; n < rows.length; n += CHUNK) await knex(table).insert(rows.slice(n, n + CHUNK));
}

const isTransaction = (knex: Knex): boolean => (knex as unknown as Partial<Knex.Transaction>).isTransaction === true;
