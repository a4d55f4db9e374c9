import type { RouterInputs } from '@citylink/client';
import { CliError } from '../errors.js';

export type PostKind = 'bulletin' | 'note';
export type PostInput =
  | { kind: 'bulletin'; input: RouterInputs['staff']['postBulletin'] }
  | { kind: 'note'; input: RouterInputs['staff']['postNote'] };

const KEYS = new Set(['kind', 'tlp', 'audience', 'recipients', 'expires', 'body']);

/**
 * Checks the shape of a post file: `{ kind?, tlp, audience, recipients?, expires?, body }`.
 * The body itself is validated by the node, which reports every issue.
 */
export function parsePostInput(value: unknown, source: string): PostInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${source}: expected a JSON object { kind, tlp, audience, body }`);
  }
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) throw new CliError(`${source}: unknown field(s) ${unknown.join(', ')}`);
  const kind = o.kind ?? 'bulletin';
  if (kind !== 'bulletin' && kind !== 'note') {
    throw new CliError(`${source}: kind must be "bulletin" or "note", not ${JSON.stringify(kind)}`);
  }
  if (typeof o.tlp !== 'string')
    throw new CliError(`${source}: tlp is required (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)`);
  if (!Array.isArray(o.audience)) {
    throw new CliError(`${source}: audience is required: an array of node ids, or ["*"] for the whole network`);
  }
  if (o.recipients !== undefined && !Array.isArray(o.recipients)) {
    throw new CliError(`${source}: recipients must be an array of { node, user }`);
  }
  if (typeof o.body !== 'object' || o.body === null || Array.isArray(o.body)) {
    throw new CliError(`${source}: body is required: an object (see docs/protocol.md)`);
  }
  const input = {
    tlp: o.tlp,
    audience: o.audience,
    ...(o.recipients !== undefined && { recipients: o.recipients }),
    ...(o.expires !== undefined && { expires: o.expires }),
    body: o.body,
  };
  // The node validates every field and answers with the issues; the casts only hand it over.
  return kind === 'bulletin'
    ? { kind, input: input as RouterInputs['staff']['postBulletin'] }
    : { kind, input: input as RouterInputs['staff']['postNote'] };
}
