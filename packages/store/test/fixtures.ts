import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import {
  type AppendInput,
  type DatabaseConfig,
  type Dialect,
  type NewItem,
  type NewObject,
  Store,
} from '../src/index.js';
import { createTestPostgresDatabase } from '../src/testing.js';

/** One freshly created, empty database with a Store open on it. */
export interface TestDatabase {
  readonly dialect: Dialect;
  readonly config: DatabaseConfig;
  /** The Store opened on the new database by the factory. */
  readonly store: Store;
  /** Opens another Store on the same database (e.g. after closing `store`, to simulate a restart). */
  open(): Promise<Store>;
  /** Closes every Store opened on this database and deletes the database. */
  dispose(): Promise<void>;
}

export type DatabaseFactory = () => Promise<TestDatabase>;

async function withStores(
  dialect: Dialect,
  config: DatabaseConfig,
  destroy: () => Promise<void>,
): Promise<TestDatabase> {
  const opened: Store[] = [];
  const open = async () => {
    const store = await Store.open(config);
    opened.push(store);
    return store;
  };
  let store: Store;
  try {
    store = await open();
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    dialect,
    config,
    store,
    open,
    dispose: async () => {
      try {
        // Closing an already closed Store is harmless (the ORM's close is idempotent).
        for (const s of opened) await s.close();
      } finally {
        await destroy();
      }
    },
  };
}

export const openSqlite: DatabaseFactory = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'citylink-store-'));
  return withStores('sqlite', { sqlitePath: join(dir, 'node.sqlite') }, () =>
    rm(dir, { recursive: true, force: true }),
  );
};

/** Fails (never skips) when PostgreSQL is unreachable: createTestPostgresDatabase throws. */
export const openPostgres: DatabaseFactory = async () => {
  const db = await createTestPostgresDatabase();
  return withStores('postgresql', { databaseUrl: db.url }, db.drop);
};

export const BACKENDS: [Dialect, DatabaseFactory][] = [
  ['sqlite', openSqlite],
  ['postgresql', openPostgres],
];

/** One database for a whole describe block; tests stay independent by using distinct ids and names. */
export function sharedDatabase(factory: DatabaseFactory): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await factory();
  });
  afterAll(async () => {
    await db?.dispose();
  });
  return () => {
    if (!db) throw new Error('the shared test database failed to open');
    return db;
  };
}

/** A database of its own for one test, deleted when the test finishes. */
export async function freshDatabase(factory: DatabaseFactory): Promise<TestDatabase> {
  const db = await factory();
  onTestFinished(() => db.dispose());
  return db;
}

// ------------------------------------------------------------------ objects

export function fakeId(n: number | string): string {
  return createHash('sha256').update(String(n)).digest('base64url');
}

let counter = 0;
/** A 43-character id never handed out before in this test file. */
export function nextId(): string {
  counter += 1;
  return fakeId(counter);
}

let nameCounter = 0;
/** A node / user / action name unique within this test file. */
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${nameCounter}`;
}

export const CREATED = new Date('2026-11-03T14:00:00.000Z');
export const ORIGIN = 'wi-madison';

export function at(offsetMinutes: number, base: Date = CREATED): Date {
  return new Date(base.getTime() + offsetMinutes * 60_000);
}

export function newObject(overrides: Partial<NewObject> = {}): NewObject {
  const id = overrides.id ?? nextId();
  return {
    id,
    kind: 'bulletin',
    origin: ORIGIN,
    kid: fakeId('kid'),
    created: CREATED,
    receivedFrom: ORIGIN,
    tlp: 'GREEN',
    audience: ['*'],
    recipients: null,
    target: null,
    jws: `header.payload-${id}.signature`,
    ...overrides,
  };
}

export function newItem(id: string, overrides: Partial<NewItem> = {}): NewItem {
  return {
    id,
    kind: 'bulletin',
    origin: ORIGIN,
    created: CREATED,
    tlp: 'GREEN',
    title: `Bulletin ${id.slice(0, 8)}`,
    category: 'cyber.phishing',
    severity: 'medium',
    topic: null,
    status: 'open',
    retracted: false,
    supersededBy: null,
    searchText: `bulletin ${id.slice(0, 8).toLowerCase()}`,
    ...overrides,
  };
}

/** An object plus its projection row, with the item's envelope fields matching the object's. */
export function itemInput(
  item: Partial<NewItem> = {},
  extra: Omit<AppendInput, 'object' | 'item'> & { object?: Partial<NewObject> } = {},
): AppendInput {
  const object = newObject({
    ...(item.id && { id: item.id }),
    ...(item.kind && { kind: item.kind }),
    ...(item.origin && { origin: item.origin }),
    ...(item.created && { created: item.created }),
    ...(item.tlp && { tlp: item.tlp }),
    ...extra.object,
  });
  const { object: _ignored, ...rest } = extra;
  return { ...rest, object, item: newItem(object.id, { ...item, id: object.id }) };
}

/** One hub process on a shared PostgreSQL database (its own pool and sessions), closed when the test ends. */
export async function openHubProcess(url: string, claimLeaseMs = 30_000): Promise<Store> {
  const store = await Store.open({ databaseUrl: url }, { node: true, shared: true, claimLeaseMs });
  onTestFinished(() => store.close());
  return store;
}

/**
 * Follows the log by cursor while appends run, as a peer pulling changes does;
 * `stop()` answers whether it ever saw seq n+1 before n.
 */
export function followLog(store: Store): { stop: () => Promise<boolean> } {
  let cursor = 0;
  let skipped = false;
  let done = false;
  const reader = (async () => {
    while (!done) {
      for (const r of await store.logAfter(cursor, 1000)) {
        if (r.seq !== cursor + 1) skipped = true;
        cursor = r.seq;
      }
    }
  })();
  return {
    stop: async () => {
      done = true;
      await reader;
      return skipped;
    },
  };
}
