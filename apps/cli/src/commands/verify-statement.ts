import { STATEMENT_BUNDLE_FORMAT, verifyStatementBundle } from '@citylink/crypto';
import type { Io } from '../io.js';
import { VerificationFailedError } from './verify.js';

/** The parsed input if it is a joint statement's verification bundle, else undefined. */
export function asStatementBundle(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const json = JSON.parse(text) as { format?: unknown };
    return json?.format === STATEMENT_BUNDLE_FORMAT ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a joint statement's bundle offline — no network: the hub keys in the
 * bundle (against --hub-fingerprint when given), the roster they sign, every
 * signature, the text hash, and the originator's final. One line per signer.
 */
export async function verifyStatement(io: Io, bundle: unknown, opts: { hubFingerprint?: string }): Promise<void> {
  const report = await verifyStatementBundle(bundle, opts);
  io.out(`statement: ${report.title ?? '(unreadable)'}`);
  io.out(`text hash: ${report.textHash ?? '-'}`);
  const kids = report.hub?.kids.join(', ') || 'none';
  io.out(
    opts.hubFingerprint
      ? `hub ${report.hub?.node}: keys ${kids}; trusted fingerprint ${opts.hubFingerprint}`
      : `hub ${report.hub?.node}: keys ${kids} (compare with the hub fingerprint you trust, or pass --hub-fingerprint)`,
  );
  for (const s of report.signers) {
    if (s.ok) {
      io.out(`OK   ${s.node} ${s.block.name}, ${s.block.title}, ${s.block.city} (key ${s.kid}, signed ${s.signedAt})`);
    } else {
      io.out(`FAIL #${s.index + 1} ${s.node ?? '?'}${s.block ? ` (${s.block.name})` : ''}: ${s.reason}`);
    }
  }
  for (const r of report.fundingAnnex ?? []) {
    io.out(
      r.ok
        ? `OK   funding annex row ${r.index + 1}: ${r.node} ${r.item}, $${r.amount?.toLocaleString('en-US')} (signed by ${r.node})`
        : `FAIL funding annex row ${r.index + 1}: ${r.reason}`,
    );
  }
  for (const p of report.problems) io.out(`FAIL ${p}`);
  const failed = report.signers.filter((s) => !s.ok).length;
  if (!report.ok) {
    throw new VerificationFailedError(
      `the statement does not verify: ${failed} of ${report.signers.length} signatures failed${report.problems.length ? `, ${report.problems.length} other problem(s)` : ''}`,
    );
  }
  io.out(`all ${report.signers.length} signatures verify`);
}
