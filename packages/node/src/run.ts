import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { type NodeConfigInput, NodeConfigSchema } from './config.js';
import { createNode } from './create-node.js';

/**
 * The body of `apps/city` and `apps/hub`: read the config file named by
 * CITYLINK_CONFIG (overridable by DATABASE_URL, CITYLINK_PORT, CITYLINK_HOST,
 * CITYLINK_BASE_URL, CITYLINK_LOG_LEVEL),
 * start the node, stop cleanly on SIGTERM or SIGINT.
 */
export async function runNodeFromEnv(role: 'city' | 'hub', env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const path = env.CITYLINK_CONFIG;
  if (!path) {
    console.error(`usage: CITYLINK_CONFIG=/path/to/${role}.json node main.js   (see docs/operations.md)`);
    process.exit(2);
  }
  let input: NodeConfigInput;
  try {
    input = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    console.error(`cannot read config ${path}: ${(err as Error).message}`);
    process.exit(2);
  }
  const merged = {
    ...input,
    ...(env.DATABASE_URL && { databaseUrl: env.DATABASE_URL }),
    ...(env.CITYLINK_PORT && { port: Number(env.CITYLINK_PORT) }),
    ...(env.CITYLINK_HOST && { host: env.CITYLINK_HOST }),
    ...(env.CITYLINK_BASE_URL && { baseUrl: env.CITYLINK_BASE_URL }),
    ...(env.CITYLINK_LOG_LEVEL && { logLevel: env.CITYLINK_LOG_LEVEL }),
  };
  const parsed = NodeConfigSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`config ${path}: ${issue.path.join('.')}: ${issue.message}`);
    process.exit(2);
  }
  if (parsed.data.role !== role) {
    console.error(`config ${path} is for a ${parsed.data.role} node, not a ${role}`);
    process.exit(2);
  }
  // Log to process.stdout (not a raw fd) so a closed pipe is an 'error' event we can ignore,
  // instead of a write retried forever that keeps the process from stopping.
  process.stdout.on('error', () => undefined);
  const logger = pino({ level: parsed.data.logLevel, base: { node: parsed.data.nodeId } }, process.stdout);
  const node = await createNode(parsed.data, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    node.log.info({ signal }, 'stopping');
    node.close().then(
      () => process.exit(0),
      (err) => {
        node.log.error({ err: String(err) }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
