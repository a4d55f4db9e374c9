import { z } from 'zod';
import { base64url, utf8 } from './encoding.js';
import { LIMITS } from './limits.js';
import { NodeIdSchema, ObjectIdSchema, optText, PROTOCOL_VERSION, TimestampSchema, text } from './primitives.js';

/** The bodies of the joint-statement kinds, and the frozen text mayors co-sign. */

export const SignatureBlockSchema = z.strictObject({ name: text(200), title: text(200), city: text(200) });

export const StatementRevisionBodySchema = z.strictObject({
  /** Absent on the first revision: the statement's id is the first revision's object id. */
  statement: ObjectIdSchema.optional(),
  parent: ObjectIdSchema.optional(),
  title: text(300),
  text: text(100_000),
  addressees: z.array(text(300)).min(1).max(50),
  invited: z.array(NodeIdSchema).max(LIMITS.maxAudience),
  signOnDeadline: TimestampSchema.optional(),
  /** A table of the signing cities' `funding-need` objects, by id (funding-annex.ts); its hash goes into the signed text. */
  fundingAnnex: z.array(ObjectIdSchema).min(1).max(LIMITS.maxFundingAnnexRows).optional(),
});

export const StatementCommentBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  revision: ObjectIdSchema,
  comment: text(10_000),
  /** A proposed amendment: the full replacement text. */
  proposedText: z.string().min(1).max(100_000).optional(),
});

export const StatementDecisionBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  proposal: ObjectIdSchema,
  decision: z.enum(['accepted', 'declined']),
  /** The revision that took the amendment in, when accepted. */
  revision: ObjectIdSchema.optional(),
  reason: optText(2_000),
});

export const StatementSignOnBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  revision: ObjectIdSchema,
  /** base64url SHA-256 of the frozen text document (see `statementTextDocument`). */
  textHash: ObjectIdSchema,
  deadline: TimestampSchema,
});

/**
 * The protected header of a co-signature, as far as readers rely on it (the
 * signature itself is checked by the crypto package): a block that is not three
 * strings would otherwise reach every node that prints the document.
 */
export const CosignatureHeaderSchema = z.object({
  alg: z.literal('EdDSA'),
  typ: z.literal('citylink.statement-text+jws'),
  kid: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  node: NodeIdSchema,
  block: SignatureBlockSchema,
  iat: TimestampSchema,
});

const isCosignatureHeader = (segment: string) => {
  try {
    return CosignatureHeaderSchema.safeParse(JSON.parse(utf8.decode(base64url.decode(segment)))).success;
  } catch {
    return false;
  }
};

/** One entry of a General JWS `signatures` array. */
export const JwsSignatureEntrySchema = z.strictObject({
  protected: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .refine(isCosignatureHeader, 'protected header: {alg: EdDSA, typ, kid, node, block {name, title, city}, iat}'),
  signature: z.string().regex(/^[A-Za-z0-9_-]+$/),
});

export const StatementSignatureBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  signOn: ObjectIdSchema,
  textHash: ObjectIdSchema,
  block: SignatureBlockSchema,
  /** The co-signature over the frozen text document, ready to join the final General JWS. */
  cosignature: JwsSignatureEntrySchema,
});

export const StatementWithdrawalBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  signature: ObjectIdSchema,
  reason: optText(2_000),
});

export const GeneralJwsSchema = z.strictObject({
  payload: z.string().regex(/^[A-Za-z0-9_-]+$/),
  signatures: z.array(JwsSignatureEntrySchema).min(1).max(5_000),
});

export const StatementFinalBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  signOn: ObjectIdSchema,
  textHash: ObjectIdSchema,
  /** The signature objects counted, in document order. */
  signatures: z.array(ObjectIdSchema).min(1).max(5_000),
  document: GeneralJwsSchema,
  /** Set on an addendum: the final it extends with late signers. */
  addendumTo: ObjectIdSchema.optional(),
});

export const StatementDeliveryBodySchema = z.strictObject({
  statement: ObjectIdSchema,
  final: ObjectIdSchema,
  to: text(300),
  method: z.enum(['email', 'mail', 'hand', 'portal', 'other']),
  deliveredAt: TimestampSchema,
  note: optText(2_000),
});

/**
 * The document every mayor co-signs when sign-on opens: the frozen text of one revision.
 * Its canonical bytes are the General JWS payload; their SHA-256 is the statement's text hash.
 */
export const StatementTextSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal('statement-text'),
  statement: ObjectIdSchema,
  revision: ObjectIdSchema,
  title: text(300),
  text: text(100_000),
  addressees: z.array(text(300)).min(1).max(50),
  /** The hash of the funding annex (`fundingAnnexHash` of its rows' ids), when the statement has one. */
  fundingAnnex: ObjectIdSchema.optional(),
});
export type StatementText = z.infer<typeof StatementTextSchema>;
