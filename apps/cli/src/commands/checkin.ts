import type { Io } from '../io.js';
import { remoteError } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';

/**
 * Signs in and checks in for the open operational period (all quiet, or issues
 * when --issues is given); prints the check-in's id. Outside a period the node
 * answers `no operational period is open` and the command exits 1.
 */
export async function checkin(
  io: Io,
  opts: { node: string; creds: Credentials; note?: string | undefined; issues: boolean },
): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  try {
    const { id } = await client.operations.checkIn.mutate({
      state: opts.issues ? 'issues' : 'quiet',
      ...(opts.note && { note: opts.note }),
    });
    io.out(id);
  } catch (err) {
    throw remoteError(err, opts.node, 'checking in');
  }
}
