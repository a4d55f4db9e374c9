import { randomUUID } from 'node:crypto';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { NodeConfig } from '../config.js';
import type { ImportReport, StixImport } from './stix-import.js';

export type FeedConfig = NodeConfig['feeds'][number];

const TAXII = 'application/taxii+json;version=2.1';
/** Pages of one pull at most (a feed with more is finished at the next interval). */
const MAX_PAGES = 100;
const PAGE_LIMIT = 1_000;
/** The largest page answer held in memory (a page of 1,000 STIX objects is a few MB). */
export const MAX_PAGE_BYTES = 20 * 1024 * 1024;
/** The account feed imports are signed as (audited under it). */
const FEED_ACTOR: SessionUser = {
  id: 0,
  username: 'feed-import',
  displayName: 'TAXII feed import',
  roles: ['hub-official'],
};

const cursorKey = (feed: string) => `feed_cursor:${feed}`;

/**
 * The hub's scheduled pull of external TAXII 2.1 collections: `GET {url}collections/{id}/objects/`
 * with `added_after` = the last `X-TAXII-Date-Added-Last` seen (kept in node_meta, so a
 * restart resumes), following `next` within one pull; each page is imported object by
 * object. The cursor moves only past pages that were imported.
 */
export class FeedPull {
  constructor(private readonly n: { store: Store; imports: StixImport; log: Logger; timeoutMs: number }) {}

  async pull(feed: FeedConfig): Promise<ImportReport[]> {
    const reports: ImportReport[] = [];
    const base = `${feed.url.replace(/\/?$/, '/')}collections/${encodeURIComponent(feed.collection)}/objects/`;
    const addedAfter = await this.n.store.getMeta(cursorKey(feed.name));
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const url = new URL(base);
      url.searchParams.set('limit', String(PAGE_LIMIT));
      if (next) url.searchParams.set('next', next);
      if (addedAfter) url.searchParams.set('added_after', addedAfter);
      const headers: Record<string, string> = { accept: TAXII };
      if (feed.password !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${feed.username ?? 'citylink'}:${feed.password}`).toString('base64')}`;
      }
      const abort = new AbortController();
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.n.timeoutMs)]);
      const res = await fetch(url, { headers, signal });
      if (!res.ok) {
        abort.abort();
        throw new Error(`feed ${feed.name}: ${url.origin}${url.pathname} answered ${res.status}`);
      }
      const body = JSON.parse(await boundedText(res, abort, `feed ${feed.name}`)) as {
        more?: boolean;
        next?: string;
        objects?: unknown[];
      };
      const objects = Array.isArray(body.objects) ? body.objects : [];
      if (objects.length > PAGE_LIMIT) {
        throw new Error(
          `feed ${feed.name}: a page of ${objects.length} objects, more than the ${PAGE_LIMIT} asked; refused`,
        );
      }
      if (objects.length > 0) {
        reports.push(
          await this.n.imports.importBundle(
            {
              bundle: { type: 'bundle', id: `bundle--${randomUUID()}`, objects },
              source: `taxii:${feed.name}`,
              defaultTlp: feed.defaultTlp,
            },
            FEED_ACTOR,
          ),
        );
      }
      // Imported: the next pull starts after it (within this one, `next` goes on).
      const last = res.headers.get('x-taxii-date-added-last');
      if (last) await this.n.store.setMeta(cursorKey(feed.name), last);
      if (!body.more || !body.next) break;
      next = body.next;
    }
    this.n.log.info({ feed: feed.name, pages: reports.length }, 'TAXII feed pulled');
    return reports;
  }
}

/** A response body as text, refused (and the connection dropped) once it passes MAX_PAGE_BYTES. */
async function boundedText(res: Response, abort: AbortController, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  const tooLarge = () => new Error(`${what}: the answer is larger than ${MAX_PAGE_BYTES} bytes; refused`);
  if (declared > MAX_PAGE_BYTES) {
    abort.abort();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_PAGE_BYTES) {
      abort.abort();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
