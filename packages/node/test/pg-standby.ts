import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './hub-cluster-harness.js';

/**
 * A PostgreSQL primary and a streaming hot standby of it, made for one test: `initdb`
 * and `pg_basebackup -R` on free ports, run as the `postgres` user (the tests run as
 * root, as CI does), in a temporary directory that `destroy` removes with both servers.
 * The shared server on 5432 is left alone: it allows no replication connections.
 */
export interface PgPair {
  primaryPort: number;
  standbyPort: number;
  /** Both servers, primary first, as the hub is configured in production. */
  url: string;
  /** The primary dies at once, as in a host crash (immediate shutdown, no checkpoint). */
  crashPrimary(): void;
  /** The standby becomes the primary. */
  promoteStandby(): void;
  destroy(): void;
}

const BIN = execFileSync('pg_config', ['--bindir']).toString().trim();

function asPostgres(cmd: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

export async function createPgPair(database = 'citylink'): Promise<PgPair> {
  const dir = mkdtempSync(join(tmpdir(), 'citylink-pg-'));
  chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const start = (data: string, port: number) =>
    asPostgres('pg_ctl', ['-D', data, '-l', `${data}.log`, '-w', '-o', `-p ${port} -k ${dir} -h 127.0.0.1`, 'start']);
  const stop = (data: string) => {
    try {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
  };
  try {
    asPostgres('initdb', ['-D', primary, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    start(primary, primaryPort);
    asPostgres('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-c',
      `create database ${database}`,
    ]);
    asPostgres('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      standby,
      '-R',
      '-X',
      'stream',
      // An immediate checkpoint: the default (spread) waits for most of checkpoint_timeout.
      '-c',
      'fast',
    ]);
    start(standby, standbyPort);
    // Synchronous commit to the standby (docs/operations.md): what the primary acknowledged, the standby has.
    asPostgres('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-c',
      "alter system set synchronous_standby_names = '*'",
      '-c',
      'select pg_reload_conf()',
    ]);
  } catch (err) {
    stop(standby);
    stop(primary);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not set up a primary and a standby: ${(err as { stderr?: Buffer }).stderr ?? err}`);
  }
  return {
    primaryPort,
    standbyPort,
    url: `postgres://postgres@127.0.0.1:${primaryPort},127.0.0.1:${standbyPort}/${database}?target_session_attrs=read-write`,
    crashPrimary: () => stop(primary),
    promoteStandby: () => {
      asPostgres('pg_ctl', ['-D', standby, '-w', 'promote']);
    },
    destroy: () => {
      stop(standby);
      stop(primary);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
