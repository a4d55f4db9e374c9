import { describe, expect, it } from 'vitest';
import { parseHosts, resolveConnection } from '../src/pg-hosts.js';
import { TEST_POSTGRES_URL } from '../src/testing.js';

describe('connection strings naming several PostgreSQL servers', () => {
  it('one server is left to the driver; several are read as libpq writes them', () => {
    expect(parseHosts('postgres://u@db:5432/citylink')).toBeUndefined();
    expect(parseHosts('postgres://u:p%40ss@a:5432,b:6432/citylink?target_session_attrs=read-write')).toEqual({
      hosts: [
        { host: 'a', port: 5432 },
        { host: 'b', port: 6432 },
      ],
      user: 'u',
      password: 'p@ss',
      database: 'citylink',
      readWrite: true,
    });
    expect(parseHosts('postgresql://u@a,b/x')?.hosts).toEqual([
      { host: 'a', port: 5432 },
      { host: 'b', port: 5432 },
    ]);
  });

  it('the first server that answers read-write is used; none answering is a connection error', async () => {
    const url = new URL(TEST_POSTGRES_URL);
    const live = { host: url.hostname, port: Number(url.port || 5432) };
    const base = { user: decodeURIComponent(url.username), password: undefined, database: url.pathname.slice(1) };
    // Port 9 (discard) refuses at once on loopback.
    const picked = await resolveConnection({
      ...base,
      hosts: [{ host: '127.0.0.1', port: 9 }, live],
      readWrite: true,
    });
    expect(picked).toMatchObject(live);
    const none = resolveConnection({ ...base, hosts: [{ host: '127.0.0.1', port: 9 }], readWrite: true });
    await expect(none).rejects.toThrow(/no PostgreSQL server to write to/);
    await expect(none).rejects.toMatchObject({ code: '08006' });
  });
});
