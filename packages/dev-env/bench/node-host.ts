/**
 * Runs several nodes in one process, for benchmarks that spread a network over a few
 * processes (see processes.ts). Usage: node --import tsx bench/node-host.ts CONFIGS.json
 * where the file holds an array of node configs. SIGTERM closes every node cleanly.
 * If started with an IPC channel, it reports every append to the parent as
 * `{ node, ids, at }` (`at` in ms since the epoch, from performance.timeOrigin).
 * With BENCH_CPU_PROFILE=dir, SIGUSR2 starts a CPU profile and the next SIGUSR2
 * writes it (the benchmark signals around its measured phase).
 */
import { readFile } from 'node:fs/promises';
import { type CityLinkNode, createNode, type NodeConfigInput } from '@citylink/node';
import { cpuProfile } from './lib.js';

const configs = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as NodeConfigInput[];
const nodes: CityLinkNode[] = [];
for (const config of configs) nodes.push(await createNode(config));
if (process.send) {
  for (const node of nodes) {
    node.bus.on('appended', (entries) => {
      const at = performance.timeOrigin + performance.now();
      process.send!({ node: node.id, ids: entries.map((e) => e.id), at });
    });
  }
}
process.once('SIGTERM', () => {
  void Promise.allSettled(nodes.map((n) => n.close())).then(() => process.exit(0));
});
let stopProfile: (() => Promise<void>) | undefined;
process.on('SIGUSR2', async () => {
  if (stopProfile) {
    await stopProfile();
    stopProfile = undefined;
  } else {
    stopProfile = await cpuProfile(`${configs[0]!.nodeId}-${process.pid}-${Date.now()}`);
  }
});
