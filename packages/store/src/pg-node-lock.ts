import type pg from 'pg';
import { clientConfig, loadPg } from './pg-hosts.js';

/** Session advisory locks are per database, so one key serves every CityLink database. */
const ADVISORY_KEY = '4857541737417633387'; // 'CityLink' as a 64-bit integer

/**
 * PostgreSQL's node lock: a session advisory lock on a connection of its own (not the
 * pool's: a pooled connection is not watched). The server drops it when that session
 * ends, so a crash leaves nothing stale. Hub processes may share a database (`shared`):
 * they take it in shared mode, so any number of them hold it together, while a city
 * (exclusive) is refused beside them, and they beside a city.
 *
 * The lock lives on one server. After a failover (the standby promoted, the old primary
 * gone) the session is lost with it, and the promoted server holds no lock at all: a
 * city started there would be let in beside the hub. So a lost session is opened again
 * (every `retryMs`, on whichever server the connection string now reaches) and the lock
 * taken again; `held` says whether it is held right now.
 */
export class PgNodeLock {
  #client: pg.Client | undefined;
  #released = false;
  #timer: NodeJS.Timeout | undefined;
  /** Why the last attempt to take it again failed (undefined while held). */
  lastError: string | undefined;

  private constructor(
    private readonly url: string,
    private readonly shared: boolean,
    private readonly retryMs: number,
  ) {}

  /** Takes the lock, or answers undefined if another session holds it in the other mode. */
  static async take(url: string, shared: boolean, retryMs = 1_000): Promise<PgNodeLock | undefined> {
    const lock = new PgNodeLock(url, shared, retryMs);
    return (await lock.#take()) ? lock : undefined;
  }

  get held(): boolean {
    return this.#client !== undefined;
  }

  get #mode(): string {
    return this.shared ? '_shared' : '';
  }

  async #take(): Promise<boolean> {
    const { Client } = await loadPg();
    const client = new Client({ ...(await clientConfig(this.url)), connectionTimeoutMillis: 5_000 });
    // A server that goes away ends the session ('end' below); its error needs no more handling.
    client.on('error', () => undefined);
    await client.connect();
    try {
      const { rows } = await client.query(`select pg_try_advisory_lock${this.#mode}($1::bigint) as ok`, [ADVISORY_KEY]);
      if (!rows[0]?.ok) {
        await client.end().catch(() => undefined);
        return false;
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#released) {
      await client.end().catch(() => undefined);
      return true;
    }
    this.#client = client;
    this.lastError = undefined;
    client.once('end', () => {
      if (this.#client === client) this.#client = undefined;
      this.#retake();
    });
    return true;
  }

  #retake(): void {
    if (this.#released) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      try {
        if (!(await this.#take())) {
          this.lastError = 'held by another node (a city, or hub processes beside a city)';
          this.#retake();
        }
      } catch (err) {
        this.lastError = (err as Error).message;
        this.#retake();
      }
    }, this.retryMs);
    this.#timer.unref();
  }

  async release(): Promise<void> {
    this.#released = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    await client.query(`select pg_advisory_unlock${this.#mode}($1::bigint)`, [ADVISORY_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
