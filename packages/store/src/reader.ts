import type { Db } from './db.js';
import { AuditReader } from './tables/audit.js';
import { EnrollmentsReader } from './tables/enrollments.js';
import { ItemsReader } from './tables/items.js';
import { LogReader } from './tables/log.js';
import { MembersReader } from './tables/members.js';
import { MetaReader } from './tables/meta.js';
import { NotificationsReader } from './tables/notifications.js';
import { ObjectsReader } from './tables/objects.js';
import { OperationsReader } from './tables/operations.js';
import { OutboxReader } from './tables/outbox.js';
import { PeersReader } from './tables/peers.js';
import { ScorecardsReader } from './tables/scorecards.js';
import { SessionsReader } from './tables/sessions.js';
import { StatementsReader } from './tables/statements.js';
import { StixRefsReader } from './tables/stix-refs.js';
import { TokensReader } from './tables/tokens.js';
import { TrainingReader } from './tables/training.js';
import { UsersReader } from './tables/users.js';

/** What `store.read(fn)` hands `fn`: one reader per table, all on the same handle. */
export class StoreReader {
  readonly objects: ObjectsReader;
  readonly log: LogReader;
  readonly items: ItemsReader;
  readonly outbox: OutboxReader;
  readonly members: MembersReader;
  readonly peers: PeersReader;
  readonly users: UsersReader;
  readonly sessions: SessionsReader;
  readonly enrollments: EnrollmentsReader;
  readonly audit: AuditReader;
  readonly meta: MetaReader;
  readonly statements: StatementsReader;
  readonly tokens: TokensReader;
  readonly operations: OperationsReader;
  readonly notifications: NotificationsReader;
  readonly scorecards: ScorecardsReader;
  readonly training: TrainingReader;
  readonly stixRefs: StixRefsReader;

  constructor(db: Db) {
    this.objects = new ObjectsReader(db);
    this.log = new LogReader(db);
    this.items = new ItemsReader(db);
    this.outbox = new OutboxReader(db);
    this.members = new MembersReader(db);
    this.peers = new PeersReader(db);
    this.users = new UsersReader(db);
    this.sessions = new SessionsReader(db);
    this.enrollments = new EnrollmentsReader(db);
    this.audit = new AuditReader(db);
    this.meta = new MetaReader(db);
    this.statements = new StatementsReader(db);
    this.tokens = new TokensReader(db);
    this.operations = new OperationsReader(db);
    this.notifications = new NotificationsReader(db);
    this.scorecards = new ScorecardsReader(db);
    this.training = new TrainingReader(db);
    this.stixRefs = new StixRefsReader(db);
  }
}
