import { hashPassword, passwordWeakness } from '@citylink/node';
import { ROLES } from '@citylink/store';
import { CliError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { generatePassword } from '../passwords.js';
import { openNodeStore, readNodeConfig } from './node-store.js';
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

  const config = await readNodeConfig(opts.config);
  if (given !== undefined) {
    const weak = await passwordWeakness(password, [username, opts.displayName ?? '', config.name, config.nodeId]);
    if (weak) throw new UsageError(weak);
  }
  const store = await openNodeStore(io, opts.config, config);
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
