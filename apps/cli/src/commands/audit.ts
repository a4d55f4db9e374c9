import type { RouterOutputs } from '@citylink/client';
import type { Io } from '../io.js';
import { remoteCall } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { renderTable } from '../table.js';

export type AuditEntry = RouterOutputs['admin']['audit'][number];

/** Prints a node's audit trail, newest first: a table, or one JSON object per line. */
export async function audit(
  io: Io,
  opts: { node: string; creds: Credentials; action?: string; limit: number; json: boolean },
): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  const entries = await remoteCall(opts.node, 'reading the audit trail', () =>
    client.admin.audit.query({ limit: opts.limit, ...(opts.action && { action: opts.action }) }),
  );
  if (entries.length === 0) {
    io.err(opts.action ? `no audit entries with action ${opts.action}` : 'no audit entries');
    return;
  }
  if (opts.json) {
    for (const e of entries) io.out(JSON.stringify(e));
    return;
  }
  for (const line of auditTable(entries)) io.out(line);
}

export function auditTable(entries: readonly AuditEntry[]): string[] {
  return renderTable([
    ['at', 'actor', 'action', 'subject', 'detail'],
    ...entries.map((e) => [e.at, e.actor, e.action, e.subject ?? '-', e.detail ? JSON.stringify(e.detail) : '']),
  ]);
}
