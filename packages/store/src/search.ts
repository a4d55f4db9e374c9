import { searchWords } from '@citylink/protocol';
import type { Dialect } from './dialect.js';

/**
 * Full-text search over items' search text, one query for both databases: each
 * word the user typed must appear, its letters and digits as a phrase of tokens,
 * stemmed (porter / english), the last token a prefix ("ballot" finds "ballots",
 * "phish" finds "phishing", "wec-vote.example" finds the address inside an e-mail
 * sender). SQLite answers from an FTS5 index, PostgreSQL from a GIN index on a
 * tsvector (both in a table `items_fts` beside `items`, kept in step by triggers); both split text at every character that is not a letter or a digit.
 */

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
