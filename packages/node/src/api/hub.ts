import {
  BULLETIN_STATUSES,
  BulletinStatusBodySchema,
  CountySchema,
  MemberSchema,
  NodeIdSchema,
  ObjectIdSchema,
  POSTURE_LEVELS,
  PopulationSchema,
  TimestampSchema,
} from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { hubProcedure, roleProcedure } from '../trpc/procedures.js';

const levels = Object.keys(POSTURE_LEVELS) as [keyof typeof POSTURE_LEVELS, ...(keyof typeof POSTURE_LEVELS)[]];

/** The state election office's view of the whole network (hub role only). */
export const hubRouter = {
  /** Counts for the situation view: by category, severity, city and status. */
  overview: hubProcedure
    .input(z.object({ since: TimestampSchema.optional() }).optional())
    .query(async ({ ctx, input }) => {
      const since = input?.since ? new Date(input.since) : undefined;
      const counts = await ctx.node.views.overview(ctx.user, {
        since,
        daysSince: since ?? new Date(Date.now() - 30 * 86_400_000),
      });
      return { ...counts, posture: await ctx.node.currentPosture() };
    }),

  /** Incident board: unacknowledged bulletins first, then the rest, newest first within each. */
  board: hubProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(100) }).optional())
    .query(async ({ ctx, input }) => {
      const limit = input?.limit ?? 100;
      const fresh = await ctx.node.views.feed(ctx.user, { kinds: ['bulletin'], statuses: ['published'], limit });
      const rest = await ctx.node.views.feed(ctx.user, {
        kinds: ['bulletin'],
        statuses: BULLETIN_STATUSES.filter((s) => s !== 'published'),
        limit,
      });
      return { unacknowledged: fresh.items, others: rest.items };
    }),

  /** Triage: set the status of a bulletin (acknowledged, investigating, confirmed, …). */
  triage: hubProcedure
    .input(BulletinStatusBodySchema)
    .mutation(({ ctx, input }) => ctx.node.respond('bulletin-status', input.target, input, ctx.user)),

  /** Statewide posture (CIS alert level) and an optional advisory, broadcast to every city. */
  setPosture: hubProcedure
    .input(
      z.object({
        level: z.enum(levels),
        advisory: z
          .object({ title: z.string().trim().min(1).max(200), text: z.string().trim().min(1).max(20_000) })
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.node.publish('posture', { tlp: 'GREEN', audience: ['*'], body: input }, ctx.user),
    ),

  /** Import a STIX 2.1 bundle as hub-signed bulletins, object by object (docs/stix.md, "Import"). */
  importBundle: hubProcedure
    .input(
      z.object({
        source: z.string().trim().min(1).max(500),
        defaultTlp: z.enum(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT']).default('AMBER'),
        bundle: z.record(z.string(), z.unknown()),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.imports.importBundle(input, ctx.user)),

  /** Each member: last contact, delivery backlog, pull lag, key age. */
  network: hubProcedure.query(({ ctx }) => ctx.node.networkHealth()),

  /** Enrollment requests, newest first, requests for the same node id together. */
  enrollments: hubProcedure
    .input(z.object({ status: z.enum(['pending', 'approved', 'rejected', 'expired']).optional() }).optional())
    .query(async ({ ctx, input }) =>
      (await ctx.node.membership.listEnrollments(input?.status)).map((e) => ({
        id: e.id,
        node: e.node,
        name: e.name,
        baseUrl: e.baseUrl,
        kid: e.kid,
        contact: e.contact,
        /** What the city says of itself (the approving official may correct it). */
        county: e.county ?? null,
        population: e.population ?? null,
        status: e.status,
        reason: e.reason ?? null,
        receivedAt: e.receivedAt.toISOString(),
        decidedAt: e.decidedAt?.toISOString() ?? null,
        decidedBy: e.decidedBy ?? null,
        /** Other open requests for the same node id (only one can be approved). */
        competing: e.competing,
      })),
    ),

  approveEnrollment: hubProcedure
    .input(
      z.object({
        id: ObjectIdSchema,
        /** In place of what the request said (the official checked it). */
        county: CountySchema.optional(),
        population: PopulationSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { id, ...profile } = input;
      return ctx.node.membership.approve(id, ctx.user.username, profile);
    }),

  rejectEnrollment: hubProcedure
    .input(z.object({ id: ObjectIdSchema, reason: z.string().trim().min(1).max(2000) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.node.membership.reject(input.id, input.reason, ctx.user.username);
      return { ok: true };
    }),

  /** Suspend (reversible), reinstate, revoke or decommission a member, from `at` (default now). */
  setMemberStatus: hubProcedure
    .input(
      z.object({
        node: NodeIdSchema,
        status: MemberSchema.shape.status,
        at: TimestampSchema.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => ({
      version: await ctx.node.membership.setStatus(
        input.node,
        input.status,
        ctx.user.username,
        input.at ? new Date(input.at) : undefined,
      ),
    })),

  /** Revoke one key from `at` on; `compromised` distrusts everything it ever signed. */
  revokeKey: hubProcedure
    .input(
      z.object({
        node: NodeIdSchema,
        kid: z.string().min(1).max(64),
        at: TimestampSchema.optional(),
        compromised: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => ({
      version: await ctx.node.membership.revokeKey(input.node, input.kid, ctx.user.username, {
        ...(input.at && { at: new Date(input.at) }),
        ...(input.compromised && { compromised: true }),
      }),
    })),

  changeMemberUrl: hubProcedure
    .input(z.object({ node: NodeIdSchema, baseUrl: z.url({ protocol: /^https?$/ }) }))
    .mutation(async ({ ctx, input }) => ({
      version: await ctx.node.membership.changeUrl(input.node, input.baseUrl, ctx.user.username),
    })),

  /** Add or change members and publish the next roster version (admin). */
  upsertMembers: roleProcedure('admin')
    .input(z.object({ members: z.array(MemberSchema).min(1).max(2000) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.node.publishMembers(input.members, ctx.user.username);
      return { version: ctx.node.roster.version };
    }),
} satisfies TRPCRouterRecord;
