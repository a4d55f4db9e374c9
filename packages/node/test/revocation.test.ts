import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { eventually, TestNetwork } from '@citylink/dev-env';
import { type CityLinkNode, createPeerClient } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

let net: TestNetwork | undefined;
afterEach(async () => {
  await net?.close();
  net = undefined;
});

const bulletin = (origin: string, title: string, created = new Date()): SignedObject => ({
  v: 1,
  kind: 'bulletin',
  origin,
  created: created.toISOString(),
  tlp: 'GREEN',
  audience: ['*'],
  body: { title, narrative: `about ${title}`, category: 'cyber.spoofing', severity: 'low' },
});

/** A network whose cities wait `graceMs` for a roster after a start. */
const network = (graceMs: number, cities = 2) =>
  TestNetwork.create({
    cities,
    configure: (c) => ({ ...c, limits: { ...c.limits, rosterGraceMs: graceMs } }),
  });

/** Federation calls as `self`, signed with its key, to `target`. */
const as = (self: string, key: NodeKey, target: CityLinkNode) =>
  createPeerClient({ baseUrl: target.baseUrl, self, target: target.id, key: () => key, timeoutMs: 5_000 });

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<TRPCClientError<never>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCClientError) return err as TRPCClientError<never>;
    throw err;
  }
  throw new Error('expected a rejection');
}

/**
 * B (t-city-1) is revoked at the hub while C (t-city-2) is down; then the hub goes
 * down and C comes back on its stored roster, which still lists B as active.
 */
async function restartAfterRevocation(n: TestNetwork, whileCIsDown?: () => Promise<void>) {
  const keyB = await readKeyFile(n.configOf('t-city-1').keyFile);
  await n.stop('t-city-2');
  await whileCIsDown?.();
  const official = await n.login(n.hub, 'official');
  await official.hub.setMemberStatus.mutate({ node: 't-city-1', status: 'revoked' });
  await n.stop(n.hub.id);
  const c = await n.restart('t-city-2');
  return { keyB, c };
}

