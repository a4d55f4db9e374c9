import { EntitySchema } from '@mikro-orm/core';
import { OPERATIONS_ENTITIES } from './entities-operations.js';
import { CityScorecardSchema, GridSnapshotSchema, TrainingRecordSchema } from './entities-preparedness.js';
import { LoginThrottleSchema } from './login-throttle.js';
import { StixRefSchema } from './tables/stix-refs.js';
import { ApiTokenSchema } from './token-entity.js';
import { TokenReplaySchema } from './token-replay.js';

/** Key-value facts about this node's database: the log epoch, the held roster, the posture. */
export class Meta {
  key!: string;
  value!: string;
}
export const MetaSchema = new EntitySchema<Meta>({
  class: Meta,
  tableName: 'node_meta',
  properties: { key: { type: 'string', length: 64, primary: true }, value: { type: 'text' } },
});

/** A verified signed object: the exact compact JWS as received, plus the envelope fields used for queries. */
export class StoredObject {
  id!: string;
  kind!: string;
  origin!: string;
  kid!: string;
  created!: Date;
  receivedAt!: Date;
  /** The node that handed it to us (the origin itself, a relay, or this node for local posts). */
  receivedFrom!: string;
  tlp!: string;
  audience!: string[];
  recipients?: { node: string; user: string }[] | null;
  /** The object this one refers to (ack, status, retraction, endorsement, signature…). */
  target?: string | null;
  jws!: string;
  /**
   * null for an object in good standing. `unconfirmed`: accepted before any roster
   * fetched since this node started confirmed its sender's keys (the hub was
   * unreachable); `quarantined`: a later roster ended its key's validity before it
   * arrived, so it is kept for audit only, never shown or passed on.
   */
  hold?: ObjectHold | null;
}
export const OBJECT_HOLDS = ['unconfirmed', 'quarantined'] as const;
export type ObjectHold = (typeof OBJECT_HOLDS)[number];
export const StoredObjectSchema = new EntitySchema<StoredObject>({
  class: StoredObject,
  tableName: 'objects',
  indexes: [
    { properties: ['kind', 'created'] },
    { properties: ['origin'] },
    { properties: ['target'] },
    { properties: ['hold'] },
  ],
  properties: {
    id: { type: 'string', length: 43, primary: true },
    kind: { type: 'string', length: 40 },
    origin: { type: 'string', length: 63 },
    kid: { type: 'string', length: 64 },
    created: { type: 'datetime' },
    receivedAt: { type: 'datetime' },
    receivedFrom: { type: 'string', length: 63 },
    tlp: { type: 'string', length: 16 },
    audience: { type: 'json' },
    recipients: { type: 'json', nullable: true },
    target: { type: 'string', length: 43, nullable: true },
    jws: { type: 'text' },
    hold: { type: 'string', length: 16, nullable: true },
  },
});

/** The node's append-only log. `seq` is assigned in the same transaction that stores the object. */
export class LogEntry {
  seq!: number;
  objectId!: string;
  appendedAt!: Date;
}
export const LogEntrySchema = new EntitySchema<LogEntry>({
  class: LogEntry,
  tableName: 'log',
  properties: {
    seq: { type: 'integer', primary: true, autoincrement: false },
    objectId: { type: 'string', length: 43, unique: true },
    appendedAt: { type: 'datetime' },
  },
});

/** Query projection of bulletins and notes (and their current state) for feeds and boards. */
export class Item {
  id!: string;
  kind!: string;
  origin!: string;
  created!: Date;
  tlp!: string;
  title!: string;
  category?: string | null;
  severity?: string | null;
  topic?: string | null;
  status?: string | null;
  retracted!: boolean;
  supersededBy?: string | null;
  /** Lower-cased title, narrative and indicators for full-text search. */
  searchText!: string;
  updatedAt!: Date;
}
export const ItemSchema = new EntitySchema<Item>({
  class: Item,
  tableName: 'items',
  indexes: [
    { properties: ['kind', 'created'] },
    { properties: ['status'] },
    { properties: ['origin'] },
    // Feed pages are keyset-paginated newest first by (created, id).
    { properties: ['created', 'id'] },
  ],
  properties: {
    id: { type: 'string', length: 43, primary: true },
    kind: { type: 'string', length: 40 },
    origin: { type: 'string', length: 63 },
    created: { type: 'datetime' },
    tlp: { type: 'string', length: 16 },
    title: { type: 'string', length: 300 },
    category: { type: 'string', length: 64, nullable: true },
    severity: { type: 'string', length: 32, nullable: true },
    topic: { type: 'string', length: 64, nullable: true },
    status: { type: 'string', length: 32, nullable: true },
    retracted: { type: 'boolean', default: false },
    supersededBy: { type: 'string', length: 43, nullable: true },
    searchText: { type: 'text' },
    updatedAt: { type: 'datetime' },
  },
});

