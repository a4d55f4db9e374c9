import { ApiTokens, ConflictError, InvalidInputError, NotFoundError } from '@citylink/node';
import { TOKEN_ROLES, type TokenRole } from '@citylink/store';
import { CliError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { renderTable } from '../table.js';
import { openNodeStore, readNodeConfig } from './node-store.js';

/** Runs `fn` with the token service of the node named by a config file, domain errors as CLI errors. */
async function withTokens<T>(io: Io, configPath: string, fn: (tokens: ApiTokens, node: string) => Promise<T>) {
  const config = await readNodeConfig(configPath);
  const store = await openNodeStore(io, configPath, config);
  try {
    return await fn(new ApiTokens(store), config.nodeId);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new UsageError(err.message);
    if (err instanceof ConflictError || err instanceof NotFoundError) throw new CliError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}

export function parseTokenRole(value: string): TokenRole {
  if (!(TOKEN_ROLES as readonly string[]).includes(value)) {
    throw new UsageError(`--role: ${value} is not a machine role (known: ${TOKEN_ROLES.join(', ')})`);
  }
  return value as TokenRole;
}

/** `citylink token add`: prints the token once; only its hash is kept. */
export async function tokenAdd(io: Io, opts: { config: string; name: string; role: string }): Promise<void> {
  const role = parseTokenRole(opts.role);
  const { token, node } = await withTokens(io, opts.config, async (tokens, node) => ({
    ...(await tokens.create({ name: opts.name, role, by: 'cli' })),
    node,
  }));
  io.err(`added token ${opts.name} (${role}) to ${node}; it is shown once, keep it now:`);
  io.out(token);
}

export async function tokenRevoke(io: Io, opts: { config: string; name: string }): Promise<void> {
  await withTokens(io, opts.config, (tokens) => tokens.revoke(opts.name, 'cli'));
  io.out(`revoked token ${opts.name}`);
}

export async function tokenList(io: Io, opts: { config: string; json: boolean }): Promise<void> {
  const list = await withTokens(io, opts.config, (tokens) => tokens.list());
  if (opts.json) return io.out(JSON.stringify(list, null, 2));
  if (list.length === 0) return io.out('no tokens');
  const rows = list.map((t) => [t.name, t.role, t.createdAt, t.lastUsedAt ?? '-', t.revokedAt ?? '-']);
  for (const line of renderTable([['name', 'role', 'created', 'last used', 'revoked'], ...rows])) io.out(line);
}
