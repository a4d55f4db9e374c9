import { thumbprint } from '@citylink/crypto';
import { Ed25519PublicJwkSchema, TimestampSchema } from '@citylink/protocol';
import { CliError } from '../errors.js';
import { fetchJson } from '../http.js';
import type { Io } from '../io.js';
import type { PinnedHubKey } from './hub-keys.js';
import { fetchNodeInfo } from './node-info.js';

export interface FetchedHubKey {
  /** The hub's node id and network, from its citylink-node.json. */
  node: string;
  network: string;
  kid: string;
  key: PinnedHubKey;
}

/**
 * Fetches the hub's published keys and picks the one whose kid is `fingerprint` (the
 * fingerprint its operator gave out of band). The kid is only a label: the key's
 * RFC 7638 thumbprint is recomputed and must equal the fingerprint.
 */
export async function fetchHubKey(hubUrl: string, fingerprint: string, io: Io): Promise<FetchedHubKey> {
  const jwksUrl = `${hubUrl}/.well-known/jwks.json`;
  io.err(`fetching the hub's keys from ${jwksUrl}`);
  const info = await fetchNodeInfo(hubUrl);
  if (info.role !== 'hub') {
    throw new CliError(`${hubUrl} is ${info.node}, a city node, not the hub; check --hub-url`);
  }
  const keys = ((await fetchJson(jwksUrl)) as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new CliError(`${jwksUrl} is not a JWKS (no "keys" array)`);
  const entries = keys.map((k) => (typeof k === 'object' && k !== null ? k : {}) as Record<string, unknown>);
  // What the hub really presents: the thumbprint of each usable key, whatever its kid label says.
  const presented: { entry: Record<string, unknown>; thumbprint: string }[] = [];
  for (const entry of entries) {
    const jwk = Ed25519PublicJwkSchema.safeParse({ kty: entry.kty, crv: entry.crv, x: entry.x });
    if (jwk.success) presented.push({ entry, thumbprint: await thumbprint(jwk.data) });
  }
  const found = presented.map((p) => p.thumbprint).join(', ') || 'no Ed25519 key';
  const labelled = presented.find((p) => p.entry.kid === fingerprint);
  if (!labelled) {
    throw new CliError(
      `the hub at ${hubUrl} does not present key ${fingerprint} (expected ${fingerprint}, found ${found}); check the fingerprint with the hub operator`,
    );
  }
  if (labelled.thumbprint !== fingerprint) {
    throw new CliError(
      `the hub at ${hubUrl} labels a key ${fingerprint} but its thumbprint is ${labelled.thumbprint} (expected ${fingerprint}); do not trust it, and check the fingerprint with the hub operator`,
    );
  }
  const { entry } = labelled;
  if (typeof entry.revokedAt === 'string') {
    throw new CliError(
      `the hub at ${hubUrl} revoked its key ${fingerprint} at ${entry.revokedAt}; ask the hub operator for the current fingerprint`,
    );
  }
  const validFrom = TimestampSchema.safeParse(entry.validFrom);
  if (!validFrom.success) throw new CliError(`${jwksUrl}: key ${fingerprint} has no valid validFrom timestamp`);
  if (typeof entry.validUntil === 'string') {
    io.err(
      `note: the hub replaced key ${fingerprint} at ${entry.validUntil}; this node follows the hub's key chain from it`,
    );
  }
  io.err(`the hub ${info.node} (network ${info.network}) presents key ${fingerprint}: it matches the fingerprint`);
  const jwk = Ed25519PublicJwkSchema.parse({ kty: entry.kty, crv: entry.crv, x: entry.x });
  return { node: info.node, network: info.network, kid: fingerprint, key: { jwk, validFrom: validFrom.data } };
}
