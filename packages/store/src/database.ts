import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Constructor, Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type Dialect, dialectOf, driverOptions } from './dialect.js';
import { ENTITIES } from './entities.js';
import { postgresqlMigrations } from './migrations/postgresql/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';

export interface DatabaseConfig {
  /** `postgres://…` selects PostgreSQL; otherwise `sqlitePath` is used. */
  databaseUrl?: string | undefined;
  /** SQLite file; `:memory:` for throwaway databases. */
  sqlitePath?: string | undefined;
  debug?: boolean;
  /** SQLite: how long after the last append the background indexer fills the search index (default 200 ms). */
  searchIndexIdleMs?: number;
}

const migrationsOf: Record<Dialect, { name: string; class: Constructor<unknown> }[]> = {
  sqlite: sqliteMigrations,
  postgresql: postgresqlMigrations,
};

/** An SQLite database file (or its -wal/-shm) that group or others may read or write. */
export class DatabaseFileModeError extends Error {
  override name = 'DatabaseFileModeError';
}

/**
 * A node's SQLite file holds AMBER and RED objects and password and session hashes,
 * so it is kept like the key file: a new one is created 0600 before SQLite opens it
 * (SQLite gives the -wal and -shm files the mode of the database file), and an
 * existing one that group or others can access is refused, not silently fixed: the
 * operator should know it may have been read.
 */
export function prepareSqliteFile(path: string): void {
  if (path === ':memory:' || path === '' || path.startsWith('file:')) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new DatabaseFileModeError(
        `${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}*`,
      );
    }
  }
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** MikroORM options for a node database. Schema changes only ever come from the committed migrations. */
export async function ormOptions(config: DatabaseConfig): Promise<Options> {
  const dialect = dialectOf(config);
  const common = {
    entities: ENTITIES,
    extensions: [Migrator],
    debug: config.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
    // Full-text search lives beside the entities (migration 20261201103000): FTS5's
    // tables on SQLite, a tsvector table on PostgreSQL, both kept by triggers.
    schemaGenerator: { skipTables: [/^items_fts/] },
    migrations: {
      tableName: 'citylink_migrations',
      silent: true,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts' as const,
      path: `src/migrations/${dialect}`,
      migrationsList: migrationsOf[dialect] as never,
    },
  };
  return { ...common, ...(await driverOptions(config)) };
}
