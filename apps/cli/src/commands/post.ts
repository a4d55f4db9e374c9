import { readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { remoteError } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { parsePostInput } from './post-input.js';

/** Signs in, posts a bulletin or note, prints only the new object's id. */
export async function post(io: Io, opts: { file: string; node: string; creds: Credentials }): Promise<void> {
  const { kind, input } = parsePostInput(await readJsonFile(opts.file), opts.file);
  const client = await connect(opts.node, opts.creds);
  try {
    const { id } =
      kind === 'bulletin' ? await client.staff.postBulletin.mutate(input) : await client.staff.postNote.mutate(input);
    io.out(id);
  } catch (err) {
    throw remoteError(err, opts.node, `posting the ${kind}`);
  }
}
