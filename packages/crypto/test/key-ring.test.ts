import { describe, expect, it } from 'vitest';
import { KeyRing, keyValidAt, type NodeKey, signObject, verifyObject } from '../src/index.js';
import { bulletin, NOW, newKey, ORIGIN, recordOf } from './fixtures.js';

describe('keyValidAt', () => {
  it('applies validFrom, validUntil, revokedAt and compromised at their boundaries', async () => {
    const key = await newKey();
    const record = recordOf(key, {
      validFrom: '2026-02-01T00:00:00Z',
      validUntil: '2026-12-01T00:00:00Z',
    });
    expect(keyValidAt(record, '2026-01-31T23:59:59.999Z')).toEqual({ ok: false, reason: 'key_not_yet_valid' });
    expect(keyValidAt(record, '2026-02-01T00:00:00.000Z')).toEqual({ ok: true });
    expect(keyValidAt(record, '2026-11-30T23:59:59.999Z')).toEqual({ ok: true });
    expect(keyValidAt(record, '2026-12-01T00:00:00.000Z')).toEqual({ ok: false, reason: 'key_expired' });

    const revoked = { ...record, revokedAt: '2026-06-01T00:00:00Z' };
    expect(keyValidAt(revoked, '2026-05-31T23:59:59.999Z')).toEqual({ ok: true });
    expect(keyValidAt(revoked, '2026-06-01T00:00:00.000Z')).toEqual({ ok: false, reason: 'key_revoked' });

    const compromised = { ...record, compromised: true };
    expect(keyValidAt(compromised, '2026-06-01T00:00:00.000Z')).toEqual({ ok: false, reason: 'key_revoked' });
    expect(keyValidAt({ ...record, compromised: false }, '2026-06-01T00:00:00.000Z')).toEqual({ ok: true });
  });
});

describe('KeyRing', () => {
  it('resolves by node and kid, and forgets what a roster update drops', async () => {
    const [a, b] = await Promise.all([newKey(), newKey()]);
    const ring = new KeyRing([{ node: ORIGIN, keys: [recordOf(a)] }]);
    expect(ring.has(ORIGIN, a.kid)).toBe(true);
    expect(ring.has('wi', a.kid)).toBe(false);
    expect((await ring.resolve(ORIGIN, a.kid))?.record.kid).toBe(a.kid);
    expect(await ring.resolve(ORIGIN, b.kid)).toBeUndefined();

    ring.setKeys(ORIGIN, [recordOf(b)]);
    expect(ring.has(ORIGIN, a.kid)).toBe(false);
    expect(await ring.resolve(ORIGIN, a.kid)).toBeUndefined();
    expect((await ring.resolve(ORIGIN, b.kid))?.record.kid).toBe(b.kid);
  });

  it("a roster update for one node leaves other nodes' keys alone, even when one id prefixes another", async () => {
    const [a, b] = await Promise.all([newKey(), newKey()]);
    const ring = new KeyRing([
      { node: 'wi', keys: [recordOf(a)] },
      { node: 'wi-madison', keys: [recordOf(b)] },
    ]);
    ring.setKeys('wi', []);
    expect(ring.has('wi', a.kid)).toBe(false);
    expect(ring.has('wi-madison', b.kid)).toBe(true);
  });

  it("never verifies one node's object with a key another node's record carries under the same kid", async () => {
    // A record whose kid is not the thumbprint of its JWK (a bad roster entry) must not
    // lend its key to the node that really owns that kid.
    const [owner, intruder] = await Promise.all([newKey(), newKey()]);
    const ring = new KeyRing([
      { node: ORIGIN, keys: [recordOf(owner)] },
      { node: 'wi-intruder', keys: [{ ...recordOf(intruder), kid: owner.kid }] },
    ]);
    const posingKey: NodeKey = { ...intruder, kid: owner.kid };
    const opts = { resolveKey: ring.resolve, now: NOW };

    const ownObject = await signObject(bulletin({ origin: 'wi-intruder' }), posingKey);
    expect((await verifyObject(ownObject.jws, opts)).ok).toBe(true);

    const forged = await signObject(bulletin({ origin: ORIGIN }), posingKey);
    expect(await verifyObject(forged.jws, opts)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const genuine = await signObject(bulletin({ origin: ORIGIN }), owner);
    expect((await verifyObject(genuine.jws, opts)).ok).toBe(true);
  });

  it('uses the new public key after a roster update changes the JWK recorded for a kid', async () => {
    const [first, second] = await Promise.all([newKey(), newKey()]);
    const ring = new KeyRing([{ node: ORIGIN, keys: [{ ...recordOf(first), kid: 'k'.repeat(43) }] }]);
    const opts = { resolveKey: ring.resolve, now: NOW };
    const byFirst = await signObject(bulletin(), { ...first, kid: 'k'.repeat(43) });
    expect((await verifyObject(byFirst.jws, opts)).ok).toBe(true);

    ring.setKeys(ORIGIN, [{ ...recordOf(second), kid: 'k'.repeat(43) }]);
    expect(await verifyObject(byFirst.jws, opts)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const bySecond = await signObject(bulletin(), { ...second, kid: 'k'.repeat(43) });
    expect((await verifyObject(bySecond.jws, opts)).ok).toBe(true);
  });
});
