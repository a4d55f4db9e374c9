import type { KeyRecord } from '@citylink/protocol';

/** `/.well-known/jwks.json`: every key on record, with its validity window and revocation. */
export function jwksDocument(keys: readonly KeyRecord[]) {
  return {
    keys: keys.map((k) => ({
      ...k.jwk,
      kid: k.kid,
      alg: 'EdDSA',
      use: 'sig',
      validFrom: k.validFrom,
      ...(k.validUntil && { validUntil: k.validUntil }),
      ...(k.revokedAt && { revokedAt: k.revokedAt }),
      ...(k.compromised && { compromised: true }),
    })),
  };
}
