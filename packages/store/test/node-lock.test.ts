import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DatabaseInUseError, Store } from '../src/index.js';
import { BACKENDS, freshDatabase, openSqlite } from './fixtures.js';

// Two node processes on one database would hand out the same log sequence numbers:
// a node takes its database for itself, tools (account creation, backups) do not.

async function openNode(config: Parameters<typeof Store.open>[0]): Promise<Store> {
  const store = await Store.open(config, { node: true });
  onTestFinished(() => store.close());
  return store;
}

describe.each(BACKENDS)('one node per database (%s)', (_dialect, factory) => {
  it('a second node on the same database is refused with a clear error; tools still open it', async () => {
    const db = await freshDatabase(factory);
    const first = await openNode(db.config);
    const second = Store.open(db.config, { node: true });
    await expect(second).rejects.toThrow(DatabaseInUseError);
    await expect(second).rejects.toThrow(/another CityLink node process is using this database/);

    // The store the fixture opened (as a tool does) works alongside the node.
    await db.store.setMeta('tool', 'was here');
    expect(await first.getMeta('tool')).toBe('was here');

    // Once the node closes, another can take the database.
    await first.close();
    const next = await openNode(db.config);
    expect(next.epoch).toBe(first.epoch);
  });
});

describe('one node per database, after a crash (sqlite)', () => {
  it('a node killed with SIGKILL leaves no stale lock behind', async () => {
    const db = await freshDatabase(openSqlite);
    const path = db.config.sqlitePath!;
    // Another process holds the node lock exactly as a node does, then dies without cleaning up.
    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(betterSqlite)}); const db = new D(${JSON.stringify(`${path}.node-lock`)}, { timeout: 0 });
         db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    onTestFinished(() => {
      holder.kill('SIGKILL');
    });
    const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
    expect(line.toString().trim()).toBe('locked');
    await expect(Store.open(db.config, { node: true })).rejects.toThrow(DatabaseInUseError);

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const store = await openNode(db.config);
    expect(store.headSeq).toBe(0);
  });
});
