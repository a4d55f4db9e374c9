import { NodeIdSchema } from '@citylink/protocol';
import { UsageError } from '../errors.js';
import { parseNodeUrl } from '../node-url.js';
import { parseKid } from './membership-options.js';

export interface InitOptions {
  role: 'city' | 'hub';
  id: string;
  name: string;
  dir: string;
  host: string;
  port: number;
  baseUrl?: string;
  network?: string;
  /** City: the hub's URL, and its key as a file/JSON (`jwk`) and/or a fingerprint checked against its published keys. */
  hub?: { url: string; jwk?: string; fingerprint?: string; id?: string };
}

/** Defaults: hub port 4000, city port 4001, host 127.0.0.1 (put a TLS proxy in front for real use). */
export const DEFAULT_PORT = { hub: 4000, city: 4001 } as const;

export interface RawInitOptions {
  role: string;
  id: string;
  name: string;
  dir: string;
  host?: string;
  port?: string;
  baseUrl?: string;
  network?: string;
  hubUrl?: string;
  hubJwk?: string;
  hubFingerprint?: string;
  hubId?: string;
}

export function parsePort(value: string, option = '--port'): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`${option}: ${JSON.stringify(value)} is not a port number (1-65535)`);
  }
  return port;
}

function nodeId(value: string, option: string): string {
  if (!NodeIdSchema.safeParse(value).success) {
    throw new UsageError(`${option}: ${JSON.stringify(value)} is not a node id (lowercase letters, digits, dashes)`);
  }
  return value;
}

export function parseInitOptions(raw: RawInitOptions): InitOptions {
  if (raw.role !== 'city' && raw.role !== 'hub') throw new UsageError('--role must be city or hub');
  const role = raw.role;
  const name = raw.name.trim();
  if (name.length === 0 || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
  if (raw.dir.trim() === '') throw new UsageError('--dir must not be empty');
  const hubFlags = [
    raw.hubUrl && '--hub-url',
    raw.hubJwk && '--hub-jwk',
    raw.hubFingerprint && '--hub-fingerprint',
    raw.hubId && '--hub-id',
  ].filter(Boolean);
  if (role === 'hub' && hubFlags.length > 0) throw new UsageError(`${hubFlags.join(', ')}: only for --role city`);
  if (role === 'city' && (!raw.hubUrl || (!raw.hubJwk && !raw.hubFingerprint))) {
    throw new UsageError(
      'a city needs --hub-url URL and --hub-fingerprint KID (the hub key fingerprint, from its operator), or --hub-jwk FILE_OR_JSON',
    );
  }
  return {
    role,
    id: nodeId(raw.id, '--id'),
    name,
    dir: raw.dir,
    host: raw.host ?? '127.0.0.1',
    port: raw.port === undefined ? DEFAULT_PORT[role] : parsePort(raw.port),
    ...(raw.baseUrl !== undefined && { baseUrl: parseNodeUrl(raw.baseUrl, '--base-url') }),
    ...(raw.network !== undefined && { network: nodeId(raw.network, '--network') }),
    ...(role === 'city' && {
      hub: {
        url: parseNodeUrl(raw.hubUrl!, '--hub-url'),
        ...(raw.hubJwk !== undefined && { jwk: raw.hubJwk }),
        ...(raw.hubFingerprint !== undefined && { fingerprint: parseKid(raw.hubFingerprint, '--hub-fingerprint') }),
        ...(raw.hubId !== undefined && { id: nodeId(raw.hubId, '--hub-id') }),
      },
    }),
  };
}
