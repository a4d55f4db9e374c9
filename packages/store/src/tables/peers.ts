import type { Db } from '../db.js';
import { PeerState } from '../entities.js';

/** MikroORM's default column naming: `lastPushOkAt` → `last_push_ok_at`. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** What this node knows of each peer: its catch-up cursor and how talking to it went. */
export class PeersReader {
  constructor(protected readonly db: Db) {}

  async get(node: string): Promise<PeerState | null> {
    return this.db.em().findOne(PeerState, { node });
  }

  async list(): Promise<PeerState[]> {
    return this.db.em().find(PeerState, {}, { orderBy: { node: 'asc' } });
  }
}

export class PeersTransactor extends PeersReader {
  /** Creates the peer's row if it has none, then sets the fields in `patch`: one statement. */
  async update(node: string, patch: Partial<Omit<PeerState, 'node'>>): Promise<void> {
    this.db.assertWritable();
    const row = Object.fromEntries(Object.entries(patch).map(([k, v]) => [snakeCase(k), v]));
    const q = this.db
      .knex('peers')
      .insert({ cursor_seq: 0, consecutive_failures: 0, ...row, node })
      .onConflict('node');
    await (Object.keys(row).length > 0 ? q.merge(Object.keys(row)) : q.ignore());
  }
}
