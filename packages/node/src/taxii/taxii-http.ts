import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { ApiTokens } from '../accounts/api-tokens.js';
import { tokenOfAuthorization } from '../http/credentials.js';
import { FeedBusyError, type FeedGates } from '../http/feed-gate.js';
import { COLLECTIONS, type Collection, collectionOf } from './collections.js';
import { acceptable, STIX_MEDIA, TAXII_MEDIA, taxiiContent } from './media.js';
import {
  type Cursor,
  decodeCursor,
  encodeCursor,
  type Match,
  parseObjectsQuery,
  TaxiiQueryError,
  taxiiTime,
} from './query.js';
import type { PageObject, TaxiiSource } from './taxii-source.js';

export const TAXII_ROOT = '/taxii2/';
const API_ROOT = `${TAXII_ROOT}api/`;
const MAX_CONTENT_LENGTH = 10 * 1024 * 1024;
const REALM = 'Basic realm="CityLink TAXII", Bearer realm="CityLink TAXII"';

class TaxiiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message?: string,
  ) {
    super(message ?? title);
  }
}

/**
 * TAXII 2.1 (read-only) under `/taxii2/`: discovery, one API root, three
 * collections (collections.ts), objects, one object, its versions, the manifest.
 * Accounts are API tokens (HTTP Basic with the token as password, or Bearer);
 * the public collection needs none. Every answer is `application/taxii+json;version=2.1`;
 * errors are TAXII error messages.
 */
