import { NodeIdSchema, ObjectIdSchema, OperationalPeriodBodySchema } from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { decodeStored } from '../ingest/projection.js';
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

  /**
   * Hub: the situation as of the last tick: escalation clocks (overdue first, in words),
   * cities behind on check-ins, the period. Titles only of bulletins this person may see.
   */
  board: hubProcedure.query(async ({ ctx }) => {
    const snap = await ctx.node.ctx.situation.board();
    const { stateFips, cityCounties } = ctx.node.config.operations;
    const visible = new Map(
      (await ctx.node.views.visible(ctx.user, await ctx.node.store.getObjects(snap.clocks.map((c) => c.id)))).map(
        (o) => [o.id, decodeStored(o)],
      ),
    );
    const countyOf = (id: string) => {
      const o = visible.get(id);
      return o?.kind === 'bulletin' ? (o.body.location?.county ?? null) : null;
    };
    return {
      ...snap,
      stateFips,
      clocks: snap.clocks.map((c) => ({
        ...c,
        title: visible.has(c.id) ? c.title : null,
        // The report's own location first, then the roster's county of the city, then the config's.
        county: countyOf(c.id) ?? c.county ?? cityCounties[c.origin] ?? null,
      })),
      overdue: snap.overdue.map((o) => ({ ...o, county: o.county ?? cityCounties[o.city] ?? null })),
    };
  }),

  /** Hub: who is on shift, and every active hub official who could be. */
  shift: hubProcedure.query(async ({ ctx }) => ({
    onShift: await ctx.node.ctx.onCall.onShift(),
    officials: await ctx.node.ctx.onCall.officials(),
  })),

  /** Hub: put these officials on shift (escalations go to them; nobody on shift = every official). */
  setShift: hubProcedure
    .input(z.object({ usernames: z.array(z.string().min(1).max(100)).max(100) }))
    .mutation(async ({ ctx, input }) => {
      const onShift = await ctx.node.ctx.onCall.setShift(input.usernames);
      await ctx.node.audit.record({ actor: `user:${ctx.user.username}`, action: 'shift.set', detail: { onShift } });
      return { onShift };
    }),

  /** Hub: a signed handover or decision note in the open period's shift log (it never leaves the hub). */
  writeShiftNote: hubProcedure
    .input(
      z.object({
        type: z.enum(['handover', 'decision']),
        text: z.string().trim().min(1).max(10_000),
        onShift: z.array(z.string().min(1).max(100)).max(50).optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.ctx.shiftLog.write(input, ctx.user)),

  /** Hub: the shift log of a period (default: the open one), with a printable text. */
  shiftLog: hubProcedure
    .input(z.object({ period: ObjectIdSchema.optional() }).optional())
    .query(({ ctx, input }) => ctx.node.ctx.shiftLog.read(input?.period)),

  /** Hub: escalations of one bulletin or city (its timeline). */
  escalations: hubProcedure
    .input(z.object({ subject: z.union([ObjectIdSchema, NodeIdSchema]) }))
    .query(async ({ ctx, input }) =>
      (await ctx.node.store.read((r) => r.operations.escalationsOf(input.subject))).map((e) => ({
        ...e,
        at: e.at.toISOString(),
      })),
    ),
} satisfies TRPCRouterRecord;
