import {
  BULLETIN_STATUSES,
  BulletinBodySchema,
  BulletinStatusBodySchema,
  EVERYONE,
  LIMITS,
  NodeIdSchema,
  NoteBodySchema,
  ObjectIdSchema,
  PersonSchema,
  TimestampSchema,
  TlpSchema,
} from '@citylink/protocol';
import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { LOGIN_ALONE, LOGIN_OVER_HTTP, sessionCookie } from '../accounts/accounts.js';
import { InvalidInputError, NotFoundError, UnauthenticatedError } from '../errors.js';
import { authedProcedure, publicProcedure } from '../trpc/procedures.js';
import type { FeedEntry } from '../views/views.js';

const MarkingInput = {
  tlp: TlpSchema,
  audience: z.array(z.union([NodeIdSchema, z.literal(EVERYONE)])).max(LIMITS.maxAudience),
  recipients: z.array(PersonSchema).min(1).max(500).optional(),
  expires: TimestampSchema.optional(),
};

const FeedFilter = z.object({
  kinds: z.array(z.enum(['bulletin', 'note'])).optional(),
  categories: z.array(z.string().max(64)).max(50).optional(),
  severities: z.array(z.string().max(32)).max(10).optional(),
  tlps: z.array(TlpSchema).optional(),
  origins: z.array(NodeIdSchema).max(100).optional(),
  statuses: z.array(z.enum(BULLETIN_STATUSES)).optional(),
  topic: z.string().max(64).optional(),
  since: TimestampSchema.optional(),
  until: TimestampSchema.optional(),
  text: z.string().max(200).optional(),
  includeRetracted: z.boolean().optional(),
  cursor: z.object({ created: TimestampSchema, id: ObjectIdSchema }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type FeedFilterInput = z.input<typeof FeedFilter>;

export const staffRouter = {
  login: publicProcedure
    .input(
      z.object({
        username: z.string().min(1).max(100),
        password: z.string().min(1).max(1000),
        /** CLI and scripts: return the session token instead of (only) setting the cookie. */
        bearer: z.boolean().default(false),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // One password check per request: a batch or a socket would let one request queue thousands.
      if (!ctx.res || (ctx.calls ?? 1) > 1) {
        ctx.node.log.warn({ ip: ctx.ip, calls: ctx.calls, ws: !ctx.res }, 'sign-in refused: batched or over WebSocket');
        throw new InvalidInputError(ctx.res ? LOGIN_ALONE : LOGIN_OVER_HTTP);
      }
      const { token, user, expiresAt } = await ctx.node.accounts.login(input.username, input.password, ctx.ip);
      const maxAge = Math.floor((expiresAt.getTime() - Date.now()) / 1000);
      ctx.res?.setHeader('set-cookie', sessionCookie(token, maxAge, ctx.node.baseUrl.startsWith('https:')));
      await ctx.node.audit.record({
        actor: `user:${user.username}`,
        action: 'session.login',
        subject: null,
        detail: { ip: ctx.ip },
      });
      return { user, expiresAt: expiresAt.toISOString(), ...(input.bearer && { token }) };
    }),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    await ctx.node.accounts.logout(ctx.sessionToken!);
    ctx.res?.setHeader('set-cookie', sessionCookie('', 0, ctx.node.baseUrl.startsWith('https:')));
    await ctx.node.audit.record({
      actor: `user:${ctx.user.username}`,
      action: 'session.logout',
      subject: null,
      detail: null,
    });
    return { ok: true };
  }),

  /** The statewide posture and advisory currently in force, as set by the hub. */
  posture: authedProcedure.query(({ ctx }) => ctx.node.currentPosture()),

  me: publicProcedure.query(async ({ ctx }) => ({
    node: ctx.node.info(),
    user: (await ctx.node.accounts.authenticate(ctx.sessionToken)) ?? null,
  })),

  /** The signed-in person's own profile: full name and title, used for their signature block. */
  updateProfile: authedProcedure
    .input(z.object({ displayName: z.string().trim().min(1).max(200), title: z.string().trim().max(200) }))
    .mutation(({ ctx, input }) =>
      ctx.node.updateProfile(ctx.user, { displayName: input.displayName, title: input.title || null }),
    ),

  /** Members of the network, for audience pickers. */
  roster: authedProcedure.query(({ ctx }) => ({
    version: ctx.node.roster.version,
    /** The hub-signed roster itself, so tools can check signatures against members' keys offline. */
    jws: ctx.node.roster.jws ?? null,
    members: ctx.node.roster.members().map((m) => ({
      node: m.node,
      name: m.name,
      role: m.role,
      status: m.status,
      /** Whom to call: shown by a suspended city's console for the hub. */
      ...(m.contact && { contact: m.contact }),
    })),
  })),

  /** People who may be named on TLP:RED, at every node (names and roles only), for the recipient picker. */
  redDirectory: authedProcedure.query(async ({ ctx }) => ({ people: await ctx.node.redDirectory() })),

  postBulletin: authedProcedure
    .input(z.object({ ...MarkingInput, body: BulletinBodySchema }))
    .mutation(({ ctx, input }) => ctx.node.publish('bulletin', input, ctx.user)),

  postNote: authedProcedure
    .input(z.object({ ...MarkingInput, body: NoteBodySchema }))
    .mutation(({ ctx, input }) => ctx.node.publish('note', input, ctx.user)),

  endorse: authedProcedure
    .input(z.object({ target: ObjectIdSchema, comment: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => ctx.node.respond('endorsement', input.target, input, ctx.user)),

  acknowledge: authedProcedure
    .input(z.object({ target: ObjectIdSchema, seenHere: z.boolean(), comment: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => ctx.node.respond('acknowledgement', input.target, input, ctx.user)),

  retract: authedProcedure
    .input(z.object({ target: ObjectIdSchema, reason: z.string().trim().min(1).max(2000) }))
    .mutation(({ ctx, input }) => ctx.node.respond('retraction', input.target, input, ctx.user)),

  updateStatus: authedProcedure
    .input(BulletinStatusBodySchema)
    .mutation(({ ctx, input }) => ctx.node.respond('bulletin-status', input.target, input, ctx.user)),

  /** Bulletins and notes this person may see, newest first, filtered; keyset-paginated. */
  feed: authedProcedure.input(FeedFilter).query(async ({ ctx, input }) => {
    const { cursor, since, until, ...rest } = input;
    return ctx.node.views.feed(ctx.user, {
      ...rest,
      ...(since && { since: new Date(since) }),
      ...(until && { until: new Date(until) }),
      ...(cursor && { before: { created: new Date(cursor.created), id: cursor.id } }),
    });
  }),

  /** Every object this person may see, in log order, with its exact JWS (for the CLI and exports). */
  objects: authedProcedure
    .input(
      z.object({ after: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(200) }),
    )
    .query(({ ctx, input }) => ctx.node.views.objectsAfter(ctx.user, input.after, input.limit)),

  object: authedProcedure.input(z.object({ id: ObjectIdSchema })).query(async ({ ctx, input }) => {
    const detail = await ctx.node.views.detail(ctx.user, input.id);
    if (!detail) throw new NotFoundError(`no object ${input.id} visible to you here`);
    return detail;
  }),

  /**
   * Live feed: every new object this person may see, as it is stored. Resumable:
   * pass the last event id and nothing in between is missed or repeated.
   */
  onFeed: authedProcedure
    .input(z.object({ lastEventId: z.coerce.number().int().min(0).nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      let after = input?.lastEventId ?? ctx.node.views.head();
      if (!Number.isSafeInteger(after)) throw new InvalidInputError('lastEventId must be a log sequence number');
      for await (const batch of ctx.node.views.follow(ctx.user, after, signal)) {
        // A socket outlives the request that opened it: stop when the session is signed out or expires.
        if (!(await ctx.node.accounts.authenticate(ctx.sessionToken))) {
          throw new UnauthenticatedError('your session ended; sign in again');
        }
        for (const entry of batch) {
          after = entry.seq;
          yield tracked(String(entry.seq), entry satisfies FeedEntry);
        }
      }
    }),
} satisfies TRPCRouterRecord;
