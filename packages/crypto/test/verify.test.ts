import {
  base64url,
  canonicalBytes,
  canonicalJson,
  LIMITS,
  objectIdOf,
  type SignedObject,
  typOf,
  utf8,
} from '@citylink/protocol';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KeyRing,
  type NodeKey,
  payloadOfJws,
  REJECT_REASONS,
  type RejectReason,
  SignObjectError,
  signObject,
  type VerifyOptions,
  verifyObject,
} from '../src/index.js';
import { bulletin, CREATED, NOW, newKey, note, ORIGIN, rawJws, ringOf, segments } from './fixtures.js';

let key: NodeKey;
let other: NodeKey;
let ring: KeyRing;
let opts: VerifyOptions;

beforeAll(async () => {
  [key, other] = await Promise.all([newKey(), newKey()]);
  ring = ringOf({ node: ORIGIN, key });
  opts = { resolveKey: ring.resolve, now: NOW };
});

const BULLETIN_TYP = typOf('bulletin');
const header = (extra: Record<string, unknown> = {}) => ({ alg: 'EdDSA', typ: BULLETIN_TYP, kid: key.kid, ...extra });

const seen = new Set<RejectReason>();
async function expectRejected(
  jws: unknown,
  reason: RejectReason,
  options: Partial<VerifyOptions> = {},
  detail?: RegExp,
): Promise<void> {
  const result = await verifyObject(jws, { ...opts, ...options });
  expect(result).toMatchObject({ ok: false, reason });
  if (result.ok) return;
  expect(typeof result.detail).toBe('string');
  expect(result.detail.trim().length).toBeGreaterThan(0);
  if (detail) expect(result.detail).toMatch(detail);
  seen.add(reason);
}

afterAll(() => {
  // Every reason the verifier can give is exercised by at least one test above.
  expect([...seen].sort()).toEqual([...REJECT_REASONS].sort());
});

describe('signObject / verifyObject', () => {
  it('signs a bulletin that verifies with the key ring', async () => {
    const object = bulletin();
    const signed = await signObject(object, key);
    expect(signed.id).toBe(objectIdOf(object));
    expect(signed.payload).toEqual(canonicalBytes(object));
    expect(payloadOfJws(signed.jws)).toEqual(signed.payload);

    const [h] = segments(signed.jws);
    expect(JSON.parse(utf8.decode(base64url.decode(h)))).toEqual({ alg: 'EdDSA', typ: BULLETIN_TYP, kid: key.kid });

    const result = await verifyObject(signed.jws, opts);
    expect(result).toEqual({
      ok: true,
      id: objectIdOf(object),
      kind: 'bulletin',
      kid: key.kid,
      object,
      jws: signed.jws,
      payload: signed.payload,
    });
  });

  it('signs a note with its own typ', async () => {
    const signed = await signObject(note(), key);
    const result = await verifyObject(signed.jws, opts);
    expect(result.ok && result.kind).toBe('note');
    expect(result.ok && result.id).toBe(objectIdOf(note()));
  });

  it('stores trimmed text, and the id is of what was signed', async () => {
    const object = bulletin();
    const padded = { ...object, body: { ...object.body, title: `  ${object.body.title}  ` } };
    const signed = await signObject(padded, key);
    expect(signed.object.body.title).toBe(object.body.title);
    expect(signed.id).toBe(objectIdOf(object));
  });

  it('refuses to sign an invalid object and names the field', async () => {
    const bad = bulletin({ tlp: 'RED' });
    await expect(signObject(bad, key)).rejects.toThrow(SignObjectError);
    const err = await signObject(bad, key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignObjectError);
    expect((err as SignObjectError).issues.map((i) => i.path.join('.'))).toContain('recipients');
  });

  it('refuses to sign an object over its kind limit', async () => {
    const object = bulletin();
    const indicators = Array.from({ length: 60 }, (_, i) => ({
      type: 'url' as const,
      value: `${i}${'x'.repeat(1500)}`,
    }));
    await expect(signObject({ ...object, body: { ...object.body, indicators } }, key)).rejects.toThrow(
      /the limit is 65536/,
    );
  });

  it('accepts a key that is inside its window (revoked or expiring later)', async () => {
    const later = ringOf({
      node: ORIGIN,
      key,
      record: { validUntil: '2026-12-01T00:00:00Z', revokedAt: '2026-11-03T14:00:00.001Z' },
    });
    const signed = await signObject(bulletin(), key);
    expect((await verifyObject(signed.jws, { ...opts, resolveKey: later.resolve })).ok).toBe(true);
  });

  it('accepts a kind listed in `kinds`', async () => {
    const signed = await signObject(bulletin(), key);
    expect((await verifyObject(signed.jws, { ...opts, kinds: ['note', 'bulletin'] })).ok).toBe(true);
  });
});

