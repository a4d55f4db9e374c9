/**
 * statements.list over many statements, each in sign-on with a co-signature (so
 * folding one verifies a signature), beside a plain read of the same rows from the
 * read model's table in the same run. The first list after a start folds every
 * statement once (printed); the figure is the median of the lists after it.
 *
 *   npm run bench -w @citylink/dev-env -- statements   (BENCH_STATEMENTS=n sets the count)
 */
import type { SessionUser } from '@citylink/node';
import { TestNetwork } from '../src/index.js';
import { machineLine, median, ms, peakRssLine, result, size, watchdog } from './lib.js';

const count = size('STATEMENTS', 1_000, 100);
const rounds = 20;
const timer = watchdog(180_000, 'statements');
const mayor: SessionUser = { id: 1, username: 'mayor', displayName: 'Mayor', roles: ['signer', 'staff'] };

console.log(machineLine());
const net = await TestNetwork.create({ cities: 2, users: false });
try {
  const city = net.cities[0]!;
  const deadline = new Date(Date.now() + 14 * 86_400_000).toISOString();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const { id } = await city.statements.create(
      {
        title: `Statement ${i}`,
        text: `We, the undersigned mayors, ask for post-election audits (${i}).`,
        addressees: ['Governor'],
        invited: [net.cities[1]!.id],
        includeHub: false,
      },
      mayor,
    );
    await city.statements.openSignOn(id, { deadline }, mayor);
    await city.statements.sign(id, { name: 'Alex Mayor', title: 'Mayor' }, mayor);
  }
  console.log(`${count} statements in sign-on with a signature each, made in ${ms(performance.now() - t0)}`);

  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const first = await time(() => city.statements.list(mayor));
  const listed = await city.statements.list(mayor);
  if (listed.length !== count || listed.some((s) => s.signed !== 1)) {
    throw new Error(`listed ${listed.length} statements, expected ${count} each with one signature`);
  }
  const lists: number[] = [];
  const selects: number[] = [];
  for (let i = 0; i < rounds; i++) {
    lists.push(await time(() => city.statements.list(mayor)));
    selects.push(await time(() => city.store.read((r) => r.statements.list())));
  }
  const list = median(lists);
  console.log(`first list after the start (folds every statement): ${ms(first)}`);
  console.log(
    `statements.list, median of ${rounds}: ${list.toFixed(1)} ms; plain select of the same rows: ${median(selects).toFixed(1)} ms`,
  );
  console.log(peakRssLine());
  result('statements-list', list, 'ms', '<', 50);
} finally {
  clearTimeout(timer);
  await net.close();
}
