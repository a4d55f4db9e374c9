import type { Db } from './db.js';
import { AuditTransactor } from './tables/audit.js';
import { EnrollmentsTransactor } from './tables/enrollments.js';
import { ItemsTransactor } from './tables/items.js';
import { LogTransactor } from './tables/log.js';
import { MembersTransactor } from './tables/members.js';
import { MetaTransactor } from './tables/meta.js';
import { NotificationsTransactor } from './tables/notifications.js';
import { ObjectsTransactor } from './tables/objects.js';
import { OperationsTransactor } from './tables/operations.js';
import { OutboxTransactor } from './tables/outbox.js';
import { PeersTransactor } from './tables/peers.js';
import { ScorecardsTransactor } from './tables/scorecards.js';
import { SessionsTransactor } from './tables/sessions.js';
import { StatementsTransactor } from './tables/statements.js';
import { StixRefsTransactor } from './tables/stix-refs.js';
import { TokensTransactor } from './tables/tokens.js';
import { TrainingTransactor } from './tables/training.js';
import { UsersTransactor } from './tables/users.js';

/**
 * What `store.transact(fn)` hands `fn`: the readers plus their writes, all in one
 * database transaction. Its writers refuse to run once that transaction has ended.
 */
export class StoreTransactor {
  readonly objects: ObjectsTransactor;
  readonly log: LogTransactor;
  readonly items: ItemsTransactor;
  readonly outbox: OutboxTransactor;
  readonly members: MembersTransactor;
  readonly peers: PeersTransactor;
  readonly users: UsersTransactor;
  readonly sessions: SessionsTransactor;
  readonly enrollments: EnrollmentsTransactor;
  readonly audit: AuditTransactor;
  readonly meta: MetaTransactor;
  readonly statements: StatementsTransactor;
  readonly tokens: TokensTransactor;
  readonly operations: OperationsTransactor;
  readonly notifications: NotificationsTransactor;
  readonly scorecards: ScorecardsTransactor;
  readonly training: TrainingTransactor;
  readonly stixRefs: StixRefsTransactor;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    this.objects = new ObjectsTransactor(db);
    this.log = new LogTransactor(db);
    this.items = new ItemsTransactor(db);
    this.outbox = new OutboxTransactor(db);
    this.members = new MembersTransactor(db);
    this.peers = new PeersTransactor(db);
    this.users = new UsersTransactor(db);
    this.sessions = new SessionsTransactor(db);
    this.enrollments = new EnrollmentsTransactor(db);
    this.audit = new AuditTransactor(db);
    this.meta = new MetaTransactor(db);
    this.statements = new StatementsTransactor(db);
    this.tokens = new TokensTransactor(db);
    this.operations = new OperationsTransactor(db);
    this.notifications = new NotificationsTransactor(db);
    this.scorecards = new ScorecardsTransactor(db);
    this.training = new TrainingTransactor(db);
    this.stixRefs = new StixRefsTransactor(db);
  }

  /** Runs `cb` after the transaction commits (bus events, wake-ups), never if it rolls back. */
  onCommit(cb: () => void): void {
    this.#db.onCommit(cb);
  }
}
