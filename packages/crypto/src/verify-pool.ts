import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  checkEnvelope,
  type Envelope,
  finishVerify,
  type Rejection,
  type VerifyOptions,
  type VerifyResult,
  verifyObject,
} from './verify.js';

/**
 * `verifyObject` for a batch, with the checks that need no key (base64url, header,
 * canonical form, schema, the object id's hash: most of the main thread's work per
 * object) in worker threads, and the signature on libuv's pool: the event loop
 * keeps only the key lookup, the clock checks and the hand-offs. Same checks, same
 * order, same answers as `verifyObject` one by one (the pool's tests compare them).
 *
 * One pool per process (`sharedVerifyPool`), as many workers as cores, started on
 * first use and stopped after a minute without work (an idle node does not keep
 * them). The workers run the built code of this package (`dist/`), like every
 * worker: build first (`npx tsc -b`). A worker that fails has its batch checked
 * in this thread instead; nothing is skipped.
 */
export class VerifyPool {
  readonly #workers: (PoolWorker | undefined)[];
  #next = 0;
  /** Objects whose envelope was checked in a worker, and in this thread (small batches, failed workers). */
  readonly checked = { inWorkers: 0, inThread: 0 };

  constructor(
    readonly size = Math.max(1, availableParallelism()),
    private readonly idleMs = 60_000,
  ) {
    this.#workers = new Array(size).fill(undefined);
  }

  /** Batches smaller than this are checked in this thread: a hand-off costs more than it saves. */
  static readonly MIN_BATCH = 4;

  async verifyAll(items: readonly unknown[], options: VerifyOptions): Promise<VerifyResult[]> {
    if (items.length < VerifyPool.MIN_BATCH) {
      this.checked.inThread += items.length;
      return Promise.all(items.map((jws) => verifyObject(jws, options)));
    }
    const chunks = Math.min(this.size, Math.ceil(items.length / VerifyPool.MIN_BATCH));
    const per = Math.ceil(items.length / chunks);
    const parts = await Promise.all(
      Array.from({ length: chunks }, (_, c) => this.#check(items.slice(c * per, (c + 1) * per), options.kinds)),
    );
    const envelopes = parts.flat();
    return Promise.all(envelopes.map((e, i) => (e.ok ? finishVerify(items[i] as string, e, options) : e)));
  }

  async #check(items: readonly unknown[], kinds: VerifyOptions['kinds']): Promise<(Envelope | Rejection)[]> {
    const slot = this.#next;
    this.#next = (this.#next + 1) % this.size;
    try {
      this.#workers[slot] ??= new PoolWorker(this.idleMs, () => {
        if (this.#workers[slot] === worker) this.#workers[slot] = undefined;
      });
      const worker = this.#workers[slot]!;
      const out = await worker.check(items, kinds);
      this.checked.inWorkers += items.length;
      return out;
    } catch {
      this.checked.inThread += items.length;
      return items.map((jws) => checkEnvelope(jws, kinds));
    }
  }

  /** Stops the workers (they are unref'd: a process may also just exit). */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w?.stop()));
    this.#workers.fill(undefined);
  }
}

let shared: VerifyPool | undefined;

/** The process's pool. */
export function sharedVerifyPool(): VerifyPool {
  shared ??= new VerifyPool();
  return shared;
}

// CommonJS source for an eval'd worker (none of the parent's flags apply): it loads
// this package's built entry and answers batches of checkEnvelope.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const ready = import(pathToFileURL(workerData.entry).href);
parentPort.on('message', async ({ id, items, kinds }) => {
  try {
    const { checkEnvelope } = await ready;
    parentPort.postMessage({ id, results: items.map((jws) => checkEnvelope(jws, kinds)) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});
`;
const ENTRY = createRequire(import.meta.url).resolve('@citylink/crypto');

type Reply = { id: number; results?: (Envelope | Rejection)[]; error?: string };

class PoolWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (r: (Envelope | Rejection)[]) => void; reject: (e: Error) => void }>();
  #id = 0;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    onGone: () => void,
  ) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { entry: ENTRY } });
    this.#worker.unref();
    this.#worker.on('message', (m: Reply) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.results) w?.resolve(m.results);
      else w?.reject(new Error(`verify worker: ${m.error}`));
      this.#armIdle();
    });
    const gone = (why: string) => {
      onGone();
      for (const w of this.#waiting.values()) w.reject(new Error(why));
      this.#waiting.clear();
      clearTimeout(this.#idle);
    };
    this.#worker.on('error', (err) => gone(`verify worker failed: ${String(err)}`));
    this.#worker.on('exit', () => gone('verify worker exited'));
  }

  check(items: readonly unknown[], kinds: VerifyOptions['kinds']): Promise<(Envelope | Rejection)[]> {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    const id = this.#id++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, items, kinds });
    });
  }

  #armIdle(): void {
    if (this.#waiting.size > 0) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => void this.stop(), this.idleMs);
    this.#idle.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#idle);
    await this.#worker.terminate();
  }
}
