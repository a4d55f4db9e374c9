import { z } from 'zod';
import { CountySchema, PopulationSchema } from './city-profile.js';
import { LIMITS } from './limits.js';
import { CheckInBodySchema, OperationalPeriodBodySchema, ShiftNoteBodySchema } from './operations.js';
import { PREPAREDNESS_BODIES } from './preparedness-kinds.js';
import {
  count,
  Ed25519PublicJwkSchema,
  keysOf,
  NodeIdSchema,
  ObjectIdSchema,
  optText,
  PersonSchema,
  PROTOCOL_VERSION,
  TimestampSchema,
  TlpSchema,
  text,
} from './primitives.js';
import { RedDirectoryBodySchema } from './red-directory.js';
import {
  StatementCommentBodySchema,
  StatementDecisionBodySchema,
  StatementDeliveryBodySchema,
  StatementFinalBodySchema,
  StatementRevisionBodySchema,
  StatementSignatureBodySchema,
  StatementSignOnBodySchema,
  StatementWithdrawalBodySchema,
} from './statement-objects.js';
import {
  ATTACK_VECTORS,
  BULLETIN_STATUSES,
  FUNCTIONAL_IMPACTS,
  INCIDENT_CODES,
  INFORMATION_IMPACTS,
  JURISDICTION_SIZES,
  NOTE_TOPICS,
  POSTURE_LEVELS,
  SEVERITIES,
} from './taxonomy.js';
import { EVERYONE, sharesWithNetwork } from './tlp.js';

// ------------------------------------------------------------------- bodies

export const IndicatorSchema = z.strictObject({
  type: z.enum(['email-sender', 'domain', 'ip', 'url', 'sha256', 'sha1', 'md5', 'phone', 'other']),
  value: text(2048),
  note: optText(500),
});

/** A STIX object a bulletin was imported from: the feed or file, its STIX id and version, its author. */
export const ProvenanceSchema = z.strictObject({
  source: text(500),
  stixId: z.string().regex(/^[a-z][a-z0-9-]*--[0-9a-f-]{36}$/, 'a STIX id: type--UUID'),
  modified: TimestampSchema,
  createdByRef: optText(200),
  createdByName: optText(500),
});

export const BulletinBodySchema = z.strictObject({
  title: text(200),
  narrative: text(20_000),
  category: z.enum(INCIDENT_CODES),
  severity: z.enum(keysOf(SEVERITIES)),
  observedAt: TimestampSchema.optional(),
  detectedAt: TimestampSchema.optional(),
  location: z.strictObject({ description: text(500), county: optText(100), precinct: optText(100) }).optional(),
  attackVector: z.enum(keysOf(ATTACK_VECTORS)).optional(),
  affectedAsset: optText(500),
  functionalImpact: z.enum(keysOf(FUNCTIONAL_IMPACTS)).optional(),
  informationImpact: z.enum(keysOf(INFORMATION_IMPACTS)).optional(),
  affected: z.strictObject({ voters: count.optional(), staff: count.optional(), devices: count.optional() }).optional(),
  indicators: z.array(IndicatorSchema).max(LIMITS.maxIndicators).optional(),
  contact: z.strictObject({ name: text(200), role: optText(200), email: optText(320), phone: optText(50) }).optional(),
  informed: z.array(text(200)).max(50).optional(),
  related: z.array(ObjectIdSchema).max(100).optional(),
  /** The id of the earlier version this one replaces (same origin). */
  supersedes: ObjectIdSchema.optional(),
  /** Where an imported advisory came from (the hub signs STIX objects it imports; docs/stix.md, "Import"). */
  provenance: ProvenanceSchema.optional(),
});

export const BulletinStatusBodySchema = z
  .strictObject({
    target: ObjectIdSchema,
    status: z.enum(BULLETIN_STATUSES).exclude(['published']),
    note: optText(5_000),
    duplicateOf: ObjectIdSchema.optional(),
  })
  .refine((b) => (b.status === 'duplicate') === (b.duplicateOf !== undefined), {
    message: 'duplicateOf is required exactly when status is duplicate',
    path: ['duplicateOf'],
  });

export const NoteBodySchema = z.strictObject({
  topic: z.enum(keysOf(NOTE_TOPICS)),
  title: text(200),
  problem: text(10_000),
  whatWorked: text(20_000),
  whatDidNot: optText(10_000),
  cost: optText(500),
  staff: optText(500),
  jurisdictionSize: z.enum(keysOf(JURISDICTION_SIZES)),
  supersedes: ObjectIdSchema.optional(),
});

export const EndorsementBodySchema = z.strictObject({ target: ObjectIdSchema, comment: optText(2_000) });

export const AcknowledgementBodySchema = z.strictObject({
  target: ObjectIdSchema,
  /** "Seen it here too." */
  seenHere: z.boolean(),
  comment: optText(2_000),
});

export const RetractionBodySchema = z.strictObject({ target: ObjectIdSchema, reason: text(2_000) });

export const PostureBodySchema = z.strictObject({
  level: z.enum(keysOf(POSTURE_LEVELS)),
  advisory: z.strictObject({ title: text(200), text: text(20_000) }).optional(),
});

