import { resolve } from 'node:path';
import { hashPassword, NodeConfigSchema, passwordWeakness } from '@citylink/node';
import { dialectOf, ROLES, Store } from '@citylink/store';
import { CliError, UsageError } from '../errors.js';
import { readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { exists } from '../node-files.js';
import { generatePassword } from '../passwords.js';
import { checkPassword, checkUsername, parseRoles } from './user-input.js';

export interface UserAddOptions {
  config: string;
  username: string;
  roles: string;
  password?: string;
  passwordStdin?: boolean;
  displayName?: string;
  title?: string;
}

/** Creates an account directly in a node's database (the node may be running). */
export async function userAdd(io: Io, opts: UserAddOptions): Promise<void> {
  const username = checkUsername(opts.username);
  const roles = parseRoles(opts.roles, ROLES);
  if (opts.password !== undefined && opts.passwordStdin) {
    throw new UsageError('give either --password or --password-stdin, not both');
  }
  const given = opts.password ?? (opts.passwordStdin ? (await io.readStdin()).split(/\r?\n/)[0] : undefined);
  const password = given === undefined ? generatePassword() : checkPassword(given);

  const parsed = NodeConfigSchema.safeParse(await readJsonFile(opts.config));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CliError(`${opts.config}: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid config'}`);
  }
  const config = parsed.data;
  if (given !== undefined) {
    const weak = await passwordWeakness(password, [username, opts.displayName ?? '', config.name, config.nodeId]);
    if (weak) throw new UsageError(weak);
  }
  // Exactly what the node opens (see runNodeFromEnv): DATABASE_URL wins; only a postgres:// URL
  // selects PostgreSQL, otherwise the config's sqlitePath is used.
  const db = { databaseUrl: io.env.DATABASE_URL || config.databaseUrl, sqlitePath: resolveSqlite(config.sqlitePath) };
  const postgres = dialectOf(db) === 'postgresql';
  if (!postgres && db.sqlitePath === ':memory:') {
    throw new CliError(
      `${opts.config} names no database (sqlitePath or a postgres:// databaseUrl); accounts would be lost`,
    );
  }
  const where = postgres ? 'the PostgreSQL database' : db.sqlitePath;
  if (!postgres && !(await exists(db.sqlitePath))) io.err(`note: ${db.sqlitePath} does not exist yet; creating it`);

  let store: Store;
  try {
    store = await Store.open(db);
  } catch (err) {
    throw new CliError(`cannot open ${where}: ${(err as Error).message}`);
  }
  try {
    if (await store.findUser(username)) throw new CliError(`user ${username} already exists on ${config.nodeId}`);
    await store.createUser({
      username,
      displayName: opts.displayName?.trim() || username,
      title: opts.title?.trim() || null,
      passwordHash: await hashPassword(password),
      roles,
    });
    await store.audit({ actor: 'cli', action: 'user.add', subject: username, detail: { roles } });
  } finally {
    await store.close();
  }
  io.out(`added user ${username} (${roles.join(', ')}) to ${config.nodeId}`);
  if (given === undefined) io.out(`generated password: ${password}`);
}

const resolveSqlite = (path: string) => (path === ':memory:' ? path : resolve(path));
