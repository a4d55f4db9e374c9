import { access, chmod, writeFile } from 'node:fs/promises';
import { generateNodeKey, type NodeKey, writeKeyFile } from '@citylink/crypto';
import type { KeyRecord } from '@citylink/protocol';
import { CliError } from './errors.js';

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Generates a node key and writes it to `path` (mode 0600); never overwrites an existing key. */
export async function createKeyFile(path: string): Promise<NodeKey> {
  if (await exists(path)) throw new CliError(`${path} already exists; refusing to overwrite a node key`);
  const key = await generateNodeKey();
  await writeKeyFile(path, key);
  return key;
}

/** The public half of a node key as the roster carries it. */
export function publicKeyRecord(key: NodeKey): KeyRecord {
  return { kid: key.kid, jwk: key.publicJwk, validFrom: key.created };
}

export async function writeJsonFile(path: string, value: unknown, mode = 0o644): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode });
  await chmod(path, mode);
}
