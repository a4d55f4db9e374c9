import { LIMITS, ObjectIdSchema, TimestampSchema } from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { PayloadTooLargeError, TooManyRequestsError } from '../errors.js';
import { federationProcedure, publicProcedure } from '../trpc/procedures.js';

/** Node-to-node procedures. Every call is authenticated by a request token (see trpc.ts). */
export const federationRouter = {
  /** Push a batch of signed objects; the answer has one outcome per object, in order. */
  deliver: federationProcedure
    .input(z.object({ objects: z.array(z.string()).min(1).max(LIMITS.maxBatchObjects) }))
    .mutation(async ({ ctx, input }) => {
      const bytes = input.objects.reduce((n, o) => n + Buffer.byteLength(o, 'utf8'), 0);
      if (bytes > LIMITS.maxBatchBytes) {
        ctx.node.metrics.rejects.inc({ reason: 'batch_too_large' });
        ctx.node.log.warn({ peer: ctx.peer, bytes }, 'batch refused: too large');
        throw new PayloadTooLargeError(`batch of ${bytes} bytes exceeds ${LIMITS.maxBatchBytes}`);
      }
      return { results: await ctx.node.inbound.receive(input.objects, ctx.peer, 'push') };
    }),

  /**
   * Objects this node may pass to the caller, in log order after `after`
   * (exclusive). `next` is the cursor to send next time; `epoch` changes when this
   * node's log was reset, and then the caller starts again from 0.
   */
  changes: federationProcedure
    .input(z.object({ after: z.number().int().min(0), limit: z.number().int().min(1).max(500).default(200) }))
    .query(({ ctx, input }) => ctx.node.changesFor(ctx.peer, input.after, input.limit)),

  /**
   * Ids of objects this node may pass to the caller, created at or after `since`, for
   * reconciliation. `after` is the opaque `next` of the previous page (a plain object
   * id from an older peer is still understood).
   */
  manifest: federationProcedure
    .input(
      z.object({
        since: TimestampSchema,
        after: z.string().min(1).max(256).optional(),
        limit: z.number().int().min(1).max(5000).default(2000),
      }),
    )
    .query(({ ctx, input }) => ctx.node.manifestFor(ctx.peer, new Date(input.since), input.after, input.limit)),

  /** The exact JWS of named objects the caller may receive (those it may not are silently left out). */
  fetch: federationProcedure
    .input(z.object({ ids: z.array(ObjectIdSchema).min(1).max(LIMITS.maxBatchObjects) }))
    .query(async ({ ctx, input }) => ({ objects: await ctx.node.fetchFor(ctx.peer, input.ids) })),

  /** Delivery outcomes of objects the caller authored that this node relayed (the hub's fan-out of `*` objects). */
  deliveryReport: federationProcedure
    .input(z.object({ ids: z.array(ObjectIdSchema).min(1).max(LIMITS.maxBatchObjects) }))
    .query(async ({ ctx, input }) => ({ deliveries: await ctx.node.serving.deliveryReport(ctx.peer, input.ids) })),

  /** The current hub-signed roster as held here. */
  roster: federationProcedure.query(({ ctx }) => ({
    jws: ctx.node.roster.jws ?? null,
    version: ctx.node.roster.version,
  })),

  /**
   * Any member may pass a signed roster on; it is verified against the pinned hub
   * keys, never against the messenger, and adopted only if newer.
   */
  offerRoster: federationProcedure
    .input(z.object({ jws: z.string().max(LIMITS.absoluteMaxObjectBytes) }))
    .mutation(async ({ ctx, input }) => ({
      adopted: await ctx.node.roster.adopt(input.jws),
      version: ctx.node.roster.version,
    })),

  /** Hub, open to anyone: its key announcements, oldest first; each is signed by the key it replaces. */
  hubKeyChain: publicProcedure.query(async ({ ctx }) => ({ chain: await ctx.node.membership.hubKeyChain() })),

  /** Hub: a member announces its next key, signed with its current one. */
  announceKey: federationProcedure
    .input(z.object({ jws: z.string().max(LIMITS.maxObjectBytes) }))
    .mutation(({ ctx, input }) => ctx.node.membership.acceptKeyAnnouncement(input.jws, ctx.peer)),

  /** Hub, open to non-members: a self-signed request to join. Rate limited per address. */
  enroll: publicProcedure
    .input(z.object({ jws: z.string().max(LIMITS.maxObjectBytes) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.node.enrollLimiter.consume(ctx.ip).catch(() => {
        throw new TooManyRequestsError('too many enrollment requests from this address');
      });
      return ctx.node.membership.receiveEnrollment(input.jws);
    }),

  /** Hub, open to non-members: the decision on an enrollment; once approved, the roster that lists the node. */
  enrollmentStatus: publicProcedure
    .input(z.object({ id: ObjectIdSchema }))
    .query(({ ctx, input }) => ctx.node.membership.enrollmentStatus(input.id)),
} satisfies TRPCRouterRecord;
