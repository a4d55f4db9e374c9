import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

/**
 * An idle node on SQLite does not load what it never uses (issue 17, idle city
 * RSS): the PostgreSQL driver, and MikroORM's migrator once every migration is
 * applied. Each open runs in a fresh process on the built package (dist/), which
 * reports the packages it loaded; the first open of a new database is the
 * positive control (its migrations are pending, so the migrator must load).
 */
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citylink-lazy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens the store on `path` in a new process; what it loaded, and the log head it read. */
function openInProcess(path: string): { loaded: string[]; head: number } {
  const script = `
    import { createRequire } from 'node:module';
    const { Store } = await import(${JSON.stringify(DIST)});
    const store = await Store.open({ sqlitePath: ${JSON.stringify(path)} }, { node: true });
    const head = store.headSeq;
    await store.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1])
      .filter(Boolean);
    console.log(JSON.stringify({ loaded: [...new Set(loaded)], head }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

it('the migrator loads only while a migration is pending, and pg never on SQLite', () => {
  const path = join(dir, 'node.db');
  const first = openInProcess(path);
  expect(first.loaded).toContain('@mikro-orm/migrations');
  expect(first.loaded).toContain('better-sqlite3');
  expect(first.loaded).not.toContain('pg');

  const again = openInProcess(path);
  expect(again.loaded).not.toContain('@mikro-orm/migrations');
  expect(again.loaded).not.toContain('umzug');
  expect(again.loaded).not.toContain('pg');
  expect(again.head).toBe(0);
});
