import { keyValidAt, type RequestTokenResult } from '@citylink/crypto';
import type { Role } from '@citylink/store';
import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../accounts/accounts.js';
import { ForbiddenError, TooManyRequestsError, UnauthenticatedError } from '../errors.js';
import { isOwnOrigin, verifyToken } from './context.js';
import { toTRPCError } from './error-mapping.js';
import { t } from './init.js';

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

/** Refused at a city: the procedures that only the state hub answers. */
const atHub = t.middleware(({ ctx, next }) => {
  if (ctx.node.config.role !== 'hub') throw new ForbiddenError('this node is not the state hub');
  return next();
});

export const hubProcedure = roleProcedure('hub-official', 'admin').use(atHub);

/**
 * The hub's officials alone, not its administrators: what reads every city's weaknesses
 * or the people to call (the preparedness grid, the liaison directory).
 */
export const hubOfficialProcedure = roleProcedure('hub-official').use(atHub);

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
    const message = `${what} ${auth.reason}: ${auth.detail}`;
    throw auth.reason === 'busy' ? new TooManyRequestsError(message) : new UnauthenticatedError(message);
  }
  const issuer = auth.issuer;
  if (!node.roster.isActive(issuer)) {
    ctx.dropLink?.();
    node.metrics.rejects.inc({ reason: 'request_not_member' });
    node.log.warn({ path, peer: issuer }, 'federation call refused: not an active member');
    throw new ForbiddenError(`${issuer} is not an active member of the network`);
  }
  await node.peerLimiter.consume(issuer).catch(() => {
    node.metrics.rejects.inc({ reason: 'rate_limited' });
    throw new TooManyRequestsError(`rate limit for ${issuer} exceeded`);
  });
  node.touchPeer(issuer);
  return next({ ctx: { ...ctx, peer: issuer } });
});

export type { SessionUser };
