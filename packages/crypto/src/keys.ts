import { chmod, open, readFile, rename, stat } from 'node:fs/promises';
import { type Ed25519PublicJwk, Ed25519PublicJwkSchema } from '@citylink/protocol';
import type { CryptoKey } from 'jose';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** An Ed25519 node key. `kid` is the RFC 7638 SHA-256 thumbprint of the public JWK, so it is never reused. */
export interface NodeKey {
  kid: string;
  created: string;
  publicJwk: Ed25519PublicJwk;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export interface NodeKeyFile {
  kid: string;
  created: string;
  jwk: Ed25519PublicJwk & { d: string };
}

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

export async function thumbprint(jwk: Ed25519PublicJwk): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
}

export async function generateNodeKey(now: Date = new Date()): Promise<NodeKey> {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const publicJwk = Ed25519PublicJwkSchema.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
  return { kid: await thumbprint(publicJwk), created: now.toISOString(), publicJwk, privateKey, publicKey };
}

export async function importPublicKey(jwk: Ed25519PublicJwk): Promise<CryptoKey> {
  const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'Ed25519');
  if (key instanceof Uint8Array) throw new KeyFileError('expected an asymmetric key');
  return key;
}

export async function exportNodeKey(key: NodeKey): Promise<NodeKeyFile> {
  const jwk = await exportJWK(key.privateKey);
  if (typeof jwk.d !== 'string') throw new KeyFileError('private key is not extractable');
  return { kid: key.kid, created: key.created, jwk: { ...key.publicJwk, d: jwk.d } };
}

export async function importNodeKey(file: NodeKeyFile): Promise<NodeKey> {
  if (typeof file !== 'object' || file === null || typeof file.jwk !== 'object' || file.jwk === null) {
    throw new KeyFileError('not a CityLink key file (expected {kid, created, jwk})');
  }
  const publicJwk = Ed25519PublicJwkSchema.parse({ kty: file.jwk.kty, crv: file.jwk.crv, x: file.jwk.x });
  if (typeof file.jwk.d !== 'string') throw new KeyFileError('key file has no private part');
  const kid = await thumbprint(publicJwk);
  if (file.kid !== kid) throw new KeyFileError(`key file kid ${file.kid} does not match its key (${kid})`);
  const privateKey = await importJWK({ ...publicJwk, d: file.jwk.d } as JWK, 'Ed25519', { extractable: true });
  if (privateKey instanceof Uint8Array) throw new KeyFileError('expected an asymmetric key');
  return { kid, created: file.created, publicJwk, privateKey, publicKey: await importPublicKey(publicJwk) };
}

/**
 * Writes a key file readable by its owner only (mode 0600). The file is written
 * under a temporary name, synced, then renamed, so a crash never leaves half a key.
 */
export async function writeKeyFile(path: string, key: NodeKey): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(await exportNodeKey(key), null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** Reads a key file, refusing one that group or others can read. */
export async function readKeyFile(path: string): Promise<NodeKey> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new KeyFileError(
      `${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  }
  let parsed: NodeKeyFile;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as NodeKeyFile;
  } catch (err) {
    throw new KeyFileError(`${path} is not a CityLink key file: ${(err as Error).message}`);
  }
  return importNodeKey(parsed);
}
