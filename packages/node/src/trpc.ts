import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyRequestToken } from '@citylink/crypto';
import type { Role } from '@citylink/store';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { type SessionUser, sessionTokenFromCookie } from './auth.js';
import { ForbiddenError, RateLimitedError, toTRPCError, UnauthenticatedError } from './errors.js';
import type { CityLinkNode } from './node.js';

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
}

export function createContext(
  node: CityLinkNode,
  req: IncomingMessage,
  res?: ServerResponse,
  connectionParams?: Record<string, string> | null,
): Context {
  const ip = req.socket.remoteAddress ?? 'unknown';
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  const cookie = sessionTokenFromCookie(req.headers.cookie);
  const wsToken = connectionParams?.token;
  const sessionToken = bearer ?? wsToken ?? cookie;
  const via = bearer ? 'bearer' : wsToken ? 'ws' : cookie ? 'cookie' : undefined;
  return { node, req, ...(res && { res }), ip, ...(sessionToken && { sessionToken }), ...(via && { via }) };
}

const t = initTRPC.context<Context>().create({
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
    // Cookies are SameSite=Strict; also refuse a cookie-carrying write whose Origin is another site.
    const origin = ctx.req.headers.origin;
    if (origin && new URL(origin).host !== ctx.req.headers.host) {
      throw new ForbiddenError('cross-site request refused');
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
 * node and to the procedure, checked against the roster; then a per-peer rate limit.
 */
export const federationProcedure = publicProcedure.use(async ({ ctx, path, next }) => {
  const header = ctx.req.headers.authorization;
  const token = header?.startsWith('CityLink ') ? header.slice(9) : undefined;
  const { node } = ctx;
  const result = await verifyRequestToken(token, {
    audience: node.id,
    scope: path,
    resolveKey: node.roster.resolveKey,
    replay: node.replay,
  });
  if (!result.ok) {
    node.metrics.rejects.inc({ reason: `request_${result.reason}` });
    node.log.warn({ path, ip: ctx.ip, reason: result.reason, detail: result.detail }, 'federation call refused');
    throw new TRPCError({ code: 'UNAUTHORIZED', message: `request token ${result.reason}: ${result.detail}` });
  }
  if (!node.roster.isActive(result.issuer)) {
    node.metrics.rejects.inc({ reason: 'request_not_member' });
    node.log.warn({ path, peer: result.issuer }, 'federation call refused: not an active member');
    throw new TRPCError({ code: 'FORBIDDEN', message: `${result.issuer} is not an active member of the network` });
  }
  await node.peerLimiter.consume(result.issuer).catch(() => {
    node.metrics.rejects.inc({ reason: 'rate_limited' });
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `rate limit for ${result.issuer} exceeded` });
  });
  node.touchPeer(result.issuer);
  return next({ ctx: { ...ctx, peer: result.issuer } });
});

export type { SessionUser };
