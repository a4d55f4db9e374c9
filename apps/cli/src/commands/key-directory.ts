import { type KeyResolver, KeyRing, thumbprint } from '@citylink/crypto';
import { type KeyRecord, KeyRecordSchema, NodeIdSchema } from '@citylink/protocol';
import { CliError, UsageError } from '../errors.js';
import { fetchJson } from '../http.js';
import { parseNodeUrl } from '../node-url.js';

/**
 * Where `verify` gets public keys from. Today: each node's own published JWKS. A
 * roster-based directory (the hub's signed member list) can replace this behind the
 * same interface.
 */
export interface KeyDirectory {
  resolveKey: KeyResolver;
  /** The nodes whose keys were loaded, for messages. */
  nodes: string[];
  /** Keys skipped as unusable, one line each. */
  warnings: string[];
}

export interface WellKnownKeySpec {
  /** Node base URLs: keys from `<url>/.well-known/jwks.json`, node id from `citylink-node.json`. */
  nodeUrls: string[];
  /** `[NODE=]URL` of a JWKS document; without NODE, the id comes from the same origin's `citylink-node.json`. */
  jwks: string[];
}

/** Parses a `--keys [NODE=]URL` value. */
export function parseKeysOption(value: string): { node?: string; url: string } {
  const m = /^([a-z0-9-]+)=(.+)$/.exec(value);
  const node = m?.[1];
  const url = m?.[2] ?? value;
  if (node !== undefined && !NodeIdSchema.safeParse(node).success) throw new UsageError(`--keys: bad node id ${node}`);
  return { ...(node !== undefined && { node }), url: parseNodeUrl(url, '--keys') };
}

export async function loadWellKnownKeys(spec: WellKnownKeySpec): Promise<KeyDirectory> {
  const sources = [
    ...spec.nodeUrls.map((url) => ({ url: `${url}/.well-known/jwks.json`, node: undefined, infoBase: url })),
    ...spec.jwks.map(parseKeysOption).map(({ node, url }) => ({ url, node, infoBase: new URL(url).origin })),
  ];
  if (sources.length === 0) throw new UsageError('no keys to verify with: pass --node URL (and --peer / --keys)');
  const byNode = new Map<string, KeyRecord[]>();
  const warnings: string[] = [];
  await Promise.all(
    sources.map(async (source) => {
      const node = source.node ?? (await nodeIdAt(source.infoBase));
      const records = await jwksRecords(await fetchJson(source.url), source.url, warnings);
      byNode.set(node, [...(byNode.get(node) ?? []), ...records]);
    }),
  );
  const ring = new KeyRing();
  for (const [node, keys] of byNode) ring.setKeys(node, keys);
  return { resolveKey: ring.resolve, nodes: [...byNode.keys()].sort(), warnings };
}

async function nodeIdAt(baseUrl: string): Promise<string> {
  const url = `${baseUrl}/.well-known/citylink-node.json`;
  const info = (await fetchJson(url)) as { node?: unknown } | null;
  const parsed = NodeIdSchema.safeParse(info?.node);
  if (!parsed.success) throw new CliError(`${url} does not name a node id; is this a CityLink node?`);
  return parsed.data;
}

/** Reads a JWKS; keeps Ed25519 keys whose kid is their thumbprint, as key records with their validity. */
export async function jwksRecords(doc: unknown, url: string, warnings: string[]): Promise<KeyRecord[]> {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new CliError(`${url} is not a JWKS (no "keys" array)`);
  const records: KeyRecord[] = [];
  for (const k of keys as Record<string, unknown>[]) {
    const parsed = KeyRecordSchema.safeParse({
      kid: k.kid,
      jwk: { kty: k.kty, crv: k.crv, x: k.x },
      validFrom: k.validFrom,
      ...(k.validUntil !== undefined && { validUntil: k.validUntil }),
      ...(k.revokedAt !== undefined && { revokedAt: k.revokedAt }),
    });
    if (!parsed.success) {
      warnings.push(`${url}: skipped key ${String(k.kid)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      continue;
    }
    if ((await thumbprint(parsed.data.jwk)) !== parsed.data.kid) {
      warnings.push(`${url}: skipped key ${parsed.data.kid}: kid is not the key's thumbprint`);
      continue;
    }
    records.push(parsed.data);
  }
  return records;
}
