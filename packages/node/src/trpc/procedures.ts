import type { IncomingMessage, ServerResponse } from 'node:http';
import { keyValidAt, type RequestTokenResult, verifyRequestToken } from '@citylink/crypto';
import type { Role } from '@citylink/store';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { type SessionUser, sessionTokenFromCookie } from '../accounts/accounts.js';
import { ForbiddenError, RateLimitedError, toTRPCError, UnauthenticatedError } from '../errors.js';
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

function verifyToken(node: CityLinkNode, token: string | undefined, scope: string): Promise<RequestTokenResult> {
  return verifyRequestToken(token, {
    audience: node.id,
    scope,
    resolveKey: node.roster.resolveKey,
    replay: node.replay,
  }).catch((err: unknown) => ({ ok: false, reason: 'invalid', detail: String(err) }));
}

const t = initTRPC.context<Context>().create({
  // Error answers never carry a stack (below), so tRPC need not render one: that costs
  // more than anything else in refusing a call, and floods are mostly refused calls.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        issues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path, message: i.message })) : undefined,
        retryAfterMs: cause instanceof RateLimitedError ? cause.retryAfterMs : undefined,
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;

/** Domain errors become TRPCErrors here and nowhere else. */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    // tRPC's own errors (input validation is BAD_REQUEST with the ZodError as cause) pass through.
    const mapped = result.error.cause && toTRPCError(result.error.cause);
    throw mapped instanceof TRPCError ? mapped : result.error;
  }
  return result;
});

export const authedProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const user = await ctx.node.accounts.authenticate(ctx.sessionToken);
  if (!user) throw new UnauthenticatedError('sign in first (no session, or it expired)');
  if (ctx.via === 'cookie' && type === 'mutation') {
    // SameSite=Strict still sends the cookie from a sibling subdomain or another port (same site):
    // a cookie-carrying write must come from this node's own origin.
    if (!isOwnOrigin(ctx.node, ctx.req)) {
      ctx.node.log.warn({ ip: ctx.ip, origin: ctx.req.headers.origin }, 'cross-origin request refused');
      throw new ForbiddenError('cross-origin request refused');
    }
  }
  return next({ ctx: { ...ctx, user } });
});

export function roleProcedure(...roles: Role[]) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!ctx.user.roles.some((r) => roles.includes(r))) {
      throw new ForbiddenError(`this needs one of the roles: ${roles.join(', ')}`);
    }
    return next();
  });
}

export const hubProcedure = roleProcedure('hub-official', 'admin').use(({ ctx, next }) => {
  if (ctx.node.config.role !== 'hub') throw new ForbiddenError('this node is not the state hub');
  return next();
});

/**
 * Node-to-node calls: a request token signed by the calling node, bound to this
 * node and to the procedure (HTTP), or to the link its WebSocket was opened with;
 * checked against the roster; then a per-peer rate limit. A link stays good only
 * while the key that opened it does: every call checks it again, so a revoked key
 * or member loses its open links at once.
 */
export const federationProcedure = publicProcedure.use(async ({ ctx, path, next }) => {
  const { node } = ctx;
  let auth: RequestTokenResult;
  if (ctx.link) {
    auth = await ctx.link;
    if (auth.ok) {
      const resolved = await node.roster.resolveKey(auth.issuer, auth.kid);
      if (!resolved || !keyValidAt(resolved.record, new Date().toISOString()).ok) {
        auth = { ok: false, reason: 'key_revoked', detail: `key ${auth.kid} of ${auth.issuer} is not valid now` };
      }
    }
  } else {
    const header = ctx.req.headers.authorization;
    auth = await verifyToken(node, header?.startsWith('CityLink ') ? header.slice(9) : undefined, path);
  }
  if (!auth.ok) {
    const what = ctx.link ? 'link token' : 'request token';
    ctx.dropLink?.();
    node.metrics.rejects.inc({ reason: `request_${auth.reason}` });
    node.log.warn(
      { path, ip: ctx.ip, reason: auth.reason, detail: auth.detail, link: !!ctx.link },
      'federation call refused',
    );
    throw new TRPCError({
      code: auth.reason === 'busy' ? 'TOO_MANY_REQUESTS' : 'UNAUTHORIZED',
      message: `${what} ${auth.reason}: ${auth.detail}`,
    });
  }
  const issuer = auth.issuer;
  if (!node.roster.isActive(issuer)) {
    ctx.dropLink?.();
    node.metrics.rejects.inc({ reason: 'request_not_member' });
    node.log.warn({ path, peer: issuer }, 'federation call refused: not an active member');
    throw new TRPCError({ code: 'FORBIDDEN', message: `${issuer} is not an active member of the network` });
  }
  await node.peerLimiter.consume(issuer).catch(() => {
    node.metrics.rejects.inc({ reason: 'rate_limited' });
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `rate limit for ${issuer} exceeded` });
  });
  node.touchPeer(issuer);
  return next({ ctx: { ...ctx, peer: issuer } });
});

export type { SessionUser };
