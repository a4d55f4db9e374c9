import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UnauthenticatedError } from '../errors.js';
import { NotificationPrefsSchema } from '../notifications/prefs.js';
import { authedProcedure } from '../trpc/procedures.js';

/** The signed-in account's notification centre. */
export const notificationsRouter = {
  /** Newest first, with the unread count (the console's nav badge and tab title). */
  list: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(({ ctx, input }) => ctx.node.ctx.notifications.list(ctx.user, input?.limit ?? 50)),

  /** Marks these entries read, or all of them. */
  markRead: authedProcedure
    .input(z.object({ ids: z.array(z.number().int().positive()).max(500).optional() }))
    .mutation(({ ctx, input }) => ctx.node.ctx.notifications.markRead(ctx.user, input.ids ?? 'all')),

  prefs: authedProcedure.query(({ ctx }) => ctx.node.ctx.notifications.prefs(ctx.user)),

  setPrefs: authedProcedure
    .input(NotificationPrefsSchema)
    .mutation(({ ctx, input }) => ctx.node.ctx.notifications.setPrefs(ctx.user, input)),

  /** The centre now and after every change to it, live. */
  onChange: authedProcedure.subscription(async function* ({ ctx, signal }) {
    for await (const centre of ctx.node.ctx.notifications.follow(ctx.user, signal)) {
      if (!(await ctx.node.accounts.authenticate(ctx.sessionToken))) {
        throw new UnauthenticatedError('your session ended; sign in again');
      }
      yield centre;
    }
  }),
} satisfies TRPCRouterRecord;
