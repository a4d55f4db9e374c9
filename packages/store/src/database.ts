import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import type { Constructor, Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities.js';
import { postgresqlMigrations } from './migrations/postgresql/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';

export type Dialect = 'sqlite' | 'postgresql';

export interface DatabaseConfig {
  /** `postgres://…` selects PostgreSQL; otherwise `sqlitePath` is used. */
  databaseUrl?: string | undefined;
  /** SQLite file; `:memory:` for throwaway databases. */
  sqlitePath?: string | undefined;
  debug?: boolean;
}

export function dialectOf(config: DatabaseConfig): Dialect {
  return config.databaseUrl && /^postgres(ql)?:\/\//.test(config.databaseUrl) ? 'postgresql' : 'sqlite';
}

const migrationsOf: Record<Dialect, { name: string; class: Constructor<unknown> }[]> = {
  sqlite: sqliteMigrations,
  postgresql: postgresqlMigrations,
};

/** MikroORM options for a node database. Schema changes only ever come from the committed migrations. */
export function ormOptions(config: DatabaseConfig): Options {
  const dialect = dialectOf(config);
  const common = {
    entities: ENTITIES,
    extensions: [Migrator],
    debug: config.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
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
  if (dialect === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: config.databaseUrl,
      pool: { min: 1, max: 10 },
    };
  }
  const path = config.sqlitePath ?? ':memory:';
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return { ...common, driver: BetterSqliteDriver, dbName: path };
}
