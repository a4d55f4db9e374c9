import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { type MemberRecord, Meta } from '../src/index.js';
import { ormOf } from '../src/testing.js';
import { BACKENDS, fakeId, sharedDatabase, uniqueName } from './fixtures.js';

type NewMember = Omit<MemberRecord, 'updatedAt' | 'rosterVersion'>;

function member(node: string, overrides: Partial<NewMember> = {}): NewMember {
  return {
    node,
    name: `City of ${node}`,
    baseUrl: `https://${node}.example.gov`,
    role: 'city',
    status: 'active',
    keys: [{ kid: fakeId(node), jwk: { kty: 'OKP', crv: 'Ed25519', x: fakeId(`x-${node}`) } }],
    ...overrides,
  };
}

/** Sessions are keyed by the hex SHA-256 of the token (64 characters). */
function createSessionId(seed: string): string {
  return Buffer.from(fakeId(seed), 'base64url').toString('hex');
}

describe.each(BACKENDS)('records (%s)', (_dialect, factory) => {
  // One database for all blocks below; every test uses names of its own.
  const db = sharedDatabase(factory);

  describe('members', () => {
    it('replaceMembers replaces the whole table with the newer roster', async () => {
      const { store } = db();
      const before = Date.now();
      await store.replaceMembers([member('wi-madison'), member('hub', { role: 'hub' }), member('il-chicago')], 1);
      const first = await store.listMembers();
      expect(first.map((m) => m.node)).toEqual(['hub', 'il-chicago', 'wi-madison']);
      expect(first[0]).toMatchObject({ ...member('hub', { role: 'hub' }), rosterVersion: 1 });
      expect(first[0]!.updatedAt.getTime()).toBeGreaterThanOrEqual(before);

      await store.replaceMembers([member('wi-madison', { status: 'suspended', name: 'Madison' }), member('hub')], 2);
      const second = await store.listMembers();
      expect(second.map((m) => [m.node, m.status, m.rosterVersion])).toEqual([
        ['hub', 'active', 2],
        ['wi-madison', 'suspended', 2],
      ]);
      expect(second[1]!.name).toBe('Madison');
      expect(second[1]!.keys).toEqual(member('wi-madison').keys);

      await store.replaceMembers([], 3);
      expect(await store.listMembers()).toEqual([]);
    });

    it('replaceMembers keeps the old roster when the new one cannot be stored', async () => {
      const { store } = db();
      await store.replaceMembers([member('a-node'), member('b-node')], 7);
      await expect(store.replaceMembers([member('c-node'), member('c-node')], 8)).rejects.toBeInstanceOf(
        UniqueConstraintViolationException,
      );
      expect((await store.listMembers()).map((m) => [m.node, m.rosterVersion])).toEqual([
        ['a-node', 7],
        ['b-node', 7],
      ]);
    });
  });

  describe('peers', () => {
    it('updatePeer creates a peer with defaults, then patches only the given fields', async () => {
      const { store } = db();
      const node = uniqueName('peer');
      expect(await store.getPeer(node)).toBeNull();

      const pulled = new Date('2026-11-03T14:00:00.000Z');
      await store.updatePeer(node, { lastPullAt: pulled });
      expect(await store.getPeer(node)).toMatchObject({
        node,
        cursorEpoch: null,
        cursorSeq: 0,
        lastPullAt: pulled,
        lastPushOkAt: null,
        lastError: null,
        consecutiveFailures: 0,
      });

      const failed = new Date('2026-11-03T14:05:00.000Z');
      await store.updatePeer(node, { cursorEpoch: 'epoch-1', cursorSeq: 42 });
      await store.updatePeer(node, { lastErrorAt: failed, lastError: 'HTTP 502', consecutiveFailures: 3 });
      expect(await store.getPeer(node)).toMatchObject({
        node,
        cursorEpoch: 'epoch-1',
        cursorSeq: 42,
        lastPullAt: pulled,
        lastErrorAt: failed,
        lastError: 'HTTP 502',
        consecutiveFailures: 3,
      });

      await store.updatePeer(node, { lastError: null, consecutiveFailures: 0 });
      expect(await store.getPeer(node)).toMatchObject({ cursorSeq: 42, lastError: null, consecutiveFailures: 0 });
    });

    it('listPeers returns peers ordered by node', async () => {
      const { store } = db();
      const [b, a, c] = ['zz-list-b', 'zz-list-a', 'zz-list-c'];
      for (const node of [b, a, c]) await store.updatePeer(node, { cursorSeq: 1 });
      const listed = (await store.listPeers()).map((p) => p.node).filter((n) => n.startsWith('zz-list-'));
      expect(listed).toEqual([a, b, c]);
    });
  });

  describe('users', () => {
    it('creates, finds, lists and updates users', async () => {
      const { store } = db();
      const username = uniqueName('clerk');
      const before = Date.now();
      const created = await store.createUser({
        username,
        displayName: 'Election Clerk',
        passwordHash: '$argon2id$v=19$fake',
        roles: ['staff', 'signer'],
      });
      expect(created.id).toEqual(expect.any(Number));
      expect(created).toMatchObject({ username, disabled: false, roles: ['staff', 'signer'] });
      expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before);

      const found = await store.findUser(username);
      expect(found).toMatchObject({
        id: created.id,
        username,
        displayName: 'Election Clerk',
        passwordHash: '$argon2id$v=19$fake',
        roles: ['staff', 'signer'],
        disabled: false,
      });
      expect(await store.getUser(created.id)).toMatchObject({ username });
      expect(await store.findUser(uniqueName('nobody'))).toBeNull();
      expect(await store.getUser(created.id + 100_000)).toBeNull();

      await store.updateUser(created.id, { disabled: true, roles: ['admin'], displayName: 'Former Clerk' });
      expect(await store.getUser(created.id)).toMatchObject({
        disabled: true,
        roles: ['admin'],
        displayName: 'Former Clerk',
        passwordHash: '$argon2id$v=19$fake',
      });
    });

    it('rejects a second user with the same username and keeps the first', async () => {
      const { store } = db();
      const username = uniqueName('dup');
      const first = await store.createUser({ username, displayName: 'First', passwordHash: 'h1', roles: ['staff'] });
      await expect(
        store.createUser({ username, displayName: 'Second', passwordHash: 'h2', roles: ['admin'] }),
      ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      expect(await store.findUser(username)).toMatchObject({ id: first.id, displayName: 'First', roles: ['staff'] });
      expect((await store.listUsers()).filter((u) => u.username === username)).toHaveLength(1);
    });

    it('listUsers orders by username', async () => {
      const { store } = db();
      for (const username of ['zz-user-c', 'zz-user-a', 'zz-user-b']) {
        await store.createUser({ username, displayName: username, passwordHash: 'h', roles: [] });
      }
      const listed = (await store.listUsers()).map((u) => u.username).filter((u) => u.startsWith('zz-user-'));
      expect(listed).toEqual(['zz-user-a', 'zz-user-b', 'zz-user-c']);
    });
  });

  describe('sessions', () => {
    it('creates, finds, touches and deletes a session', async () => {
      const { store } = db();
      const id = createSessionId(uniqueName('s'));
      const expiresAt = new Date('2026-11-04T14:00:00.000Z');
      const before = Date.now();
      await store.createSession({ id, userId: 7, expiresAt });
      const found = await store.findSession(id);
      expect(found).toMatchObject({ id, userId: 7, expiresAt });
      expect(found!.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(found!.lastSeenAt).toEqual(found!.createdAt);

      const seen = new Date('2026-11-03T18:00:00.000Z');
      const extended = new Date('2026-11-05T18:00:00.000Z');
      await store.touchSession(id, seen, extended);
      expect(await store.findSession(id)).toMatchObject({
        id,
        userId: 7,
        createdAt: found!.createdAt,
        lastSeenAt: seen,
        expiresAt: extended,
      });

      await store.deleteSession(id);
      expect(await store.findSession(id)).toBeNull();
      await store.deleteSession(id); // deleting twice is harmless
      expect(await store.findSession(createSessionId(uniqueName('never')))).toBeNull();
    });

    it('deleteExpiredSessions deletes sessions expiring at or before now and returns the count', async () => {
      const { store } = db();
      // Expiry times in 1971, before any other test's sessions, so the count is this test's alone.
      const now = new Date('1971-01-02T00:00:00.000Z');
      const [expired, exactlyNow, alive] = [uniqueName('s'), uniqueName('s'), uniqueName('s')].map(createSessionId);
      await store.createSession({ id: expired!, userId: 1, expiresAt: new Date('1971-01-01T00:00:00.000Z') });
      await store.createSession({ id: exactlyNow!, userId: 1, expiresAt: now });
      await store.createSession({ id: alive!, userId: 1, expiresAt: new Date(now.getTime() + 1) });

      expect(await store.deleteExpiredSessions(now)).toBe(2);
      expect(await store.findSession(expired!)).toBeNull();
      expect(await store.findSession(exactlyNow!)).toBeNull();
      expect(await store.findSession(alive!)).not.toBeNull();
      expect(await store.deleteExpiredSessions(now)).toBe(0);
    });
  });

  describe('audit', () => {
    it('lists events newest first with their fields', async () => {
      const { store } = db();
      const actor = uniqueName('actor');
      const when = new Date('2026-11-03T14:00:00.000Z');
      await store.audit({ actor, action: 'user.create', subject: 'clerk', detail: { roles: ['staff'] }, at: when });
      await store.audit({ actor, action: 'user.disable', subject: null, detail: null });
      await store.audit({
        actor,
        action: 'object.reject',
        subject: fakeId('obj'),
        detail: { reason: 'bad sig', n: 2 },
      });

      const events = await store.listAudit({ actor, limit: 10 });
      expect(events.map((e) => e.action)).toEqual(['object.reject', 'user.disable', 'user.create']);
      expect(events[2]).toMatchObject({ actor, subject: 'clerk', detail: { roles: ['staff'] }, at: when });
      expect(events[1]).toMatchObject({ subject: null, detail: null });
      expect(events[0]!.detail).toEqual({ reason: 'bad sig', n: 2 });
      expect(events[0]!.at).toBeInstanceOf(Date);
      expect(events[0]!.id).toBeGreaterThan(events[1]!.id);
    });

    it('filters by action and actor, limits, and pages with beforeId', async () => {
      const { store } = db();
      const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
      const [login, logout] = [uniqueName('session.login'), uniqueName('session.logout')];
      for (const [actor, action] of [
        [alice, login],
        [bob, login],
        [alice, logout],
        [alice, login],
        [bob, logout],
      ] as const) {
        await store.audit({ actor, action, subject: null, detail: null });
      }
      const pairs = (events: { actor: string; action: string }[]) => events.map((e) => [e.actor, e.action]);

      expect(pairs(await store.listAudit({ action: login, limit: 10 }))).toEqual([
        [alice, login],
        [bob, login],
        [alice, login],
      ]);
      expect(pairs(await store.listAudit({ actor: alice, limit: 10 }))).toEqual([
        [alice, login],
        [alice, logout],
        [alice, login],
      ]);
      expect(pairs(await store.listAudit({ actor: alice, action: login, limit: 10 }))).toEqual([
        [alice, login],
        [alice, login],
      ]);
      const firstPage = await store.listAudit({ action: login, limit: 2 });
      expect(pairs(firstPage)).toEqual([
        [alice, login],
        [bob, login],
      ]);
      const nextPage = await store.listAudit({ action: login, limit: 2, beforeId: firstPage[1]!.id });
      expect(pairs(nextPage)).toEqual([[alice, login]]);
      expect(nextPage[0]!.id).toBeLessThan(firstPage[1]!.id);
      expect(await store.listAudit({ action: uniqueName('none'), limit: 10 })).toEqual([]);
    });
  });

  describe('meta', () => {
    it('gets undefined for a missing key, and upserts on set', async () => {
      const { store } = db();
      const key = uniqueName('posture');
      expect(await store.getMeta(key)).toBeUndefined();
      await store.setMeta(key, 'normal');
      expect(await store.getMeta(key)).toBe('normal');
      await store.setMeta(key, 'x'.repeat(5000));
      expect(await store.getMeta(key)).toBe('x'.repeat(5000));
      await store.setMeta(key, '');
      expect(await store.getMeta(key)).toBe('');
      const count = await ormOf(store).em.fork().count(Meta, { key });
      expect(count).toBe(1);
    });

    it('keeps keys apart', async () => {
      const { store } = db();
      const [k1, k2] = [uniqueName('k'), uniqueName('k')];
      await store.setMeta(k1, 'one');
      await store.setMeta(k2, 'two');
      await store.setMeta(k1, 'uno');
      expect([await store.getMeta(k1), await store.getMeta(k2)]).toEqual(['uno', 'two']);
      expect(await store.getMeta('log_epoch')).toBe(store.epoch);
    });
  });
});
