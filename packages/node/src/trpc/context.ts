import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RequestTokenResult, verifyRequestToken } from '@citylink/crypto';
import { LIMITS } from '@citylink/protocol';
import { sessionTokenFromCookie } from '../accounts/accounts.js';
import { LINK_SCOPE } from '../federation/peer-api.js';
import type { CityLinkNode } from '../node.js';

export interface Context {
  node: CityLinkNode;
  req: IncomingMessage;
  /** Present on HTTP requests (not on WebSocket messages). */
  res?: ServerResponse;
  ip: string;
  /** Session token from the cookie, a bearer header, or the WebSocket connection params. */
  sessionToken?: string;
  /** How the session token arrived; cookie-authenticated HTTP mutations need a same-origin request. */
  via?: 'cookie' | 'bearer' | 'ws';
  /**
   * A node's persistent WebSocket link: its link token, checked once when the
   * connection's params arrive (createContext runs once per connection).
   */
  link?: Promise<RequestTokenResult>;
  /** Closes that link, after the answer in flight. */
  dropLink?: () => void;
  /** HTTP: how many calls the request carries (more than one in a batch). */
  calls?: number;
}

/**
 * Whether a browser request comes from this node's own origin: `Origin` equals the
 * origin of the node's base URL, or `http://` + the Host header it was reached on
 * (the node itself speaks plain HTTP; behind a TLS proxy the base URL is the
 * https origin). Anything else, `null` included, is foreign. Never throws.
 */
export function isOwnOrigin(node: CityLinkNode, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const own = new Set<string>([`http://${(req.headers.host ?? '').toLowerCase()}`]);
  try {
    own.add(new URL(node.baseUrl).origin);
  } catch {
    // not listening yet: only the Host rule applies
  }
  return own.has(origin.toLowerCase());
}

export function createContext(
  node: CityLinkNode,
  req: IncomingMessage,
  res?: ServerResponse,
  connectionParams?: Record<string, string> | null,
  calls?: number,
): Context {
  const ip = req.socket.remoteAddress ?? 'unknown';
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  const cookie = sessionTokenFromCookie(req.headers.cookie);
  const wsToken = connectionParams?.token;
  const sessionToken = bearer ?? wsToken ?? cookie;
  const via = bearer ? 'bearer' : wsToken ? 'ws' : cookie ? 'cookie' : undefined;
  const linkToken = connectionParams?.peer;
  return {
    node,
    req,
    ...(res && { res }),
    ip,
    ...(sessionToken && { sessionToken }),
    ...(via && { via }),
    ...(calls !== undefined && { calls }),
    ...(linkToken !== undefined && { link: verifyToken(node, linkToken, LINK_SCOPE) }),
  };
}

export function verifyToken(node: CityLinkNode, token: string | undefined, scope: string): Promise<RequestTokenResult> {
  return verifyRequestToken(token, {
    audience: node.id,
    scope,
    resolveKey: node.roster.resolveKey,
    replay: node.replay,
  })
    .then(async (result): Promise<RequestTokenResult> => {
      // Hub processes sharing a database: a token used at one is refused at the others
      // (its id is kept until the longest lifetime a token may have, plus the clock tolerance).
      if (!result.ok) return result;
      const until = new Date(Date.now() + LIMITS.maxRequestTokenTtlMs + 30_000);
      if (await node.store.claimTokenAcrossProcesses(result.issuer, result.jti, until)) return result;
      return { ok: false, reason: 'replayed', detail: 'request token already used at another hub process' };
    })
    .catch((err: unknown) => ({ ok: false, reason: 'invalid', detail: String(err) }));
}
