/**
 * Starts the e2e network by hand, for trying the console in a browser:
 *   npm run build && npx tsx apps/web/e2e/serve.ts
 * Prints each node's URL; every account's password is PASSWORD. Ctrl-C stops it.
 */
import { HUB, SHELBYVILLE, SPRINGFIELD } from './fixtures';
import { PASSWORD, WebNetwork } from './network';

const net = await WebNetwork.start({ hub: HUB, cities: [SPRINGFIELD, SHELBYVILLE] });
for (const n of [net.hub, ...net.cities]) console.log(`${n.id.padEnd(12)} ${n.url}`);
console.log(`accounts: olivia, sam @ hub; ana, mayor @ springfield; ben @ shelbyville; password "${PASSWORD}"`);
const stop = async () => {
  await net.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
