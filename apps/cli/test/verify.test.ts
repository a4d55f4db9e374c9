import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKey, KeyRing, type NodeKey, signObject } from '@citylink/crypto';
import type { Bulletin } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwksRecords, parseKeysOption } from '../src/commands/key-directory.js';
import { VerificationFailedError, verify } from '../src/commands/verify.js';
import { parseVerifyInput } from '../src/commands/verify-input.js';
import { UsageError } from '../src/errors.js';
import { captureIo } from './capture-io.js';

const JWS = 'eyJhbGciOiJFZERTQSJ9.eyJ2IjoxfQ.c2ln';

describe('parseVerifyInput', () => {
  it('takes bare compact JWS lines and feed lines, skipping blanks and comments', () => {
    const text = [
      '# exported from wi-hub',
      JWS,
      '',
      `  ${JSON.stringify({ seq: 3, id: 'abc', kind: 'bulletin', jws: JWS })}  `,
      JSON.stringify({ jws: JWS }),
    ].join('\r\n');
    expect(parseVerifyInput(`\uFEFF${text}\n`)).toEqual([
      { line: 2, jws: JWS },
      { line: 4, jws: JWS, expectedId: 'abc' },
      { line: 5, jws: JWS },
    ]);
  });

  it('reports each bad line with its number instead of failing the whole input', () => {
    const items = parseVerifyInput(['{"jws": 1}', '{not json', 'hello world', 'a.b', JWS].join('\n'));
    expect(items.map((i) => i.line)).toEqual([1, 2, 3, 4, 5]);
    expect(items[0]).toMatchObject({ error: expect.stringContaining('"jws" string') });
    expect(items[1]).toMatchObject({ error: expect.stringContaining('not valid JSON') });
    expect(items[2]).toMatchObject({ error: expect.stringContaining('compact JWS') });
    expect(items[3]).toMatchObject({ error: expect.stringContaining('compact JWS') });
    expect(items[4]).toEqual({ line: 5, jws: JWS });
  });

  it('returns nothing for empty input', () => {
    expect(parseVerifyInput('\n\n# only a comment\n')).toEqual([]);
  });
});

describe('parseKeysOption', () => {
  it('accepts URL or NODE=URL', () => {
    expect(parseKeysOption('http://127.0.0.1:4001/.well-known/jwks.json')).toEqual({
      url: 'http://127.0.0.1:4001/.well-known/jwks.json',
    });
    expect(parseKeysOption('wi-hub=https://hub.example/jwks.json')).toEqual({
      node: 'wi-hub',
      url: 'https://hub.example/jwks.json',
    });
    expect(() => parseKeysOption('wi-hub=nope')).toThrow(UsageError);
  });
});

describe('verify against a key directory', () => {
  let key: NodeKey;
  let other: NodeKey;
  let dir: string;
  const bulletin = (created: string): Bulletin => ({
    v: 1,
    kind: 'bulletin',
    origin: 'wi-madison',
    created,
    tlp: 'GREEN',
    audience: ['*'],
    body: { title: 'Phishing', narrative: 'Look-alike domain', category: 'cyber.phishing', severity: 'low' },
  });

  beforeAll(async () => {
    key = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
    other = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
    dir = await mkdtemp(join(tmpdir(), 'citylink-verify-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const directory = (ring: KeyRing) => async () => ({ resolveKey: ring.resolve, nodes: ['wi-madison'], warnings: [] });
  const ringWith = (k: NodeKey) =>
    new KeyRing([{ node: 'wi-madison', keys: [{ kid: k.kid, jwk: k.publicJwk, validFrom: k.created }] }]);

  it('prints OK per object and FAIL with the reason per bad one, then fails', async () => {
    const good = await signObject(bulletin('2026-03-01T10:00:00.000Z'), key);
    const forged = await signObject(bulletin('2026-03-01T10:00:01.000Z'), other);
    const file = join(dir, 'in.jsonl');
    await writeFile(
      file,
      [
        good.jws,
        JSON.stringify({ id: good.id, jws: good.jws }),
        JSON.stringify({ id: forged.id, jws: good.jws }),
        forged.jws,
        'garbage',
      ].join('\n'),
    );
    const { io, out } = captureIo();
    const run = verify(io, { input: file, keys: directory(ringWith(key)) });
    await expect(run).rejects.toThrow(VerificationFailedError);
    await expect(run).rejects.toThrow(/^3 of 5 failed/);
    expect(out[0]).toBe(`OK ${good.id} bulletin from wi-madison (key ${key.kid})`);
    expect(out[1]).toBe(out[0]);
    expect(out[2]).toMatch(/^FAIL id_mismatch: line 3 /);
    expect(out[3]).toMatch(/^FAIL unknown_kid: no key .* for node wi-madison$/);
    expect(out[4]).toMatch(/^FAIL malformed: line 5: /);
  });

  it('reads standard input for - and succeeds when everything verifies', async () => {
    const good = await signObject(bulletin('2026-03-02T10:00:00.000Z'), key);
    const { io, out } = captureIo({}, `${good.jws}\n`);
    await verify(io, { input: '-', keys: directory(ringWith(key)) });
    expect(out).toEqual([`OK ${good.id} bulletin from wi-madison (key ${key.kid})`]);
  });

  it('refuses empty input before fetching any key', async () => {
    const { io } = captureIo({}, '\n');
    let fetched = false;
    const keys = async () => {
      fetched = true;
      return { resolveKey: () => undefined, nodes: [], warnings: [] };
    };
    await expect(verify(io, { input: undefined, keys })).rejects.toThrow(/nothing to verify/);
    expect(fetched).toBe(false);
  });

  it('jwksRecords keeps keys whose kid is their thumbprint, with validity', async () => {
    const warnings: string[] = [];
    const jwk = { ...key.publicJwk, alg: 'EdDSA', use: 'sig' };
    const records = await jwksRecords(
      {
        keys: [
          { ...jwk, kid: key.kid, validFrom: key.created, revokedAt: '2026-06-01T00:00:00.000Z' },
          { ...jwk, kid: other.kid, validFrom: key.created },
          { kty: 'RSA', kid: 'x' },
        ],
      },
      'http://n/.well-known/jwks.json',
      warnings,
    );
    expect(records).toEqual([
      { kid: key.kid, jwk: key.publicJwk, validFrom: key.created, revokedAt: '2026-06-01T00:00:00.000Z' },
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('not the key');
    await expect(jwksRecords({ nope: [] }, 'http://n/x', [])).rejects.toThrow(/not a JWKS/);
  });
});

describe('citylink verify - (a statement bundle on standard input)', () => {
  it('checks a bundle read from standard input, as from a file', async () => {
    const { run } = await import('../src/program.js');
    const bundle = JSON.stringify({ format: 'citylink-statement-bundle/1', title: 'Unsigned title' });
    for (const args of [['verify', '-'], ['verify']]) {
      const { io, out } = captureIo({}, bundle);
      const code = await run(['node', 'citylink', ...args], io);
      // Taken as a bundle (not as JWS lines needing --node): it does not verify, and says why.
      expect(code).toBe(1);
      expect(out[0]).toBe('statement: (unreadable)');
      expect(out).toContain('FAIL the bundle’s title differs from the title in the signed text');
    }
  });
});
