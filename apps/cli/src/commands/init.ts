import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { thumbprint } from '@citylink/crypto';
import type { NodeConfigInput } from '@citylink/node';
import type { Member } from '@citylink/protocol';
import { CliError, UsageError } from '../errors.js';
import { parseJson, readJsonFile } from '../input-files.js';
import type { Io } from '../io.js';
import { createKeyFile, publicKeyRecord, writeJsonFile } from '../node-files.js';
import { CITY_ENTRY, HUB_ENTRY } from '../paths.js';
import { type PinnedHubKey, parseHubKeys } from './hub-keys.js';
import { fetchHubKey } from './hub-trust.js';
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
  // Everything about the hub is settled (and fetched) before anything is written.
  const hub = opts.hub && (await resolveHub(opts.hub, opts.network, io));
  const hubNode = hub?.node;
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
  const insecure = baseUrl.startsWith('http:');
  const config: NodeConfigInput = {
    nodeId: opts.id,
    role: opts.role,
    name: opts.name,
    network: opts.network ?? (opts.role === 'hub' ? opts.id : (hub?.network ?? hubNode!)),
    host: opts.host,
    port: opts.port,
    ...(opts.baseUrl && { baseUrl: opts.baseUrl }),
    // A node that itself answers over plain http is a local or test network: let it call
    // peers that do too. With an https --base-url, only https peers at public addresses.
    ...(insecure && { allowInsecurePeers: true }),
    sqlitePath: path('database'),
    keyFile: path('key'),
    logLevel: 'info',
    ...(opts.role === 'hub' && { membersFile: path('members') }),
    ...(opts.hub && hub && { hub: { node: hubNode!, url: opts.hub.url, keys: hub.keys } }),
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
  if (insecure) {
    io.out('  (plain http: allowInsecurePeers is on, for a local network; give --base-url https://… for real use)');
  }
  if (opts.role === 'hub') {
    io.out(`  members     ${path('members')}   (optional; cities normally join with \`citylink enroll\`)`);
  }
  io.out('');
  io.out(`kid ${key.kid}`);
  if (opts.role === 'hub') {
    io.out('Give every city operator this kid (the fingerprint) out of band, e.g. read it out on the phone;');
    io.out('they pin your key with `citylink init --role city --hub-url URL --hub-fingerprint KID`. Public record:');
  } else {
    io.out('Tell the hub operator this kid (the fingerprint) out of band, e.g. read it out on the phone;');
    io.out('they check your enrollment request against it. Public record:');
  }
  io.out(JSON.stringify(member, null, 2));
  io.out('');
  io.out(`Add accounts: citylink user add --config ${path('config')} --username NAME --roles admin,staff`);
  io.out(`Start:        CITYLINK_CONFIG=${path('config')} node ${entry}`);
  if (opts.role === 'city') {
    io.out(`Join:         citylink enroll --node ${baseUrl} --contact EMAIL --user NAME   (an admin; once it runs)`);
  }
}

interface ResolvedHub {
  node?: string;
  network?: string;
  keys: PinnedHubKey[];
}

/**
 * The hub a city trusts: with `--hub-fingerprint`, the key the hub publishes under that
 * fingerprint (checked), its node id and network; with `--hub-jwk`, the key(s) handed
 * over. Given both, they must agree.
 */
async function resolveHub(
  hub: NonNullable<InitOptions['hub']>,
  network: string | undefined,
  io: Io,
): Promise<ResolvedHub> {
  const fromFile = hub.jwk === undefined ? undefined : await readHubKeys(hub.jwk);
  if (hub.fingerprint === undefined) {
    const node = hub.id ?? fromFile?.node;
    return { ...(node !== undefined && { node }), keys: fromFile!.keys };
  }
  const fetched = await fetchHubKey(hub.url, hub.fingerprint, io);
  if (fromFile) {
    const kids = await Promise.all(fromFile.keys.map((k) => thumbprint(k.jwk)));
    if (!kids.includes(fetched.kid)) {
      throw new CliError(
        `--hub-jwk holds key(s) ${kids.join(', ')}, not ${fetched.kid} that the hub presents; check both with the hub operator`,
      );
    }
  }
  for (const [option, claimed] of [
    ['--hub-id', hub.id],
    ['--hub-jwk', fromFile?.node],
  ] as const) {
    if (claimed !== undefined && claimed !== fetched.node) {
      throw new CliError(`${option} names the hub ${claimed}, but the hub at ${hub.url} is ${fetched.node}`);
    }
  }
  if (network !== undefined && network !== fetched.network) {
    throw new CliError(`--network ${network}: the hub at ${hub.url} serves network ${fetched.network}`);
  }
  return { node: fetched.node, network: fetched.network, keys: [fetched.key] };
}

async function readHubKeys(value: string) {
  const trimmed = value.trim();
  const source = trimmed.startsWith('{') ? '--hub-jwk' : value;
  const doc = trimmed.startsWith('{') ? parseJson(trimmed, '--hub-jwk') : await readJsonFile(value);
  return parseHubKeys(doc, source);
}
