import { close, fstatSync, fsync, openSync } from 'node:fs';
import type { Knex } from '@mikro-orm/knex';
import { Checkpointer } from './checkpointer.js';

/**
 * SQLite commits without blocking the event loop on fsync, and stays as durable
 * as `synchronous = FULL`.
 *
 * With `synchronous = FULL` every COMMIT fsyncs the WAL on the calling thread: on
 * this machine about 5 ms during which a node does nothing else (a fifth of the
 * hub's main thread under ingest). Instead the connection runs with `synchronous
 * = NORMAL` (SQLite itself then fsyncs only around checkpoints) and this class
 * fsyncs the WAL file on libuv's thread pool after every write that left no
 * transaction open. Until that fsync has finished:
 *   - the transaction or single write does not return (so nothing is acknowledged,
 *     no commit hook runs, no bus event fires before the data is on disk), and
 *   - the connection is not handed out again (SQLite has one), so no reader of this
 *     node can see, or serve to a peer, a row that a power loss could still take back.
 * Meanwhile the event loop parses, verifies and answers. Requests that arrive while
 * an fsync runs share the next one.
 */
export class WalSync {
  #fd: number | undefined;
  /** The fsync in flight, and the one queued behind it for writes made since it started. */
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  /** Settles when every write so far is on disk. */
  settled: Promise<void> = Promise.resolve();

  /** fsync(2) on libuv's pool; tests replace it to hold an fsync open. */
  flush: (fd: number) => Promise<void> = (fd) =>
    new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));

  /** Told the WAL's size after each fsync. */
  checkpointer: Checkpointer | undefined;

  constructor(readonly walPath: string) {}

  /** A write just completed with no transaction left open: make it durable. */
  request(): Promise<void> {
    this.settled = this.#next();
    return this.settled;
  }

  /**
   * Called by a transaction once it holds the connection: whoever gets the connection
   * after it waits until `end` is called (after COMMIT or ROLLBACK) and the fsync it
   * starts has finished. `end` returns that fsync.
   */
  hold(): { end(): Promise<void> } {
    let open!: (p: Promise<void>) => void;
    this.settled = new Promise<void>((resolve, reject) => {
      open = (p) => p.then(resolve, reject);
    });
    return {
      end: () => {
        const flushed = this.#next();
        open(flushed);
        return flushed;
      },
    };
  }

  #next(): Promise<void> {
    if (!this.#running) return this.#start();
    // The running fsync may have started before this write: wait for one that starts after it.
    this.#queued ??= this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#queued;
  }

  #start(): Promise<void> {
    this.#queued = undefined;
    this.#fd ??= openSync(this.walPath, 'r');
    const fd = this.#fd;
    const run = this.flush(fd);
    this.#running = run;
    void run.then(
      () => this.#done(run),
      () => this.#done(run),
    );
    return run;
  }

  #done(run: Promise<void>): void {
    if (this.#running === run) this.#running = undefined;
    const fd = this.#fd;
    // One fstat(2): cheaper run here than handed to the pool, which the fsyncs and signatures keep busy.
    if (this.checkpointer && fd !== undefined) this.checkpointer.grew(fstatSync(fd).size);
  }

  async close(): Promise<void> {
    await this.settled.catch(() => undefined);
    await this.checkpointer?.close();
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}

interface SqliteHandle {
  inTransaction: boolean;
}

interface SqliteClient {
  acquireConnection(): Promise<unknown>;
  _query(connection: SqliteHandle, obj: { sql: string }): Promise<unknown>;
}

const syncs = new WeakMap<object, WalSync>();

/** The WalSync of this knex's pool, if the database has one (a transaction's knex has its own client: none). */
export function walSyncOf(knex: Knex): WalSync | undefined {
  return syncs.get(knex.client as object);
}

/** Statements that never write; anything else, including COMMIT, may have. */
const READ_ONLY = /^\s*(select|pragma\s+\w+\s*(;|$))/i;

/**
 * Puts a file database's connection in the mode above: `synchronous = NORMAL`,
 * an fsync after every write that ends outside a transaction, the connection
 * handed out only once the last one finished, and checkpoints in a worker
 * (`Checkpointer`) instead of inside a COMMIT.
 */
/** The WalSync of a SQLite file database (none for PostgreSQL, memory or URI databases). */
export function walSyncFor(knex: Knex, dialect: string, path: string): Promise<WalSync> | undefined {
  const file = dialect === 'sqlite' && path !== ':memory:' && path !== '' && !path.startsWith('file:');
  return file ? attachWalSync(knex, path) : undefined;
}

export async function attachWalSync(knex: Knex, sqlitePath: string): Promise<WalSync> {
  await knex.raw('pragma synchronous = NORMAL');
  await knex.raw('pragma wal_autocheckpoint = 0');
  const sync = new WalSync(`${sqlitePath}-wal`);
  sync.checkpointer = new Checkpointer(sqlitePath, () => {
    void knex.raw('pragma wal_autocheckpoint = 1000').catch(() => undefined);
  });
  const client = knex.client as unknown as SqliteClient;
  const acquire = client.acquireConnection.bind(client);
  const query = client._query.bind(client);
  client.acquireConnection = async () => {
    const connection = await acquire();
    try {
      await sync.settled;
    } catch (err) {
      // The last fsync failed: what was committed may not be on disk. Refuse, do not leak the connection.
      await (knex.client as unknown as { releaseConnection(c: unknown): Promise<void> }).releaseConnection(connection);
      throw err;
    }
    return connection;
  };
  // Statements outside a transaction run through the pool's client (a transaction's
  // statements, COMMIT included, through a client of its own: see `hold`).
  client._query = async (connection, obj) => {
    const result = await query(connection, obj);
    if (!connection.inTransaction && !READ_ONLY.test(obj.sql)) void sync.request().catch(() => undefined);
    return result;
  };
  syncs.set(client, sync);
  return sync;
}

/** After a raw write on `connection` (outside knex's query path): as `_query` does. */
export function afterRawWrite(knex: Knex, connection: SqliteHandle): void {
  const sync = walSyncOf(knex);
  if (sync && !connection.inTransaction) void sync.request().catch(() => undefined);
}

/** See `WalSync.hold`; undefined without a WalSync (PostgreSQL, in-memory SQLite). */
export function holdForCommit(knex: Knex): { end(): Promise<void> } | undefined {
  return walSyncOf(knex)?.hold();
}

/** Resolves once what this database has committed so far is on disk (at once without a WalSync). */
export function durable(knex: Knex): Promise<void> {
  return walSyncOf(knex)?.settled ?? Promise.resolve();
}
