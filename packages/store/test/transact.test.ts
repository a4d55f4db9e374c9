import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { Db } from '../src/db.js';
import { type Store, StoreReader, type StoreTransactor, TransactionRequiredError } from '../src/index.js';
import { engineOfStore } from '../src/internals.js';
import { MetaTransactor } from '../src/tables/meta.js';
import { knexOf } from '../src/testing.js';
import { BACKENDS, fakeId, newObject, sharedDatabase, uniqueName } from './fixtures.js';

class StepFailed extends Error {}

describe.each(BACKENDS)('read() and transact() (%s)', (_dialect, factory) => {
  const db = sharedDatabase(factory);

  it('read() hands out one reader per table', async () => {
    const { store } = db();
    const key = uniqueName('posture');
    await store.setMeta(key, 'normal');
    const seen = await store.read(async (r) => {
      expect(r).toBeInstanceOf(StoreReader);
      return { value: await r.meta.get(key), epoch: await r.meta.get('log_epoch'), head: await r.log.head() };
    });
    expect(seen).toEqual({ value: 'normal', epoch: store.epoch, head: store.headSeq });
  });

  it('the reader has no writes', async () => {
    const { store } = db();
    await store.read(async (r) => {
      for (const part of [r.meta, r.members, r.audit, r.enrollments, r.objects, r.outbox, r.users, r.sessions]) {
        for (const write of ['set', 'replace', 'add', 'decide', 'insert', 'enqueue', 'create', 'delete']) {
          expect(write in part, `${part.constructor.name}.${write}`).toBe(false);
        }
      }
    });
  });

  it('commits every write of transact() together and returns what fn returns', async () => {
    const { store } = db();
    const [k1, k2, actor] = [uniqueName('k'), uniqueName('k'), `user:${uniqueName('a')}`];
    const out = await store.transact(async (tx) => {
      await tx.meta.set(k1, 'one');
      await tx.meta.set(k2, 'two');
      await tx.audit.add({ actor, action: 'test.both', subject: k1, detail: null });
      return 42;
    });
    expect(out).toBe(42);
    expect([await store.getMeta(k1), await store.getMeta(k2)]).toEqual(['one', 'two']);
    expect((await store.listAudit({ actor, limit: 5 })).map((e) => e.action)).toEqual(['test.both']);
  });

  it('rolls back everything when a later step throws, and rethrows that very error', async () => {
    const { store } = db();
    const [key, actor] = [uniqueName('k'), `user:${uniqueName('a')}`];
    const failure = new StepFailed('second step failed');
    await expect(
      store.transact(async (tx) => {
        await tx.meta.set(key, 'written');
        await tx.audit.add({ actor, action: 'test.rolled-back', subject: key, detail: null });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store.getMeta(key)).toBeUndefined();
    expect(await store.listAudit({ actor, limit: 5 })).toEqual([]);
  });

  it('entity-manager writes (a new user, a session) roll back with the rest', async () => {
    const { store } = db();
    const username = uniqueName('user');
    await expect(
      store.transact(async (tx) => {
        const user = await tx.users.create({ username, displayName: 'U', passwordHash: 'h', roles: ['staff'] });
        expect((await tx.users.find(username))?.id).toBe(user.id);
        await tx.sessions.create({ id: fakeId(username), userId: user.id, expiresAt: new Date(Date.now() + 60_000) });
        throw new StepFailed('after the user was created');
      }),
    ).rejects.toBeInstanceOf(StepFailed);
    expect(await store.findUser(username)).toBeNull();
    expect(await store.findSession(fakeId(username))).toBeNull();
  });

  it("turns the database's errors into MikroORM's", async () => {
    const { store } = db();
    const key = uniqueName('k');
    await expect(
      store.transact(async (tx) => {
        await tx.meta.insert(key, 'first');
        await tx.meta.insert(key, 'again');
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await store.getMeta(key)).toBeUndefined();
  });

  it('reads inside transact() see its uncommitted writes; others do not until the commit', async () => {
    const { store } = db();
    const key = uniqueName('k');
    let outside: string | undefined = 'not read';
    await store.transact(async (tx) => {
      await tx.meta.set(key, 'inside');
      expect(await tx.meta.get(key)).toBe('inside');
      // The named methods and read() join the open transaction (on SQLite a query
      // on the pool would wait for the transaction's connection forever).
      expect(await store.getMeta(key)).toBe('inside');
      expect(await store.read((r) => r.meta.get(key))).toBe('inside');
      if (store.dialect === 'postgresql') outside = await otherSession(store, key);
    });
    if (store.dialect === 'postgresql') expect(outside).toBeUndefined();
    expect(await store.getMeta(key)).toBe('inside');
  });

  it('a transact() inside another joins it: both commit or neither', async () => {
    const { store } = db();
    const [k1, k2] = [uniqueName('k'), uniqueName('k')];
    await expect(
      store.transact(async (tx) => {
        await tx.meta.set(k1, 'outer');
        await store.transact((inner) => inner.meta.set(k2, 'inner'));
        await store.setMeta(k2, 'named');
        throw new StepFailed('after the inner one returned');
      }),
    ).rejects.toBeInstanceOf(StepFailed);
    expect([await store.getMeta(k1), await store.getMeta(k2)]).toEqual([undefined, undefined]);
  });

  it('work started inside transact() that runs after fn returned writes on its own, not into the ended transaction', async () => {
    const { store } = db();
    const [k1, k2] = [uniqueName('k'), uniqueName('k')];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let late: Promise<void> | undefined;
    await store.transact(async (tx) => {
      await tx.meta.set(k1, 'inside');
      late = gate.then(() => store.setMeta(k2, 'late'));
    });
    release();
    await late;
    expect([await store.getMeta(k1), await store.getMeta(k2)]).toEqual(['inside', 'late']);
  });

  describe('onCommit', () => {
    it('runs after the commit, in order, before transact() resolves', async () => {
      const { store } = db();
      const key = uniqueName('k');
      const calls: string[] = [];
      await store.transact(async (tx) => {
        await tx.meta.set(key, 'v');
        tx.onCommit(() => calls.push('first'));
        tx.onCommit(() => calls.push('second'));
        await tx.meta.set(key, 'w');
        expect(calls).toEqual([]);
      });
      expect(calls).toEqual(['first', 'second']);
      expect(await store.getMeta(key)).toBe('w');
    });

    it('never runs when the transaction rolls back', async () => {
      const { store } = db();
      const calls: string[] = [];
      await expect(
        store.transact(async (tx) => {
          await tx.meta.set(uniqueName('k'), 'v');
          tx.onCommit(() => calls.push('committed'));
          throw new StepFailed('rolled back');
        }),
      ).rejects.toBeInstanceOf(StepFailed);
      const key = uniqueName('k');
      await expect(
        store.transact(async (tx) => {
          tx.onCommit(() => calls.push('committed'));
          await tx.meta.insert(key, 'a');
          await tx.meta.insert(key, 'b');
        }),
      ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      expect(calls).toEqual([]);
    });

    it('inside a joined transact() waits for the outer commit', async () => {
      const { store } = db();
      const calls: string[] = [];
      await store.transact(async () => {
        await store.transact(async (inner) => inner.onCommit(() => calls.push('inner')));
        expect(calls).toEqual([]);
      });
      expect(calls).toEqual(['inner']);
      await expect(
        store.transact(async () => {
          await store.transact(async (inner) => inner.onCommit(() => calls.push('rolled back')));
          throw new StepFailed('outer fails');
        }),
      ).rejects.toBeInstanceOf(StepFailed);
      expect(calls).toEqual(['inner']);
    });

    it('a hook that throws does not stop the others; its error reaches the caller, the data stays', async () => {
      const { store } = db();
      const key = uniqueName('k');
      const calls: string[] = [];
      const failure = new StepFailed('hook failed');
      await expect(
        store.transact(async (tx) => {
          await tx.meta.set(key, 'kept');
          tx.onCommit(() => {
            throw failure;
          });
          tx.onCommit(() => calls.push('second'));
        }),
      ).rejects.toBe(failure);
      expect(calls).toEqual(['second']);
      expect(await store.getMeta(key)).toBe('kept');
    });
  });

  describe('the writer guard', () => {
    it('a transactor kept past its transaction refuses to write', async () => {
      const { store } = db();
      const key = uniqueName('k');
      const leaked = await store.transact(async (tx) => tx);
      await expect(leaked.meta.set(key, 'late')).rejects.toBeInstanceOf(TransactionRequiredError);
      expect(() => leaked.onCommit(() => undefined)).toThrow(TransactionRequiredError);
      const rolledBack = await store
        .transact(async (tx) => {
          throw Object.assign(new StepFailed('x'), { tx });
        })
        .catch((err: StepFailed & { tx: StoreTransactor }) => err.tx);
      await expect(rolledBack.audit.add({ actor: 'late', action: 'late', detail: null })).rejects.toBeInstanceOf(
        TransactionRequiredError,
      );
      expect(await store.getMeta(key)).toBeUndefined();
    });

    it('a writer built on the read-only pool handle refuses to write', async () => {
      const { store } = db();
      const key = uniqueName('k');
      const writer = new MetaTransactor(Db.pool(engineOfStore(store)));
      await expect(writer.set(key, 'v')).rejects.toBeInstanceOf(TransactionRequiredError);
      expect(await store.getMeta(key)).toBeUndefined();
    });

    it('append and exclusive() refuse to run inside transact() (lock order: exclusive first)', async () => {
      const { store } = db();
      const head = store.headSeq;
      await expect(store.transact(() => store.append([{ object: newObject() }]))).rejects.toThrow(/inside transact/);
      await expect(store.transact(() => store.exclusive(async () => 1))).rejects.toThrow(/inside transact/);
      expect(store.headSeq).toBe(head);
    });
  });
});

/** Reads `key` on a connection of its own, outside the test's transaction (PostgreSQL only). */
async function otherSession(store: Store, key: string): Promise<string | undefined> {
  const row = (await knexOf(store)('node_meta').where('key', key).first()) as { value: string } | undefined;
  return row?.value;
}
