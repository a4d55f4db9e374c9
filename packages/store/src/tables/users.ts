import type { Db } from '../db.js';
import { type Role, User } from '../entities.js';

export interface NewUser {
  username: string;
  displayName: string;
  title?: string | null;
  passwordHash: string;
  roles: Role[];
}

export type UserPatch = Partial<Pick<User, 'passwordHash' | 'roles' | 'disabled' | 'displayName' | 'title'>>;

/** Staff accounts. */
export class UsersReader {
  constructor(protected readonly db: Db) {}

  async find(username: string): Promise<User | null> {
    return this.db.em().findOne(User, { username });
  }

  async get(id: number): Promise<User | null> {
    return this.db.em().findOne(User, { id });
  }

  async list(): Promise<User[]> {
    return this.db.em().find(User, {}, { orderBy: { username: 'asc' } });
  }
}

export class UsersTransactor extends UsersReader {
  async create(u: NewUser): Promise<User> {
    this.db.assertWritable();
    const em = this.db.em();
    const user = em.create(User, { ...u, disabled: false, createdAt: new Date() });
    await em.persistAndFlush(user);
    return user;
  }

  async update(id: number, patch: UserPatch): Promise<void> {
    this.db.assertWritable();
    await this.db.em().nativeUpdate(User, { id }, patch);
  }
}
