import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints in a worker thread, on a connection of its own.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages:
 * it copies the pages into the database file and fsyncs both, on the calling thread
 * (under ingest, tens of ms every few hundred objects, with the event loop stopped).
 * The node's connection turns it off (`wal_autocheckpoint = 0`) and this worker
 * runs `wal_checkpoint(PASSIVE)` instead when the WAL has grown past `thresholdBytes`:
 * PASSIVE never blocks the writer, and the WAL restarts from its beginning once a
 * checkpoint has caught up. Durability does not depend on it (a commit is durable
 * once the WAL is fsynced, see WalSync). Started on first need, so a node that
 * writes little never starts it; if it fails, `onFailure` puts automatic
 * checkpoints back.
 */
export class Checkpointer {
  #worker: Worker | undefined;
  #running = false;
  #failed = false;
  /** Checkpoints completed. */
  done = 0;

  constructor(
    readonly dbPath: string,
    private readonly onFailure: (err: unknown) => void,
    readonly thresholdBytes = 4 * 1024 * 1024,
  ) {}

  /** The WAL is `walBytes` long now. */
  grew(walBytes: number): void {
    if (this.#failed || this.#running || walBytes < this.thresholdBytes) return;
    this.#running = true;
    try {
      this.#start().postMessage('checkpoint');
    } catch (err) {
      this.#fail(err);
    }
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(SOURCE, { eval: true, execArgv: [], workerData: { driver: DRIVER, path: this.dbPath } });
    worker.unref();
    worker.on('message', (m: { ok: boolean; error?: string }) => {
      this.#running = false;
      if (m.ok) this.done += 1;
      else this.#fail(new Error(m.error));
    });
    worker.on('error', (err) => this.#fail(err));
    this.#worker = worker;
    return worker;
  }

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#running = false;
    void this.#worker?.terminate();
    this.#worker = undefined;
    this.onFailure(err);
  }

  /** Closes the worker's connection (before the node's own, so the last to close is the node's). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failed = true;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('close');
    });
  }
}

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

// CommonJS source for an eval'd worker (none of the parent's flags apply).
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    process.exit(0);
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err) });
  }
});
`;
