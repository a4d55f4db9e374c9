/**
 * The lightweight-city processes of bench/election-scale.ts (bench/link-cities.ts):
 * started with their share of the cities, asked for counts and latencies over IPC.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Member } from '@citylink/protocol';
import type { Processes } from './processes.js';

export interface Host {
  port: number;
  child: ChildProcess;
  ask(type: 'report' | 'latencies'): Promise<Record<string, unknown>>;
}

const FILE = fileURLToPath(new URL('./link-cities.ts', import.meta.url));

/** `count` processes sharing `cities` round-robin (city i in process i % count). */
export async function startHosts(
  procs: Processes,
  count: number,
  cities: readonly string[],
  hub: string,
  members: Pick<Member, 'node' | 'keys'>[],
): Promise<Host[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, h) => {
      const child = procs.start(['--import', 'tsx', FILE], {}, true);
      child.stdout!.pipe(process.stdout);
      const ready = once(child, 'message') as Promise<[{ type: string; port: number }]>;
      child.send({ type: 'init', cities: cities.filter((_c, i) => i % count === h), hub, members });
      const [{ port }] = await ready;
      // One question at a time per host: answers come back in order.
      let queue: Promise<unknown> = Promise.resolve();
      const ask = (type: 'report' | 'latencies') => {
        const answer = queue.then(async () => {
          const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
            const onMessage = (m: Record<string, unknown>) => {
              if (m.type !== type) return;
              child.off('message', onMessage);
              child.off('exit', onExit);
              resolve(m);
            };
            const onExit = () => reject(new Error(`city host ${h} exited`));
            child.on('message', onMessage);
            child.once('exit', onExit);
          });
          child.send({ type });
          return reply;
        });
        queue = answer.catch(() => undefined);
        return answer;
      };
      return { port, child, ask };
    }),
  );
}

/** Nearest-rank percentile of a histogram (value → count). */
export function histogramPercentile(hist: ReadonlyMap<number, number>, p: number): number {
  const entries = [...hist].sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [value, n] of entries) {
    seen += n;
    if (seen >= rank) return value;
  }
  return entries.at(-1)![0];
}
