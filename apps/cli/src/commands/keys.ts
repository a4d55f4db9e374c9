import { resolve } from 'node:path';
import type { KeyRecord } from '@citylink/protocol';
import { CliError } from '../errors.js';
import { fetchJson } from '../http.js';
import type { Io } from '../io.js';
import { createKeyFile, publicKeyRecord } from '../node-files.js';
import { remoteCall } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { renderTable } from '../table.js';
import { jwksRecords } from './key-directory.js';
import { fetchNodeInfo } from './node-info.js';

/** Rotates a node's signing key (the node announces the new key, signed with the old one). */
export async function keysRotate(io: Io, opts: { node: string; creds: Credentials }): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  io.err(`rotating the key of the node at ${opts.node}`);
  const { kid, previous } = await remoteCall(opts.node, 'rotating the key', () => client.admin.rotateKey.mutate());
  io.out(`old key  ${previous}`);
  io.out(`new key  ${kid}`);
  io.err('the old key stays valid for what it signed before now; the old key file is kept beside the new one');
}

/** Prints a node's published keys with their validity windows. */
export async function keysShow(io: Io, opts: { node: string; now?: Date }): Promise<void> {
  const info = await fetchNodeInfo(opts.node);
  const url = `${opts.node}/.well-known/jwks.json`;
  const warnings: string[] = [];
  const records = await jwksRecords(await fetchJson(url), url, warnings);
  for (const w of warnings) io.err(`warning: ${w}`);
  io.err(`keys of ${info.node} (${info.role}) at ${opts.node}`);
  const rows = records
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom))
    .map((k) => [k.kid, k.validFrom, k.validUntil ?? '-', k.revokedAt ?? '-', keyState(k, opts.now ?? new Date())]);
  for (const line of renderTable([['kid', 'valid from', 'valid until', 'revoked at', 'state'], ...rows])) io.out(line);
}

export function keyState(k: KeyRecord, now: Date): string {
  const t = now.getTime();
  if (k.compromised) return 'compromised';
  if (k.revokedAt !== undefined && t >= Date.parse(k.revokedAt)) return 'revoked';
  if (t < Date.parse(k.validFrom)) return 'not yet valid';
  if (k.validUntil !== undefined && t >= Date.parse(k.validUntil)) return 'retired';
  return k.revokedAt !== undefined ? `current (revoked from ${k.revokedAt})` : 'current';
}

/** Writes a new key file (0600) and prints its public record, for `citylink hub replace-key`. */
export async function keysNew(io: Io, opts: { out: string }): Promise<void> {
  const path = resolve(opts.out);
  let record: KeyRecord;
  try {
    record = publicKeyRecord(await createKeyFile(path));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot write ${path}: ${(err as Error).message}`);
  }
  io.out(JSON.stringify(record, null, 2));
  io.err(`wrote ${path} (mode 0600); kid ${record.kid}`);
  io.err('give the public record above to the hub operator (`citylink hub replace-key`); see docs/operations.md');
}
