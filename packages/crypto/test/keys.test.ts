import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url } from '@citylink/protocol';
import { calculateJwkThumbprint, compactVerify, exportJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  exportNodeKey,
  generateNodeKey,
  importNodeKey,
  KeyFileError,
  readKeyFile,
  signObject,
  thumbprint,
  writeKeyFile,
} from '../src/index.js';
import { bulletin, newKey, VALID_FROM } from './fixtures.js';

describe('generateNodeKey', () => {
  it('derives kid as the RFC 7638 SHA-256 thumbprint of the public JWK', async () => {
    const key = await newKey();
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key.created).toBe(new Date(VALID_FROM).toISOString());

    // Independently, through jose, from the exported public key.
    expect(await calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256')).toBe(key.kid);

    // Independently, by hand: SHA-256 over the required members in lexicographic order, no whitespace.
    const members = `{"crv":"Ed25519","kty":"OKP","x":"${key.publicJwk.x}"}`;
    expect(createHash('sha256').update(members, 'utf8').digest('base64url')).toBe(key.kid);
    expect(await thumbprint(key.publicJwk)).toBe(key.kid);
  });

  it('gives every key its own kid and its own public key', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => newKey()));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(8);
    expect(new Set(keys.map((k) => k.publicJwk.x)).size).toBe(8);
  });

  it('public x is the 32-byte Ed25519 public key', async () => {
    const key = await newKey();
    expect(base64url.decode(key.publicJwk.x)).toHaveLength(32);
  });
});

describe('exportNodeKey / importNodeKey', () => {
  it('round-trips the private key', async () => {
    const key = await newKey();
    const file = await exportNodeKey(key);
    expect(file.kid).toBe(key.kid);
    expect(file.created).toBe(key.created);
    expect(file.jwk).toMatchObject({ ...key.publicJwk, d: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });

    const imported = await importNodeKey(file);
    expect(imported.kid).toBe(key.kid);
    expect(imported.publicJwk).toEqual(key.publicJwk);
    const signed = await signObject(bulletin(), imported);
    const { payload } = await compactVerify(signed.jws, key.publicKey);
    expect(payload).toEqual(signed.payload);
  });

  it("refuses a file whose kid is not its key's thumbprint", async () => {
    const [a, b] = await Promise.all([newKey(), newKey()]);
    const file = { ...(await exportNodeKey(a)), kid: b.kid };
    await expect(importNodeKey(file)).rejects.toThrow(KeyFileError);
    await expect(importNodeKey(file)).rejects.toThrow(/does not match/);
  });

  it('refuses a file without the private part', async () => {
    const key = await newKey();
    const file = await exportNodeKey(key);
    const { d: _d, ...publicOnly } = file.jwk;
    await expect(importNodeKey({ ...file, jwk: publicOnly as typeof file.jwk })).rejects.toThrow(KeyFileError);
  });

  it('refuses a private part that belongs to another public key', async () => {
    const [a, b] = await Promise.all([newKey(), newKey()]);
    const fileA = await exportNodeKey(a);
    const fileB = await exportNodeKey(b);
    const mixed = { ...fileA, jwk: { ...fileA.jwk, d: fileB.jwk.d } };
    // WebCrypto checks that d and x belong together; either way the mixed key must not import.
    await expect(importNodeKey(mixed)).rejects.toThrow();
  });
});

describe('writeKeyFile / readKeyFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-keys-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the key readable by its owner only and leaves no temporary file', async () => {
    const key = await newKey();
    const path = join(dir, 'node.key');
    await writeKeyFile(path, key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['node.key']);
    const json = JSON.parse(await readFile(path, 'utf8'));
    expect(json).toEqual(await exportNodeKey(key));
  });

  it('reads back a key that signs what the original public key verifies', async () => {
    const key = await newKey();
    const path = join(dir, 'node.key');
    await writeKeyFile(path, key);
    const read = await readKeyFile(path);
    expect(read.kid).toBe(key.kid);
    expect(read.created).toBe(key.created);
    expect(read.publicJwk).toEqual(key.publicJwk);

    const signed = await signObject(bulletin(), read);
    const { payload, protectedHeader } = await compactVerify(signed.jws, key.publicKey, { algorithms: ['EdDSA'] });
    expect(payload).toEqual(signed.payload);
    expect(protectedHeader.kid).toBe(key.kid);
  });

  it('overwrites an existing key file atomically', async () => {
    const [first, second] = await Promise.all([newKey(), newKey()]);
    const path = join(dir, 'node.key');
    await writeKeyFile(path, first);
    await writeKeyFile(path, second);
    expect((await readKeyFile(path)).kid).toBe(second.kid);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that group or others can read, and says how to fix it', async () => {
    const key = await newKey();
    const path = join(dir, 'node.key');
    await writeKeyFile(path, key);
    await chmod(path, 0o644);
    const attempt = readKeyFile(path);
    await expect(attempt).rejects.toThrow(KeyFileError);
    await expect(readKeyFile(path)).rejects.toThrow(`mode 644); run: chmod 600 ${path}`);

    await chmod(path, 0o640);
    await expect(readKeyFile(path)).rejects.toThrow(/chmod 600/);
    await chmod(path, 0o600);
    expect((await readKeyFile(path)).kid).toBe(key.kid);
  });

  it('refuses a file that is not JSON', async () => {
    const path = join(dir, 'node.key');
    await writeFile(path, 'not a key\n', { mode: 0o600 });
    await expect(readKeyFile(path)).rejects.toThrow(KeyFileError);
    await expect(readKeyFile(path)).rejects.toThrow(/is not a CityLink key file/);
  });

  it('refuses a key file whose kid was edited', async () => {
    const [key, other] = await Promise.all([newKey(), newKey()]);
    const path = join(dir, 'node.key');
    await writeFile(path, JSON.stringify({ ...(await exportNodeKey(key)), kid: other.kid }), { mode: 0o600 });
    await expect(readKeyFile(path)).rejects.toThrow(KeyFileError);
  });

  it('fails on a missing file', async () => {
    await expect(readKeyFile(join(dir, 'absent.key'))).rejects.toThrow(/ENOENT/);
  });

  it('generates keys stamped with the given time', async () => {
    const key = await generateNodeKey(new Date('2026-05-06T07:08:09.010Z'));
    expect(key.created).toBe('2026-05-06T07:08:09.010Z');
  });
});
