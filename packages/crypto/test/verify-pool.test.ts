import { base64url, canonicalBytes, typOf } from '@citylink/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { type NodeKey, signObject, VerifyPool, verifyObject } from '../src/index.js';
import { bulletin, NOW, newKey, note, ORIGIN, rawJws, ringOf, segments } from './fixtures.js';

describe('VerifyPool', () => {
  const pool = new VerifyPool(2);
  afterAll(() => pool.close());

  async function mixedBatch(key: NodeKey, other: NodeKey): Promise<unknown[]> {
    const good = await Promise.all([bulletin(), note(), bulletin({ tlp: 'CLEAR' })].map((o) => signObject(o, key)));
    const [h, p, s] = segments(good[0]!.jws);
    const flipped = base64url.decode(s);
    flipped[5] = (flipped[5] as number) ^ 0x01;
    const swapped = base64url.encode(canonicalBytes(bulletin({ tlp: 'AMBER', audience: ['wi-dane'] })));
    return [
      good[0]!.jws,
      `${h}.${p}.${base64url.encode(flipped)}`, // bad_signature
      `${h}.${swapped}.${s}`, // bad_signature (payload swapped)
      (await signObject(bulletin(), other)).jws, // unknown_kid
      await rawJws({ alg: 'EdDSA', typ: typOf('bulletin'), kid: key.kid }, '{"b":1, "a":2}', key.privateKey), // not canonical
      42, // malformed
      'a.b', // malformed
      good[1]!.jws,
      (await signObject(bulletin({ created: '2026-11-03T15:00:00.000Z' }), key)).jws, // future
      good[2]!.jws,
      good[0]!.jws, // the same object twice: both verify
    ];
  }

  it('answers exactly as verifyObject does, object by object, with the envelope and signature checks in workers', async () => {
    const [key, other] = [await newKey(), await newKey()];
    const ring = ringOf({ node: ORIGIN, key });
    const items = await mixedBatch(key, other);
    const options = { resolveKey: ring.resolve, now: NOW };
    const expected = await Promise.all(items.map((j) => verifyObject(j, options)));
    const before = { ...pool.checked };
    const got = await pool.verifyAll(items, options);
    expect(got).toEqual(expected);
    expect(pool.checked.inWorkers - before.inWorkers).toBe(items.length);
    // Every object whose key is known and valid: the good ones, the two bad signatures, the future one.
    expect(pool.checked.signaturesInWorkers - before.signaturesInWorkers).toBe(7);
    const reasons = got.map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons).toEqual([
      'ok',
      'bad_signature',
      'bad_signature',
      'unknown_kid',
      'not_canonical',
      'malformed',
      'malformed',
      'ok',
      'future',
      'ok',
      'ok',
    ]);
  });

  it('honours `kinds`, and checks a small batch in this thread', async () => {
    const key = await newKey();
    const ring = ringOf({ node: ORIGIN, key });
    const items = await Promise.all(
      [bulletin(), note(), bulletin(), note()].map(async (o) => (await signObject(o, key)).jws),
    );
    const options = { resolveKey: ring.resolve, now: NOW, kinds: ['note'] as const };
    expect((await pool.verifyAll(items, options)).map((r) => (r.ok ? r.kind : r.reason))).toEqual([
      'wrong_typ',
      'note',
      'wrong_typ',
      'note',
    ]);
    const before = pool.checked.inThread;
    const [one] = await pool.verifyAll(items.slice(1, 2), options);
    expect(one?.ok).toBe(true);
    expect(pool.checked.inThread - before).toBe(1);
  });
});
