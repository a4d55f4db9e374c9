import { CountySchema, PopulationSchema } from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { roleProcedure } from '../trpc/procedures.js';

const adminProcedure = roleProcedure('admin');

/** Node administration: keys, enrollment, the audit trail. */
export const adminRouter = {
  /** Rotates this node's signing key (announced to the hub, signed with the old key). */
  rotateKey: adminProcedure.mutation(({ ctx }) => ctx.node.membership.rotateOwnKey(ctx.user.username)),

  /** City: sends this node's enrollment request to the hub. */
  enroll: adminProcedure
    .input(
      z.object({
        contact: z.string().trim().min(3).max(320),
        /** The city's county (as in us-atlas, without "County") and population, for the hub's grid. */
        county: CountySchema.optional(),
        population: PopulationSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { contact, ...profile } = input;
      return ctx.node.membership.enroll(contact, profile);
    }),

  /** City: asks the hub about the enrollment; adopts the roster once approved. */
  enrollmentStatus: adminProcedure.query(({ ctx }) => ctx.node.membership.checkEnrollment()),

  /** The audit trail: staff actions, rejections, membership and key events (newest first). */
  audit: roleProcedure('admin', 'hub-official')
    .input(
      z
        .object({
          action: z.string().max(64).optional(),
          before: z.number().int().positive().optional(),
          limit: z.number().int().min(1).max(500).default(100),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      ctx.node.audit.list({
        limit: input?.limit ?? 100,
        ...(input?.action && { action: input.action }),
        ...(input?.before && { beforeId: input.before }),
      }),
    ),
} satisfies TRPCRouterRecord;
