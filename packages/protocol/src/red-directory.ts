import { z } from 'zod';
import { text } from './primitives.js';

/**
 * The people of one node who may be named on TLP:RED objects: each node publishes
 * its own (accounts with the `red-recipient` opt-in), GREEN to the whole network,
 * and the newest one of each origin replaces the earlier ones. Names and roles only.
 */
export const RedDirectoryEntrySchema = z.strictObject({
  user: text(200),
  name: text(200),
  /** The person's title or role, e.g. "City clerk" (names and roles only). */
  title: text(200),
});
export type RedDirectoryEntry = z.infer<typeof RedDirectoryEntrySchema>;

export const RedDirectoryBodySchema = z.strictObject({
  people: z.array(RedDirectoryEntrySchema).max(300),
});
