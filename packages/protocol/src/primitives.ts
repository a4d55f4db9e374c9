import { z } from 'zod';
import { TLP_LEVELS } from './tlp.js';

/** The building blocks every object schema uses: ids, timestamps, bounded text. */

export const PROTOCOL_VERSION = 1;

export const keysOf = <T extends Record<string, unknown>>(o: T) =>
  Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** Node ids are lowercase DNS-label-like slugs chosen at enrollment, e.g. `wi-madison`. */
export const NodeIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'node id: lowercase letters, digits and dashes');
/** base64url SHA-256: 43 characters. */
export const ObjectIdSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'object id: 43 base64url characters');
/** RFC 3339 UTC timestamp with a `Z` offset. */
export const TimestampSchema = z.iso.datetime({ offset: false });
export const TlpSchema = z.enum(TLP_LEVELS);
export const text = (max: number) => z.string().trim().min(1).max(max);
export const optText = (max: number) => z.string().max(max).optional();
export const count = z.number().int().min(0).max(1_000_000_000);

export const PersonSchema = z.strictObject({ node: NodeIdSchema, user: text(200) });

export const Ed25519PublicJwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwkSchema>;
