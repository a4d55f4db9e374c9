import { TestNetwork } from '../src/index.js';

const t0 = performance.now();
const net = await TestNetwork.create({ cities: Number(process.argv[2] ?? 50), users: false });
console.log('create', (performance.now() - t0).toFixed(0), 'ms', process.resourceUsage().maxRSS / 1024);
const t1 = performance.now();
await net.close();
console.log('close', (performance.now() - t1).toFixed(0), 'ms');
