/** A position in a collection: the log row `seq`, and how many of that row's STIX objects were already served. */
export interface Cursor {
  seq: number;
  skip: number;
}

/** `match[…]` filters (TAXII 2.1 §3.4.1): each a list of alternatives, absent when not given. */
export interface Match {
  types?: string[];
  ids?: string[];
  specVersions?: string[];
  /** `all`, `first`, `last` or STIX timestamps. */
  versions?: string[];
}

export interface ObjectsQuery {
  limit: number;
  /** Where the page starts: from `next`, from `added_after`, or the collection's start. */
  next?: string;
  addedAfter?: Date;
  match: Match;
}

/** A request the TAXII routes refuse with a 400 and this text. */
export class TaxiiQueryError extends Error {
  override name = 'TaxiiQueryError';
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function parseTimestamp(value: string, what: string): Date {
  const t = TIMESTAMP.test(value) ? new Date(value.replace(/(\.\d{3})\d+Z$/, '$1Z')) : undefined;
  if (!t || Number.isNaN(t.getTime())) throw new TaxiiQueryError(`${what}: ${value} is not a STIX timestamp`);
  return t;
}

/** A STIX timestamp with microsecond digits, as TAXII's `date_added` is written. */
export const taxiiTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

const list = (params: URLSearchParams, key: string) => {
  const all = params.getAll(key).flatMap((v) => v.split(','));
  return all.length > 0 ? all.map((v) => v.trim()).filter((v) => v !== '') : undefined;
};

export function parseObjectsQuery(params: URLSearchParams): ObjectsQuery {
  const known = new Set([
    'limit',
    'next',
    'added_after',
    'match[type]',
    'match[id]',
    'match[version]',
    'match[spec_version]',
  ]);
  for (const key of params.keys()) {
    if (!known.has(key)) throw new TaxiiQueryError(`unknown parameter ${key}`);
  }
  const rawLimit = params.get('limit');
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1) throw new TaxiiQueryError('limit: a positive integer');
  const versions = list(params, 'match[version]');
  for (const v of versions ?? []) {
    if (v !== 'all' && v !== 'first' && v !== 'last') parseTimestamp(v, 'match[version]');
  }
  const match: Match = {
    ...(list(params, 'match[type]') && { types: list(params, 'match[type]') }),
    ...(list(params, 'match[id]') && { ids: list(params, 'match[id]') }),
    ...(list(params, 'match[spec_version]') && { specVersions: list(params, 'match[spec_version]') }),
    ...(versions && { versions }),
  };
  const addedAfter = params.get('added_after');
  const next = params.get('next');
  return {
    limit: Math.min(limit, MAX_LIMIT),
    match,
    ...(next !== null && { next }),
    ...(addedAfter !== null && { addedAfter: parseTimestamp(addedAfter, 'added_after') }),
  };
}

/** `next` is opaque to clients: the log epoch (a reset log invalidates it), the row and the offset in it. */
export function encodeCursor(epoch: string, c: Cursor): string {
  return Buffer.from(`${epoch}|${c.seq}|${c.skip}`).toString('base64url');
}

export function decodeCursor(epoch: string, next: string): Cursor {
  const [e, seq, skip] = Buffer.from(next, 'base64url').toString().split('|');
  const cursor = { seq: Number(seq), skip: Number(skip) };
  if (!Number.isSafeInteger(cursor.seq) || !Number.isSafeInteger(cursor.skip) || cursor.seq < 1 || cursor.skip < 0) {
    throw new TaxiiQueryError('next: not a value this server gave');
  }
  if (e !== epoch) throw new TaxiiQueryError("next: this node's log was reset since; start the collection again");
  return cursor;
}
