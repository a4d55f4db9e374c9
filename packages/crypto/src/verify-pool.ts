import type { JsonWebKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  afterSignature,
  checkEnvelope,
  type Envelope,
  finishVerify,
  jwkOf,
  keyFor,
  type Rejection,
  signingInputOf,
  type VerifyOptions,
  type VerifyResult,
  verifyObject,
} from './verify.js';

/**
 * `verifyObject` for a batch, with the checks that need no key (base64url, header,
 * canonical form, schema, the object id's hash: most of the main thread's work per
 * object) in worker threads, then, once this thread has resolved each object's key
 * and checked its validity, the signatures in the workers too, against exactly
 * those keys: the event loop keeps only the key lookup, the clock checks and the
 * hand-offs (a signature on libuv's pool costs this thread ~20 µs to dispatch).
 * Same checks, same order, same answers as `verifyObject` one by one (the pool's
 * tests compare them).
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
  /**
   * Objects whose envelope was checked in a worker, and in this thread (small batches,
   * failed workers); signatures checked in a worker (the others on libuv's pool).
   */
  readonly checked = { inWorkers: 0, inThread: 0, signaturesInWorkers: 0 };

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
    const envelopes = await this.#spread(
      items,
      async (w, part) => {
        const out = await w.ask<Envelope | Rejection>({ items: part, kinds: options.kinds });
        this.checked.inWorkers += part.length;
        return out;
      },
      (part) => {
        this.checked.inThread += part.length;
        return part.map((jws) => checkEnvelope(jws, options.kinds));
      },
    );
    const keys = await Promise.all(envelopes.map((e) => (e.ok ? keyFor(e, options) : e)));
    // The signatures of the objects whose key is known and was valid, with that key.
    const signed = keys.flatMap((k, i) => ('ok' in k ? [] : [i]));
    const checks = signed.map((i) => ({
      input: signingInputOf(items[i] as string),
      sig: (envelopes[i] as Envelope).signature,
      jwk: jwkOf((keys[i] as Exclude<(typeof keys)[number], Rejection>).key),
    }));
    const verdicts = await this.#spread(
      checks,
      async (w, part) => {
        const out = await w.ask<boolean | null>({ signatures: part });
        this.checked.signaturesInWorkers += part.length;
        return out;
      },
      (part) => part.map(() => null),
    );
    const results: (VerifyResult | Promise<VerifyResult>)[] = keys.map((k) => k as Rejection);
    for (const [n, i] of signed.entries()) {
      const jws = items[i] as string;
      const e = envelopes[i] as Envelope;
      const ok = verdicts[n];
      // A signature a worker could not check (or a failed worker) is checked here.
      results[i] = typeof ok === 'boolean' ? afterSignature(jws, e, ok, options) : finishVerify(jws, e, options);
    }
    return Promise.all(results);
  }

  /** `work` on consecutive parts of `items`, one part per worker; `fallback` in this thread for a part whose worker failed. */
  async #spread<T, R>(
    items: readonly T[],
    work: (w: PoolWorker, part: readonly T[]) => Promise<R[]>,
    fallback: (part: readonly T[]) => R[],
  ): Promise<R[]> {
    if (items.length === 0) return [];
    const chunks = Math.min(this.size, Math.ceil(items.length / VerifyPool.MIN_BATCH));
    const per = Math.ceil(items.length / chunks);
    const parts = await Promise.all(
      Array.from({ length: chunks }, async (_, c) => {
        const part = items.slice(c * per, (c + 1) * per);
        try {
          return await work(this.#worker(), part);
        } catch {
          return fallback(part);
        }
      }),
    );
    return parts.flat();
  }

  #worker(): PoolWorker {
    const slot = this.#next;
    this.#next = (this.#next + 1) % this.size;
    let worker = this.#workers[slot];
    if (!worker) {
      const made = new PoolWorker(this.idleMs, () => {
        if (this.#workers[slot] === made) this.#workers[slot] = undefined;
      });
      worker = this.#workers[slot] = made;
    }
    return worker;
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
// this package's built entry and answers batches of checkEnvelope, or of signatures
// (Ed25519 over a signing input with the JWK of the key the parent resolved; null
// when the key cannot be used here, for the parent to check itself).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { createPublicKey, verify } = require('node:crypto');
const ready = import(pathToFileURL(workerData.entry).href);
const keys = new Map();
function keyOf(jwk) {
  const id = jwk.kty + ' ' + jwk.crv + ' ' + jwk.x;
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= 10000) keys.clear();
    key = createPublicKey({ key: jwk, format: 'jwk' });
    keys.set(id, key);
  }
  return key;
}
function signatureValid({ input, sig, jwk }) {
  try {
    const key = keyOf(jwk);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, Buffer.from(input, 'latin1'), key, sig);
  } catch {
    return null;
  }
}
parentPort.on('message', async ({ id, items, kinds, signatures }) => {
  try {
    if (signatures) return parentPort.postMessage({ id, results: signatures.map(signatureValid) });
    const { checkEnvelope } = await ready;
    parentPort.postMessage({ id, results: items.map((jws) => checkEnvelope(jws, kinds)) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});
`;
const ENTRY = createRequire(import.meta.url).resolve('@citylink/crypto');

type Reply = { id: number; results?: unknown[]; error?: string };
type Request =
  | { items: readonly unknown[]; kinds: VerifyOptions['kinds'] }
  | { signatures: readonly { input: string; sig: Uint8Array; jwk: JsonWebKey }[] };

class PoolWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (r: unknown[]) => void; reject: (e: Error) => void }>();
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

  ask<R>(request: Request): Promise<R[]> {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    const id = this.#id++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (r: unknown[]) => void, reject });
      this.#worker.postMessage({ id, ...request });
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
