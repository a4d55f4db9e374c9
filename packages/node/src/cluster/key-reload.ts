import { readKeyFile } from '@citylink/crypto';
import type { KeyRecord } from '@citylink/protocol';
import type { Logger } from 'pino';
import type { RosterState } from '../membership/roster-state.js';
import type { SigningKey } from '../signing-key.js';

const open = (k: KeyRecord) => k.validUntil === undefined && k.revokedAt === undefined && !k.compromised;

/**
 * Another hub process rotated the hub's key (docs/operations.md "Running the hub highly
 * available"): once this process has adopted the roster that carries the new key, it
 * reads the key file again and signs with the new key from then on. The key file is
 * the one every process shares (a shared volume, or copied by the operator before the
 * processes are told); if it does not hold the key the roster names yet, this says so
 * and keeps the old one, and the next roster notice or reconnect tries again.
 * Returns whether the key was replaced.
 */
export async function adoptRotatedKey(d: {
  self: string;
  roster: RosterState;
  key: SigningKey;
  keyFile: string;
  log: Logger;
}): Promise<boolean> {
  const me = d.roster.member(d.self);
  const current = d.key.current();
  const newest = me?.keys.filter(open).sort((a, b) => Date.parse(b.validFrom) - Date.parse(a.validFrom))[0];
  if (!newest || newest.kid === current.kid) return false;
  const next = await readKeyFile(d.keyFile).catch((err: Error) => {
    d.log.error({ err: err.message, keyFile: d.keyFile }, 'cluster: cannot read the key file after a key rotation');
    return undefined;
  });
  if (!next) return false;
  if (next.kid !== newest.kid) {
    d.log.error(
      { roster: newest.kid, keyFile: next.kid, signingWith: current.kid },
      'cluster: the roster names a new hub key that the key file does not hold; still signing with the old key',
    );
    return false;
  }
  d.key.replace(next);
  d.log.info({ kid: next.kid, previous: current.kid }, 'cluster: signing with the hub key another process rotated to');
  return true;
}