/** A network member as this node knows it from the hub-signed roster. */
export class MemberRecord {
  node!: string;
  name!: string;
  baseUrl!: string;
  role!: string;
  status!: string;
  keys!: unknown[];
  rosterVersion!: number;
  updatedAt!: Date;
}
export const MemberRecordSchema = new EntitySchema<MemberRecord>({
  class: MemberRecord,
  tableName: 'members',
  properties: {
    node: { type: 'string', length: 63, primary: true },
    name: { type: 'string', length: 200 },
    baseUrl: { type: 'string', length: 500 },
    role: { type: 'string', length: 8 },
    status: { type: 'string', length: 16 },
    keys: { type: 'json' },
    rosterVersion: { type: 'integer' },
    updatedAt: { type: 'datetime' },
  },
});

/** `cancelled`: never pushed, because this node quarantined the object before it went out. */
export const OUTCOMES = ['pending', 'accepted', 'duplicate', 'rejected', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One queued delivery of one object to one recipient node. Rows are kept after delivery as the receipt. */
export class OutboxEntry {
  id!: number;
  objectId!: string;
  recipient!: string;
  createdAt!: Date;
  attempts!: number;
  nextAttemptAt!: Date;
  lastError?: string | null;
  outcome!: Outcome;
  reason?: string | null;
  deliveredAt?: Date | null;
  /** Hub processes sharing a database: which process holds the row, and until when (tables/outbox.ts `claimDue`). */
  claimedBy?: string | null;
  claimedUntil?: Date | null;
}
export const OutboxEntrySchema = new EntitySchema<OutboxEntry>({
  class: OutboxEntry,
  tableName: 'outbox',
  uniques: [{ properties: ['objectId', 'recipient'] }],
  indexes: [{ properties: ['outcome', 'recipient', 'nextAttemptAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    objectId: { type: 'string', length: 43 },
    recipient: { type: 'string', length: 63 },
    createdAt: { type: 'datetime' },
    attempts: { type: 'integer', default: 0 },
    nextAttemptAt: { type: 'datetime' },
    lastError: { type: 'text', nullable: true },
    outcome: { type: 'string', length: 16, default: 'pending' },
    reason: { type: 'text', nullable: true },
    deliveredAt: { type: 'datetime', nullable: true },
    claimedBy: { type: 'string', length: 24, nullable: true },
    claimedUntil: { type: 'datetime', nullable: true },
  },
});

/** What this node knows of each peer: pull cursor (epoch + exclusive seq) and health. */
export class PeerState {
  node!: string;
  cursorEpoch?: string | null;
  cursorSeq!: number;
  lastPullAt?: Date | null;
  lastPushOkAt?: Date | null;
  lastInboundAt?: Date | null;
  lastErrorAt?: Date | null;
  lastError?: string | null;
  consecutiveFailures!: number;
}
export const PeerStateSchema = new EntitySchema<PeerState>({
  class: PeerState,
  tableName: 'peers',
  properties: {
    node: { type: 'string', length: 63, primary: true },
    cursorEpoch: { type: 'string', length: 64, nullable: true },
    cursorSeq: { type: 'integer', default: 0 },
    lastPullAt: { type: 'datetime', nullable: true },
    lastPushOkAt: { type: 'datetime', nullable: true },
    lastInboundAt: { type: 'datetime', nullable: true },
    lastErrorAt: { type: 'datetime', nullable: true },
    lastError: { type: 'text', nullable: true },
    consecutiveFailures: { type: 'integer', default: 0 },
  },
});

export const ROLES = ['staff', 'signer', 'admin', 'hub-official', 'red-recipient'] as const;
export type Role = (typeof ROLES)[number];

export class User {
  id!: number;
  username!: string;
  displayName!: string;
  /** Title under the name in a signature block (e.g. "Mayor"); with displayName, the person's profile. */
  title?: string | null;
  passwordHash!: string;
  roles!: Role[];
  disabled!: boolean;
  createdAt!: Date;
}
export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    username: { type: 'string', length: 100, unique: true },
    displayName: { type: 'string', length: 200 },
    title: { type: 'string', length: 200, nullable: true },
    passwordHash: { type: 'string', length: 200 },
    roles: { type: 'json' },
    disabled: { type: 'boolean', default: false },
    createdAt: { type: 'datetime' },
  },
});

