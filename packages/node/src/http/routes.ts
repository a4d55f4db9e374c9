import type { IncomingMessage, ServerResponse } from 'node:http';
import { unreachableReason } from '@citylink/store';
import { MISP_ROOT } from '../feeds/misp-feed.js';
import type { CityLinkNode } from '../node.js';
import { TAXII_ROOT } from '../taxii/taxii-http.js';
import { bearerMatches } from './bearer.js';
import { setSecurityHeaders } from './security-headers.js';
import { jwksDocument } from './well-known.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Static = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Every HTTP request: security headers, then tRPC, the well-known documents, metrics or the console. */
export async function routeRequest(
  node: CityLinkNode,
  req: IncomingMessage,
  res: ServerResponse,
  trpc: Handler,
  web: Static | undefined,
): Promise<void> {
  setSecurityHeaders(res, node.baseUrl);
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path.startsWith('/trpc/')) {
    res.setHeader('cache-control', 'no-store');
    trpc(req, res);
    return;
  }
  if (path === '/taxii2' || path.startsWith(TAXII_ROOT)) return node.taxii.handle(req, res);
  if (path.startsWith(MISP_ROOT)) return node.misp.handle(req, res);
  const json = (status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed' });
  switch (path) {
    case '/healthz': {
      // A process that cannot reach its database says so (a load balancer then sends traffic elsewhere).
      const down = await node.store.ping().then(
        () => undefined,
        (err: unknown) => unreachableReason(err) ?? String(err),
      );
      if (down !== undefined) return json(503, { ok: false, node: node.id, reason: `database unavailable: ${down}` });
      return json(200, {
        ok: true,
        node: node.id,
        logHead: node.store.headSeq,
        rosterVersion: node.roster.version,
        ...(node.ctx.cluster.shared && { leader: node.ctx.cluster.leading }),
      });
    }
    case '/.well-known/jwks.json':
      return json(200, jwksDocument(node.roster.member(node.id)?.keys ?? [node.ownKeyRecord()]));
    case '/.well-known/citylink-node.json':
      return json(200, node.info());
    case '/metrics': {
      const token = node.config.metrics.token;
      if (!token) return json(404, { error: 'not found' });
      if (!bearerMatches(req.headers.authorization, token)) {
        node.log.warn({ address: req.socket.remoteAddress }, '/metrics refused: missing or wrong token');
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return json(401, { error: 'a metrics token is required' });
      }
      node.metrics.outboxDepth.set(await node.store.pendingCount());
      return json(200, await node.metrics.registry.metrics(), node.metrics.registry.contentType);
    }
    default:
      if (web && !path.startsWith('/.well-known/')) return web(req, res, () => json(404, { error: 'not found' }));
      return json(404, { error: 'not found' });
  }
}
