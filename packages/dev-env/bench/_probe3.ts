import { TestNetwork } from '../src/index.js';

const net = await TestNetwork.create({ cities: 1, users: false });
const st = net.hub.store;
for (const n of [200, 2000]) {
  let t = performance.now();
  for (let i = 0; i < n; i++)
    await st.objectsTargeting(`abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG${i % 10}`.slice(0, 43));
  console.log('objectsTargeting', ((performance.now() - t) / n).toFixed(3), 'ms/call');
  t = performance.now();
  for (let i = 0; i < n; i++) await st.heldIds([`abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG`]);
  console.log('heldIds(1)', ((performance.now() - t) / n).toFixed(3), 'ms/call');
  t = performance.now();
  for (let i = 0; i < n; i++) await st.getPeer('x');
  console.log('getPeer', ((performance.now() - t) / n).toFixed(3), 'ms/call');
  t = performance.now();
  for (let i = 0; i < n / 10; i++) await st.audit({ actor: 'a', action: 'b', subject: null, detail: null });
  console.log('audit (autocommit insert, fsync)', ((performance.now() - t) / (n / 10)).toFixed(3), 'ms/call');
}
const knex = st.knex();
const t = performance.now();
for (let i = 0; i < 2000; i++) await knex('objects').where('target', 'x').orderBy(['created', 'id']).select('*');
console.log('knex only objectsTargeting', ((performance.now() - t) / 2000).toFixed(3), 'ms/call');
const db = (st.orm.em.getConnection() as any).getKnex().client;
await net.close();
