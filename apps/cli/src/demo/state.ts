import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type NodeKey, readKeyFile } from '@citylink/crypto';
import { ApiTokens, hashPassword, type NodeConfigInput } from '@citylink/node';
import type { Member } from '@citylink/protocol';
import { Store } from '@citylink/store';
import { CliError } from '../errors.js';
import { createKeyFile, exists, publicKeyRecord, writeJsonFile } from '../node-files.js';
import { generatePassword } from '../passwords.js';
import { REPO_ROOT } from '../paths.js';
import { assertEmptyHubDatabase } from './hub-processes.js';
import {
  DEFAULT_BASE_PORT,
  DEMO_ACCOUNTS,
  DEMO_NETWORK,
  DEMO_NODES,
  type DemoNodeSpec,
  type DemoPaths,
  demoPaths,
  HUB_SPEC,
  nodeUrl,
} from './layout.js';

export interface DemoAccount {
  username: string;
  password: string;
  roles: string[];
}

export interface AccountsFile {
  nodes: { node: string; role: 'hub' | 'city'; name: string; url: string; accounts: DemoAccount[] }[];
}

interface Marker {
  citylinkDemo: 1;
  created: string;
  basePort: number;
}

export interface DemoNode {
  spec: DemoNodeSpec;
  url: string;
  port: number;
  config: string;
}

export interface DemoState {
  paths: DemoPaths;
  basePort: number;
  nodes: DemoNode[];
  accounts: AccountsFile;
  /** True when this run created the keys, databases and accounts. */
  created: boolean;
}

type DirState = 'missing' | 'empty' | 'complete' | 'incomplete' | 'foreign';

/**
 * Creates the demo's keys, configs, roster file and accounts on the first run (or with
 * `fresh`), and reuses them afterwards; ports are (re)applied on every run.
 */
export async function prepareDemo(opts: {
  dir: string;
  fresh: boolean;
  basePort?: number | undefined;
  /** The hub's database (PostgreSQL) for a new demo; later runs keep the one chosen then. */
  databaseUrl?: string | undefined;
  progress: (line: string) => void;
}): Promise<DemoState> {
  const paths = demoPaths(resolve(opts.dir));
  const state = await inspect(paths);
  if (state === 'foreign') {
    throw new CliError(
      `${paths.dir} is not empty and is not a CityLink demo directory (no citylink-demo.json); choose another --dir`,
    );
  }
  let create = state !== 'complete';
  if (opts.fresh && (state === 'complete' || state === 'incomplete')) {
    opts.progress(`--fresh: deleting ${paths.dir}`);
    create = true;
  } else if (state === 'incomplete') {
    opts.progress(`the previous setup in ${paths.dir} did not finish; starting over`);
  }
  if (state === 'complete' || state === 'incomplete') {
    if (create) await rm(paths.dir, { recursive: true, force: true });
  }
  if (create) {
    if (opts.databaseUrl) await assertEmptyHubDatabase(opts.databaseUrl);
    await createDemo(paths, opts.basePort ?? DEFAULT_BASE_PORT, opts.databaseUrl, opts.progress);
  }
  const marker = JSON.parse(await readFile(paths.marker, 'utf8')) as Marker;
  const basePort = opts.basePort ?? marker.basePort;
  await applyPorts(paths, basePort, marker);
  const accounts = JSON.parse(await readFile(paths.accounts, 'utf8')) as AccountsFile;
  return {
    paths,
    basePort,
    accounts,
    created: create,
    nodes: DEMO_NODES.map((spec) => ({
      spec,
      url: nodeUrl(basePort, spec),
      port: basePort + spec.offset,
      config: paths.config(spec.node),
    })),
  };
}

