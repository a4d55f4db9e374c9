import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { remoteCall } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';

/** `enroll status` while the hub has not decided: exit code 3, so scripts can wait for it. */
export class EnrollmentPendingError extends CliError {
  override name = 'EnrollmentPendingError';
  override readonly exitCode: number = 3;
}

/** Asks this city's own node to send its signed enrollment request to the hub; prints `ID pending`. */
export async function enroll(
  io: Io,
  opts: { node: string; contact: string; creds: Credentials; county?: string; population?: number },
): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  const profile = {
    ...(opts.county !== undefined && { county: opts.county }),
    ...(opts.population !== undefined && { population: opts.population }),
  };
  const { id, status } = await remoteCall(opts.node, 'sending the enrollment request', () =>
    client.admin.enroll.mutate({ contact: opts.contact, ...profile }),
  );
  io.out(`${id} ${status}`);
  io.err(`the hub holds the request; tell its operator this node's key fingerprint out of band if you have not yet`);
  io.err(`then check the decision with: citylink enroll status --node ${opts.node}`);
}

/** Prints the hub's decision on this node's enrollment: exit 0 approved, 3 pending, 1 rejected. */
export async function enrollStatus(io: Io, opts: { node: string; creds: Credentials }): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  const { status, reason } = await remoteCall(opts.node, 'asking the hub about the enrollment', () =>
    client.admin.enrollmentStatus.query(),
  );
  io.out(reason ? `${status}: ${reason}` : status);
  if (status === 'pending') {
    throw new EnrollmentPendingError(
      'the hub has not decided yet; its operator reviews it with `citylink hub enrollments`',
    );
  }
  if (status === 'expired') {
    throw new CliError('the hub did not decide in time and the request expired; send a new one with `citylink enroll`');
  }
  if (status === 'rejected') throw new CliError(`the hub rejected the enrollment${reason ? `: ${reason}` : ''}`);
  if (status !== 'approved') throw new CliError(`the hub answered an unknown status ${JSON.stringify(status)}`);
}
