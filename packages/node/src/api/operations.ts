import { ObjectIdSchema, OperationalPeriodBodySchema } from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, hubProcedure, roleProcedure } from '../trpc/procedures.js';

/** Election Day: the operational period, check-ins. */
export const operationsRouter = {
  /** The period open now (with the time left), or null: the console's banner. */
  period: authedProcedure.query(({ ctx }) => ctx.node.ctx.periods.current()),

  /** Hub: announce an operational period to every city. */
  announcePeriod: hubProcedure
    .input(OperationalPeriodBodySchema)
    .mutation(({ ctx, input }) => ctx.node.ctx.periods.announce(input, ctx.user)),

  /** City staff: check in for the open period (all quiet or issues). */
  checkIn: roleProcedure('staff')
    .input(
      z.object({
        state: z.enum(['quiet', 'issues']).default('quiet'),
        note: z.string().max(2_000).optional(),
        open: z.array(ObjectIdSchema).max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.ctx.periods.checkIn(input, ctx.user)),
} satisfies TRPCRouterRecord;
