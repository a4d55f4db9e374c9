import { AsyncLocalStorage } from 'node:async_hooks';
import { DriverException, type MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection, Knex, SqlEntityManager } from '@mikro-orm/knex';
import { type Dialect, isDriverError } from './dialect.js';
import { durable, holdForCommit } from './wal-sync.js';

/** What every handle on one database shares. */
export interface Engine {
  readonly orm: MikroORM;
  readonly dialect: Dialect;
  /** The query builder on the pool (outside any transaction). */
  readonly knex: Knex;
}

export function engineOf(orm: MikroORM, dialect: Dialect): Engine {
  return { orm, dialect, knex: (orm.em.getConnection() as AbstractSqlConnection).getKnex() };
}

/** Thrown when a writer is reached outside the transaction it was handed out for. */
export class TransactionRequiredError extends Error {
  override name = 'TransactionRequiredError';
}

type Mode = 'read' | 'single' | 'transaction';

/**
 * One handle the table parts run their statements through: the pool for reads, or
 * one open transaction for reads and writes. While a transaction's `fn` runs, the
 * store calls of its async call chain (reads, nested transactions, single writes)
 * join it: on SQLite the pool has one connection, and a query outside the open
 * transaction would wait for it forever.
 */
export class Db {
  readonly #hooks: (() => void)[] = [];
  #open = true;

  private constructor(
    readonly engine: Engine,
    readonly knex: Knex,
    readonly mode: Mode,
  ) {}

  /** The pool: reads only. */
  static pool(engine: Engine): Db {
    return new Db(engine, engine.knex, 'read');
  }

  get dialect(): Dialect {
    return this.engine.dialect;
  }

  /** The transaction the caller's async chain runs in, if one is open on this database. */
  static current(engine: Engine): Db | undefined {
    const db = running.getStore();
    return db && db.engine === engine && db.#open ? db : undefined;
  }

  /** An entity manager on this handle: a fresh fork each time, so no identity map outlives a call. */
  em(): SqlEntityManager {
    const em = this.engine.orm.em.fork() as SqlEntityManager;
    if (this.mode === 'transaction') em.setTransactionContext(this.knex as Knex.Transaction);
    return em;
  }

  /** Every write checks this first: writers exist only inside `transact` (or a store-internal single statement). */
  assertWritable(): void {
    if (this.mode === 'read') throw new TransactionRequiredError('writes run only inside store.transact()');
    if (!this.#open) throw new TransactionRequiredError('this transaction has already ended');
  }

  /** `cb` runs once the transaction has committed, and never if it rolls back. */
  onCommit(cb: () => void): void {
    this.assertWritable();
    this.#hooks.push(cb);
  }

  /**
   * Runs `fn` in one transaction and then the commit hooks registered in it. Errors
   * from the database come out as MikroORM's (UniqueConstraintViolationException, …);
   * anything `fn` throws itself comes out unchanged.
   */
  static async transaction<T>(engine: Engine, fn: (db: Db) => Promise<T>): Promise<T> {
    const outer = Db.current(engine);
    if (outer) return fn(outer);
    let db: Db | undefined;
    let result: T;
    let held: { end(): Promise<void> } | undefined;
    try {
      result = await engine.knex.transaction((trx) => {
        held = holdForCommit(engine.knex);
        const opened = new Db(engine, trx, 'transaction');
        db = opened;
        return running.run(opened, async () => {
          try {
            return await fn(opened);
          } finally {
            // Work `fn` started without awaiting must not join a transaction that is committing.
            opened.#open = false;
          }
        });
      });
    } catch (err) {
      if (db) db.#open = false;
      await held?.end().catch(() => undefined);
      throw convert(engine, err);
    }
    // On SQLite, the commit is fsynced off the event loop (wal-sync.ts); it counts once that is done.
    await held?.end();
    db!.#committed();
    return result;
  }

  /**
   * A write of one statement, which is its own transaction: no BEGIN/COMMIT around
   * it (the hot single-row updates stay one round trip). Joins an open transaction.
   */
  static async single<T>(engine: Engine, fn: (db: Db) => Promise<T>): Promise<T> {
    const outer = Db.current(engine);
    if (outer) return fn(outer);
    const db = new Db(engine, engine.knex, 'single');
    let result: T;
    try {
      result = await fn(db);
    } catch (err) {
      db.#open = false;
      throw convert(engine, err);
    }
    await durable(engine.knex);
    db.#committed();
    return result;
  }

  /** Runs every hook even if one throws; the first error then reaches the caller, the data stays committed. */
  #committed(): void {
    this.#open = false;
    let first: unknown;
    for (const hook of this.#hooks) {
      try {
        hook();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

const running = new AsyncLocalStorage<Db>();

function convert(engine: Engine, err: unknown): unknown {
  if (err instanceof DriverException || !isDriverError(err)) return err;
  return engine.orm.em.getDriver().convertException(err);
}
