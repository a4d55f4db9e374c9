/**
 * A joint statement with 370 signatures (the largest national mayors' letters):
 * co-signing, assembling the final General JWS, verifying the bundle offline, and
 * the bundle's size, beside raw node:crypto Ed25519 verify of the same count in the
 * same run.   npm run bench -w @citylink/crypto
 */
import { createPublicKey, verify as rawVerify } from 'node:crypto';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import type { Member } from '@citylink/protocol';
import {
  assembleGeneralJws,
  cosign,
  generateNodeKey,
  type NodeKey,
  STATEMENT_BUNDLE_FORMAT,
  signObject,
  statementTextBytes,
  verifyStatementBundle,
} from '../src/index.js';

const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 370);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const hub = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
const keys: NodeKey[] = [];
for (let i = 0; i < SIGNERS; i++) keys.push(await generateNodeKey(new Date('2026-01-01T00:00:00Z')));
const members: Member[] = keys.map((k, i) => ({
  node: `us-city-${i}`,
  name: `City ${i}`,
  baseUrl: `https://citylink-${i}.example.gov`,
  role: 'city',
  status: 'active',
  keys: [{ kid: k.kid, jwk: k.publicJwk, validFrom: k.created }],
}));
members.push({
  node: 'us-hub',
  name: 'Hub',
  baseUrl: 'https://hub.example.gov',
  role: 'hub',
  status: 'active',
  keys: [{ kid: hub.kid, jwk: hub.publicJwk, validFrom: hub.created }],
});
const roster = await signObject(
  {
    v: 1,
    kind: 'roster',
    origin: 'us-hub',
    created: '2026-02-01T00:00:00.000Z',
    tlp: 'GREEN',
    audience: ['*'],
    body: { network: 'us', version: 1, members },
  },
  hub,
);
const text = {
  v: 1 as const,
  kind: 'statement-text' as const,
  statement: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  revision: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  title: 'Mayors for election security funding',
  text: 'We, the undersigned mayors, ask Congress to fund election security. '.repeat(40),
  addressees: ['United States Congress'],
};
const { bytes, textHash } = statementTextBytes(text);

const signTimes: number[] = [];
const assembleTimes: number[] = [];
const verifyTimes: number[] = [];
const rawTimes: number[] = [];
let bundleBytes = 0;
let gzBytes = 0;
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  const entries = await Promise.all(
    keys.map((k, i) =>
      cosign(bytes, k, {
        node: `us-city-${i}`,
        block: { name: `Mayor ${i}`, title: 'Mayor', city: `City ${i}` },
        signedAt: '2026-03-01T00:00:00.000Z',
      }),
    ),
  );
  signTimes.push(performance.now() - t);
  t = performance.now();
  const document = assembleGeneralJws(bytes, entries);
  const final = await signObject(
    {
      v: 1,
      kind: 'statement-final',
      origin: 'us-city-0',
      created: '2026-03-02T00:00:00.000Z',
      tlp: 'CLEAR',
      audience: ['*'],
      body: {
        statement: text.statement,
        signOn: text.revision,
        textHash,
        signatures: entries.map(() => text.statement),
        document,
      },
    },
    keys[0]!,
  );
  const bundle = {
    format: STATEMENT_BUNDLE_FORMAT,
    statement: text.statement,
    final: final.id,
    finalJws: final.jws,
    title: text.title,
    addressees: text.addressees,
    textHash,
    document,
    roster: roster.jws,
    hub: { node: 'us-hub', keys: [{ kid: hub.kid, jwk: hub.publicJwk, validFrom: hub.created }] },
  };
  assembleTimes.push(performance.now() - t);
  const json = JSON.stringify(bundle);
  bundleBytes = Buffer.byteLength(json);
  gzBytes = gzipSync(json).length;

  t = performance.now();
  const report = await verifyStatementBundle(JSON.parse(json), { hubFingerprint: hub.kid });
  verifyTimes.push(performance.now() - t);
  if (!report.ok) throw new Error(`bundle did not verify: ${report.problems.join('; ')}`);

  const pub = keys.map((k) => createPublicKey({ key: { ...k.publicJwk }, format: 'jwk' }));
  t = performance.now();
  for (const [i, e] of entries.entries()) {
    const input = Buffer.from(`${e.protected}.${document.payload}`);
    if (!rawVerify(null, input, pub[i]!, Buffer.from(e.signature, 'base64url'))) throw new Error('raw verify failed');
  }
  rawTimes.push(performance.now() - t);
}

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}`);
console.log(`joint statement with ${SIGNERS} signatures, median of ${ROUNDS} rounds`);
console.log(`  co-sign all (each mayor's node, here in one process): ${median(signTimes).toFixed(0)} ms`);
console.log(`  finalize (assemble General JWS + sign the final):      ${median(assembleTimes).toFixed(0)} ms`);
console.log(`  verify the bundle offline (roster + every signature):  ${median(verifyTimes).toFixed(0)} ms`);
console.log(`  baseline: raw node:crypto verify of the ${SIGNERS} signatures: ${median(rawTimes).toFixed(0)} ms`);
console.log(`  bundle size: ${(bundleBytes / 1024).toFixed(0)} KiB JSON, ${(gzBytes / 1024).toFixed(0)} KiB gzipped`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
