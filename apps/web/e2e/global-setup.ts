import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function run(what: string, args: string[], cwd: string): void {
  const res = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${what} failed:\n${res.stdout}\n${res.stderr}`);
}

/**
 * The browser tests run the real thing: the node processes from `apps/hub` and
 * `apps/city` (built by `tsc -b`, incremental) serving the console built by Vite.
 * Both are rebuilt here so the tests never run against a stale `dist/`.
 */
export default function setup(): void {
  run('tsc -b apps/hub apps/city', [`${root}node_modules/typescript/bin/tsc`, '-b', 'apps/hub', 'apps/city'], root);
  run('vite build', [`${root}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'], `${root}apps/web`);
}
