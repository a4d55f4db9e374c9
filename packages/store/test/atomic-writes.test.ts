import { NotNullConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import type { NewMember, Store } from '../src/index.js';
import { BACKENDS, fakeId, freshDatabase, uniqueName } from './fixtures.js';

// The store half of the node's three multi-step writes: whatever step fails, nothing of the earlier ones stays.

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

class StepFailed extends Error {}

describe.each(BACKENDS)('multi-step writes are atomic (%s)', (_dialect, factory) => {
  const roster = [member('hub', { role: 'hub' }), member('wi-madison')];

  async function seeded() {
    const db = await freshDatabase(factory);
    await db.store.replaceMembers(roster, 1);
    await db.store.setMeta('roster', 'jws-v1');
    return db;
  }

  async function unchanged(store: Store, actor: string) {
    expect((await store.listMembers()).map((m) => [m.node, m.rosterVersion])).toEqual([
      ['hub', 1],
      ['wi-madison', 1],
    ]);
    expect(await store.getMeta('roster')).toBe('jws-v1');
    expect(await store.listAudit({ actor, limit: 10 })).toEqual([]);
  }

  it('roster adoption: members, the roster JWS and the audit rows, or nothing', async () => {
    const { store } = await seeded();
    const actor = 'node:hub';
    await expect(
      store.transact(async (tx) => {
        await tx.members.replace([...roster, member('il-chicago')], 2);
        await tx.meta.set('roster', 'jws-v2');
        await tx.audit.add({ actor, action: 'membership.added', subject: 'il-chicago', detail: { version: 2 } });
        throw new StepFailed('the next audit row cannot be written');
      }),
    ).rejects.toBeInstanceOf(StepFailed);
    await unchanged(store, actor);
    // The second step failing for real (a duplicate member) rolls back the first as well.
    await expect(
      store.transact(async (tx) => {
        await tx.meta.set('roster', 'jws-v2');
        await tx.members.replace([member('il-chicago'), member('il-chicago')], 2);
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await unchanged(store, actor);
  });

  it('enrollment approval: the decision, the published roster and the audit row, or nothing', async () => {
    const { store } = await seeded();
    const id = uniqueName('enrollment');
    await store.addEnrollment({
      id,
      node: 'il-chicago',
      name: 'Chicago',
      baseUrl: 'https://il-chicago.example.gov',
      kid: fakeId('chicago-kid'),
      contact: 'it@chicago.example.gov',
      jws: 'header.payload.signature',
    });
    const actor = 'user:official';
    await expect(
      store.transact(async (tx) => {
        expect(await tx.enrollments.decide(id, { status: 'approved', by: 'official' })).toBe(true);
        await tx.members.replace([...roster, member('il-chicago')], 2);
        await tx.meta.set('roster', 'jws-v2');
        throw new StepFailed('publishing the roster failed');
      }),
    ).rejects.toBeInstanceOf(StepFailed);
    await unchanged(store, actor);
    expect(await store.getEnrollment(id)).toMatchObject({ status: 'pending', decidedBy: null });
    await store.transact(async (tx) => {
      expect(await tx.enrollments.decide(id, { status: 'approved', by: 'official' })).toBe(true);
      await tx.members.replace([...roster, member('il-chicago')], 2);
      await tx.meta.set('roster', 'jws-v2');
      await tx.audit.add({ actor, action: 'enrollment.approved', subject: 'il-chicago', detail: { version: 2 } });
    });
    expect(await store.getEnrollment(id)).toMatchObject({ status: 'approved', decidedBy: 'official' });
    expect((await store.listMembers()).map((m) => m.node)).toEqual(['hub', 'il-chicago', 'wi-madison']);
  });

  it('publishMembers: the published roster and its audit row, or nothing', async () => {
    const { store } = await seeded();
    const actor = 'user:admin';
    await expect(
      store.transact(async (tx) => {
        await tx.members.replace([member('hub', { role: 'hub' }), member('wi-madison', { status: 'suspended' })], 2);
        await tx.meta.set('roster', 'jws-v2');
        await tx.audit.add({ actor, action: 'membership.suspended', subject: 'wi-madison', detail: null });
        // The audit row violates NOT NULL: the database itself refuses the second step.
        await tx.audit.add({ actor, action: null as unknown as string, detail: null });
      }),
    ).rejects.toBeInstanceOf(NotNullConstraintViolationException);
    await unchanged(store, actor);
  });
});
