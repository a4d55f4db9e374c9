import { TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode } from '@citylink/node';
import type { NewAuditEvent } from '@citylink/store';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The node half of the three multi-step writes (packages/store/test/atomic-writes.test.ts is the store half):
// the second step fails, and nothing of the first is left.

let net: TestNetwork | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await net?.close();
  net = undefined;
});

/** Makes the audit write of `action` (matched by its start) fail; every other audit row is written. */
function failAudit(node: CityLinkNode, action: string): void {
  const audit = node.store.audit.bind(node.store);
  vi.spyOn(node.store, 'audit').mockImplementation(async (e: NewAuditEvent) => {
    if (e.action.startsWith(action)) throw new Error(`audit write failed: ${e.action}`);
    return audit(e);
  });
}

/** What a roster adoption writes, as held in memory and in the database. */
async function rosterState(node: CityLinkNode) {
  return {
    version: node.roster.version,
    jws: node.roster.jws,
    members: node.roster.members(),
    storedJws: await node.store.getMeta('roster_jws'),
    stored: (await node.store.listMembers()).map((m) => [m.node, m.status, m.rosterVersion]),
    recheck: await node.store.getMeta('quarantine_recheck'),
    audit: (await node.store.listAudit({ limit: 500 })).length,
  };
}

describe('multi-step writes are atomic', () => {
  it('publishMembers: a failed audit leaves no new roster, and nothing is offered to the members', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const { hub } = net;
    const city = net.cities[0]!;
    const before = await rosterState(hub);
    const cityBefore = city.roster.version;
    failAudit(hub, 'membership.upsert');
    const member = hub.roster.member('t-city-1')!;
    await expect(hub.publishMembers([{ ...member, status: 'suspended' }], 'official')).rejects.toThrow(
      /audit write failed: membership.upsert/,
    );
    expect(await rosterState(hub)).toEqual(before);
    expect(hub.roster.isActive('t-city-1')).toBe(true);
    await net.processAll();
    expect(city.roster.version).toBe(cityBefore);

    vi.restoreAllMocks();
    await hub.publishMembers([{ ...member, status: 'suspended' }], 'official');
    expect(hub.roster.version).toBe(before.version + 1);
    expect(hub.roster.isActive('t-city-1')).toBe(false);
  });

  it('enrollment approval: a failed audit leaves the request pending and the roster as it was', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const { hub } = net;
    const newcomer = await net.addCity('t-new', { enroll: false });
    const admin = await net.login(newcomer, 'admin');
    const { id } = await admin.admin.enroll.mutate({ contact: 'clerk@new.example' });
    const official = await net.login(hub, 'official');
    const before = await rosterState(hub);
    failAudit(hub, 'enrollment.approved');

    await expect(official.hub.approveEnrollment.mutate({ id })).rejects.toThrow();
    expect(await rosterState(hub)).toEqual(before);
    expect(hub.roster.member('t-new')).toBeUndefined();
    expect((await hub.store.getEnrollment(id))?.status).toBe('pending');
    expect(await official.hub.enrollments.query({ status: 'pending' })).toEqual([expect.objectContaining({ id })]);

    vi.restoreAllMocks();
    await official.hub.approveEnrollment.mutate({ id });
    expect((await hub.store.getEnrollment(id))?.status).toBe('approved');
    expect(hub.roster.isActive('t-new')).toBe(true);
  });

  it('roster adoption: a failed audit leaves members, roster and the pending re-check as they were', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const { hub } = net;
    const city = net.cities[0]!;
    const before = await rosterState(city);
    // Suspending t-city-2 changes its keys' standing: adopting it would schedule a quarantine re-check.
    failAudit(city, 'membership.status');
    await hub.publishMembers([{ ...hub.roster.member('t-city-2')!, status: 'suspended' }], 'official');
    await expect(city.roster.adopt(hub.roster.jws!)).rejects.toThrow(/audit write failed: membership.status/);
    await city.quarantine.settled();
    expect(await rosterState(city)).toEqual(before);
    expect(city.roster.isActive('t-city-2')).toBe(true);

    vi.restoreAllMocks();
    // The hub's own offer of this version (sent on commit) may be adopted first: either way it now holds.
    await city.roster.adopt(hub.roster.jws!);
    expect(city.roster.isActive('t-city-2')).toBe(false);
    expect(city.roster.version).toBe(hub.roster.version);
  });
});
