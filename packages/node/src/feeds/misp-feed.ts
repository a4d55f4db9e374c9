import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyOf, type BulletinStatus, isPublic, type Tlp } from '@citylink/protocol';
import { type MispEvent, mispEvent, mispHashes, mispManifest } from '@citylink/stix';
import type { Store, StoredObject } from '@citylink/store';
import type { Logger } from 'pino';
import type { SessionUser } from '../accounts/accounts.js';
import type { ApiTokens } from '../accounts/api-tokens.js';
import { tokenOfAuthorization } from '../http/credentials.js';
import { FeedBusyError, type FeedGates } from '../http/feed-gate.js';
import { decodeStored } from '../ingest/projection.js';
import type { Views } from '../views/views.js';
import { yieldToLoop } from '../yield-to-loop.js';

export const MISP_ROOT = '/feeds/misp/';
/** Bulletins one feed lists at most, newest first. */
const MAX_EVENTS = 10_000;
const CHUNK = 500;
const md5 = (v: string) => createHash('md5').update(v).digest('hex');

/**
 * A MISP feed of the bulletins this node holds (current versions, not retracted):
 * `manifest.json`, `hashes.csv`, `<event uuid>.json`. Without credentials, TLP:CLEAR
 * only; with a feed-reader token (HTTP Basic password or Bearer, the header a MISP
 * feed sends), what that account may see, by the console's rules (`Views.visible`).
 */
export class MispFeed {
  constructor(
    private readonly n: {
      store: Store;
      views: Views;
      tokens: ApiTokens;
      gates: FeedGates;
      log: Logger;
      nodeName: (node: string) => string;
    },
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, JSON.stringify({ error: 'read-only feed' }));
    const token = tokenOfAuthorization(req.headers.authorization);
    let viewer: SessionUser | undefined;
    if (token !== undefined) {
      const account = token === null ? undefined : await this.n.tokens.authenticate(token);
      if (account?.role !== 'feed-reader') {
        this.n.log.warn({ address: req.socket.remoteAddress }, 'MISP feed refused: unknown or revoked token');
        res.setHeader('www-authenticate', 'Basic realm="CityLink MISP feed", Bearer');
        return send(401, JSON.stringify({ error: 'unknown, malformed or revoked API token' }));
      }
      viewer = { id: 0, username: account.username, displayName: account.name, roles: [] };
    }
    const file = new URL(req.url ?? '/', 'http://x').pathname.slice(MISP_ROOT.length);
    let events: MispEvent[];
    try {
      events = await this.n.gates[viewer ? 'account' : 'anonymous'].run(() => this.events(viewer));
    } catch (err) {
      if (!(err instanceof FeedBusyError)) throw err;
      res.setHeader('retry-after', String(err.retryAfterSeconds));
      return send(503, JSON.stringify({ error: err.message }));
    }
    if (file === 'manifest.json') return send(200, JSON.stringify(mispManifest(events)));
    if (file === 'hashes.csv') return send(200, mispHashes(events, md5), 'text/csv');
    const m = /^([0-9a-f-]{36})\.json$/.exec(file);
    const event = m && events.find((e) => e.Event.uuid === m[1]);
    if (!event) return send(404, JSON.stringify({ error: 'no such event for this account' }));
    send(200, JSON.stringify(event));
  }

  /** The events this viewer may see: current bulletins, CLEAR only for nobody. */
  async events(viewer: SessionUser | undefined): Promise<MispEvent[]> {
    const { store, views } = this.n;
    const items = await store.queryItems({
      kinds: ['bulletin'],
      ...(!viewer && { tlps: ['CLEAR'] }),
      limit: MAX_EVENTS,
    });
    const status = new Map(items.map((i) => [i.id, (i.status ?? null) as BulletinStatus | null]));
    const events: MispEvent[] = [];
    // A chunk at a time, back to the event loop in between: SQLite reads resolve at once,
    // and 10,000 events in one go held every other request of the node.
    for (let i = 0; i < items.length; i += CHUNK) {
      await yieldToLoop();
      const objects = (await store.getObjects(items.slice(i, i + CHUNK).map((x) => x.id))).filter(
        (o) => o.hold !== 'quarantined',
      );
      const shown = viewer
        ? await views.visible(viewer, objects)
        : objects.filter((o) => isPublic({ tlp: o.tlp as Tlp }));
      events.push(...shown.map((o) => this.#event(o, status.get(o.id) ?? null)));
    }
    return events;
  }

  #event(o: StoredObject, status: BulletinStatus | null): MispEvent {
    return mispEvent({
      id: o.id,
      origin: o.origin,
      originName: this.n.nodeName(o.origin),
      created: o.created.toISOString(),
      tlp: o.tlp as Tlp,
      status,
      body: decodeStored(o).body as BodyOf<'bulletin'>,
    });
  }
}