async function inspect(paths: DemoPaths): Promise<DirState> {
  let entries: string[];
  try {
    entries = await readdir(paths.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return 'foreign';
    throw err;
  }
  if (entries.length === 0) return 'empty';
  if (!(await exists(paths.marker))) return 'foreign';
  return (await exists(paths.accounts)) ? 'complete' : 'incomplete';
}

async function createDemo(
  paths: DemoPaths,
  basePort: number,
  databaseUrl: string | undefined,
  progress: (line: string) => void,
): Promise<void> {
  progress(`creating the demo network in ${paths.dir}`);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const marker: Marker = { citylinkDemo: 1, created: new Date().toISOString(), basePort };
  await writeJsonFile(paths.marker, marker);
  const keys = new Map<string, NodeKey>();
  for (const spec of DEMO_NODES) keys.set(spec.node, await createKeyFile(paths.keyFile(spec.node)));
  const hubKey = keys.get(HUB_SPEC.node)!;
  for (const spec of DEMO_NODES) {
    const config: NodeConfigInput = {
      nodeId: spec.node,
      role: spec.role,
      name: spec.name,
      network: DEMO_NETWORK,
      host: '127.0.0.1',
      port: basePort + spec.offset,
      // The demo's nodes call each other on 127.0.0.1 over http.
      allowInsecurePeers: true,
      sqlitePath: paths.database(spec.node),
      ...(spec.role === 'hub' && databaseUrl && { databaseUrl }),
      keyFile: paths.keyFile(spec.node),
      logLevel: 'info',
      // Shorter than the production default so a city started in a hurry picks up the roster soon.
      intervals: { rosterMs: 15_000 },
      ...(spec.role === 'hub'
        ? { membersFile: paths.members }
        : {
            hub: {
              node: HUB_SPEC.node,
              url: nodeUrl(basePort, HUB_SPEC),
              keys: [{ jwk: hubKey.publicJwk, validFrom: hubKey.created }],
            },
          }),
    };
    await writeJsonFile(paths.config(spec.node), config, 0o600);
  }
  progress('creating demo accounts (random passwords, saved in accounts.json)');
  const accounts: AccountsFile = {
    nodes: await Promise.all(
      DEMO_NODES.map(async (spec) => ({
        node: spec.node,
        role: spec.role,
        name: spec.name,
        url: nodeUrl(basePort, spec),
        accounts: await createAccounts(
          spec.role === 'hub' && databaseUrl ? { databaseUrl } : { sqlitePath: paths.database(spec.node) },
          spec,
        ),
      })),
    ),
  };
  // Written last: its presence marks a finished setup.
  await writeJsonFile(paths.accounts, accounts, 0o600);
}

async function createAccounts(
  database: { sqlitePath: string } | { databaseUrl: string },
  spec: DemoNodeSpec,
): Promise<DemoAccount[]> {
  const store = await Store.open(database);
  try {
    const created: DemoAccount[] = [];
    for (const a of DEMO_ACCOUNTS) {
      if (a.hubOnly && spec.role !== 'hub') continue;
      const password = generatePassword();
      await store.createUser({
        username: a.username,
        displayName: a.displayName,
        passwordHash: await hashPassword(password),
        roles: a.roles,
      });
      await store.audit({ actor: 'cli', action: 'user.add', subject: a.username, detail: { roles: a.roles } });
      created.push({ username: a.username, password, roles: a.roles });
    }
    // A machine account for TAXII clients and MISP: HTTP Basic with any user name and the token as password.
    const { token } = await new ApiTokens(store).create({ name: 'feeds', role: 'feed-reader', by: 'cli' });
    created.push({ username: 'feeds', password: token, roles: ['feed-reader'] });
    return created;
  } finally {
    await store.close();
  }
}

const WEB_ROOT = resolve(REPO_ROOT, 'apps/web/dist');

const demoCityCounties = () => Object.fromEntries(DEMO_NODES.flatMap((s) => (s.county ? [[s.node, s.county]] : [])));

/** Points every port-dependent file (configs, the hub's members.json, accounts.json) at `basePort`. */
async function applyPorts(paths: DemoPaths, basePort: number, marker: Marker): Promise<void> {
  const hubUrl = nodeUrl(basePort, HUB_SPEC);
  const members: Member[] = [];
  for (const spec of DEMO_NODES) {
    const config = JSON.parse(await readFile(paths.config(spec.node), 'utf8')) as NodeConfigInput;
    config.port = basePort + spec.offset;
    if (config.hub) config.hub.url = hubUrl;
    // Demo nodes call each other on 127.0.0.1 over http (also for a demo made before the flag existed).
    config.allowInsecurePeers = true;
    // A demo made before databases were created 0600 would otherwise be refused at start.
    for (const suffix of ['', '-wal', '-shm'])
      await chmod(`${paths.database(spec.node)}${suffix}`, 0o600).catch(() => {});
    // Every node serves the web console when it has been built (npm start builds it).
    if (await exists(WEB_ROOT)) config.webRoot = WEB_ROOT;
    // The situation room colours each city's county (also for a demo made before the map had them).
    if (spec.role === 'hub') config.operations = { ...config.operations, cityCounties: demoCityCounties() };
    await writeJsonFile(paths.config(spec.node), config, 0o600);
    if (spec.role === 'city') {
      const key = await readKeyFile(paths.keyFile(spec.node));
      members.push({
        node: spec.node,
        name: spec.name,
        baseUrl: nodeUrl(basePort, spec),
        role: 'city',
        status: 'active',
        keys: [publicKeyRecord(key)],
        ...(spec.county && { county: spec.county }),
        ...(spec.population && { population: spec.population }),
      });
    }
  }
  await writeJsonFile(paths.members, members);
  const accounts = JSON.parse(await readFile(paths.accounts, 'utf8')) as AccountsFile;
  for (const n of accounts.nodes) {
    const spec = DEMO_NODES.find((s) => s.node === n.node);
    if (spec) n.url = nodeUrl(basePort, spec);
  }
  await writeJsonFile(paths.accounts, accounts, 0o600);
  if (marker.basePort !== basePort) await writeJsonFile(paths.marker, { ...marker, basePort });
  await writeJsonFile(paths.exampleBulletin, exampleBulletin());
}

export function exampleBulletin() {
  return {
    kind: 'bulletin',
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      title: 'Phishing e-mails impersonating the county clerk',
      narrative: 'Several poll workers received e-mails from a look-alike domain asking them to "confirm" their login.',
      category: 'cyber.phishing',
      severity: 'medium',
      attackVector: 'email',
      indicators: [{ type: 'domain', value: 'wi-elections-clerk.example' }],
    },
  };
}
