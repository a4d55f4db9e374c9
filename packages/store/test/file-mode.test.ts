import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseFileModeError, Store } from '../src/index.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('the SQLite file is kept like the key file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-mode-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates data.db, -wal and -shm 0600 in a directory that already exists', async () => {
    const path = join(dir, 'data.db');
    const store = await Store.open({ sqlitePath: path }, { node: true });
    try {
      await store.setMeta('written', 'yes');
      expect(await modeOf(path)).toBe(0o600);
      expect(await modeOf(`${path}-wal`)).toBe(0o600);
      expect(await modeOf(`${path}-shm`)).toBe(0o600);
    } finally {
      await store.close();
    }
    // Reopening a 0600 database is fine.
    await (await Store.open({ sqlitePath: path })).close();
  });

  it('refuses to open a database that group or others can read, and says how to fix it', async () => {
    const path = join(dir, 'open.db');
    await writeFile(path, '');
    await chmod(path, 0o644);
    await expect(Store.open({ sqlitePath: path })).rejects.toThrow(DatabaseFileModeError);
    await expect(Store.open({ sqlitePath: path })).rejects.toThrow(
      `${path} is readable by others (mode 644); run: chmod 600 ${path}*`,
    );
    expect(await modeOf(path)).toBe(0o644);
    await chmod(path, 0o600);
    await writeFile(`${path}-wal`, '');
    await chmod(`${path}-wal`, 0o640);
    await expect(Store.open({ sqlitePath: path })).rejects.toThrow(/open\.db-wal is readable by others \(mode 640\)/);
  });
});