describe('rejections', () => {
  it('too_large: anything over the absolute ceiling, before parsing', async () => {
    await expectRejected('a'.repeat(LIMITS.absoluteMaxObjectBytes + 1), 'too_large', {}, /exceeds 4194304/);
  });

  it('too_large: a bulletin over its kind limit, while a roster that size passes the size check', async () => {
    const big = utf8.encode(`{"pad":"${'x'.repeat(LIMITS.maxObjectBytes)}"}`);
    const jws = await new CompactSign(big).setProtectedHeader(header()).sign(key.privateKey);
    expect(jws.length).toBeGreaterThan(LIMITS.maxObjectBytes);
    expect(jws.length).toBeLessThan(LIMITS.absoluteMaxObjectBytes);
    await expectRejected(jws, 'too_large', {}, /bulletin of \d+ bytes exceeds 65536/);

    const roster = await new CompactSign(big).setProtectedHeader(header({ typ: typOf('roster') })).sign(key.privateKey);
    const result = await verifyObject(roster, opts);
    expect(result).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('malformed: not a string', async () => {
    await expectRejected(undefined, 'malformed');
    await expectRejected({ jws: 'x' }, 'malformed');
    await expectRejected(42, 'malformed');
  });

  it('malformed: wrong number of segments', async () => {
    const signed = await signObject(bulletin(), key);
    const [h, p, s] = segments(signed.jws);
    await expectRejected(`${h}.${p}`, 'malformed', {}, /three non-empty base64url segments/);
    await expectRejected(`${h}.${p}.${s}.${s}`, 'malformed');
    await expectRejected('', 'malformed');
    await expectRejected(`.${p}.${s}`, 'malformed');
    await expectRejected(`${h}..${s}`, 'malformed');
  });

  it('malformed: not strict base64url', async () => {
    const signed = await signObject(bulletin(), key);
    const [h, p, s] = segments(signed.jws);
    await expectRejected(`${h}=.${p}.${s}`, 'malformed');
    await expectRejected(`${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}+/.${s}`, 'malformed');
    await expectRejected(`${h}.${p} .${s}`, 'malformed');
    await expectRejected(`${h}.${p}.${s}A`, 'malformed');
    // Same bytes, a second spelling: 86 characters carry 64 bytes with 4 spare bits that must be zero.
    const last = s.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) + 1] as string;
    await expectRejected(`${h}.${p}.${s.slice(0, -1)}${sibling}`, 'malformed');
  });

  it('malformed: header is not UTF-8 JSON or not an object', async () => {
    const payload = canonicalJson(bulletin());
    await expectRejected(await rawJws('alg=EdDSA', payload, key.privateKey), 'malformed', {}, /not UTF-8 JSON/);
    await expectRejected(
      await rawJws(new Uint8Array([0x7b, 0xff, 0x7d]), payload, key.privateKey),
      'malformed',
      {},
      /not UTF-8 JSON/,
    );
    await expectRejected(await rawJws([header()], payload, key.privateKey), 'malformed', {}, /not a JSON object/);
    await expectRejected(await rawJws('null', payload, key.privateKey), 'malformed', {}, /not a JSON object/);
  });

  it('malformed: header parameters beyond alg, typ and kid', async () => {
    const payload = canonicalJson(bulletin());
    for (const extra of [
      { crit: ['exp'], exp: 1 },
      { jwk: key.publicJwk },
      { b64: false, crit: ['b64'] },
      { jku: 'https://attacker.example/jwks' },
      { x5u: 'https://attacker.example/cert' },
    ]) {
      await expectRejected(await rawJws(header(extra), payload, key.privateKey), 'malformed', {}, /unexpected header/);
    }
  });

  it('malformed: kid missing or empty', async () => {
    const payload = canonicalJson(bulletin());
    const { kid: _kid, ...noKid } = header();
    await expectRejected(await rawJws(noKid, payload, key.privateKey), 'malformed', {}, /kid is missing/);
    await expectRejected(await rawJws(header({ kid: '' }), payload, key.privateKey), 'malformed', {}, /kid/);
    await expectRejected(await rawJws(header({ kid: 7 }), payload, key.privateKey), 'malformed', {}, /kid/);
  });

  it('malformed: signature of the wrong length', async () => {
    const signed = await signObject(bulletin(), key);
    const [h, p, s] = segments(signed.jws);
    const short = base64url.encode(base64url.decode(s).slice(0, 63));
    await expectRejected(`${h}.${p}.${short}`, 'malformed', {}, /64 bytes/);
    await expectRejected(`${h}.${p}.`, 'malformed', {}, /64 bytes/);
  });

  it('malformed: a byte-order mark before canonical JSON (a second spelling of the same object)', async () => {
    const payload = new Uint8Array([0xef, 0xbb, 0xbf, ...canonicalBytes(bulletin())]);
    await expectRejected(await rawJws(header(), payload, key.privateKey), 'malformed', {}, /payload/);
  });

  it('malformed: payload is not UTF-8 JSON', async () => {
    await expectRejected(await rawJws(header(), 'kind=bulletin', key.privateKey), 'malformed', {}, /payload/);
    await expectRejected(await rawJws(header(), new Uint8Array([0xc3, 0x28]), key.privateKey), 'malformed');
  });

  it("bad_alg: alg 'none', with an empty or a dummy signature", async () => {
    const h = base64url.encode(utf8.encode(JSON.stringify(header({ alg: 'none' }))));
    const p = base64url.encode(canonicalBytes(bulletin()));
    await expectRejected(`${h}.${p}.`, 'bad_alg', {}, /"none"/);
    await expectRejected(`${h}.${p}.${base64url.encode(new Uint8Array(64))}`, 'bad_alg', {}, /"none"/);
    const { alg: _alg, ...noAlg } = header();
    await expectRejected(await rawJws(noAlg, canonicalBytes(bulletin()), key.privateKey), 'bad_alg');
  });

  it('bad_alg: HS256 keyed with the public key (algorithm confusion)', async () => {
    const payload = canonicalBytes(bulletin());
    for (const secret of [base64url.decode(key.publicJwk.x), utf8.encode(key.publicJwk.x)]) {
      const jws = await new CompactSign(payload).setProtectedHeader(header({ alg: 'HS256' })).sign(secret);
      await expectRejected(jws, 'bad_alg', {}, /"HS256"/);
    }
  });

  it('bad_alg: other asymmetric algorithms and case variants', async () => {
    const payload = canonicalBytes(bulletin());
    for (const alg of ['Ed25519', 'eddsa', 'ES256', 'RS256']) {
      await expectRejected(await rawJws(header({ alg }), payload, key.privateKey), 'bad_alg');
    }
  });

  it("wrong_typ: typ 'JWT', missing or unknown", async () => {
    const payload = canonicalBytes(bulletin());
    await expectRejected(await rawJws(header({ typ: 'JWT' }), payload, key.privateKey), 'wrong_typ', {}, /"JWT"/);
    const { typ: _typ, ...noTyp } = header();
    await expectRejected(await rawJws(noTyp, payload, key.privateKey), 'wrong_typ');
    await expectRejected(await rawJws(header({ typ: 'citylink.gossip+jws' }), payload, key.privateKey), 'wrong_typ');
  });

  it('wrong_typ: typ of another kind than the payload', async () => {
    const jws = await rawJws(header({ typ: typOf('note') }), canonicalBytes(bulletin()), key.privateKey);
    await expectRejected(jws, 'wrong_typ', {}, /typ says note but the payload is a bulletin/);
  });

  it('wrong_typ: a kind not accepted here', async () => {
    const signed = await signObject(bulletin(), key);
    await expectRejected(signed.jws, 'wrong_typ', { kinds: ['roster'] }, /bulletin is not accepted here/);
    await expectRejected(signed.jws, 'wrong_typ', { kinds: [] });
  });

  it('not_canonical: whitespace, key order, escapes', async () => {
    const object = bulletin();
    for (const text of [
      JSON.stringify(object, null, 2),
      `${canonicalJson(object)}\n`,
      JSON.stringify(object),
      canonicalJson(object).replace('"v":1', '"v":1.0'),
      canonicalJson(object).replace('"GREEN"', '"\\u0047REEN"'),
    ]) {
      expect(text).not.toBe(canonicalJson(object));
      const jws = await new CompactSign(utf8.encode(text)).setProtectedHeader(header()).sign(key.privateKey);
      await expectRejected(jws, 'not_canonical', {}, /canonical/);
    }
  });

  it('schema: canonical and signed but not a valid object', async () => {
    const object = bulletin();
    const cases: [unknown, RegExp][] = [
      [{ ...object, body: { ...object.body, title: undefined } }, /body\.title/],
      [{ ...object, tlp: 'RED', audience: [ORIGIN] }, /recipients/],
      [{ ...object, v: 2 }, /^v:/],
      [{ ...object, extra: true }, /\(root\)|extra/],
      [{ ...object, expires: '2026-11-03T13:00:00.000Z' }, /expires/],
      [[object], /\(root\)/],
    ];
    for (const [value, detail] of cases) {
      const jws = await new CompactSign(canonicalBytes(value)).setProtectedHeader(header()).sign(key.privateKey);
      await expectRejected(jws, 'schema', {}, detail);
    }
  });

  it('unknown_kid: the ring does not hold the key, or holds it for another node', async () => {
    const signed = await signObject(bulletin(), key);
    await expectRejected(signed.jws, 'unknown_kid', { resolveKey: ringOf().resolve }, new RegExp(key.kid));
    await expectRejected(signed.jws, 'unknown_kid', { resolveKey: ringOf({ node: 'wi-green-bay', key }).resolve });
    await expectRejected(signed.jws, 'unknown_kid', { resolveKey: ringOf({ node: ORIGIN, key: other }).resolve });
  });

  it('key_not_yet_valid: signed before the key was valid', async () => {
    const signed = await signObject(bulletin(), key);
    const ring = ringOf({ node: ORIGIN, key, record: { validFrom: '2026-11-03T14:00:00.001Z' } });
    await expectRejected(signed.jws, 'key_not_yet_valid', { resolveKey: ring.resolve });
  });

  it('key_expired: signed at or after validUntil', async () => {
    const signed = await signObject(bulletin(), key);
    for (const validUntil of [CREATED, '2026-06-01T00:00:00Z']) {
      const ring = ringOf({ node: ORIGIN, key, record: { validUntil } });
      await expectRejected(signed.jws, 'key_expired', { resolveKey: ring.resolve });
    }
  });

  it('key_revoked: signed at or after revocation', async () => {
    const signed = await signObject(bulletin(), key);
    for (const revokedAt of [CREATED, '2026-10-01T00:00:00Z']) {
      const ring = ringOf({ node: ORIGIN, key, record: { revokedAt } });
      await expectRejected(signed.jws, 'key_revoked', { resolveKey: ring.resolve });
    }
  });

  it('key_revoked: a compromised key is distrusted whenever it signed', async () => {
    const signed = await signObject(bulletin(), key);
    const ring = ringOf({ node: ORIGIN, key, record: { compromised: true, revokedAt: '2026-12-01T00:00:00Z' } });
    await expectRejected(signed.jws, 'key_revoked', { resolveKey: ring.resolve });
  });

  it('bad_signature: signed by another key claiming this kid', async () => {
    const impostor: NodeKey = { ...other, kid: key.kid };
    const signed = await signObject(bulletin(), impostor);
    await expectRejected(signed.jws, 'bad_signature', {}, /signature does not verify/);
  });

  it('bad_signature: a flipped signature bit', async () => {
    const signed = await signObject(bulletin(), key);
    const [h, p, s] = segments(signed.jws);
    for (const at of [0, 31, 32, 63]) {
      const sig = base64url.decode(s);
      sig[at] = (sig[at] as number) ^ 0x01;
      await expectRejected(`${h}.${p}.${base64url.encode(sig)}`, 'bad_signature');
    }
  });

  it('bad_signature: the payload swapped for another valid object', async () => {
    const signed = await signObject(bulletin(), key);
    const [h, , s] = segments(signed.jws);
    const p2 = base64url.encode(canonicalBytes(bulletin({ tlp: 'CLEAR' })));
    await expectRejected(`${h}.${p2}.${s}`, 'bad_signature');
  });

  it('future: created more than the allowed skew ahead; the boundary is accepted', async () => {
    const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
    const skew = LIMITS.maxClockSkewMs;
    const inside = await signObject(bulletin({ created: at(skew) }), key);
    expect(await verifyObject(inside.jws, opts)).toMatchObject({ ok: true, id: inside.id });
    const ahead = await signObject(bulletin({ created: at(skew + 1) }), key);
    await expectRejected(ahead.jws, 'future', {}, /300s ahead/);

    // A node may choose a tighter skew.
    const slight = await signObject(bulletin({ created: at(1_000) }), key);
    expect((await verifyObject(slight.jws, opts)).ok).toBe(true);
    await expectRejected(slight.jws, 'future', { maxClockSkewMs: 999 });
  });

  it('expired: expires at or before now', async () => {
    const expiresAt = (iso: string) => signObject(bulletin({ expires: iso }), key);
    await expectRejected((await expiresAt('2026-11-03T14:00:30.000Z')).jws, 'expired', {}, /expired at/);
    await expectRejected((await expiresAt(NOW.toISOString())).jws, 'expired');
    const live = await expiresAt('2026-11-03T14:01:00.001Z');
    expect((await verifyObject(live.jws, opts)).ok).toBe(true);
  });

  it('checks run in the documented order: the first failing check names the reason', async () => {
    // Unknown kid and future at once: the key check comes first.
    const object: SignedObject = bulletin({ created: '2027-01-01T00:00:00.000Z' });
    const signed = await signObject(object, key);
    await expectRejected(signed.jws, 'unknown_kid', { resolveKey: ringOf().resolve });
    // Bad signature and expired at once: the signature comes first.
    const impostor = await signObject(bulletin({ expires: '2026-11-03T14:00:01.000Z' }), { ...other, kid: key.kid });
    await expectRejected(impostor.jws, 'bad_signature');
  });
});
