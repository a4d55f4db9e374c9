import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { RateLimitedError } from '../errors.js';

export type DiffPart = { text: string; change: 'added' | 'removed' | 'same' };
export interface RevisionDiff {
  /** False when the revisions are too different to show word by word: then the parts are the whole of each. */
  wordByWord: boolean;
  parts: DiffPart[];
}

/**
 * Two revisions with nothing in common cost the Myers diff O(n²): 22 s for two
 * 99 KB texts, on the event loop, for every invited city whose console opened the
 * page. The diff now runs in a worker thread, gives up past these bounds (the
 * answer is then the whole old text removed and the whole new one added), and a
 * worker that overruns them anyway is terminated.
 */
export const DIFF_BOUNDS = { maxEditLength: 2_000, timeoutMs: 200, hardTimeoutMs: 2_000, maxQueued: 8 };

// CommonJS source for an eval'd worker (with none of the parent's flags, such as
// --input-type=module): runs the same from src (tests) and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { diffWords } = require(workerData.diff);
parentPort.on('message', ({ id, a, b, maxEditLength, timeout }) => {
  let parts;
  try {
    parts = diffWords(a, b, { maxEditLength, timeout });
  } catch {
    parts = undefined;
  }
  parentPort.postMessage({
    id,
    parts: parts && parts.map((p) => ({ text: p.value, change: p.added ? 'added' : p.removed ? 'removed' : 'same' })),
  });
});
`;
const DIFF_MODULE = createRequire(import.meta.url).resolve('diff');

/** The parts; or past the bounds; or the worker failed (not worth remembering). */
type Outcome = DiffPart[] | 'too different' | 'failed';

/** Word diffs off the event loop, one at a time, in a worker started on first use. */
class DiffWorker {
  constructor(private readonly onError: (err: unknown) => void) {}

  #worker: Worker | undefined;
  #next = 0;
  readonly #waiting = new Map<number, (outcome: Outcome) => void>();

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { diff: DIFF_MODULE } });
    worker.unref();
    worker.on('message', (m: { id: number; parts?: DiffPart[] }) => {
      this.#waiting.get(m.id)?.(m.parts ?? 'too different');
      this.#waiting.delete(m.id);
    });
    const gone = () => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const resolve of this.#waiting.values()) resolve('failed');
      this.#waiting.clear();
    };
    worker.on('error', (err) => {
      this.onError(err);
      gone();
    });
    worker.on('exit', gone);
    this.#worker = worker;
    return worker;
  }

  diff(a: string, b: string): Promise<Outcome> {
    let worker: Worker;
    try {
      worker = this.#start();
    } catch (err) {
      this.onError(err);
      return Promise.resolve('failed');
    }
    const id = this.#next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Past every bound: the worker is stuck in something the bounds do not cover.
        this.#waiting.delete(id);
        resolve('too different');
        if (this.#worker === worker) this.#worker = undefined;
        void worker.terminate();
      }, DIFF_BOUNDS.hardTimeoutMs);
      timer.unref();
      this.#waiting.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      worker.postMessage({ id, a, b, maxEditLength: DIFF_BOUNDS.maxEditLength, timeout: DIFF_BOUNDS.timeoutMs });
    });
  }

  async close(): Promise<void> {
    await this.#worker?.terminate();
  }
}

/**
 * Word diffs per revision pair: revision ids are content hashes, so a pair's diff
 * never changes and is computed once (bounded LRU by size). Concurrent requests
 * for one pair share the computation; too many different pairs at once are
 * refused rather than queued without end.
 */
export class RevisionDiffs {
  readonly #worker: DiffWorker;
  readonly #cache = new LRUCache<string, RevisionDiff>({
    maxSize: 16_000_000,
    sizeCalculation: (d) =>
      Math.max(
        1,
        d.parts.reduce((n, p) => n + p.text.length, 0),
      ),
  });
  readonly #inFlight = new Map<string, Promise<RevisionDiff>>();
  #queue: Promise<unknown> = Promise.resolve();

  /** `onError`: the worker failed (its diffs answer "too different"). */
  constructor(onError: (err: unknown) => void = () => {}) {
    this.#worker = new DiffWorker(onError);
  }

  async between(a: { id: string; text: string }, b: { id: string; text: string }): Promise<RevisionDiff> {
    const key = `${a.id}|${b.id}`;
    const hit = this.#cache.get(key) ?? this.#inFlight.get(key);
    if (hit) return hit;
    if (this.#inFlight.size >= DIFF_BOUNDS.maxQueued) {
      throw new RateLimitedError('this node is busy comparing other revisions; try again shortly', 1_000);
    }
    const run = this.#queue.then(() => this.#worker.diff(a.text, b.text));
    this.#queue = run.catch(() => undefined);
    const result = run.then((outcome): RevisionDiff => {
      const diff: RevisionDiff = Array.isArray(outcome)
        ? { wordByWord: true, parts: outcome }
        : {
            wordByWord: false,
            parts: [
              { text: a.text, change: 'removed' },
              { text: b.text, change: 'added' },
            ],
          };
      if (outcome !== 'failed') this.#cache.set(key, diff);
      return diff;
    });
    this.#inFlight.set(key, result);
    try {
      return await result;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  close(): Promise<void> {
    return this.#worker.close();
  }
}