export class TaxiiHttp {
  constructor(
    private readonly n: {
      store: Store;
      tokens: ApiTokens;
      source: TaxiiSource;
      gates: FeedGates;
      log: Logger;
      name: string;
      baseUrl: () => string;
    },
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.#route(req, res);
    } catch (err) {
      if (err instanceof FeedBusyError) {
        res.setHeader('retry-after', String(err.retryAfterSeconds));
        return this.#send(res, 503, { title: 'Service unavailable', description: err.message, http_status: '503' });
      }
      const e =
        err instanceof TaxiiHttpError
          ? err
          : err instanceof TaxiiQueryError
            ? new TaxiiHttpError(400, 'Bad request', err.message)
            : undefined;
      if (!e) {
        this.n.log.error({ err: String(err), url: req.url }, 'TAXII request failed');
        return this.#send(res, 500, { title: 'Internal error', http_status: '500' });
      }
      if (e.status === 401) res.setHeader('www-authenticate', REALM);
      this.#send(res, e.status, { title: e.title, description: e.message, http_status: String(e.status) });
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    const parts = path
      .slice(TAXII_ROOT.length)
      .split('/')
      .filter(Boolean)
      .map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          throw new TaxiiHttpError(400, 'Bad request', `${p} is not a well-formed path segment`);
        }
      });
    const method = req.method ?? 'GET';
    const objectEndpoint = parts.includes('objects');
    if (method === 'POST') {
      if (!taxiiContent(req.headers['content-type'])) {
        throw new TaxiiHttpError(415, 'Unsupported media type', `send ${TAXII_MEDIA}`);
      }
    } else if (method !== 'GET' && method !== 'HEAD') {
      throw new TaxiiHttpError(405, 'Method not allowed', 'this TAXII server is read-only');
    }
    if (!acceptable(req.headers.accept, objectEndpoint)) {
      throw new TaxiiHttpError(406, 'Not acceptable', `ask for ${TAXII_MEDIA}`);
    }
    const viewer = await this.#viewer(req);
    if (parts.length === 0) return this.#send(res, 200, this.#discovery());
    if (parts[0] !== 'api') throw new TaxiiHttpError(404, 'Not found', 'the API root is /taxii2/api/');
    if (parts.length === 1) {
      return this.#send(res, 200, {
        title: `CityLink ${this.n.name}`,
        description: 'Signed election-security bulletins, notes and advisories of this CityLink node, as STIX 2.1',
        versions: [TAXII_MEDIA],
        max_content_length: MAX_CONTENT_LENGTH,
      });
    }
    if (parts[1] === 'status') throw new TaxiiHttpError(404, 'Not found', 'this server keeps no status resources');
    if (parts[1] !== 'collections') throw new TaxiiHttpError(404, 'Not found');
    if (parts.length === 2) {
      const shown = COLLECTIONS.filter((c) => viewer || !c.needsAccount);
      return this.#send(res, 200, { collections: shown.map(collectionResource) });
    }
    const c = collectionOf(parts[2]!);
    if (!c) throw new TaxiiHttpError(404, 'Not found', `no collection ${parts[2]}`);
    if (c.needsAccount && !viewer) throw new TaxiiHttpError(401, 'Unauthorized', 'this collection needs an API token');
    if (method === 'POST')
      throw new TaxiiHttpError(403, 'Forbidden', 'collections here are read-only (can_write is false)');
    const rest = parts.slice(3);
    if (rest.length === 0) return this.#send(res, 200, collectionResource(c));
    const params = url.searchParams;
    const gated = (fn: () => Promise<void>) => this.n.gates[viewer ? 'account' : 'anonymous'].run(fn);
    if (rest[0] === 'objects' && rest.length === 1) return gated(() => this.#objects(res, viewer, c, params));
    if (rest[0] === 'manifest' && rest.length === 1) return gated(() => this.#manifest(res, viewer, c, params));
    if (rest[0] === 'objects' && rest.length === 2) {
      return gated(() => this.#object(res, viewer, c, rest[1]!, params, false));
    }
    if (rest[0] === 'objects' && rest.length === 3 && rest[2] === 'versions') {
      return gated(() => this.#object(res, viewer, c, rest[1]!, params, true));
    }
    throw new TaxiiHttpError(404, 'Not found');
  }

  /** The account a request authenticates as; a header that does not check out is a 401 everywhere. */
  async #viewer(req: IncomingMessage): Promise<SessionUser | undefined> {
    const token = tokenOfAuthorization(req.headers.authorization);
    if (token === undefined) return undefined;
    const account = token === null ? undefined : await this.n.tokens.authenticate(token);
    if (account?.role !== 'feed-reader') {
      this.n.log.warn({ address: req.socket.remoteAddress }, 'TAXII request refused: unknown or revoked token');
      throw new TaxiiHttpError(401, 'Unauthorized', 'unknown, malformed or revoked API token');
    }
    return { id: 0, username: account.username, displayName: account.name, roles: [] };
  }

  #discovery() {
    const api = `${this.n.baseUrl()}${API_ROOT}`;
    return {
      title: `CityLink TAXII: ${this.n.name}`,
      description: 'TAXII 2.1 view of what this node holds and the account may read',
      default: api,
      api_roots: [api],
    };
  }

  async #start(q: { next?: string; addedAfter?: Date }): Promise<Cursor> {
    if (q.next !== undefined) return decodeCursor(this.n.store.epoch, q.next);
    if (q.addedAfter) {
      const at = q.addedAfter;
      return { seq: (await this.n.store.read((r) => r.log.seqAppendedBy(at))) + 1, skip: 0 };
    }
    return { seq: 1, skip: 0 };
  }

  async #page(viewer: SessionUser | undefined, c: Collection, params: URLSearchParams) {
    const q = parseObjectsQuery(params);
    const page = await this.n.source.page(viewer, c, await this.#start(q), q.limit, q.match);
    return { page, next: page.next && encodeCursor(this.n.store.epoch, page.next) };
  }

  async #objects(res: ServerResponse, viewer: SessionUser | undefined, c: Collection, params: URLSearchParams) {
    const { page, next } = await this.#page(viewer, c, params);
    this.#dateHeaders(res, page.objects);
    this.#send(res, 200, {
      more: page.more,
      ...(page.more && next && { next }),
      ...(page.objects.length > 0 && { objects: page.objects.map((p) => p.object) }),
    });
  }

  async #manifest(res: ServerResponse, viewer: SessionUser | undefined, c: Collection, params: URLSearchParams) {
    const { page, next } = await this.#page(viewer, c, params);
    this.#dateHeaders(res, page.objects);
    this.#send(res, 200, {
      more: page.more,
      ...(page.more && next && { next }),
      ...(page.objects.length > 0 && { objects: page.objects.map(manifestEntry) }),
    });
  }

  async #object(
    res: ServerResponse,
    viewer: SessionUser | undefined,
    c: Collection,
    id: string,
    params: URLSearchParams,
    versionsOnly: boolean,
  ) {
    const q = parseObjectsQuery(params);
    if (q.next !== undefined || q.addedAfter) {
      throw new TaxiiQueryError(
        'next and added_after are for /objects/ and /manifest/; one object comes in one answer',
      );
    }
    const match: Match = { ...q.match, versions: q.match.versions ?? [versionsOnly ? 'all' : 'last'] };
    const found = (await this.n.source.versions(viewer, c, id, match)).slice(0, q.limit);
    if (found.length === 0)
      throw new TaxiiHttpError(404, 'Not found', `no object ${id} in ${c.title} for this account`);
    this.#dateHeaders(res, found);
    if (versionsOnly) {
      return this.#send(res, 200, { more: false, versions: found.map((p) => versionOf(p)) });
    }
    this.#send(res, 200, { more: false, objects: found.map((p) => p.object) });
  }

  #dateHeaders(res: ServerResponse, objects: PageObject[]) {
    if (objects.length === 0) return;
    const times = objects.map((o) => o.dateAdded.getTime());
    res.setHeader('X-TAXII-Date-Added-First', taxiiTime(new Date(Math.min(...times))));
    res.setHeader('X-TAXII-Date-Added-Last', taxiiTime(new Date(Math.max(...times))));
  }

  #send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': TAXII_MEDIA, 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

const versionOf = (p: PageObject) => p.object.modified ?? p.object.created ?? taxiiTime(p.dateAdded);

const manifestEntry = (p: PageObject) => ({
  id: p.object.id,
  date_added: taxiiTime(p.dateAdded),
  version: versionOf(p),
  media_type: STIX_MEDIA,
});

const collectionResource = (c: Collection) => ({
  id: c.id,
  title: c.title,
  description: c.description,
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA],
});
