import { setTimeout as delay } from 'node:timers/promises';
import { applyHubProcesses, checkHubOptions, hubProcesses } from '../demo/hub-processes.js';
import { HUB_SPEC } from '../demo/layout.js';
import { assertPortsFree } from '../demo/ports.js';
import { seedDemo } from '../demo/seed.js';
import { prepareDemo } from '../demo/state.js';
import { renderSummary } from '../demo/summary.js';
import { type ChildSpec, describeExit, NodeExitedError, Supervisor } from '../demo/supervisor.js';
import { CliError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import type { Io } from '../io.js';
import { exists } from '../node-files.js';
import { CITY_ENTRY, HUB_ENTRY } from '../paths.js';

export interface DemoOptions {
  dir: string;
  fresh: boolean;
  basePort?: number | undefined;
  color?: boolean;
  /** The hub as this many processes on one PostgreSQL database (`databaseUrl`). */
  hubProcesses?: number;
  databaseUrl?: string | undefined;
}

/**
 * Runs the demo network: a hub and three cities as separate processes, with state
 * kept in `dir`. Returns after a clean stop (SIGINT/SIGTERM); throws if a node fails.
 */
export async function demo(io: Io, opts: DemoOptions): Promise<void> {
  for (const entry of [HUB_ENTRY, CITY_ENTRY]) {
    if (!(await exists(entry))) throw new CliError(`${entry} is missing; build first (npm run build)`);
  }
  checkHubOptions(opts.hubProcesses ?? 1, opts.databaseUrl);
  const state = await prepareDemo({ ...opts, progress: (line) => io.out(line) });
  const hubs = hubProcesses(state.paths, state.basePort, opts.hubProcesses ?? 1);
  await applyHubProcesses(state.paths, state.basePort, hubs, opts.databaseUrl);
  const specs: ChildSpec[] = state.nodes.map((n) => ({
    node: n.spec.node,
    entry: n.spec.role === 'hub' ? HUB_ENTRY : CITY_ENTRY,
    config: n.config,
    url: n.url,
    port: n.port,
  }));
  const extraHubs: ChildSpec[] = hubs.slice(1).map((h) => ({
    node: h.label,
    nodeId: HUB_SPEC.node,
    entry: HUB_ENTRY,
    config: h.config,
    url: h.url,
    port: h.port,
  }));
  await assertPortsFree([...specs, ...extraHubs]);

  const supervisor = new Supervisor(
    io,
    [...specs, ...extraHubs].map((s) => s.node),
    opts.color ?? false,
  );
  const interrupt = interruptSignal();
  const interrupted = new Promise<'interrupted'>((resolve) =>
    interrupt.signal.addEventListener('abort', () => resolve('interrupted')),
  );
  // Ctrl-C in a terminal signals the children too, so one may exit just before our own
  // handler runs: a failure followed closely by an interrupt is a normal stop.
  const interruptedSoon = async () => (await Promise.race([interrupted, delay(500)])) === 'interrupted';
  const [hub, ...cities] = specs;
  try {
    const started = (async () => {
      supervisor.start(hub!);
      await supervisor.waitHealthy(hub!.node);
      for (const h of extraHubs) supervisor.start(h);
      await Promise.all(extraHubs.map((h) => supervisor.waitHealthy(h.node)));
      for (const city of cities) supervisor.start(city);
      await Promise.all(cities.map((c) => supervisor.waitHealthy(c.node)));
      await seedDemo(state, (line) => io.out(line));
      return 'started' as const;
    })().catch((err: unknown) => ({ err }));
    // A node that starts and then dies while the others are still starting also ends the start.
    const died = supervisor.unexpectedExit().then(({ message }) => ({ err: new NodeExitedError(message) }));
    const first = await Promise.race([started, interrupted, died]);
    if (typeof first === 'object') {
      if (!(await interruptedSoon())) throw first.err;
    } else if (first === 'started') {
      for (const line of renderSummary(state)) io.out(line);
      const outcome = await Promise.race([interrupted, supervisor.unexpectedExit()]);
      if (outcome !== 'interrupted' && !(await interruptedSoon())) {
        io.err(`${outcome.spec.node} exited unexpectedly (${describeExit(outcome.exit)}); stopping the other nodes`);
        await supervisor.stopAll();
        throw new NodeExitedError(`${outcome.spec.node} exited unexpectedly (${describeExit(outcome.exit)})`);
      }
    }
    io.out('stopping the demo network…');
  } finally {
    await supervisor.stopAll();
    interrupt.dispose();
  }
}
