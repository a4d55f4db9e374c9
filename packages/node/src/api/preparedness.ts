import {
  CountySchema,
  EVERYONE,
  LIMITS,
  NodeIdSchema,
  PersonSchema,
  PREPAREDNESS_BODIES,
  PREPAREDNESS_KINDS,
  SCORE_STATUSES,
  SIZE_CLASS_KEYS,
  TimestampSchema,
  TlpSchema,
} from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { MAX_TREND_DAYS } from '../preparedness/trend.js';
import { authedProcedure, hubOfficialProcedure } from '../trpc/procedures.js';

const Marking = z.object({
  tlp: TlpSchema,
  audience: z.array(z.union([NodeIdSchema, z.literal(EVERYONE)])).max(LIMITS.maxAudience),
  recipients: z.array(PersonSchema).min(1).max(500).optional(),
  expires: TimestampSchema.optional(),
});
const day = z.iso.date();
const text = (max: number) => z.string().trim().min(1).max(max);

const RecordInput = z
  .object({
    kind: z.enum(PREPAREDNESS_KINDS),
    body: z.unknown(),
    /** Absent: AMBER+STRICT to the hub alone. */
    marking: Marking.optional(),
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

  /**
   * The statewide roll-up (the hub's officials only, not its administrators): cities ×
   * recommendations filtered by city, status, county and size class, the daily trend and
   * the stale plans before an election.
   */
  stateGrid: hubOfficialProcedure
    .input(
      z
        .object({
          cities: z.array(NodeIdSchema).max(LIMITS.maxAudience).optional(),
          statuses: z.array(z.enum(SCORE_STATUSES)).optional(),
          /** With each cell's reason and next step. */
          reasons: z.boolean().optional(),
          county: CountySchema.optional(),
          size: z.enum(SIZE_CLASS_KEYS).optional(),
          /** Days of trend, today included (default 30). */
          days: z.number().int().min(1).max(MAX_TREND_DAYS).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.node.preparedness.stateGrid(input ?? {})),

  /** Personal training records, at the city only (never federated). */
  trainingRecords: authedProcedure.query(({ ctx }) => ctx.node.preparedness.training.list()),

  addTrainingRecord: authedProcedure
    .input(z.object({ person: text(200), course: text(200), completed: day, hasAccess: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.node.preparedness.training.add(input, ctx.user)),

  removeTrainingRecord: authedProcedure
    .input(z.object({ id: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => ctx.node.preparedness.training.remove(input.id)),

  /** Signs a training summary (counts only) made from the city's records. */
  summarizeTraining: authedProcedure
    .input(
      z.object({
        from: day,
        to: day,
        course: text(200),
        coversSpearPhishing: z.boolean(),
        staffWithAccess: z.number().int().min(0).max(1_000_000),
        marking: Marking.optional(),
        confirmWider: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.preparedness.recordTrainingSummary(input, ctx.user)),

  /** The directory of cybersecurity liaisons across cities (hub officials). */
  liaisons: hubOfficialProcedure.query(({ ctx }) => ctx.node.preparedness.liaisons()),
} satisfies TRPCRouterRecord;
