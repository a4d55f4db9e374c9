import {
  EVERYONE,
  LIMITS,
  NodeIdSchema,
  PersonSchema,
  PREPAREDNESS_BODIES,
  PREPAREDNESS_KINDS,
  SCORE_STATUSES,
  TimestampSchema,
  TlpSchema,
} from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, hubProcedure } from '../trpc/procedures.js';

const RecordInput = z
  .object({
    kind: z.enum(PREPAREDNESS_KINDS),
    body: z.unknown(),
    /** Absent: AMBER+STRICT to the hub alone. */
    marking: z
      .object({
        tlp: TlpSchema,
        audience: z.array(z.union([NodeIdSchema, z.literal(EVERYONE)])).max(LIMITS.maxAudience),
        recipients: z.array(PersonSchema).min(1).max(500).optional(),
        expires: TimestampSchema.optional(),
      })
      .optional(),
    /** The person saw the warning that the marking shares more than the default. */
    confirmWider: z.boolean().optional(),
  })
  .transform((input, ctx) => {
    const parsed = PREPAREDNESS_BODIES[input.kind].safeParse(input.body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['body', ...issue.path] } as never);
      return z.NEVER;
    }
    return { ...input, body: parsed.data };
  });

/** Preparedness against the ten recommendations: evidence, scorecards, the statewide grid, liaisons. */
export const preparednessRouter = {
  /** Records one piece of evidence as a signed object (AMBER+STRICT to the hub unless a wider marking is confirmed). */
  record: authedProcedure
    .input(RecordInput)
    .mutation(({ ctx, input }) => ctx.node.preparedness.record(input as never, ctx.user)),

  /** A city's ten rows (default: this node's city) with the evidence they come from. */
  scorecard: authedProcedure
    .input(z.object({ city: NodeIdSchema.optional() }).optional())
    .query(({ ctx, input }) => ctx.node.preparedness.scorecard(ctx.user, input?.city)),

  /** The statewide grid, cities × recommendations (hub officials). */
  stateGrid: hubProcedure
    .input(
      z
        .object({
          cities: z.array(NodeIdSchema).max(LIMITS.maxAudience).optional(),
          statuses: z.array(z.enum(SCORE_STATUSES)).optional(),
          /** With each cell's reason and next step. */
          reasons: z.boolean().optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.node.preparedness.stateGrid(input ?? {})),

  /** The directory of cybersecurity liaisons across cities (hub officials). */
  liaisons: hubProcedure.query(({ ctx }) => ctx.node.preparedness.liaisons()),
} satisfies TRPCRouterRecord;
