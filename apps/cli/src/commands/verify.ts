import { verifyObject } from '@citylink/crypto';
import { CliError } from '../errors.js';
import { readTextInput } from '../input-files.js';
import type { Io } from '../io.js';
import type { KeyDirectory } from './key-directory.js';
import { parseVerifyInput, type VerifyInput } from './verify-input.js';

export class VerificationFailedError extends CliError {
  override name = 'VerificationFailedError';
}

/** Verifies every input line; prints `OK …` or `FAIL reason: detail` per line. */
export async function verify(
  io: Io,
  /** `text`: the input already read (standard input can be read only once). */
  opts: { input: string | undefined; text?: string; keys: () => Promise<KeyDirectory> },
): Promise<void> {
  const items = parseVerifyInput(opts.text ?? (await readTextInput(opts.input, io)));
  if (items.length === 0) throw new CliError('nothing to verify: the input has no JWS or feed lines');
  const directory = await opts.keys();
  for (const w of directory.warnings) io.err(`warning: ${w}`);
  let failed = 0;
  for (const item of items) {
    const line = await verifyItem(item, directory);
    if (line.startsWith('FAIL')) failed++;
    io.out(line);
  }
  if (failed > 0) {
    throw new VerificationFailedError(
      `${failed} of ${items.length} failed (keys known for: ${directory.nodes.join(', ') || 'no node'})`,
    );
  }
}

async function verifyItem(item: VerifyInput, directory: KeyDirectory): Promise<string> {
  if ('error' in item) return `FAIL malformed: line ${item.line}: ${item.error}`;
  const result = await verifyObject(item.jws, { resolveKey: directory.resolveKey });
  if (!result.ok) return `FAIL ${result.reason}: ${result.detail}`;
  if (item.expectedId !== undefined && item.expectedId !== result.id) {
    return `FAIL id_mismatch: line ${item.line} claims id ${item.expectedId} but the signed payload's id is ${result.id}`;
  }
  return `OK ${result.id} ${result.kind} from ${result.object.origin} (key ${result.kid})`;
}
