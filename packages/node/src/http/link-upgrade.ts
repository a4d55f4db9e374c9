import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { LOGIN_OVER_HTTP, sessionTokenFromCookie } from '../accounts/accounts.js';
import type { NodeConfig } from '../config.js';
import type { Metrics } from '../metrics.js';
import { addressKey } from './address.js';

const METHOD_KEY = Buffer.from('"method":');
const LOGIN_PATH = Buffer.from('"staff.login"');

/**
 * What a frame holds, from its bytes alone (a flood's frames are not worth parsing
 * twice): the calls (a `"method":` key each, counted up to `cap` + 1) and whether
 * one is a sign-in. Inside a JSON string those bytes can only appear escaped, so a
 * frame that spells them otherwise is still refused by tRPC, only less cheaply.
 */
function scanFrame(data: unknown, cap: number): { calls: number; login: boolean } {
  if (!Buffer.isBuffer(data)) return { calls: 1, login: false };
  let calls = 0;
  for (let i = data.indexOf(METHOD_KEY); i !== -1 && calls <= cap; i = data.indexOf(METHOD_KEY, i + 1)) calls++;
  return { calls, login: data.includes(LOGIN_PATH) };
}

/**
 * The WebSocket upgrade: refuses foreign origins carrying the session cookie and
 * bounds the sockets not authenticated yet (in all and per address), closes those
 * that stay silent or unauthenticated too long, and cuts an anonymous frame that
 * carries too many calls or a sign-in before tRPC parses it.
 */
export class LinkUpgrade {
  /** WebSockets not authenticated yet, per client address; `#unauthTotal` in all. */
  readonly #unauth = new Map<string, number>();
  #unauthTotal = 0;
  /** Marks an open WebSocket authenticated (releases its unauthenticated slot). */
  readonly #markAuthed = new WeakMap<WebSocket, () => void>();

  constructor(
    private readonly deps: {
      limits: NodeConfig['limits'];
      metrics: Metrics;
      log: Logger;
      isOwnOrigin: (req: IncomingMessage) => boolean;
    },
  ) {}

  /** Called once the socket's first authentication succeeded. */
  authenticated(ws: WebSocket): void {
    this.#markAuthed.get(ws)?.();
  }

  handle(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/trpc') {
      socket.destroy();
      return;
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    const address = addressKey(ip);
    const { limits, metrics, log } = this.deps;
    const refuse = (status: number, reason: string, message: string) => {
      metrics.rejects.inc({ reason: `ws_${reason}` });
      log.warn({ ip, origin: req.headers.origin, reason }, `WebSocket refused: ${message}`);
      const body = `${message}\n`;
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: text/plain\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    // A browser sends the session cookie from a sibling subdomain or another port too (same site).
    if (sessionTokenFromCookie(req.headers.cookie) && !this.deps.isOwnOrigin(req)) {
      refuse(403, 'foreign_origin', "a WebSocket carrying the session cookie must come from this node's origin");
      return;
    }
    if (this.#unauthTotal >= limits.wsUnauthenticatedTotal) {
      refuse(503, 'unauthenticated_total', 'too many unauthenticated WebSockets open; try again later');
      return;
    }
    if ((this.#unauth.get(address) ?? 0) >= limits.wsUnauthenticatedPerAddress) {
      refuse(429, 'unauthenticated_address', 'too many unauthenticated WebSockets open from this address');
      return;
    }
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.#unauthTotal--;
      const n = (this.#unauth.get(address) ?? 1) - 1;
      if (n > 0) this.#unauth.set(address, n);
      else this.#unauth.delete(address);
    };
    this.#unauthTotal++;
    this.#unauth.set(address, (this.#unauth.get(address) ?? 0) + 1);
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const silent = setTimeout(() => ws.terminate(), limits.wsFirstMessageMs);
      const unauthenticated = setTimeout(() => {
        log.warn({ ip }, 'WebSocket closed: not authenticated in time');
        release();
        ws.close(4401, 'not authenticated');
        // Its slot is free now: a client that never completes the close must not keep the socket.
        setTimeout(() => ws.terminate(), 1_000).unref();
      }, limits.wsAuthenticateMs);
      let authed = false;
      this.#markAuthed.set(ws, () => {
        authed = true;
        clearTimeout(unauthenticated);
        release();
      });
      ws.once('message', () => clearTimeout(silent));
      // An anonymous socket that sends more calls in one frame than allowed, or a sign-in, is
      // cut, and the frame never reaches tRPC, which would parse it and answer every call.
      // `emit` is wrapped because a listener cannot keep the frame from later listeners.
      const emit = ws.emit.bind(ws);
      ws.emit = ((event: string | symbol, ...args: unknown[]) => {
        if (event === 'message' && !authed) {
          const frame = scanFrame(args[0], limits.maxBatchCalls);
          const cut =
            frame.calls > limits.maxBatchCalls
              ? ([4400, 'too many calls in one frame'] as const)
              : frame.login
                ? ([4400, LOGIN_OVER_HTTP] as const)
                : undefined;
          if (cut) {
            metrics.rejects.inc({ reason: 'ws_frame_refused' });
            log.warn({ ip, calls: frame.calls }, `WebSocket closed: ${cut[1]}`);
            release();
            ws.close(cut[0], cut[1]);
            setTimeout(() => ws.terminate(), 1_000).unref();
            return true;
          }
        }
        return emit(event, ...args);
      }) as typeof ws.emit;
      ws.once('close', () => {
        clearTimeout(silent);
        clearTimeout(unauthenticated);
        release();
      });
      wss.emit('connection', ws, req);
    });
  }
}
