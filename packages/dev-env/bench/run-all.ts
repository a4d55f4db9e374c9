/**
 * Runs the network benchmarks one after the other, each in its own process (so
 * each one's peak RSS is its own and nothing carries over).
 *
 * Run: npm run bench -w @citylink/dev-env [-- fanout ingest catchup memory membership statements search taxii election failover ingest-ha preparedness-grid election-scale]
 *      BENCH_QUICK=1 npm run bench -w @citylink/dev-env     (smoke run, well under a minute)
 * A missed target prints FAIL but is a result, not an error; a crash or overrun exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QUICK } from './lib.js';

const ALL = [
  'fanout',
  'ingest',
  'catchup',
  'memory',
  'membership',
  'statements',
  'search',
  'taxii',
  'election',
  'failover',
  'ingest-ha',
  'preparedness-grid',
  'election-scale',
] as const;
const BY_NAME_ONLY = [] as const;
/** Hard bounds per benchmark process (each also stops itself earlier). */
const LIMIT_MS: Record<string, number> = { memory: 210_000, membership: 320_000, 'election-scale': 620_000 };
const wanted = process.argv.slice(2);
const known: readonly string[] = [...ALL, ...BY_NAME_ONLY];
const unknown = wanted.filter((w) => !known.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? known.filter((b) => wanted.includes(b)) : ALL;

const t0 = performance.now();
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== ${name}`);
  const t = performance.now();
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
    {
      stdio: 'inherit',
      timeout: QUICK ? 60_000 : (LIMIT_MS[name] ?? 200_000),
      killSignal: 'SIGKILL',
    },
  );
  const secs = ((performance.now() - t) / 1000).toFixed(1);
  if (run.status !== 0) {
    failed++;
    console.log(`=== ${name}: exited with ${run.status ?? run.signal} after ${secs} s`);
  } else {
    console.log(`=== ${name}: done in ${secs} s`);
  }
}
console.log(
  `\nall benchmarks: ${((performance.now() - t0) / 1000).toFixed(1)} s${failed ? `, ${failed} crashed` : ''}`,
);
process.exit(failed ? 1 : 0);
