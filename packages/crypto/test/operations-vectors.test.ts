import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canonicalJson, type KeyRecord } from '@citylink/protocol';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { KeyRing, verifyObject } from '../src/index.js';

const dir = new URL('../../../docs/protocol/vectors/', import.meta.url);
const load = async <T>(name: string): Promise<T> => JSON.parse(await readFile(new URL(`${name}.json`, dir), 'utf8'));

const keys = await load<{ now: string; node: string; records: KeyRecord[] }>('keys');
const { pinnedHubKey } = await load<{ pinnedHubKey: KeyRecord }>('membership');
const { vectors } = await load<{
  vectors: {
    name: string;
    input: { body: { period?: string } };
    canonical: string;
    id: string;
    kid: string;
    jws: string;
  }[];
}>('operations');
const ring = new KeyRing([
  { node: keys.node, keys: keys.records },
  { node: 'wi-hub', keys: [pinnedHubKey] },
]);
const jwkOf = (kid: string) => [...keys.records, pinnedHubKey].find((r) => r.kid === kid)!.jwk;

describe('Election Day vectors (docs/protocol/vectors/operations.json)', () => {
  it.each(vectors)('$name: canonical form, id, and signature with our verifier and plain jose', async (v) => {
    expect(canonicalJson(v.input)).toBe(v.canonical);
    expect(createHash('sha256').update(v.canonical, 'utf8').digest('base64url')).toBe(v.id);
    expect(await verifyObject(v.jws, { resolveKey: ring.resolve, now: new Date(keys.now) })).toMatchObject({
      ok: true,
      id: v.id,
    });
    const plain = await compactVerify(v.jws, await importJWK(jwkOf(v.kid), 'EdDSA'));
    expect(new TextDecoder().decode(plain.payload)).toBe(v.canonical);
  });

  it('the check-in names the period by its id, and a tampered period id breaks its signature', async () => {
    const [period, checkIn] = [vectors[0]!, vectors[1]!];
    expect(checkIn.input.body.period).toBe(period.id);
    const [h, p, s] = checkIn.jws.split('.') as [string, string, string];
    const forged = Buffer.from(
      Buffer.from(p, 'base64url')
        .toString('utf8')
        .replace(
          period.id,
          period.id.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        ),
    ).toString('base64url');
    const result = await verifyObject(`${h}.${forged}.${s}`, { resolveKey: ring.resolve, now: new Date(keys.now) });
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
