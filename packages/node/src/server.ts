import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIMITS } from '@citylink/protocol';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import sirv from 'sirv';
import { type WebSocket, WebSocketServer } from 'ws';
import { LOGIN_ALONE } from './accounts/accounts.js';
import { appRouter } from './api/app-router.js';
import { InvalidInputError } from './errors.js';
import { LinkUpgrade } from './http/link-upgrade.js';
import { routeRequest } from './http/routes.js';
import type { CityLinkNode, HttpServer } from './node.js';
import { type Context, createContext, isOwnOrigin } from './trpc/context.js';
import { toTRPCError } from './trpc/error-mapping.js';

/**
 * Largest request body or WebSocket frame: a roster offer of the largest allowed
 * object and a full delivery batch may share one frame (tRPC sends the calls queued
 * in one tick together).
 */
const MAX_BODY_BYTES = LIMITS.absoluteMaxObjectBytes + LIMITS.maxBatchBytes + 64 * 1024;

/** The node's one HTTP server: tRPC over HTTP and WebSocket, the well-known routes and the console. */
export class NodeServer implements HttpServer {
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  readonly #upgrade: LinkUpgrade;

  constructor(private readonly node: CityLinkNode) {
    this.#upgrade = new LinkUpgrade({
      limits: node.config.limits,
      metrics: node.metrics,
      log: node.log,
      isOwnOrigin: (req) => isOwnOrigin(node, req),
    });
  }

  /** Listens on the configured host and port; answers the base URL the node is reached at. */
  async listen(): Promise<string> {
    const { node } = this;
    const { config } = node;
    // The web console: hashed assets cached long, index.html for every client-side route.
    const web = config.webRoot
      ? sirv(config.webRoot, { single: true, etag: true, immutable: true, gzip: true, brotli: true })
      : undefined;
    const trpc = createHTTPHandler({
      router: appRouter,
      basePath: '/trpc/',
      maxBodySize: MAX_BODY_BYTES,
      maxBatchSize: config.limits.maxBatchCalls,
      createContext: ({ req, res, info }) => {
        // Refused here, the whole batch gets one answer and no call runs (a flood is mostly these).
        if (info.calls.length > 1 && info.calls.some((c) => c.path === 'staff.login')) {
          node.log.warn({ ip: req.socket.remoteAddress, calls: info.calls.length }, 'sign-in refused: batched');
          throw toTRPCError(new InvalidInputError(LOGIN_ALONE));
        }
        return createContext(node, req, res, undefined, info.calls.length);
      },
      onError: ({ error, path, req }) => this.#onError(error, path, req),
    });
    const server = createServer((req, res) => {
      routeRequest(node, req, res, trpc, web).catch((err) => {
        node.log.error({ err: String(err) }, 'request handler crashed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
    applyWSSHandler({
      wss,
      router: appRouter,
      maxBatchSize: config.limits.maxBatchCalls,
      onError: ({ error, path, req }) => this.#onError(error, path, req),
      createContext: ({ req, res: socket, info }) => {
        const ctx = createContext(node, req, undefined, info.connectionParams as Record<string, string> | null);
        if (ctx.link) this.#watchLink(ctx, socket);
        const authed = ctx.link
          ? ctx.link.then((a) => a.ok)
          : node.accounts.authenticate(ctx.sessionToken).then((u) => u !== undefined);
        void authed.then((ok) => ok && this.#upgrade.authenticated(socket)).catch(() => undefined);
        return ctx;
      },
      keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    });
    server.on('upgrade', (req, socket, head) => this.#upgrade.handle(wss, req, socket, head));
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    this.#server = server;
    this.#wss = wss;
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return config.baseUrl?.replace(/\/$/, '') ?? `http://${host}:${port}`;
  }

  /** Stops taking requests: open sockets are cut, idle connections closed, busy ones after 2 s. */
  async close(): Promise<void> {
    if (this.#wss) {
      for (const ws of this.#wss.clients) ws.terminate();
      this.#wss.close();
    }
    if (this.#server) {
      const server = this.#server;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(force);
    }
  }

  /**
   * A peer's link: counted while open; dropped (after the answer in flight) when a
   * call finds its authority gone; asked to renew with a fresh token at
   * `limits.linkMaxAgeMs` (tRPC clients open a new socket and move over) and cut a
   * minute later if it has not.
   */
  #watchLink(ctx: Context, socket: WebSocket): void {
    const { node } = this;
    ctx.dropLink = () => setImmediate(() => socket.close(4401, 'link no longer authorized'));
    void ctx.link?.then((auth) => {
      if (!auth.ok || socket.readyState !== socket.OPEN) return;
      node.log.debug({ peer: auth.issuer }, 'peer link opened');
      node.inboundLinks.count(auth.issuer, 1);
      const maxAge = node.config.limits.linkMaxAgeMs;
      const renew = setTimeout(() => socket.send(JSON.stringify({ id: null, method: 'reconnect' })), maxAge);
      const cut = setTimeout(() => socket.close(4408, 'link too old'), maxAge + 60_000);
      socket.once('close', () => {
        node.inboundLinks.count(auth.issuer, -1);
        clearTimeout(renew);
        clearTimeout(cut);
      });
    });
  }

  #onError(error: { code: string; message: string; cause?: unknown }, path: string | undefined, req: IncomingMessage) {
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      this.node.log.error({ path, err: error.cause ?? error }, 'request failed');
    } else if (path === undefined && error.code === 'BAD_REQUEST') {
      this.node.metrics.rejects.inc({ reason: 'request_malformed' });
      this.node.log.warn({ ip: req.socket.remoteAddress, err: error.message }, 'request refused before any call ran');
    }
  }
}
