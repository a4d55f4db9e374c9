import { BULLETIN_STATUSES, ObjectIdSchema } from '@citylink/protocol';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { remoteError } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';

const SETTABLE = BULLETIN_STATUSES.filter((s) => s !== 'published');
type Settable = (typeof SETTABLE)[number];

export interface StatusOptions {
  id: string;
  status: string;
  duplicateOf?: string | undefined;
  note?: string | undefined;
}

/** Checks the arguments of `citylink status` before anything is signed (exit 2 on a mistake). */
export function parseStatusArgs(o: StatusOptions) {
  if (!ObjectIdSchema.safeParse(o.id).success) throw new UsageError(`${o.id} is not an object id (43 characters)`);
  if (!(SETTABLE as readonly string[]).includes(o.status)) {
    throw new UsageError(`status must be one of ${SETTABLE.join(', ')}; got ${o.status}`);
  }
  const status = o.status as Settable;
  if ((status === 'duplicate') !== (o.duplicateOf !== undefined)) {
    throw new UsageError(
      status === 'duplicate'
        ? 'status duplicate needs --duplicate-of ID (the report it repeats)'
        : '--duplicate-of goes only with status duplicate',
    );
  }
  if (o.duplicateOf !== undefined && !ObjectIdSchema.safeParse(o.duplicateOf).success) {
    throw new UsageError(`--duplicate-of ${o.duplicateOf} is not an object id`);
  }
  const note = o.note?.trim();
  if (note !== undefined && note.length > 5000) throw new UsageError('--note is at most 5000 characters');
  return {
    target: o.id,
    status,
    ...(o.duplicateOf !== undefined && { duplicateOf: o.duplicateOf }),
    ...(note && { note }),
  };
}

/** Signs in and sets a bulletin's status (as its author city, or as a hub official); prints the status object's id. */
export async function setStatus(io: Io, opts: StatusOptions & { node: string; creds: Credentials }): Promise<void> {
  const input = parseStatusArgs(opts);
  const client = await connect(opts.node, opts.creds);
  try {
    const { id } = await client.staff.updateStatus.mutate(input);
    io.out(id);
  } catch (err) {
    throw remoteError(err, opts.node, `setting the status of ${opts.id}`);
  }
}
