import { readKeyFile, signObject } from '@citylink/crypto';
import type { SignedObject } from '@citylink/protocol';
import { HUB_ID, TestNetwork } from '../src/index.js';
import { bulletinBody } from './lib.js';

const net = await TestNetwork.create({ cities: 2, users: false });
const c = net.cities[0]!;
const key = await readKeyFile(net.configOf(c.id).keyFile);
const batches: string[][] = [];
for (let b = 0; b < 50; b++)
  batches.push(
    await Promise.all(
      Array.from(
        { length: 100 },
        async (_, i) =>
          (
            await signObject(
              {
                v: 1,
                kind: 'bulletin',
                origin: c.id,
                created: new Date().toISOString(),
                tlp: 'AMBER',
                audience: [HUB_ID],
                body: bulletinBody(`p ${b} ${i}`),
              } as SignedObject,
              key,
            )
          ).jws,
      ),
    ),
  );
if (process.env.PATCH) {
  const st = net.hub.store as any;
  const k = st.knex();
  st.objectsTargeting = async (target: string) =>
    await k('objects').where('target', target).orderBy(['created', 'id']).select('*');
}
const { Session } = await import('node:inspector/promises');
const s = new Session();
s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.start');
const t = performance.now();
for (const b of batches) await net.hub.inbound.receive(b, c.id, 'push');
console.log('rate', 5000 / ((performance.now() - t) / 1000));
const { profile } = await s.post('Profiler.stop');
(await import('node:fs')).writeFileSync('/tmp/recv.cpuprofile', JSON.stringify(profile));
await net.close();