/** A signed-in session. Only the SHA-256 of the token is stored. */
export class Session {
  id!: string;
  userId!: number;
  createdAt!: Date;
  expiresAt!: Date;
  lastSeenAt!: Date;
}
export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'sessions',
  indexes: [{ properties: ['userId'] }],
  properties: {
    id: { type: 'string', length: 64, primary: true },
    userId: { type: 'integer' },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    lastSeenAt: { type: 'datetime' },
  },
});

/** Who did what, when: every staff action, every rejection, every membership change. */
export class AuditEvent {
  id!: number;
  at!: Date;
  actor!: string;
  action!: string;
  subject?: string | null;
  detail?: Record<string, unknown> | null;
}
export const AuditEventSchema = new EntitySchema<AuditEvent>({
  class: AuditEvent,
  tableName: 'audit_events',
  indexes: [{ properties: ['at'] }, { properties: ['action'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    at: { type: 'datetime' },
    actor: { type: 'string', length: 200 },
    action: { type: 'string', length: 64 },
    subject: { type: 'string', length: 200, nullable: true },
    detail: { type: 'json', nullable: true },
  },
});

/** A request to join the network, held by the hub until an official decides. */
export class Enrollment {
  /** The enrollment object's id. */
  id!: string;
  node!: string;
  name!: string;
  baseUrl!: string;
  kid!: string;
  contact!: string;
  jws!: string;
  status!: 'pending' | 'approved' | 'rejected';
  reason?: string | null;
  receivedAt!: Date;
  decidedAt?: Date | null;
  decidedBy?: string | null;
}
export const EnrollmentSchema = new EntitySchema<Enrollment>({
  class: Enrollment,
  tableName: 'enrollments',
  indexes: [{ properties: ['node'] }, { properties: ['status'] }],
  properties: {
    id: { type: 'string', length: 43, primary: true },
    node: { type: 'string', length: 63 },
    name: { type: 'string', length: 200 },
    baseUrl: { type: 'string', length: 500 },
    kid: { type: 'string', length: 64 },
    contact: { type: 'string', length: 320 },
    jws: { type: 'text' },
    status: { type: 'string', length: 16 },
    reason: { type: 'text', nullable: true },
    receivedAt: { type: 'datetime' },
    decidedAt: { type: 'datetime', nullable: true },
    decidedBy: { type: 'string', length: 200, nullable: true },
  },
});

/**
 * The read model of one joint statement: its list entry as last folded from the
 * statement's signed objects, with the first revision's marking (who may see it).
 * Rebuilt after a statement object is appended or the roster changes.
 */
export class StatementSummary {
  statementId!: string;
  origin!: string;
  tlp!: string;
  audience!: string[];
  recipients?: { node: string; user: string }[] | null;
  /** The list entry (JSON): title, originator, phase, addressees, counts, deadline. */
  summary!: string;
  /** The roster version it was folded under (signature validity depends on the keys). */
  rosterVersion!: number;
  updatedAt!: Date;
}
export const StatementSummarySchema = new EntitySchema<StatementSummary>({
  class: StatementSummary,
  tableName: 'statement_summaries',
  properties: {
    statementId: { type: 'string', length: 43, primary: true },
    origin: { type: 'string', length: 63 },
    tlp: { type: 'string', length: 16 },
    audience: { type: 'json' },
    recipients: { type: 'json', nullable: true },
    summary: { type: 'text' },
    rosterVersion: { type: 'integer' },
    updatedAt: { type: 'datetime' },
  },
});

export {
  CityScorecard,
  CityScorecardSchema,
  GridSnapshot,
  GridSnapshotSchema,
  TrainingRecord,
  TrainingRecordSchema,
} from './entities-preparedness.js';

export const ENTITIES = [
  ApiTokenSchema,
  MetaSchema,
  StoredObjectSchema,
  LogEntrySchema,
  ItemSchema,
  MemberRecordSchema,
  OutboxEntrySchema,
  PeerStateSchema,
  UserSchema,
  SessionSchema,
  AuditEventSchema,
  EnrollmentSchema,
  StatementSummarySchema,
  ...OPERATIONS_ENTITIES,
  CityScorecardSchema,
  GridSnapshotSchema,
  TrainingRecordSchema,
  StixRefSchema,
  TokenReplaySchema,
  LoginThrottleSchema,
];
