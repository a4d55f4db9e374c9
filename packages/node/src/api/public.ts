import { ObjectIdSchema, TimestampSchema } from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import { publicProcedure } from '../trpc/procedures.js';

/** The public page's data: TLP:CLEAR only, no sign-in. */
export const publicRouter = {
  feed: publicProcedure
    .input(
      z
        .object({
          text: z.string().max(200).optional(),
          cursor: z.object({ created: TimestampSchema, id: ObjectIdSchema }).optional(),
          limit: z.number().int().min(1).max(100).default(50),
        })
        .optional(),
    )
    .query(({ ctx, input }) =>
      ctx.node.views.publicFeed({
        limit: input?.limit ?? 50,
        text: input?.text,
        before: input?.cursor && { created: new Date(input.cursor.created), id: input.cursor.id },
      }),
    ),

  /** The names of the network's members, so the public page says "City of Green Bay", not "wi-green-bay". */
  cities: publicProcedure.query(({ ctx }) => ({
    members: ctx.node.roster
      .members()
      .filter((m) => m.status === 'active')
      .map((m) => ({ node: m.node, name: m.name })),
  })),

  /** The cities' TLP:CLEAR preparedness objects (a published security day, say); nothing else. */
  preparedness: publicProcedure.query(({ ctx }) => ctx.node.preparedness.publicEvidence()),

  object: publicProcedure.input(z.object({ id: ObjectIdSchema })).query(async ({ ctx, input }) => {
    const o = await ctx.node.views.publicObject(input.id);
    if (!o) throw new NotFoundError(`no public object ${input.id}`);
    return o;
  }),
} satisfies TRPCRouterRecord;
