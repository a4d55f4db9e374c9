import {
  NodeIdSchema,
  ObjectIdSchema,
  StatementDecisionBodySchema,
  StatementDeliveryBodySchema,
  StatementRevisionBodySchema,
  TimestampSchema,
} from '@citylink/protocol';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import { statementPermissions } from '../statements/statement-permissions.js';
import { authedProcedure, hubProcedure, roleProcedure } from '../trpc/procedures.js';

const id = z.object({ id: ObjectIdSchema });
const text = (max: number) => z.string().trim().min(1).max(max);

/** Joint statements: draft together, co-sign, finalize, deliver, export. */
export const statementsRouter = {
  list: authedProcedure.query(({ ctx }) => ctx.node.statements.list(ctx.user)),

  get: authedProcedure.input(id).query(async ({ ctx, input }) => {
    const s = await ctx.node.statements.state(input.id, ctx.user);
    if (!s) throw new NotFoundError(`no statement ${input.id} visible to you here`);
    return { ...s, can: statementPermissions(ctx.node.id, ctx.user, s) };
  }),

  /** `to`: a later revision, or a comment proposing an amendment. */
  diff: authedProcedure
    .input(z.object({ id: ObjectIdSchema, from: ObjectIdSchema, to: ObjectIdSchema }))
    .query(({ ctx, input }) => ctx.node.statements.diff(input.id, input.from, input.to, ctx.user)),

  create: authedProcedure
    .input(
      z.object({
        title: text(300),
        text: text(100_000),
        addressees: z.array(text(300)).min(1).max(50),
        invited: z.array(NodeIdSchema).max(2500),
        includeHub: z.boolean().default(true),
        signOnDeadline: TimestampSchema.optional(),
        /** Funding-need objects of the cities taking part, as a table whose hash the mayors sign. */
        fundingAnnex: StatementRevisionBodySchema.shape.fundingAnnex,
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.statements.create(input, ctx.user)),

  revise: authedProcedure
    .input(
      z.object({
        id: ObjectIdSchema,
        title: text(300).optional(),
        text: text(100_000),
        addressees: z.array(text(300)).min(1).max(50).optional(),
        fundingAnnex: StatementRevisionBodySchema.shape.fundingAnnex,
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.statements.revise(input.id, input, ctx.user)),

  comment: authedProcedure
    .input(z.object({ id: ObjectIdSchema, comment: text(10_000), proposedText: text(100_000).optional() }))
    .mutation(({ ctx, input }) => ctx.node.statements.comment(input.id, input, ctx.user)),

  decide: authedProcedure
    .input(
      z.object({
        id: ObjectIdSchema,
        proposal: ObjectIdSchema,
        decision: StatementDecisionBodySchema.shape.decision,
        reason: z.string().max(2000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.statements.decide(input.id, input, ctx.user)),

  openSignOn: authedProcedure
    .input(z.object({ id: ObjectIdSchema, deadline: TimestampSchema }))
    .mutation(({ ctx, input }) => ctx.node.statements.openSignOn(input.id, input, ctx.user)),

  /** The mayor's signature: signer role only. */
  sign: roleProcedure('signer')
    .input(z.object({ id: ObjectIdSchema, name: text(200), title: text(200), city: text(200).optional() }))
    .mutation(({ ctx, input }) => ctx.node.statements.sign(input.id, input, ctx.user)),

  withdraw: roleProcedure('signer')
    .input(z.object({ id: ObjectIdSchema, reason: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => ctx.node.statements.withdraw(input.id, input, ctx.user)),

  finalize: authedProcedure
    .input(
      z.object({
        id: ObjectIdSchema,
        tlp: z.enum(['CLEAR', 'GREEN', 'AMBER']).optional(),
        addendum: z.boolean().default(false),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.statements.finalize(input.id, input, ctx.user)),

  recordDelivery: authedProcedure
    .input(
      z.object({
        id: ObjectIdSchema,
        to: text(300),
        method: StatementDeliveryBodySchema.shape.method,
        deliveredAt: TimestampSchema,
        note: z.string().max(2000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.node.statements.recordDelivery(input.id, input, ctx.user)),

  /** The final document as General JWS, verification bundle and printable HTML. */
  export: authedProcedure.input(id).query(({ ctx, input }) => ctx.node.statements.export(input.id, ctx.user)),

  /** Hub: statements addressed to the state. */
  addressedToState: hubProcedure.query(({ ctx }) => ctx.node.statements.list(ctx.user, { addressedTo: ctx.node.id })),
} satisfies TRPCRouterRecord;
