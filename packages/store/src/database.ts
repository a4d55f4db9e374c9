import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Constructor, MikroORM, Options } from '@mikro-orm/core';
import { type Dialect, dialectOf, driverOptions } from './dialect.js';
import { ENTITIES } from './entities.js';

export interface DatabaseConfig {
  /** `postgres://…` selects PostgreSQL; otherwise `sqlitePath` is used. */
  databaseUrl?: string | undefined;
  /** SQLite file; `:memory:` for throwaway databases. */
  sqlitePath?: string | undefined;
  debug?: boolean;
  /** SQLite: how long after the last append the background indexer fills the search index (default 200 ms). */
  searchIndexIdleMs?: number;
}

type MigrationList = { name: string; class: Constructor<unknown> }[];

const MIGRATIONS_TABLE = 'citylink_migrations';

/** The committed migrations of a dialect (their index imports every one, and MikroORM's migrator with them). */
const migrationsOf = async (dialect: Dialect): Promise<MigrationList> =>
  dialect === 'sqlite'
    ? (await import('./migrations/sqlite/index.js')).sqliteMigrations
    : (await import('./migrations/postgresql/index.js')).postgresqlMigrations;

/** The migration files of a dialect, by name, as they lie beside this module (built `.js` or source `.ts`). */
function migrationFiles(dialect: Dialect): string[] {
  const dir = new URL(`./migrations/${dialect}/`, import.meta.url);
  return readdirSync(dir)
    .map((f) => /^(Migration\d+)\.(js|ts)$/.exec(f)?.[1])
    .filter((name): name is string => name !== undefined);
}

/**
 * Brings the schema up to date with the committed migrations. MikroORM's migrator
 * (umzug and its dependencies, with every migration class: several MB of an idle
 * process) is loaded only when a migration is pending: when every migration file
 * is recorded as applied there is nothing for it to do. A file that is not in the
 * index only costs the load; the migrator then decides from the index, as before.
 */
export async function migrate(orm: MikroORM, dialect: Dialect): Promise<void> {
  const applied = await orm.em
    .getConnection()
    .execute(`select name from ${MIGRATIONS_TABLE}`)
    .then((rows: { name: string }[]) => new Set(rows.map((r) => r.name)))
    .catch(() => new Set<string>());
  if (migrationFiles(dialect).every((name) => applied.has(name))) return;
  await (await migratorOf(orm, dialect)).up();
}

/** MikroORM's migrator for `orm`, with the committed migrations (loaded on first call). */
export async function migratorOf(orm: MikroORM, dialect: Dialect): Promise<MikroORM['migrator']> {
  if (!orm.config.get('migrations').migrationsList) {
    const [{ Migrator }, list] = await Promise.all([import('@mikro-orm/migrations'), migrationsOf(dialect)]);
    orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList: list as never });
    Migrator.register(orm);
  }
  return orm.migrator;
}

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
    debug: config.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
    // Full-text search lives beside the entities (migration 20261201103000): FTS5's
    // tables on SQLite, a tsvector table on PostgreSQL, both kept by triggers.
    schemaGenerator: { skipTables: [/^items_fts/] },
    migrations: {
      tableName: MIGRATIONS_TABLE,
      silent: true,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts' as const,
      path: `src/migrations/${dialect}`,
    },
  };
  return { ...common, ...(await driverOptions(config)) };
}
