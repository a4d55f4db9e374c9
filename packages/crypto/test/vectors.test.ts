import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canonicalJson, type KeyRecord } from '@citylink/protocol';
import { compactVerify, generalVerify, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildVectors, VECTOR_FILES, vectorFiles } from '../scripts/vectors.js';
import {
  KeyRing,
  ReplayCache,
  thumbprint,
  verifyCosignatures,
  verifyObject,
  verifyRequestToken,
} from '../src/index.js';

const dir = new URL('../../../docs/protocol/vectors/', import.meta.url);
const load = async <T>(name: string): Promise<T> => JSON.parse(await readFile(new URL(`${name}.json`, dir), 'utf8'));

interface Keys {
  now: string;
  node: string;
  records: KeyRecord[];
}
const keys = await load<Keys>('keys');
const ring = new KeyRing([{ node: keys.node, keys: keys.records }]);
const now = new Date(keys.now);
const jwkOf = (kid: string) => keys.records.find((r) => r.kid === kid)!.jwk;

const validVectors = (
  await load<{ vectors: { name: string; input: unknown; canonical: string; id: string; kid: string; jws: string }[] }>(
    'valid-objects',
  )
).vectors;
const preparednessVectors = (
  await load<{ vectors: { name: string; input: unknown; canonical: string; id: string; kid: string; jws: string }[] }>(
    'preparedness-objects',
  )
).vectors;
const invalidVectors = (await load<{ vectors: { name: string; reason: string; jws: string }[] }>('invalid-objects'))
  .vectors;

describe('protocol test vectors (docs/protocol/vectors)', () => {
  it('are what the generator produces from the current code', async () => {
    const fresh = vectorFiles(await buildVectors());
    for (const name of VECTOR_FILES) {
      expect(await load(name), `${name}.json is stale: npm run vectors -w @citylink/crypto`).toEqual(
        JSON.parse(JSON.stringify(fresh[name])),
      );
    }
  });

  it('cover every reason a verifier can give except the structural ones', () => {
    expect(new Set(invalidVectors.map((v) => v.reason)).size).toBeGreaterThanOrEqual(10);
  });

  it.each([...validVectors, ...preparednessVectors])(
    '$name: canonical form, id, and signature check with our verifier and plain jose',
    async (v) => {
      expect(canonicalJson(v.input)).toBe(v.canonical);
      expect(createHash('sha256').update(v.canonical, 'utf8').digest('base64url')).toBe(v.id);
      const result = await verifyObject(v.jws, { resolveKey: ring.resolve, now });
      expect(result).toMatchObject({ ok: true, id: v.id });

      const plain = await compactVerify(v.jws, await importJWK(jwkOf(v.kid), 'EdDSA'));
      expect(new TextDecoder().decode(plain.payload)).toBe(v.canonical);
      expect(plain.protectedHeader).toMatchObject({ alg: 'EdDSA', kid: v.kid });
    },
  );

  it.each(invalidVectors)('$name is rejected as $reason', async (v) => {
    const result = await verifyObject(v.jws, { resolveKey: ring.resolve, now });
    expect(result.ok ? 'accepted' : result.reason).toBe(v.reason);
  });

  it('co-signature verifies with our verifier and with plain jose.generalVerify', async () => {
    const v = await load<{ canonical: string; textHash: string; generalJws: { payload: string; signatures: [] } }>(
      'cosignature',
    );
    const result = await verifyCosignatures(v.generalJws, ring.resolve);
    expect(result.allValid).toBe(true);
    expect(result.textHash).toBe(v.textHash);
    expect(createHash('sha256').update(v.canonical, 'utf8').digest('base64url')).toBe(v.textHash);
    const plain = await generalVerify(v.generalJws, await importJWK(jwkOf(keys.records[0]!.kid), 'EdDSA'));
    expect(new TextDecoder().decode(plain.payload)).toBe(v.canonical);
  });

  it('request token verifies with our verifier and with plain jose.jwtVerify', async () => {
    const v = await load<{ token: string; verifyAt: string; expect: { iss: string; aud: string; scope: string } }>(
      'request-token',
    );
    const at = new Date(v.verifyAt);
    const ours = await verifyRequestToken(v.token, {
      audience: v.expect.aud,
      resolveKey: ring.resolve,
      replay: new ReplayCache(),
      now: at,
    });
    expect(ours).toMatchObject({ ok: true, issuer: v.expect.iss, scope: v.expect.scope });
    const plain = await jwtVerify(v.token, await importJWK(jwkOf(keys.records[0]!.kid), 'EdDSA'), {
      audience: v.expect.aud,
      currentDate: at,
    });
    expect(plain.payload.scope).toBe(v.expect.scope);
  });

  it('link token: the first message of a link carries a request token of scope federation.link', async () => {
    const { link, verifyAt } = await load<{
      verifyAt: string;
      link: { firstMessage: string; token: string; expect: { iss: string; aud: string; scope: string } };
    }>('request-token');
    expect(JSON.parse(link.firstMessage)).toEqual({ method: 'connectionParams', data: { peer: link.token } });
    const ours = await verifyRequestToken(link.token, {
      audience: link.expect.aud,
      scope: link.expect.scope,
      resolveKey: ring.resolve,
      replay: new ReplayCache(),
      now: new Date(verifyAt),
    });
    expect(ours).toMatchObject({ ok: true, issuer: link.expect.iss, scope: 'federation.link' });
  });

  it('membership: the pinned hub key verifies roster 1 and, through the key chain, roster 2', async () => {
    const v = await load<{
      pinnedHubKey: KeyRecord;
      roster: string;
      hubKeyChain: string[];
      rosterAfterRotation: string;
    }>('membership');
    expect(await thumbprint(v.pinnedHubKey.jwk)).toBe(v.pinnedHubKey.kid);
    const pinned = new KeyRing([{ node: 'wi-hub', keys: [v.pinnedHubKey] }]);
    const at = { now: new Date('2026-07-01T00:00:00Z') };
    expect(await verifyObject(v.roster, { resolveKey: pinned.resolve, kinds: ['roster'], ...at })).toMatchObject({
      ok: true,
    });
    expect(await verifyObject(v.rosterAfterRotation, { resolveKey: pinned.resolve, ...at })).toMatchObject({
      ok: false,
      reason: 'unknown_kid',
    });
    const announced = await verifyObject(v.hubKeyChain[0], { resolveKey: pinned.resolve, ...at });
    if (!announced.ok) throw new Error(announced.reason);
    expect(announced.kid).toBe(v.pinnedHubKey.kid);
    const next = (announced.object.body as { key: KeyRecord }).key;
    const followed = new KeyRing([{ node: 'wi-hub', keys: [v.pinnedHubKey, next] }]);
    expect(await verifyObject(v.rosterAfterRotation, { resolveKey: followed.resolve, ...at })).toMatchObject({
      ok: true,
    });
    // Independently of our wrappers: plain jose with the announced key.
    await compactVerify(v.rosterAfterRotation, await importJWK(next.jwk, 'EdDSA'));
  });
});
