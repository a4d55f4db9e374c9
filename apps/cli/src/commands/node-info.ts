import { NodeIdSchema } from '@citylink/protocol';
import { CliError } from '../errors.js';
import { fetchJson } from '../http.js';

/** What a node says about itself at `/.well-known/citylink-node.json`. */
export interface NodeInfo {
  node: string;
  role: 'city' | 'hub';
  network: string;
  /** The node id of the hub this node trusts (itself, for a hub). */
  hub: string;
}

export async function fetchNodeInfo(baseUrl: string): Promise<NodeInfo> {
  const url = `${baseUrl}/.well-known/citylink-node.json`;
  const info = ((await fetchJson(url)) ?? {}) as Record<string, unknown>;
  const ids = ['node', 'network', 'hub'].map((field) => NodeIdSchema.safeParse(info[field]));
  if (!ids.every((r) => r.success) || (info.role !== 'city' && info.role !== 'hub')) {
    throw new CliError(`${url} does not describe a CityLink node (node, role, network, hub); is this a CityLink node?`);
  }
  const [node, network, hub] = ids.map((r) => r.data as string) as [string, string, string];
  return { node, role: info.role, network, hub };
}
