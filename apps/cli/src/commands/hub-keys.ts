import { thumbprint } from '@citylink/crypto';
import { Ed25519PublicJwkSchema, NodeIdSchema, TimestampSchema } from '@citylink/protocol';
import { CliError } from '../errors.js';

export interface PinnedHubKey {
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  validFrom: string;
}

export interface HubKeys {
  /** The hub's node id, when the document names it (a member record from `citylink init`). */
  node?: string;
  keys: PinnedHubKey[];
}

/** A pinned key without a known start is trusted for everything it signed. */
export const UNKNOWN_VALID_FROM = '1970-01-01T00:00:00.000Z';

/**
 * Reads the hub's public key(s) as handed over out of band: a member record printed by
 * `citylink init` (`{ node, keys: [{ kid, jwk, validFrom }] }`), a JWKS (`{ keys: [...] }`,
 * as served at /.well-known/jwks.json), one key record, or a bare Ed25519 JWK. A `kid`,
 * when present, must be the key's thumbprint.
 */
export async function parseHubKeys(value: unknown, source: string): Promise<HubKeys> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${source}: expected a JSON object (a JWK, a JWKS or a member record)`);
  }
  const o = value as Record<string, unknown>;
  const entries: unknown[] = Array.isArray(o.keys) ? o.keys : [o];
  if (entries.length === 0) throw new CliError(`${source}: no keys`);
  const node = o.node === undefined ? undefined : NodeIdSchema.safeParse(o.node);
  if (node && !node.success) throw new CliError(`${source}: node ${JSON.stringify(o.node)} is not a node id`);
  const keys: PinnedHubKey[] = [];
  for (const [i, entry] of entries.entries()) {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    // A key record nests the JWK; a JWKS entry or bare JWK is the JWK itself.
    const raw = (typeof e.jwk === 'object' && e.jwk !== null ? e.jwk : e) as Record<string, unknown>;
    const jwk = Ed25519PublicJwkSchema.safeParse({ kty: raw.kty, crv: raw.crv, x: raw.x });
    if (!jwk.success) throw new CliError(`${source}: key ${i + 1} is not an Ed25519 public JWK`);
    if (typeof e.kid === 'string' && e.kid !== (await thumbprint(jwk.data))) {
      throw new CliError(`${source}: key ${i + 1}: kid ${e.kid} is not the key's thumbprint`);
    }
    if ('d' in raw) throw new CliError(`${source}: key ${i + 1} contains a private key; send only the public part`);
    const validFrom = e.validFrom === undefined ? UNKNOWN_VALID_FROM : e.validFrom;
    if (!TimestampSchema.safeParse(validFrom).success) {
      throw new CliError(`${source}: key ${i + 1}: validFrom ${JSON.stringify(validFrom)} is not a UTC timestamp`);
    }
    keys.push({ jwk: jwk.data, validFrom: validFrom as string });
  }
  return { ...(node?.success && { node: node.data }), keys };
}
