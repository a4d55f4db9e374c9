import { readKeyFile } from '@citylink/crypto';
import { Store } from '@citylink/store';
import { type Logger, pino } from 'pino';
import type { Clock } from './clock.js';
import { type NodeConfigInput, NodeConfigSchema } from './config.js';
import { InvalidInputError } from './errors.js';
import { trpcPeerTransport } from './federation/trpc-peer-transport.js';
import { CityLinkNode } from './node.js';
import { NodeServer } from './server.js';

/**
 * The composition root: reads the key, opens the database, builds the node with
 * the tRPC transport to its peers, and starts it behind its HTTP server. Nothing
 * else imports the server or the transport, so the graph has no cycle.
 */
export async function createNode(
  input: NodeConfigInput,
  opts: { logger?: Logger; clock?: Clock } = {},
): Promise<CityLinkNode> {
  const config = NodeConfigSchema.parse(input);
  if (config.role === 'city' && !config.hub) throw new InvalidInputError('a city node needs `hub` (node, url, keys)');
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { node: config.nodeId } });
  const key = await readKeyFile(config.keyFile);
  // Hub processes may share a PostgreSQL database (several behind one address); a city never.
  const store = await Store.open(
    { databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath },
    {
      node: true,
      shared: config.role === 'hub',
      claimLeaseMs: config.cluster.claimLeaseMs,
      ...(opts.clock && { clock: opts.clock }),
    },
  );
  const transport = trpcPeerTransport({
    policy: { allowInsecure: config.allowInsecurePeers },
    transport: config.delivery.transport,
    linkIdleMs: config.delivery.linkIdleMs,
  });
  const node = new CityLinkNode({ config, store, key, logger, transport, ...(opts.clock && { clock: opts.clock }) });
  try {
    await node.start(new NodeServer(node));
  } catch (err) {
    await node.close();
    throw err;
  }
  return node;
}
