import { LIMITS } from '@citylink/protocol';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createRequestToken,
  type KeyRing,
  type NodeKey,
  REQUEST_TOKEN_TYP,
  ReplayCache,
  verifyRequestToken,
} from '../src/index.js';
import { NOW, newKey, ringOf } from './fixtures.js';

const ISSUER = 'wi-madison';
const AUDIENCE = 'wi-hub';
const SCOPE = 'sync.pull';
const later = (ms: number) => new Date(NOW.getTime() + ms);

let key: NodeKey;
let ring: KeyRing;
beforeAll(async () => {
  key = await newKey();
  ring = ringOf({ node: ISSUER, key });
});

const token = (extra: { ttlMs?: number; now?: Date; audience?: string; scope?: string; key?: NodeKey } = {}) =>
  createRequestToken({ key, issuer: ISSUER, audience: AUDIENCE, scope: SCOPE, now: NOW, ...extra });

const verify = (t: unknown, extra: { audience?: string; scope?: string; now?: Date; replay?: ReplayCache } = {}) =>
  verifyRequestToken(t, {
    audience: AUDIENCE,
    scope: SCOPE,
    resolveKey: ring.resolve,
    replay: new ReplayCache(),
    now: NOW,
    ...extra,
  });

describe('createRequestToken', () => {
  it('carries iss, aud, scope, a unique jti and a short life', async () => {
    const t = await token();
    expect(decodeProtectedHeader(t)).toEqual({ alg: 'EdDSA', typ: REQUEST_TOKEN_TYP, kid: key.kid });
    const claims = decodeJwt(t);
    const iat = NOW.getTime() / 1000;
    expect(claims).toEqual({
      scope: SCOPE,
      iss: ISSUER,
      aud: AUDIENCE,
      iat,
      exp: iat + 60,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(decodeJwt(await token()).jti).not.toBe(claims.jti);
  });

  it('caps the lifetime at the protocol maximum', async () => {
    const claims = decodeJwt(await token({ ttlMs: 60 * 60 * 1000 }));
    expect((claims.exp as number) - (claims.iat as number)).toBe(LIMITS.maxRequestTokenTtlMs / 1000);
    const short = decodeJwt(await token({ ttlMs: 1_500 }));
    expect((short.exp as number) - (short.iat as number)).toBe(2);
  });
});

describe('verifyRequestToken', () => {
  it('accepts a fresh token for this node and scope', async () => {
    const t = await token();
    const result = await verify(t, { now: later(10_000) });
    expect(result).toEqual({ ok: true, issuer: ISSUER, scope: SCOPE, jti: decodeJwt(t).jti, kid: key.kid });
  });

  it('accepts any scope when the caller does not ask for one', async () => {
    const result = await verifyRequestToken(await token({ scope: 'statement.sign' }), {
      audience: AUDIENCE,
      resolveKey: ring.resolve,
      replay: new ReplayCache(),
      now: NOW,
    });
    expect(result).toMatchObject({ ok: true, scope: 'statement.sign' });
  });

  it('refuses a token for another audience', async () => {
    const result = await verify(await token({ audience: 'wi-milwaukee' }));
    expect(result).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/aud/) });
  });

  it('refuses a token for another scope', async () => {
    const result = await verify(await token({ scope: 'sync.push' }));
    expect(result).toEqual({ ok: false, reason: 'invalid', detail: 'token is for sync.push, not sync.pull' });
  });

  it('refuses the same token twice', async () => {
    const replay = new ReplayCache();
    const t = await token();
    expect((await verify(t, { replay })).ok).toBe(true);
    const again = await verify(t, { replay, now: later(5_000) });
    expect(again).toMatchObject({
      ok: false,
      reason: 'replayed',
      detail: expect.stringContaining(decodeJwt(t).jti as string),
    });
    // A different token from the same node is fine.
    expect((await verify(await token(), { replay })).ok).toBe(true);
  });

  it('refuses an expired token, beyond the 30 s tolerance', async () => {
    const t = await token();
    expect((await verify(t, { now: later(60_000 + 29_000) })).ok).toBe(true);
    expect(await verify(t, { now: later(60_000 + 31_000) })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verify(t, { now: later(60 * 60 * 1000) })).toMatchObject({
      ok: false,
      reason: 'invalid',
      detail: expect.stringMatching(/exp/),
    });
  });

  it('refuses a token issued in the future', async () => {
    const result = await verify(await token({ now: later(5 * 60 * 1000) }));
    expect(result).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/iat/) });
  });

  it('refuses a hand-made token that lives longer than allowed', async () => {
    const iat = NOW.getTime() / 1000;
    const t = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'EdDSA', typ: REQUEST_TOKEN_TYP, kid: key.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .setJti('long-lived')
      .sign(key.privateKey);
    expect(await verify(t)).toEqual({
      ok: false,
      reason: 'invalid',
      detail: 'request token lives longer than allowed',
    });
  });

  it('refuses a token without jti or with another typ', async () => {
    const iat = NOW.getTime() / 1000;
    const base = () =>
      new SignJWT({ scope: SCOPE })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60);
    const noJti = await base()
      .setProtectedHeader({ alg: 'EdDSA', typ: REQUEST_TOKEN_TYP, kid: key.kid })
      .sign(key.privateKey);
    expect(await verify(noJti)).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/jti/) });
    const jwtTyp = await base()
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })
      .setJti('x')
      .sign(key.privateKey);
    expect(await verify(jwtTyp)).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/typ/) });
  });

  it('refuses a token signed by another key under this kid', async () => {
    const impostor = await newKey();
    const result = await verify(await token({ key: { ...impostor, kid: key.kid } }));
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses a token whose issuer key is unknown', async () => {
    const stranger = await newKey();
    expect(await verify(await token({ key: stranger }))).toEqual({
      ok: false,
      reason: 'unknown_kid',
      detail: `no key ${stranger.kid} for node ${ISSUER}`,
    });
    const otherIssuer = await createRequestToken({
      key,
      issuer: 'wi-milwaukee',
      audience: AUDIENCE,
      scope: SCOPE,
      now: NOW,
    });
    expect(await verify(otherIssuer)).toMatchObject({ ok: false, reason: 'unknown_kid' });
  });

  it('refuses a token signed with a revoked or compromised key', async () => {
    const t = await token();
    for (const record of [{ revokedAt: '2026-11-03T13:00:00Z' }, { compromised: true }]) {
      const revoked = ringOf({ node: ISSUER, key, record });
      const result = await verifyRequestToken(t, {
        audience: AUDIENCE,
        resolveKey: revoked.resolve,
        replay: new ReplayCache(),
        now: NOW,
      });
      expect(result).toMatchObject({ ok: false, reason: 'key_revoked', detail: expect.stringContaining(key.kid) });
    }
  });

  it('refuses garbage as malformed', async () => {
    for (const junk of [undefined, null, 42, '', 'abc', 'a.b.c', `${'a'.repeat(5000)}`]) {
      const result = await verify(junk);
      expect(result).toMatchObject({ ok: false, reason: 'malformed' });
      expect(result.ok || result.detail.length > 0).toBe(true);
    }
    const t = await token();
    const [h, p] = t.split('.');
    expect(await verify(`${h}.${p}`)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('ReplayCache', () => {
  it("claims an issuer's jti once until it expires", () => {
    const cache = new ReplayCache();
    expect(cache.claim('n1', 'a', 1_000, 0)).toBe('claimed');
    expect(cache.claim('n1', 'a', 1_000, 999)).toBe('replayed');
    expect(cache.claim('n2', 'a', 1_000, 999)).toBe('claimed');
    expect(cache.claim('n1', 'b', 1_000, 999)).toBe('claimed');
    expect(cache.claim('n1', 'a', 2_000, 1_000)).toBe('claimed');
    expect(cache.claim('n1', 'a', 2_000, 1_500)).toBe('replayed');
  });

  it('an issuer with too many live ids gets its new ones refused; others are not affected', () => {
    const cache = new ReplayCache(100, 10);
    const far = 1_000_000;
    for (let i = 0; i < 10; i++) expect(cache.claim('flood', `k${i}`, far, 0)).toBe('claimed');
    expect(cache.claim('flood', 'k10', far, 0)).toBe('full');
    // Every remembered id is still refused: nothing live was forgotten.
    for (let i = 0; i < 10; i++) expect(cache.claim('flood', `k${i}`, far, 0)).toBe('replayed');
    expect(cache.claim('honest', 'k10', far, 0)).toBe('claimed');
    // Once its ids expire, the issuer has room again.
    expect(cache.claim('flood', 'k11', far + 1, far)).toBe('claimed');
  });

  it('when full of live ids in all, refuses new ones until some expire', () => {
    const cache = new ReplayCache(10, 10);
    for (let i = 0; i < 5; i++) cache.claim('a', `long${i}`, 10_000, 0);
    for (let i = 0; i < 5; i++) cache.claim('b', `short${i}`, 100, 0);
    expect(cache.claim('c', 'new', 10_000, 50)).toBe('full');
    // Expired ids of other issuers are swept to make room, never live ones.
    expect(cache.claim('c', 'new', 10_000, 2_000)).toBe('claimed');
    for (let i = 0; i < 5; i++) expect(cache.claim('a', `long${i}`, 10_000, 2_000)).toBe('replayed');
  });

  it('a token refused because the cache is full says so', async () => {
    const replay = new ReplayCache(1);
    expect(await verify(await token(), { replay })).toMatchObject({ ok: true });
    expect(await verify(await token(), { replay })).toMatchObject({ ok: false, reason: 'busy' });
  });
});
