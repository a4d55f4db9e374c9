import { resolve } from 'node:path';
import { type NodeConfig, NodeConfigSchema } from '@citylink/node';
import { dialectOf, Store } from '@citylink/store';
import { CliError } from '../errors.js';
import { readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { exists } from '../node-files.js';

/** A node's config file, checked. */
export async function readNodeConfig(path: string): Promise<NodeConfig> {
  const parsed = NodeConfigSchema.safeParse(await readJsonFile(path));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CliError(`${path}: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid config'}`);
  }
  return parsed.data;
}

/**
 * Opens the database a node with this config opens (see runNodeFromEnv): DATABASE_URL
 * wins; only a postgres:// URL selects PostgreSQL, otherwise the config's sqlitePath.
 * The node may be running.
 */
export async function openNodeStore(io: Io, configPath: string, config: NodeConfig): Promise<Store> {
  const sqlitePath = config.sqlitePath === ':memory:' ? config.sqlitePath : resolve(config.sqlitePath);
  const db = { databaseUrl: io.env.DATABASE_URL || config.databaseUrl, sqlitePath };
  const postgres = dialectOf(db) === 'postgresql';
  if (!postgres && db.sqlitePath === ':memory:') {
    throw new CliError(
      `${configPath} names no database (sqlitePath or a postgres:// databaseUrl); nothing would be kept`,
    );
  }
  const where = postgres ? 'the PostgreSQL database' : db.sqlitePath;
  if (!postgres && !(await exists(db.sqlitePath))) io.err(`note: ${db.sqlitePath} does not exist yet; creating it`);
  try {
    return await Store.open(db);
  } catch (err) {
    throw new CliError(`cannot open ${where}: ${(err as Error).message}`);
  }
}
