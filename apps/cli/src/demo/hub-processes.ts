import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeConfigInput } from '@citylink/node';
import { Store } from '@citylink/store';
import { CliError, UsageError } from '../errors.js';
import { writeJsonFile } from '../node-files.js';
import { DEMO_NODES, type DemoPaths, HUB_SPEC, nodeUrl } from './layout.js';

/**
 * `citylink demo --hub-processes N --database-url postgres://…`: the demo's hub as N
 * processes on one PostgreSQL database (docs/operations.md "Running the hub highly
 * available"). Process 1 is the hub's usual address; the others listen on the ports
 * after the cities' and share its config but for the port. The roster lists them all.
 */

export const MAX_HUB_PROCESSES = 4;

export interface HubProcess {
  /** A name for the supervisor's log prefix: `wi-hub`, `wi-hub#2`, … */
  label: string;
  port: number;
  url: string;
  config: string;
}

export function checkHubOptions(processes: number, databaseUrl: string | undefined): void {
  if (!Number.isInteger(processes) || processes < 1 || processes > MAX_HUB_PROCESSES) {
    throw new UsageError(`--hub-processes: a whole number from 1 to ${MAX_HUB_PROCESSES}`);
  }
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError('--database-url: a postgres://… connection string');
  }
  if (processes > 1 && databaseUrl === undefined) {
    throw new UsageError('--hub-processes above 1 needs --database-url postgres://… (hub processes share PostgreSQL)');
  }
}

/** The hub processes' ports: the hub's own, then the ones after the cities'. */
export function hubProcesses(paths: DemoPaths, basePort: number, n: number): HubProcess[] {
  const after = Math.max(...DEMO_NODES.map((s) => s.offset)) + 1;
  return Array.from({ length: n }, (_, i) => {
    const port = i === 0 ? basePort + HUB_SPEC.offset : basePort + after + i - 1;
    return {
      label: i === 0 ? HUB_SPEC.node : `${HUB_SPEC.node}#${i + 1}`,
      port,
      url: `http://127.0.0.1:${port}`,
      config: i === 0 ? paths.config(HUB_SPEC.node) : join(paths.dir, `${HUB_SPEC.node}.process-${i + 1}.config.json`),
    };
  });
}

/**
 * A new demo's hub database at `databaseUrl` must be empty: a database that already
 * holds a node (other keys, another roster) would not fit the demo's new keys.
 */
export async function assertEmptyHubDatabase(databaseUrl: string): Promise<void> {
  const store = await Store.open({ databaseUrl });
  try {
    if ((await store.listUsers()).length > 0 || (await store.getMeta('roster_jws')) !== undefined) {
      throw new CliError(`${redact(databaseUrl)} already holds a CityLink node; give the demo an empty database`);
    }
  } finally {
    await store.close();
  }
}

/**
 * Writes the hub's configs for `processes`: the database, every process's address in
 * `cluster.endpoints`, and one config file per extra process. With one process and no
 * URL given, the hub's config stays as it was (SQLite, or the database chosen before).
 */
export async function applyHubProcesses(
  paths: DemoPaths,
  basePort: number,
  processes: HubProcess[],
  databaseUrl: string | undefined,
): Promise<void> {
  const file = paths.config(HUB_SPEC.node);
  const config = JSON.parse(await readFile(file, 'utf8')) as NodeConfigInput;
  if (databaseUrl !== undefined && config.databaseUrl !== undefined && config.databaseUrl !== databaseUrl) {
    throw new CliError(
      `this demo's hub uses ${redact(config.databaseUrl)}; add --fresh to start over on another database`,
    );
  }
  if (databaseUrl !== undefined && config.databaseUrl === undefined) {
    throw new CliError('this demo was made with SQLite; add --fresh to start it over on PostgreSQL');
  }
  if (processes.length > 1 && config.databaseUrl === undefined) {
    throw new UsageError('--hub-processes above 1 needs the hub on PostgreSQL (--database-url, with --fresh)');
  }
  const hubUrl = nodeUrl(basePort, HUB_SPEC);
  if (processes.length > 1) {
    config.cluster = { ...config.cluster, endpoints: processes.map((p) => p.url) };
  } else if (config.cluster) {
    delete config.cluster.endpoints;
  }
  await writeJsonFile(file, config, 0o600);
  // Every process names the hub's address as its own, so none of them rewrites the roster entry.
  for (const p of processes.slice(1))
    await writeJsonFile(p.config, { ...config, port: p.port, baseUrl: hubUrl }, 0o600);
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
