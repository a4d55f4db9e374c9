import { searchWords } from '@citylink/protocol';
import { Db } from './db.js';
import type { Dialect } from './dialect.js';

/**
 * Full-text search over items' search text, one query for both databases: each
 * word the user typed must appear, its letters and digits as a phrase of tokens,
 * stemmed (porter / english), the last token a prefix ("ballot" finds "ballots",
 * "phish" finds "phishing", "wec-vote.example" finds the address inside an e-mail
 * sender). SQLite answers from an FTS5 index, PostgreSQL from a GIN index on a
 * tsvector (both in a table `items_fts` beside `items`); both split text at every
 * character that is not a letter or a digit. PostgreSQL's is kept by triggers;
 * SQLite's is filled in bulk from a queue the insert trigger writes (tokenizing in
 * the append cost more than all the rest of the insert), before every search and
 * in the background (`SearchIndexer`), so a search always sees every item.
 */

/** SQLite: puts the queued items into the FTS5 index, in one transaction (joins an open one). Returns how many were queued. */
export async function indexPendingSearch(db: Db): Promise<number> {
  if (db.dialect !== 'sqlite') return 0;
  const [row] = (await db.knex.raw('select count(*) as n from `items_fts_pending`')) as { n: number }[];
  if (!row?.n) return 0;
  await Db.transaction(db.engine, async (tx) => {
    await tx.knex.raw(
      'insert into `items_fts`(rowid, `search_text`) select i.rowid, i.`search_text` from `items` i join `items_fts_pending` p on p.`item_rowid` = i.rowid',
    );
    await tx.knex.raw('delete from `items_fts_pending`');
  });
  return row.n;
}

/**
 * Indexes queued items in the background: `idleMs` after the last append, or at
 * once when `maxQueued` items wait (so a long burst is indexed in large batches).
 */
export class SearchIndexer {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #queued = 0;
  #closed = false;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly opts = { idleMs: 200, maxQueued: 5_000 },
  ) {}

  /** `n` items were just committed. */
  added(n: number): void {
    if (this.#closed || n === 0) return;
    this.#queued += n;
    clearTimeout(this.#timer);
    if (this.#queued >= this.opts.maxQueued) this.#start();
    else {
      this.#timer = setTimeout(() => this.#start(), this.opts.idleMs);
      this.#timer.unref();
    }
  }

  #start(): void {
    clearTimeout(this.#timer);
    if (this.#running || this.#closed) return;
    this.#queued = 0;
    this.#running = this.run()
      .then(
        () => undefined,
        () => undefined, // the next search indexes what is left
      )
      .finally(() => {
        this.#running = undefined;
      });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}

/**
 * A SQL condition on the items table (given its alias) and its one parameter, or
 * undefined when the text has no word to look for.
 */
export function searchCondition(
  dialect: Dialect,
  text: string,
): { sql: (alias: string) => string; param: string } | undefined {
  const words = searchWords(text);
  if (words.length === 0) return undefined;
  if (dialect === 'sqlite') {
    // Each word a phrase whose last token is a prefix; FTS5 ANDs them.
    const match = words.map((tokens) => `"${tokens.join(' ')}"*`).join(' AND ');
    return { sql: (alias) => `${alias}.rowid in (select rowid from items_fts where items_fts match ?)`, param: match };
  }
  const query = words
    .map((tokens) => `(${tokens.map((t, i) => (i === tokens.length - 1 ? `'${t}':*` : `'${t}'`)).join(' <-> ')})`)
    .join(' & ');
  return {
    sql: (alias) => `${alias}.id in (select id from items_fts where tsv @@ to_tsquery('english', ?))`,
    param: query,
  };
}