describe('a city restarted after a revocation', () => {
  it('refuses federation writes until a roster from the hub confirms it; the sender keeps and retries them', async () => {
    net = await network(60_000);
    const b = net.cities[0]!;
    const staffB = await net.login(b, 'staff');
    // Posted while C is down and before the revocation (the hub tells B it is revoked at
    // once, and a revoked city posts nothing): B's outbox holds it for C.
    let posted = '';
    const { keyB, c } = await restartAfterRevocation(net, async () => {
      ({ id: posted } = await staffB.staff.postBulletin.mutate({
        tlp: 'GREEN',
        audience: ['t-city-2'],
        body: {
          title: 'for C only',
          narrative: 'pushed during the window',
          category: 'cyber.phishing',
          severity: 'low',
        },
      }));
    });
    expect(c.rosterIntake()).toBe('closed');
    expect(c.roster.isActive('t-city-1')).toBe(true); // the stale roster

    // B's new bulletin, signed with its revoked key, pushed straight at C: refused, retryable.
    const fresh = await signObject(bulletin('t-city-1', 'signed after the revocation'), keyB);
    const err = await failure(as('t-city-1', keyB, c).federation.deliver.mutate({ objects: [fresh.jws] }));
    expect(err.message).toMatch(/roster not confirmed yet/);
    expect(err.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });

    // Nor does it serve catch-up to the (revoked) member.
    const read = await failure(as('t-city-1', keyB, c).federation.changes.query({ after: 0 }));
    expect(read.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(
      as('t-city-1', keyB, c).federation.manifest.query({ since: new Date(0).toISOString() }),
    ).rejects.toThrow(/roster not confirmed yet/);

    // Pulling is held back as well.
    expect(await c.pullFromPeers()).toBe(0);
    expect(await c.reconcileAll()).toBe(0);

    // B's own outbox treats the 503 as a failed attempt: the row stays pending, to be retried.
    // (Its first attempt, while C was down, put the row in backoff: retry until C answers.)
    await eventually(async () => {
      await b.delivery.flush();
      const [row] = await b.store.deliveriesOf(posted);
      expect(row).toMatchObject({ recipient: 't-city-2', outcome: 'pending' });
      expect(row!.lastError).toMatch(/roster not confirmed yet/);
    });

    // The hub returns; C retries its fetch soon (not only every intervals.rosterMs, here an
    // hour), and the roster it gets, which says B is revoked, opens the door.
    await net.restart(net.hub.id);
    await eventually(async () => expect(c.rosterIntake()).toBe('open'));
    expect(c.roster.isActive('t-city-1')).toBe(false);
    await expect(as('t-city-1', keyB, c).federation.deliver.mutate({ objects: [fresh.jws] })).rejects.toThrow(
      /key_revoked/,
    );
    expect((await c.store.heldIds([fresh.id])).size).toBe(0);
    const staffC = await net.login(c, 'staff');
    expect((await staffC.staff.feed.query({})).items.map((i) => i.origin)).not.toContain('t-city-1');
  });

  it('after the grace with the hub unreachable it takes objects as unconfirmed; a later roster confirms them', async () => {
    net = await network(300);
    const keyB = await readKeyFile(net.configOf('t-city-1').keyFile);
    await net.stop('t-city-2');
    await net.stop(net.hub.id);
    const c = await net.restart('t-city-2');

    const o = await signObject(bulletin('t-city-1', 'sent while the hub is down'), keyB);
    await eventually(async () => {
      const { results } = await as('t-city-1', keyB, c).federation.deliver.mutate({ objects: [o.jws] });
      expect(results[0]).toMatchObject({ outcome: 'accepted' });
    });
    expect(c.rosterIntake()).toBe('unconfirmed');
    expect((await c.store.getObject(o.id))?.hold).toBe('unconfirmed');
    // Taking in can be undone by a quarantine; handing out cannot: catch-up stays refused.
    await expect(as('t-city-1', keyB, c).federation.changes.query({ after: 0 })).rejects.toThrow(
      /roster not confirmed yet/,
    );
    const staffC = await net.login(c, 'staff');
    expect(await staffC.staff.object.query({ id: o.id })).toMatchObject({ unconfirmed: true });
    expect((await staffC.staff.feed.query({})).items.find((i) => i.id === o.id)).toMatchObject({ unconfirmed: true });

    await net.restart(net.hub.id);
    await c.roster.refresh();
    await c.quarantine.settled();
    expect(c.rosterIntake()).toBe('open');
    expect((await c.store.getObject(o.id))?.hold).toBeNull();
    expect(await staffC.staff.object.query({ id: o.id })).toMatchObject({ unconfirmed: false });
    expect((await staffC.staff.feed.query({})).items.find((i) => i.id === o.id)).not.toHaveProperty('unconfirmed');
  });

  it('quarantines, on adopting the roster, what the revoked key signed after the revocation: hidden everywhere, audited', async () => {
    net = await network(300);
    const b = net.cities[0]!;
    const keyB = await readKeyFile(net.configOf('t-city-1').keyFile);
    // Before the revocation: a bulletin of B that every node holds, and stays valid.
    const staffB = await net.login(b, 'staff');
    const { id: old } = await staffB.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'before the revocation', narrative: 'legit', category: 'cyber.phishing', severity: 'low' },
    });
    await net.processAll();
    const beforeRevocation = new Date();
    const { c } = await restartAfterRevocation(net);
    expect(await c.store.getObject(old)).not.toBeNull();

    // After the grace: a new bulletin, and a status update turning B's old bulletin "unfounded".
    const forged = await signObject(bulletin('t-city-1', 'forged after the revocation'), keyB);
    const status = await signObject(
      {
        v: 1,
        kind: 'bulletin-status',
        origin: 't-city-1',
        created: new Date().toISOString(),
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: old, status: 'unfounded' },
      },
      keyB,
    );
    // Dated before the revocation by its signer: its `created` passes the key window, its arrival does not.
    const backdated = await signObject(bulletin('t-city-1', 'backdated after the revocation', beforeRevocation), keyB);
    await eventually(async () => {
      const { results } = await as('t-city-1', keyB, c).federation.deliver.mutate({
        objects: [forged.jws, status.jws, backdated.jws],
      });
      expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
    });
    const staffC = await net.login(c, 'staff');
    expect((await staffC.staff.feed.query({})).items.find((i) => i.id === old)?.status).toBe('unfounded');

    // The hub is back; adopting its roster re-checks B's objects.
    await net.restart(net.hub.id);
    await c.roster.refresh();
    await c.quarantine.settled();
    expect(c.roster.isActive('t-city-1')).toBe(false);

    // Kept for audit, marked...
    expect((await c.store.heldIds([forged.id, status.id, backdated.id])).size).toBe(3);
    const quarantined = await c.store.objectsHeldAs('quarantined');
    expect(quarantined.map((q) => q.id).sort()).toEqual([forged.id, status.id, backdated.id].sort());
    // ...and gone from every view: feed, search, detail, the log, catch-up serving.
    const feed = await staffC.staff.feed.query({});
    expect(feed.items.map((i) => i.id)).not.toContain(forged.id);
    expect(feed.items.find((i) => i.id === old)?.status).toBe('published');
    expect((await staffC.staff.feed.query({ text: 'forged' })).items).toEqual([]);
    expect((await staffC.staff.feed.query({ text: 'backdated' })).items).toEqual([]);
    await expect(staffC.staff.object.query({ id: forged.id })).rejects.toThrow(/no object/);
    const oldDetail = await staffC.staff.object.query({ id: old });
    expect(oldDetail.related.map((r) => r.id)).not.toContain(status.id);
    const log = await staffC.staff.objects.query({ after: 0, limit: 500 });
    expect(log.items.map((e) => e.id)).not.toContain(forged.id);
    expect(log.items.map((e) => e.id)).not.toContain(status.id);
    const changes = await c.changesFor('t-hub', 0, 500);
    expect(changes.items.map((i) => i.jws)).not.toContain(forged.jws);
    expect(changes.next).toBe(c.store.headSeq); // the cursor still moves past them
    const manifest = await c.manifestFor('t-hub', new Date(0), undefined, 2000);
    expect(manifest.ids).not.toContain(forged.id);
    expect(await c.fetchFor('t-hub', [forged.id, status.id])).toEqual([]);

    // Audited, naming the author, with the reason.
    const admin = await net.login(c, 'admin');
    const audit = await admin.admin.audit.query({ action: 'object.quarantined' });
    expect(audit.map((a) => a.subject).sort()).toEqual([forged.id, status.id, backdated.id].sort());
    expect(audit[0]!.detail).toMatchObject({ origin: 't-city-1', reason: expect.stringMatching(/key_revoked/) });
    // The legit old bulletin stays.
    expect(await staffC.staff.object.query({ id: old })).toMatchObject({ id: old });
  });

  it('a re-check that fails (or a crash) runs again at the next start; nothing is confirmed before it', async () => {
    net = await network(300);
    const { keyB, c } = await restartAfterRevocation(net);
    const forged = await signObject(bulletin('t-city-1', 'taken before a failed re-check'), keyB);
    await eventually(async () => {
      const { results } = await as('t-city-1', keyB, c).federation.deliver.mutate({ objects: [forged.jws] });
      expect(results[0]).toMatchObject({ outcome: 'accepted' });
    });
    await net.restart(net.hub.id);
    vi.spyOn(c.store, 'objectsSignedWith').mockRejectedValueOnce(new Error('disk on fire'));
    await c.roster.refresh();
    await c.quarantine.settled();
    expect(c.roster.isActive('t-city-1')).toBe(false);
    expect((await c.store.getObject(forged.id))?.hold).toBe('unconfirmed');

    await net.stop('t-city-2');
    const again = await net.restart('t-city-2');
    await again.quarantine.settled();
    expect(await again.store.getObject(forged.id)).toBeNull();
    expect((await again.store.objectsHeldAs('quarantined')).map((o) => o.id)).toEqual([forged.id]);
  });

  it('a rotation quarantines nothing its old key signed before it, even when that arrives later', async () => {
    net = await network(300);
    const b = net.cities[0]!;
    const oldKey = await readKeyFile(net.configOf('t-city-1').keyFile);
    await net.stop('t-city-2');
    const late = await signObject(bulletin('t-city-1', 'signed before the rotation'), oldKey);
    const admin = await net.login(b, 'admin');
    await admin.admin.rotateKey.mutate();
    await net.stop(net.hub.id);
    const c = await net.restart('t-city-2');
    await eventually(async () => {
      const { results } = await as('t-city-1', oldKey, c).federation.deliver.mutate({ objects: [late.jws] });
      expect(results[0]).toMatchObject({ outcome: 'accepted' });
    });

    await net.restart(net.hub.id);
    await c.roster.refresh();
    await c.quarantine.settled();
    expect(c.roster.member('t-city-1')?.keys.find((k) => k.kid === oldKey.kid)?.validUntil).toBeDefined();
    expect((await c.store.getObject(late.id))?.hold).toBeNull();
    expect(await c.store.objectsHeldAs('quarantined')).toEqual([]);
  });

  it('a roster adopted while a batch is being verified applies to that batch', async () => {
    net = await network(300);
    const c = net.node('t-city-2');
    const keyB = await readKeyFile(net.configOf('t-city-1').keyFile);
    const o = await signObject(bulletin('t-city-1', 'verified under the old roster'), keyB);
    const official = await net.login(net.hub, 'official');
    // The revocation lands between the key lookup (old roster) and the store.
    const lookup = c.roster.resolveKey;
    const spy = vi.spyOn(c.roster, 'resolveKey').mockImplementation(async (node, kid) => {
      const found = await lookup(node, kid);
      await official.hub.setMemberStatus.mutate({ node: 't-city-1', status: 'revoked' });
      await c.roster.refresh();
      return found;
    });
    const [result] = await c.inbound.receive([o.jws], 't-hub', 'pull');
    spy.mockRestore();
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'key_revoked' });
    expect((await c.store.heldIds([o.id])).size).toBe(0);
  });

  it('the hub quarantines what a key revoked back in time signed, and never relays it', async () => {
    net = await network(300, 3);
    const [b, c2] = net.cities;
    const staffB = await net.login(b!, 'staff');
    await net.stop('t-city-3'); // the hub's relay to it stays pending
    const revokedFrom = new Date(Date.now() - 1000);
    const { id } = await staffB.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'signed with a leaked key', narrative: 'x', category: 'cyber.phishing', severity: 'low' },
    });
    await net.processAll();
    expect(await c2!.store.getObject(id)).not.toBeNull();
    const [toCity3] = (await net.hub.store.deliveriesOf(id)).filter((d) => d.recipient === 't-city-3');
    expect(toCity3?.outcome).toBe('pending');

    // The leak is found: the key is revoked from a second before the bulletin.
    const official = await net.login(net.hub, 'official');
    const keyB = await readKeyFile(net.configOf('t-city-1').keyFile);
    await official.hub.revokeKey.mutate({ node: 't-city-1', kid: keyB.kid, at: revokedFrom.toISOString() });
    await net.hub.quarantine.settled();
    const [cancelled] = (await net.hub.store.deliveriesOf(id)).filter((d) => d.recipient === 't-city-3');
    expect(cancelled).toMatchObject({ outcome: 'cancelled', reason: expect.stringMatching(/quarantined/) });
    expect(await net.hub.store.getObject(id)).toBeNull();
    const hubAdmin = await net.login(net.hub, 'admin');
    // Everything B signed with that key since then is quarantined: the bulletin, and the RED
    // directory B published when the network started (within that second).
    const quarantined = await hubAdmin.admin.audit.query({ action: 'object.quarantined' });
    expect(quarantined.filter((e) => e.detail.kind === 'bulletin')).toEqual([
      expect.objectContaining({ subject: id, actor: 'node:t-hub' }),
    ]);
    expect(quarantined.every((e) => e.detail.origin === 't-city-1' && e.detail.kid === keyB.kid)).toBe(true);

    // The city that had it quarantines it too once it has the roster.
    await c2!.roster.refresh();
    await c2!.quarantine.settled();
    expect(await c2!.store.getObject(id)).toBeNull();

    // The city that was down never gets it, by push or by pull.
    const c3 = await net.restart('t-city-3');
    await net.processAll();
    await net.syncAll();
    expect((await c3.store.heldIds([id])).size).toBe(0);
  });
});
