/**
 * Membership benchmarks.
 * 1. Revocation: how long until every city of a 200-city network refuses a revoked
 *    node (has adopted the roster that revokes it), p50/p99; baseline in the same
 *    run: the same roster bytes POSTed to 200 bare node:http servers with the same
 *    concurrency (16).
 * 2. Roster verification at 2,000 members: verifyObject of the signed roster, beside
 *    raw node:crypto verify + JSON.parse of the same bytes.
 *
 *   npm run bench -w @citylink/dev-env   (or: npx tsx bench/membership.ts)
 */
import { createPublicKey, generateKeyPairSync, verify as rawVerify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateNodeKey, KeyRing, signObject, thumbprint, verifyObject } from '@citylink/crypto';
import type { Member } from '@citylink/protocol';
import { TestNetwork } from '../src/index.js';
import {
  machineLine,
  median,
  ms,
  patientNodes,
  peakRssLine,
  percentile,
  result,
  size,
  verdict,
  watchdog,
} from './lib.js';

async function revocation(): Promise<void> {
  const cities = size('REVOKE_CITIES', 200, 20);
  const started = Date.now();
  const net = await TestNetwork.create({ cities, users: false, configure: patientNodes });
  console.log(`network of ${cities} cities + hub up in ${ms(Date.now() - started)}`);
  try {
    const target = net.cities[0]!;
    const arrivals = new Map<string, number>();
    let t0 = 0;
    let expected = 0;
    for (const city of net.cities.slice(1)) {
      const adopt = city.roster.adopt.bind(city.roster);
      city.roster.adopt = async (jws: string) => {
        const changed = await adopt(jws);
        if (expected && city.roster.version >= expected && !arrivals.has(city.id)) {
          arrivals.set(city.id, performance.now() - t0);
        }
        return changed;
      };
    }
    expected = net.hub.roster.version + 1;
    t0 = performance.now();
    await net.hub.membership.setStatus(target.id, 'revoked', 'bench');
    const deadline = Date.now() + 60_000;
    while (arrivals.size < cities - 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const times = [...arrivals.values()].sort((a, b) => a - b);
    const missing = cities - 1 - times.length;

    // Baseline: the same bytes to as many bare HTTP servers, 16 at a time.
    const jws = net.hub.roster.jws!;
    const servers: Server[] = [];
    for (let i = 0; i < cities - 1; i++) {
      const s = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.end('{}'));
      });
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
    }
    const base: number[] = [];
    const b0 = performance.now();
    const queue = [...servers];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let s = queue.shift(); s; s = queue.shift()) {
          const { port } = s.address() as AddressInfo;
          await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify({ jws }) });
          base.push(performance.now() - b0);
        }
      }),
    );
    for (const s of servers) s.close();
    base.sort((a, b) => a - b);

    console.log(
      `\nRevocation across ${cities} cities (roster ${(jws.length / 1024).toFixed(0)} KiB, offered 16 at a time)`,
    );
    console.log(
      `  every city refuses the revoked node after: p50 ${ms(percentile(times, 0.5))}, p99 ${ms(percentile(times, 0.99))}, max ${ms(times.at(-1) ?? Number.NaN)}${missing ? `, ${missing} cities not reached within 60 s` : ''}`,
    );
    console.log(
      `  baseline, bare HTTP POST of the same bytes to ${cities - 1} servers: p50 ${ms(percentile(base, 0.5))}, p99 ${ms(percentile(base, 0.99))}`,
    );
    console.log(`  target: within one roster interval (60 s) even without the offer: ${verdict(missing === 0)}`);
    const p99 = missing === 0 ? percentile(times, 0.99) : Number.POSITIVE_INFINITY;
    result('revocation-ratio', p99 / percentile(base, 0.99), 'x', '<=', 2);
  } finally {
    await net.close();
  }
}

async function rosterVerification(): Promise<void> {
  const count = size('ROSTER_MEMBERS', 2000, 200);
  const hubKey = await generateNodeKey();
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    const { publicKey } = generateKeyPairSync('ed25519');
    const x = publicKey.export({ format: 'jwk' }).x as string;
    const jwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x };
    members.push({
      node: `wi-city-${i}`,
      name: `City ${i}`,
      baseUrl: `https://citylink-${i}.example.gov`,
      role: 'city',
      status: 'active',
      keys: [{ kid: await thumbprint(jwk), jwk, validFrom: '2026-01-01T00:00:00.000Z' }],
    });
  }
  const roster = await signObject(
    {
      v: 1,
      kind: 'roster',
      origin: 'wi-hub',
      created: new Date().toISOString(),
      tlp: 'GREEN',
      audience: ['*'],
      body: { network: 'wi', version: 7, members },
    },
    hubKey,
  );
  const ring = new KeyRing([
    { node: 'wi-hub', keys: [{ kid: hubKey.kid, jwk: hubKey.publicJwk, validFrom: '2020-01-01T00:00:00.000Z' }] },
  ]);
  const rounds = size('ROSTER_ROUNDS', 15, 5);
  const ours: number[] = [];
  const raw: number[] = [];
  const pub = createPublicKey({ key: { ...hubKey.publicJwk }, format: 'jwk' });
  const [h, p, s] = roster.jws.split('.') as [string, string, string];
  const signingInput = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const r = await verifyObject(roster.jws, { resolveKey: ring.resolve, kinds: ['roster'] });
    if (!r.ok) throw new Error(`roster did not verify: ${r.reason}`);
    new KeyRing((r.object as { body: { members: Member[] } }).body.members);
    ours.push(performance.now() - t);
    t = performance.now();
    if (!rawVerify(null, signingInput, pub, sig)) throw new Error('raw verify failed');
    JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    raw.push(performance.now() - t);
  }
  console.log(
    `\nRoster verification at ${count} members (${(roster.jws.length / 1024).toFixed(0)} KiB JWS), median of ${rounds}`,
  );
  console.log(`  verifyObject (strict base64url, canonical check, schema) + key ring: ${median(ours).toFixed(1)} ms`);
  console.log(`  baseline raw node:crypto verify + JSON.parse of the same bytes:     ${median(raw).toFixed(1)} ms`);
  console.log(`  ratio ${(median(ours) / median(raw)).toFixed(1)}x the raw cost`);
  result('roster-ratio', median(ours) / median(raw), 'x', '<=', 5);
}

watchdog(10 * 60_000, 'membership benchmark');
console.log(machineLine());
await rosterVerification();
await revocation();
console.log(peakRssLine());
