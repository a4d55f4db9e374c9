/**
 * signObject / verifyObject throughput beside raw node:crypto Ed25519 in the same run.
 * Run: npm run bench -w @citylink/crypto
 */
import { generateKeyPairSync, sign as rawSign, verify as rawVerify } from 'node:crypto';
import { cpus } from 'node:os';
import type { SignedObject } from '@citylink/protocol';
import { generateNodeKey, KeyRing, signObject, verifyObject } from '../src/index.js';

const QUICK = process.env.BENCH_QUICK === '1';
const DURATION_MS = Number(process.env.BENCH_MS ?? (QUICK ? 200 : 1500));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5));

async function rate(fn: () => unknown | Promise<unknown>): Promise<number> {
  const end = performance.now() + DURATION_MS;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
  }
  return n / ((performance.now() - start) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const key = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
const ring = new KeyRing([
  { node: 'wi-madison', keys: [{ kid: key.kid, jwk: key.publicJwk, validFrom: '2026-01-01T00:00:00Z' }] },
]);
const bulletin: SignedObject = {
  v: 1,
  kind: 'bulletin',
  origin: 'wi-madison',
  created: '2026-11-03T14:05:00.000Z',
  tlp: 'GREEN',
  audience: ['*'],
  body: {
    title: 'Phishing e-mails impersonating the state elections office',
    narrative: 'Several poll workers received e-mails asking them to confirm their credentials on a look-alike site.',
    category: 'cyber.phishing',
    severity: 'medium',
    attackVector: 'email',
    indicators: [
      { type: 'domain', value: 'elections-wi-gov.example' },
      { type: 'email-sender', value: 'support@elections-wi-gov.example' },
    ],
  },
};
const signed = await signObject(bulletin, key);
const verifyOpts = { resolveKey: ring.resolve, now: new Date('2026-11-03T14:06:00Z') };
const check = await verifyObject(signed.jws, verifyOpts);
if (!check.ok) throw new Error(`bench setup: ${check.reason}`);

const raw = generateKeyPairSync('ed25519');
const data = signed.payload;
const rawSig = rawSign(null, data, raw.privateKey);

const BATCH = 100;
const batch = Array.from({ length: BATCH }, () => signed.jws);
const rawVerifyAsync = () =>
  new Promise<boolean>((resolve, reject) =>
    rawVerify(null, data, raw.publicKey, rawSig, (err, ok) => (err ? reject(err) : resolve(ok))),
  );
const rows: Record<string, number[]> = {
  rawSign: [],
  signObject: [],
  rawVerify: [],
  rawVerifyAsync: [],
  verifyObject: [],
  verifyObjectBatch: [],
};
for (let r = 0; r < ROUNDS; r++) {
  rows.rawSign!.push(await rate(() => rawSign(null, data, raw.privateKey)));
  rows.signObject!.push(await rate(() => signObject(bulletin, key)));
  rows.rawVerify!.push(await rate(() => rawVerify(null, data, raw.publicKey, rawSig)));
  rows.rawVerifyAsync!.push(BATCH * (await rate(() => Promise.all(batch.map(rawVerifyAsync)))));
  rows.verifyObject!.push(await rate(() => verifyObject(signed.jws, verifyOpts)));
  rows.verifyObjectBatch!.push(BATCH * (await rate(() => Promise.all(batch.map((j) => verifyObject(j, verifyOpts))))));
}
const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const signRatio = m.signObject! / m.rawSign!;
const seqRatio = m.verifyObject! / m.rawVerify!;
const batchRatio = m.verifyObjectBatch! / m.rawVerify!;
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}`);
console.log(`object: ${signed.jws.length}-byte GREEN bulletin JWS; median of ${ROUNDS} rounds x ${DURATION_MS} ms`);
console.log(`raw node:crypto Ed25519 sign    ${m.rawSign!.toFixed(0).padStart(8)} /s`);
console.log(
  `signObject                      ${m.signObject!.toFixed(0).padStart(8)} /s  ratio ${signRatio.toFixed(2)}`,
);
console.log(`raw node:crypto Ed25519 verify  ${m.rawVerify!.toFixed(0).padStart(8)} /s`);
console.log(
  `raw node:crypto verify, ${BATCH} in flight ${m.rawVerifyAsync!.toFixed(0).padStart(8)} /s  (libuv thread pool)`,
);
console.log(
  `verifyObject, one at a time     ${m.verifyObject!.toFixed(0).padStart(8)} /s  ratio ${seqRatio.toFixed(2)}`,
);
console.log(
  `verifyObject, batches of ${BATCH}    ${m.verifyObjectBatch!.toFixed(0).padStart(8)} /s  ratio ${batchRatio.toFixed(2)} (target >= 0.60; ${(m.verifyObjectBatch! / m.rawVerifyAsync!).toFixed(2)} of the in-flight baseline)`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