// ---------------------------------------------------------------- membership

export const KeyRecordSchema = z.strictObject({
  kid: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  jwk: Ed25519PublicJwkSchema,
  validFrom: TimestampSchema,
  validUntil: TimestampSchema.optional(),
  /** Set when the hub revokes the key; objects it signed at or after this time are rejected. */
  revokedAt: TimestampSchema.optional(),
  /** Every object signed by this key is distrusted, whenever it was signed. */
  compromised: z.boolean().optional(),
});
export type KeyRecord = z.infer<typeof KeyRecordSchema>;

export const MemberSchema = z.strictObject({
  node: NodeIdSchema,
  name: text(200),
  baseUrl: z.url({ protocol: /^https?$/ }),
  /**
   * Every address the node answers at, when it runs as several processes (the hub:
   * docs/operations.md "Running the hub highly available"); callers spread over them
   * and move to the next on failure. Absent: `baseUrl` alone.
   */
  endpoints: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .max(16)
    .optional(),
  role: z.enum(['city', 'hub']),
  status: z.enum(['active', 'suspended', 'revoked', 'decommissioned']),
  keys: z.array(KeyRecordSchema).min(1).max(100),
  contact: optText(320),
  /** The county, as named in us-atlas without "County" (city-profile.ts); absent: not known. */
  county: CountySchema.optional(),
  /** Residents (a positive integer); the grid's size classes come from it. Absent: not known. */
  population: PopulationSchema.optional(),
});
export type Member = z.infer<typeof MemberSchema>;

/**
 * A node asks to join: self-signed with the key it wants enrolled (proof of
 * possession). The hub queues it for an official to approve or reject.
 */
export const EnrollmentBodySchema = z.strictObject({
  network: NodeIdSchema,
  node: NodeIdSchema,
  name: text(200),
  baseUrl: z.url({ protocol: /^https?$/ }),
  key: z.strictObject({ kid: z.string().regex(/^[A-Za-z0-9_-]{43}$/), jwk: Ed25519PublicJwkSchema }),
  contact: text(320),
  /** What the city says of itself; the hub official approving may correct it. */
  county: CountySchema.optional(),
  population: PopulationSchema.optional(),
});

/**
 * A node announces its next key, signed with its current one. The hub adds it to
 * the roster (and closes the old key's window); for the hub's own key, this is the
 * chain that cities follow from the key they pinned.
 */
export const KeyAnnouncementBodySchema = z.strictObject({
  node: NodeIdSchema,
  /** kid of the key that signs this announcement and is being replaced. */
  replaces: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  key: z.strictObject({
    kid: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    jwk: Ed25519PublicJwkSchema,
    validFrom: TimestampSchema,
  }),
});

export const MembershipBodySchema = z.strictObject({ network: NodeIdSchema, member: MemberSchema });

/**
 * MemberSchema with a memory: a roster repeats almost every member of the one
 * before it, so the last valid entry of each node is remembered and an entry equal
 * to it, value for value, is taken without running the schema again (the schema
 * is pure and has no transforms, so an equal input has an equal result). A new
 * roster of 2,000 members with one change costs one member's schema work plus a
 * comparison per member. Same issues, same paths as MemberSchema.
 */
const lastValidMember = new Map<string, Member>();
const MEMBER_MEMORY = 25_000;
/** Same JSON value: same types, same array lengths, same own keys (a Date, undefined or NaN never equals a parsed value). */
const sameJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return typeof a !== 'number' || Number.isFinite(a);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    keys += 1;
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
  }
  for (const _ in y) keys -= 1;
  return keys === 0;
};
const RememberedMemberSchema = z.unknown().transform((value, ctx): Member => {
  const node = (value as { node?: unknown } | null)?.node;
  const known = typeof node === 'string' ? lastValidMember.get(node) : undefined;
  if (known && sameJson(value, known)) return known;
  const parsed = MemberSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  if (lastValidMember.size >= MEMBER_MEMORY && !lastValidMember.has(parsed.data.node)) {
    lastValidMember.delete(lastValidMember.keys().next().value as string);
  }
  lastValidMember.set(parsed.data.node, parsed.data);
  return parsed.data;
});

export const RosterBodySchema = z.strictObject({
  network: NodeIdSchema,
  /** Strictly increasing; a node never accepts a roster older than the one it holds. */
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  members: z.array(RememberedMemberSchema).max(20_000),
});

// ---------------------------------------------------------------- envelope

