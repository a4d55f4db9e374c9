import type { Db } from '../db.js';
import { Meta } from '../entities.js';

/** Key-value facts about this node's database (the log epoch, the held roster, the posture, …). */
export class MetaReader {
  constructor(protected readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.em().findOne(Meta, { key }))?.value;
  }
}

export class MetaTransactor extends MetaReader {
  async set(key: string, value: string): Promise<void> {
    this.db.assertWritable();
    await this.db.em().upsert(Meta, { key, value });
  }

  /** The value of `key`, stored first as `make()` if it has none. */
  async getOrInsert(key: string, make: () => string): Promise<string> {
    const held = await this.get(key);
    if (held) return held;
    const fresh = make();
    await this.insert(key, fresh);
    return fresh;
  }

  /** Adds `key`; fails (UniqueConstraintViolationException) if it has a value already. */
  async insert(key: string, value: string): Promise<void> {
    this.db.assertWritable();
    await this.db.em().insert(Meta, { key, value });
  }
}
