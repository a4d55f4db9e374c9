import type { Db } from '../db.js';
import { fromJson } from '../dialect.js';
import { type Role, Session, type User } from '../entities.js';

/** The user fields a session check needs. */
export type SessionOwner = Pick<User, 'id' | 'username' | 'displayName' | 'title' | 'roles' | 'disabled'>;

interface SessionRow {
  id: string;
  user_id: number;
  created_at: Date | number;
  expires_at: Date | number;
  last_seen_at: Date | number;
  uid: number | null;
  username: string;
  display_name: string;
  title: string | null;
  roles: string | Role[];
  disabled: boolean | number;
}

/** Signed-in sessions of staff accounts. */
export class SessionsReader {
  constructor(protected readonly db: Db) {}

  /** A session with its user, in one query: every authenticated request asks for both. */
  async find(id: string): Promise<(Session & { user: SessionOwner | null }) | null> {
    const row = (await this.db
      .knex('sessions')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.*', 'users.username', 'users.display_name', 'users.title', 'users.roles', 'users.disabled', {
        uid: 'users.id',
      })
      .where('sessions.id', id)
      .first()) as SessionRow | undefined;
    if (!row) return null;
    return {
      id: row.id,
      userId: Number(row.user_id),
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
      lastSeenAt: new Date(row.last_seen_at),
      user:
        row.uid == null
          ? null
          : {
              id: Number(row.uid),
              username: row.username,
              displayName: row.display_name,
              title: row.title ?? null,
              roles: fromJson(row.roles),
              disabled: Boolean(row.disabled),
            },
    };
  }
}

export class SessionsTransactor extends SessionsReader {
  async create(s: Omit<Session, 'lastSeenAt' | 'createdAt'>): Promise<void> {
    this.db.assertWritable();
    const now = new Date();
    await this.db.em().insert(Session, { ...s, createdAt: now, lastSeenAt: now });
  }

  async touch(id: string, at: Date, expiresAt: Date): Promise<void> {
    this.db.assertWritable();
    await this.db.em().nativeUpdate(Session, { id }, { lastSeenAt: at, expiresAt });
  }

  async delete(id: string): Promise<void> {
    this.db.assertWritable();
    await this.db.em().nativeDelete(Session, { id });
  }

  async deleteExpired(now: Date): Promise<number> {
    this.db.assertWritable();
    return this.db.em().nativeDelete(Session, { expiresAt: { $lte: now } });
  }
}
