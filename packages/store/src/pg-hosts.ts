import type pg from 'pg';

/**
 * Connection strings that name several PostgreSQL servers, as libpq takes them:
 * `postgres://user@primary:5432,standby:5432/db?target_session_attrs=read-write`.
 * node-postgres connects to one host only, so each new connection goes through
 * `resolveConnection`: the hosts are tried in order and the first that answers
 * (read-write, when asked for) is used. After a failover, connections to the old
 * primary fail, the pool drops them, and the next ones find the promoted standby.
 */

/** The driver, loaded on first use: a city on SQLite never needs it (about 10 MB of an idle process). */
export const loadPg = async (): Promise<typeof pg> => (await import('pg')).default;

export interface PgHosts {
  hosts: { host: string; port: number }[];
  user: string;
  password: string | undefined;
  database: string;
  readWrite: boolean;
}

const MULTI = /^postgres(?:ql)?:\/\/(?:([^@/]*)@)?([^/?]+)(\/[^?]*)?(\?.*)?$/;

/** The servers a connection string names, or undefined when it names one (the driver reads it as it is). */
export function parseHosts(url: string): PgHosts | undefined {
  const m = MULTI.exec(url);
  if (!m || !m[2]!.includes(',')) return undefined;
  const [userPart = '', hostPart, path = '/', query = ''] = m.slice(1) as [
    string | undefined,
    string,
    string?,
    string?,
  ];
  const [user = '', password] = userPart.split(':').map(decodeURIComponent);
  const params = new URLSearchParams(query.slice(1));
  return {
    hosts: hostPart.split(',').map((h) => {
      const [host, port] = h.split(':');
      return { host: decodeURIComponent(host!), port: port ? Number(port) : 5432 };
    }),
    user,
    password,
    database: decodeURIComponent(path.slice(1)) || user,
    readWrite: params.get('target_session_attrs') === 'read-write',
  };
}

export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** The first server of `hosts` that answers (and is not a standby, when read-write is asked for). */
export async function resolveConnection(hosts: PgHosts): Promise<ConnectionSettings> {
  const reasons: string[] = [];
  const { Client } = await loadPg();
  for (const { host, port } of hosts.hosts) {
    const settings = {
      host,
      port,
      user: hosts.user,
      database: hosts.database,
      ...(hosts.password !== undefined && { password: hosts.password }),
    };
    const probe = new Client({ ...settings, connectionTimeoutMillis: 2_000 });
    try {
      await probe.connect();
      if (hosts.readWrite) {
        const { rows } = await probe.query('select pg_is_in_recovery() as standby');
        if (rows[0]?.standby) {
          reasons.push(`${host}:${port} is a standby`);
          continue;
        }
      }
      return settings;
    } catch (err) {
      reasons.push(`${host}:${port}: ${(err as Error).message}`);
    } finally {
      await probe.end().catch(() => undefined);
    }
  }
  const error = new Error(`no PostgreSQL server to write to (${reasons.join('; ')})`) as Error & { code: string };
  error.code = '08006';
  throw error;
}

/** What a plain `pg.Client` for `url` connects with: the URL itself, or the server `resolveConnection` picks. */
export async function clientConfig(url: string): Promise<pg.ClientConfig> {
  const hosts = parseHosts(url);
  return hosts ? resolveConnection(hosts) : { connectionString: url };
}