const BODIES = {
  bulletin: BulletinBodySchema,
  'bulletin-status': BulletinStatusBodySchema,
  note: NoteBodySchema,
  endorsement: EndorsementBodySchema,
  acknowledgement: AcknowledgementBodySchema,
  retraction: RetractionBodySchema,
  posture: PostureBodySchema,
  'statement-revision': StatementRevisionBodySchema,
  'statement-comment': StatementCommentBodySchema,
  'statement-decision': StatementDecisionBodySchema,
  'statement-signon': StatementSignOnBodySchema,
  'statement-signature': StatementSignatureBodySchema,
  'statement-withdrawal': StatementWithdrawalBodySchema,
  'statement-final': StatementFinalBodySchema,
  'statement-delivery': StatementDeliveryBodySchema,
  membership: MembershipBodySchema,
  roster: RosterBodySchema,
  enrollment: EnrollmentBodySchema,
  'key-announcement': KeyAnnouncementBodySchema,
  'red-directory': RedDirectoryBodySchema,
  'operational-period': OperationalPeriodBodySchema,
  checkin: CheckInBodySchema,
  'shift-note': ShiftNoteBodySchema,
  ...PREPAREDNESS_BODIES,
} as const;

export type ObjectKind = keyof typeof BODIES;
export const OBJECT_KINDS = Object.keys(BODIES) as [ObjectKind, ...ObjectKind[]];
export const ObjectKindSchema = z.enum(OBJECT_KINDS);

/** Kinds only the hub may author. */
export const HUB_ONLY_KINDS: readonly ObjectKind[] = [
  'posture',
  'membership',
  'roster',
  'operational-period',
  'shift-note',
];

/** JWS `typ` header of each kind, e.g. `citylink.bulletin+jws`. */
export function typOf(kind: ObjectKind): string {
  return `citylink.${kind}+jws`;
}
export function kindOfTyp(typ: string): ObjectKind | undefined {
  const m = /^citylink\.([a-z-]+)\+jws$/.exec(typ);
  return m && (OBJECT_KINDS as string[]).includes(m[1] as string) ? (m[1] as ObjectKind) : undefined;
}

const envelopeFields = {
  v: z.literal(PROTOCOL_VERSION),
  origin: NodeIdSchema,
  created: TimestampSchema,
  expires: TimestampSchema.optional(),
  tlp: TlpSchema,
  audience: z.array(z.union([NodeIdSchema, z.literal(EVERYONE)])).max(LIMITS.maxAudience),
  recipients: z.array(PersonSchema).min(1).max(500).optional(),
};

const envelopeOf = <K extends ObjectKind>(kind: K) =>
  z.strictObject({ ...envelopeFields, kind: z.literal(kind), body: BODIES[kind] });

const AnyObjectSchema = z.discriminatedUnion('kind', [
  envelopeOf('bulletin'),
  envelopeOf('bulletin-status'),
  envelopeOf('note'),
  envelopeOf('endorsement'),
  envelopeOf('acknowledgement'),
  envelopeOf('retraction'),
  envelopeOf('posture'),
  envelopeOf('statement-revision'),
  envelopeOf('statement-comment'),
  envelopeOf('statement-decision'),
  envelopeOf('statement-signon'),
  envelopeOf('statement-signature'),
  envelopeOf('statement-withdrawal'),
  envelopeOf('statement-final'),
  envelopeOf('statement-delivery'),
  envelopeOf('membership'),
  envelopeOf('roster'),
  envelopeOf('enrollment'),
  envelopeOf('key-announcement'),
  envelopeOf('red-directory'),
  envelopeOf('operational-period'),
  envelopeOf('checkin'),
  envelopeOf('shift-note'),
  // preparedness (preparedness-kinds.ts)
  envelopeOf('commission'),
  envelopeOf('contingency-plan'),
  envelopeOf('training-summary'),
  envelopeOf('liaison'),
  envelopeOf('forum'),
  envelopeOf('assessment'),
  envelopeOf('funding-need'),
  envelopeOf('security-day'),
]);

/** Every signed object: the common envelope plus a kind-specific body, with marking rules checked. */
export const SignedObjectSchema = AnyObjectSchema.superRefine((o, ctx) => {
  const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
  const unique = new Set(o.audience);
  if (unique.size !== o.audience.length) issue('audience lists a node twice', ['audience']);
  if (unique.has(EVERYONE) && !sharesWithNetwork(o.tlp)) {
    issue(`audience "*" (whole network) is only allowed for TLP:GREEN and TLP:CLEAR, not ${o.tlp}`, ['audience']);
  }
  if (o.tlp === 'RED') {
    if (!o.recipients) issue('TLP:RED needs named recipients', ['recipients']);
    for (const [i, r] of (o.recipients ?? []).entries()) {
      if (!unique.has(r.node)) issue(`recipient ${r.user}@${r.node} is not in the audience`, ['recipients', i]);
    }
  } else if (o.recipients) {
    issue('named recipients are only used with TLP:RED', ['recipients']);
  }
  // Compare instants, not strings: `…00.5Z` is later than `…00Z` but sorts before it.
  if (o.expires !== undefined && Date.parse(o.expires) <= Date.parse(o.created)) {
    issue('expires must be after created', ['expires']);
  }
});

export type SignedObject = z.infer<typeof SignedObjectSchema>;
export type ObjectOfKind<K extends ObjectKind> = Extract<SignedObject, { kind: K }>;
export type BodyOf<K extends ObjectKind> = ObjectOfKind<K>['body'];

export type Bulletin = ObjectOfKind<'bulletin'>;
export type Note = ObjectOfKind<'note'>;
export type Roster = ObjectOfKind<'roster'>;
