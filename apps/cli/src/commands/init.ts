import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { NodeConfigInput } from '@citylink/node';
import type { Member } from '@citylink/protocol';
import { CliError, UsageError } from '../errors.js';
import { parseJson, readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { createKeyFile, publicKeyRecord, writeJsonFile } from '../node-files.js';
import { CITY_ENTRY, HUB_ENTRY } from '../paths.js';
import { parseHubKeys } from './hub-keys.js';
import type { InitOptions } from './init-options.js';

export const INIT_FILES = {
  config: 'config.json',
  key: 'node-key.json',
  publicKey: 'public-key.json',
  members: 'members.json',
  database: 'data.db',
} as const;

/** Creates a node directory: key (0600), config, public member record, and for a hub an empty members.json. */
export async function init(io: Io, opts: InitOptions): Promise<void> {
  const dir = resolve(opts.dir);
  const hubKeys = opts.hub && (await readHubKeys(opts.hub.jwk));
  const hubNode = opts.hub?.id ?? hubKeys?.node;
  if (opts.role === 'city' && !hubNode) {
    throw new UsageError('--hub-id is required: the hub key you gave does not name the hub node');
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = (await readdir(dir)).filter((f) => (Object.values(INIT_FILES) as string[]).includes(f));
  if (existing.length > 0) {
    throw new CliError(`${dir} already holds a node (${existing.join(', ')}); choose an empty directory`);
  }
  const path = (f: keyof typeof INIT_FILES) => join(dir, INIT_FILES[f]);
  const key = await createKeyFile(path('key'));
  const baseUrl = opts.baseUrl ?? `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  const config: NodeConfigInput = {
    nodeId: opts.id,
    role: opts.role,
    name: opts.name,
    network: opts.network ?? (opts.role === 'hub' ? opts.id : hubNode!),
    host: opts.host,
    port: opts.port,
    ...(opts.baseUrl && { baseUrl: opts.baseUrl }),
    sqlitePath: path('database'),
    keyFile: path('key'),
    logLevel: 'info',
    ...(opts.role === 'hub' && { membersFile: path('members') }),
    ...(opts.hub && hubKeys && { hub: { node: hubNode!, url: opts.hub.url, keys: hubKeys.keys } }),
  };
  const member: Member = {
    node: opts.id,
    name: opts.name,
    baseUrl,
    role: opts.role,
    status: 'active',
    keys: [publicKeyRecord(key)],
  };
  await writeJsonFile(path('config'), config, 0o600);
  await writeJsonFile(path('publicKey'), member);
  if (opts.role === 'hub') await writeJsonFile(path('members'), []);

  const entry = opts.role === 'hub' ? HUB_ENTRY : CITY_ENTRY;
  io.out(`Created ${opts.role} node ${opts.id} in ${dir}`);
  io.out(`  config      ${path('config')}`);
  io.out(`  key         ${path('key')}   (mode 0600: keep it secret and back it up)`);
  io.out(`  public key  ${path('publicKey')}`);
  if (opts.role === 'hub') io.out(`  members     ${path('members')}   (add each city's public-key.json record here)`);
  io.out('');
  io.out(`kid ${key.kid}`);
  io.out(
    opts.role === 'hub'
      ? 'Give this record to every city operator out of band; they pin it with `citylink init --hub-jwk`:'
      : "Send this record to the hub operator out of band; it is this node's entry in the hub's members.json:",
  );
  io.out(JSON.stringify(member, null, 2));
  io.out('');
  io.out(`Add accounts: citylink user add --config ${path('config')} --username NAME --roles staff`);
  io.out(`Start:        CITYLINK_CONFIG=${path('config')} node ${entry}`);
}

async function readHubKeys(value: string) {
  const trimmed = value.trim();
  const source = trimmed.startsWith('{') ? '--hub-jwk' : value;
  const doc = trimmed.startsWith('{') ? parseJson(trimmed, '--hub-jwk') : await readJsonFile(value);
  return parseHubKeys(doc, source);
}
