import { generateNodeKey, readKeyFile, signObject, verifyObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import { createPeerClient, RosterState } from '@citylink/node';
import type { Member, SignedObject } from '@citylink/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

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

/** A roster object claiming to come from the hub, signed by whatever key the test chooses. */
const rosterSignedBy = (key: Parameters<typeof signObject>[1], version: number, members: Member[]) =>
  signObject(
    {
      v: 1,
      kind: 'roster',
      origin: 't-hub',
      created: new Date().toISOString(),
      tlp: 'GREEN',
      audience: ['*'],
      body: { network: 't-net', version, members },
    },
    key,
  );

/** Does every running node accept this JWS against its current roster? */
async function verdicts(n: TestNetwork, jws: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const node of n.nodes) {
    const r = await verifyObject(jws, { resolveKey: node.roster.resolveKey });
    out[node.id] = r.ok ? 'ok' : r.reason;
  }
  return out;
}

describe('joining the network', () => {
  it('an unenrolled node is refused; after the hub approves its request it exchanges objects', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const newcomer = await net.addCity('t-new', { enroll: false });
    const key = await readKeyFile(net.configOf('t-new').keyFile);
    const asNewcomer = createPeerClient({
      baseUrl: net.hub.baseUrl,
      self: 't-new',
      target: 't-hub',
      key: () => key,
      timeoutMs: 5_000,
    });
    const early = await signObject(bulletin('t-new', 'too early'), key);
    await expect(asNewcomer.federation.deliver.mutate({ objects: [early.jws] })).rejects.toThrow(/unknown_kid/);
    await expect(asNewcomer.federation.changes.query({ after: 0 })).rejects.toThrow(/unknown_kid/);

    const admin = await net.login(newcomer, 'admin');
    const { id, status } = await admin.admin.enroll.mutate({ contact: 'clerk@new.example' });
    expect(status).toBe('pending');
    expect(await admin.admin.enrollmentStatus.query()).toEqual({ status: 'pending', reason: null });

    const official = await net.login(net.hub, 'official');
    const queue = await official.hub.enrollments.query({ status: 'pending' });
    expect(queue).toEqual([expect.objectContaining({ id, node: 't-new', kid: key.kid, contact: 'clerk@new.example' })]);
    await official.hub.approveEnrollment.mutate({ id });
    await expect(official.hub.approveEnrollment.mutate({ id })).rejects.toThrow(/already decided/);

    expect(await admin.admin.enrollmentStatus.query()).toEqual({ status: 'approved', reason: null });
    expect(newcomer.roster.isActive('t-new')).toBe(true);
    const staff = await net.login(newcomer, 'staff');
    const { id: posted } = await staff.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'hello network', narrative: 'first post', category: 'cyber.scanning', severity: 'low' },
    });
    await net.processAll();
    for (const node of net.nodes) expect(await node.store.getObject(posted), node.id).not.toBeNull();
  });

  it('refuses a replayed, a forged and a rejected enrollment with clear reasons', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const newcomer = await net.addCity('t-late', { enroll: false });
    const admin = await net.login(newcomer, 'admin');
    const { id } = await admin.admin.enroll.mutate({ contact: 'clerk@late.example' });
    const jws = (await net.hub.store.getEnrollment(id))!.jws;
    const anon = net.hub.membership;
    await expect(anon.receiveEnrollment(jws)).rejects.toThrow(/replayed/);

    // Signed by one key, claiming another: proof of possession fails.
    const other = await generateNodeKey();
    const claimed = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString());
    claimed.body.node = 't-forger';
    claimed.origin = 't-forger';
    const forged = await signObject(claimed, other);
    await expect(anon.receiveEnrollment(forged.jws)).rejects.toThrow(/enrollment refused: unknown_kid/);

    const official = await net.login(net.hub, 'official');
    await official.hub.rejectEnrollment.mutate({ id, reason: 'not a Wisconsin municipality' });
    expect(await admin.admin.enrollmentStatus.query()).toEqual({
      status: 'rejected',
      reason: 'not a Wisconsin municipality',
    });
    expect(newcomer.roster.member('t-late')).toBeUndefined();
  });
});

describe('posting before the node is a member', () => {
  it('an unenrolled or suspended city refuses local posts with a clear error, and posts once active', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const newcomer = await net.addCity('t-new', { enroll: false });
    const staff = await net.login(newcomer, 'staff');
    const bulletinInput = (title: string) => ({
      tlp: 'GREEN' as const,
      audience: ['*'],
      body: { title, narrative: 'n', category: 'cyber.scanning', severity: 'low' as const },
    });
    const head = newcomer.store.headSeq;
    await expect(staff.staff.postBulletin.mutate(bulletinInput('nobody will get this'))).rejects.toThrow(
      /not posted: t-new is not in the network’s roster yet \(enroll/,
    );
    expect(newcomer.store.headSeq).toBe(head);

    await net.hub.publishMembers([newcomer.selfMember()], 'test');
    await newcomer.roster.refresh();
    const { id } = await staff.staff.postBulletin.mutate(bulletinInput('now it travels'));
    expect(await newcomer.store.getObject(id)).not.toBeNull();

    const official = await net.login(net.hub, 'official');
    await official.hub.setMemberStatus.mutate({ node: 't-new', status: 'suspended' });
    await newcomer.roster.refresh().catch(() => undefined);
    await newcomer.roster.adopt(net.hub.roster.jws!);
    await expect(staff.staff.postBulletin.mutate(bulletinInput('while suspended'))).rejects.toThrow(
      /not posted: t-new is suspended in the network's roster/,
    );
  });

  it('the hub hands the roster that suspends a city to that city too, so its console can say so', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const [city1] = net.cities;
    expect(city1!.roster.member(city1!.id)?.status).toBe('active');
    const official = await net.login(net.hub, 'official');
    await official.hub.setMemberStatus.mutate({ node: city1!.id, status: 'suspended' });
    // No refresh here: a suspended city can no longer fetch rosters, so only the hub's offer tells it.
    await expect.poll(() => city1!.roster.member(city1!.id)?.status, { timeout: 10_000 }).toBe('suspended');
    const staff = await net.login(city1!, 'staff');
    const mine = (await staff.staff.roster.query()).members.find((m) => m.node === city1!.id);
    expect(mine?.status).toBe('suspended');
  });
});

describe('key rotation', () => {
  it('objects signed before and after a rotation both verify on every node', async () => {
    net = await TestNetwork.create({ cities: 3 });
    const city1 = net.cities[0]!;
    const staff = await net.login(city1);
    const post = async (title: string) =>
      (
        await staff.staff.postBulletin.mutate({
          tlp: 'GREEN',
          audience: ['*'],
          body: { title, narrative: 'n', category: 'cyber.phishing', severity: 'low' },
        })
      ).id;
    const before = await post('signed with the first key');
    const oldKid = city1.keyId;
    const admin = await net.login(city1, 'admin');
    const { kid, previous } = await admin.admin.rotateKey.mutate();
    expect(previous).toBe(oldKid);
    expect(kid).not.toBe(oldKid);
    expect(city1.keyId).toBe(kid);
    const after = await post('signed with the second key');
    await net.processAll();

    for (const id of [before, after]) {
      const jws = (await city1.store.getObject(id))!.jws;
      expect(await verdicts(net, jws)).toEqual({ 't-hub': 'ok', 't-city-1': 'ok', 't-city-2': 'ok', 't-city-3': 'ok' });
      for (const node of net.nodes) expect(await node.store.getObject(id), node.id).not.toBeNull();
    }
    // The old key's window closed where the new one starts.
    const keys = net.hub.roster.member('t-city-1')!.keys;
    expect(keys.find((k) => k.kid === oldKid)?.validUntil).toBe(keys.find((k) => k.kid === kid)?.validFrom);
  });

  it('an unknown kid triggers one roster refresh, never a loop', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const oldRoster = net.hub.roster.jws!;
    const admin = await net.login(net.cities[0]!, 'admin');
    const { kid } = await admin.admin.rotateKey.mutate();

    let fetches = 0;
    const stale = new RosterState({
      self: 't-observer',
      role: 'city',
      network: 't-net',
      hubNode: 't-hub',
      store: net.hub.store,
      log: pino({ level: 'silent' }),
      fetchRoster: async () => {
        fetches += 1;
        return net!.hub.roster.jws!;
      },
    });
    stale.setHubKeys(net.hub.roster.hubKeys.slice());
    await stale.adopt(oldRoster);
    expect(await stale.resolveKey('t-city-1', kid)).toBeDefined();
    expect(fetches).toBe(1);
    expect(await stale.resolveKey('t-city-1', 'no-such-kid-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await stale.resolveKey('t-city-1', 'no-such-kid-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).toBeUndefined();
    expect(fetches).toBe(1);
  });

  it('a kid can never be reused, and must be the key thumbprint', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const key1 = await readKeyFile(net.configOf('t-city-1').keyFile);
    const key2 = await readKeyFile(net.configOf('t-city-2').keyFile);
    const hub = createPeerClient({
      baseUrl: net.hub.baseUrl,
      self: 't-city-1',
      target: 't-hub',
      key: () => key1,
      timeoutMs: 5_000,
    });
    const announce = (key: { kid: string; jwk: typeof key2.publicJwk }) =>
      signObject(
        {
          v: 1,
          kind: 'key-announcement',
          origin: 't-city-1',
          created: new Date().toISOString(),
          tlp: 'GREEN',
          audience: ['*'],
          body: { node: 't-city-1', replaces: key1.kid, key: { ...key, validFrom: new Date().toISOString() } },
        },
        key1,
      );
    const taken = await announce({ kid: key2.kid, jwk: key2.publicJwk });
    await expect(hub.federation.announceKey.mutate({ jws: taken.jws })).rejects.toThrow(/already in use/);
    const fresh = await generateNodeKey();
    const lying = await announce({ kid: key2.kid.replace(/^./, 'A'), jwk: fresh.publicJwk });
    await expect(hub.federation.announceKey.mutate({ jws: lying.jws })).rejects.toThrow(/thumbprint/);
  });

  it('a key announcement may not start the new key more than 7 days ahead or in the past', async () => {
    net = await TestNetwork.create({ cities: 1, users: false });
    const key1 = await readKeyFile(net.configOf('t-city-1').keyFile);
    const hub = createPeerClient({
      baseUrl: net.hub.baseUrl,
      self: 't-city-1',
      target: 't-hub',
      key: () => key1,
      timeoutMs: 5_000,
    });
    const next = await generateNodeKey();
    const announce = (validFrom: Date) =>
      signObject(
        {
          v: 1,
          kind: 'key-announcement',
          origin: 't-city-1',
          created: new Date().toISOString(),
          tlp: 'GREEN',
          audience: ['*'],
          body: {
            node: 't-city-1',
            replaces: key1.kid,
            key: { kid: next.kid, jwk: next.publicJwk, validFrom: validFrom.toISOString() },
          },
        },
        key1,
      );
    const day = 24 * 3600 * 1000;
    const version = net.hub.roster.version;
    // Decades ahead would keep the "rotated" key valid until then.
    const decades = await announce(new Date(Date.now() + 30 * 365 * day));
    await expect(hub.federation.announceKey.mutate({ jws: decades.jws })).rejects.toThrow(/more than 7 days ahead/);
    const eightDays = await announce(new Date(Date.now() + 8 * day));
    await expect(hub.federation.announceKey.mutate({ jws: eightDays.jws })).rejects.toThrow(/more than 7 days ahead/);
    const lastWeek = await announce(new Date(Date.now() - 7 * day));
    await expect(hub.federation.announceKey.mutate({ jws: lastWeek.jws })).rejects.toThrow(/in the past/);
    // Nothing changed: the old key's window is still open-ended.
    expect(net.hub.roster.version).toBe(version);
    expect(net.hub.roster.member('t-city-1')?.keys).toHaveLength(1);
    expect(net.hub.roster.member('t-city-1')?.keys[0]?.validUntil).toBeUndefined();

    const inSixDays = new Date(Date.now() + 6 * day);
    const ok = await announce(inSixDays);
    await hub.federation.announceKey.mutate({ jws: ok.jws });
    const keys = net.hub.roster.member('t-city-1')!.keys;
    expect(keys.find((k) => k.kid === key1.kid)?.validUntil).toBe(inSixDays.toISOString());
  });

  it('the hub rotates its own key; cities follow the chain from the key they pinned', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const pinned = net.hub.keyId;
    const hubAdmin = await net.login(net.hub, 'admin');
    const { kid } = await hubAdmin.admin.rotateKey.mutate();
    await net.processAll();
    for (const city of net.cities) {
      await city.roster.refresh();
      expect(city.roster.version, city.id).toBe(net.hub.roster.version);
      expect(
        city.roster.hubKeys.map((k) => k.kid),
        city.id,
      ).toEqual([pinned, kid]);
    }
    // A restarted city remembers what it learned, though its config pins only the first key.
    await net.stop('t-city-2');
    const city2 = await net.restart('t-city-2');
    expect(city2.roster.hubKeys.map((k) => k.kid)).toEqual([pinned, kid]);

    // A restarted hub keeps its earlier key on record, with its window closed.
    const version = net.hub.roster.version;
    await net.stop('t-hub');
    const hub = await net.restart('t-hub');
    expect(hub.roster.version).toBe(version);
    expect(hub.roster.member('t-hub')!.keys.map((k) => [k.kid, Boolean(k.validUntil)])).toEqual([
      [pinned, true],
      [kid, false],
    ]);

    // A roster signed by any other key is refused, whatever it claims.
    const impostor = await generateNodeKey();
    const forged = await rosterSignedBy(impostor, net.hub.roster.version + 1, net.hub.roster.members());
    await expect(city2.roster.adopt(forged.jws)).rejects.toThrow(/roster refused: unknown_kid/);
  });
});

describe('revocation, suspension and roster integrity', () => {
  it('after revocation every city rejects the node’s new objects, including one that was offline; old ones stay valid', async () => {
    net = await TestNetwork.create({ cities: 3 });
    const key2 = await readKeyFile(net.configOf('t-city-2').keyFile);
    const old = await signObject(bulletin('t-city-2', 'before revocation'), key2);
    await net.stop('t-city-3');

    const official = await net.login(net.hub, 'official');
    await official.hub.setMemberStatus.mutate({ node: 't-city-2', status: 'revoked' });
    await net.refreshRosters();
    await net.restart('t-city-3');
    const fresh = await signObject(bulletin('t-city-2', 'after revocation', new Date(Date.now() + 1000)), key2);

    expect(await verdicts(net, old.jws)).toEqual({
      't-hub': 'ok',
      't-city-1': 'ok',
      't-city-2': 'ok',
      't-city-3': 'ok',
    });
    const after = await verdicts(net, fresh.jws);
    for (const node of ['t-hub', 't-city-1', 't-city-3']) expect(after[node], node).toBe('key_revoked');

    // The revoked node can no longer push or pull.
    const asRevoked = createPeerClient({
      baseUrl: net.cities[0]!.baseUrl,
      self: 't-city-2',
      target: 't-city-1',
      key: () => key2,
      timeoutMs: 5_000,
    });
    await expect(asRevoked.federation.changes.query({ after: 0 })).rejects.toThrow(/request token key_revoked/);
    await expect(asRevoked.federation.deliver.mutate({ objects: [fresh.jws] })).rejects.toThrow(
      /request token key_revoked/,
    );

    // Every city's audit trail shows it.
    const cityAdmin = await net.login(net.cities[0]!, 'admin');
    const audit = await cityAdmin.admin.audit.query({ action: 'membership.status' });
    expect(audit).toEqual([expect.objectContaining({ subject: 't-city-2', actor: 'node:t-hub' })]);
    expect(audit[0]!.detail).toMatchObject({ from: 'active', to: 'revoked' });
  });

  it('a compromised key distrusts everything it signed; suspension is reversible', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const key1 = await readKeyFile(net.configOf('t-city-1').keyFile);
    const old = await signObject(bulletin('t-city-1', 'signed before the leak'), key1);
    const official = await net.login(net.hub, 'official');

    await official.hub.setMemberStatus.mutate({ node: 't-city-1', status: 'suspended' });
    await net.refreshRosters();
    const city2 = net.cities[1]!;
    const [suspended] = await city2.inbound.receive([old.jws], 't-hub', 'pull');
    expect(suspended).toMatchObject({ outcome: 'rejected', reason: 'not_member' });
    await official.hub.setMemberStatus.mutate({ node: 't-city-1', status: 'active' });
    await net.refreshRosters();
    const [reinstated] = await city2.inbound.receive([old.jws], 't-hub', 'pull');
    expect(reinstated).toMatchObject({ outcome: 'accepted' });

    await official.hub.revokeKey.mutate({ node: 't-city-1', kid: key1.kid, compromised: true });
    await net.refreshRosters();
    expect((await verdicts(net, old.jws))['t-city-2']).toBe('key_revoked');
  });

  it('a URL change and a decommission travel as roster updates', async () => {
    net = await TestNetwork.create({ cities: 2 });
    const official = await net.login(net.hub, 'official');
    await official.hub.changeMemberUrl.mutate({ node: 't-city-1', baseUrl: 'https://localhost/citylink' });
    await net.refreshRosters();
    expect(net.cities[1]!.roster.member('t-city-1')?.baseUrl).toBe('https://localhost/citylink');
    const { version } = await official.hub.setMemberStatus.mutate({ node: 't-city-2', status: 'decommissioned' });
    await net.refreshRosters();
    expect(net.cities[0]!.roster.version).toBe(version);
    const key2 = await readKeyFile(net.configOf('t-city-2').keyFile);
    const late = await signObject(bulletin('t-city-2', 'after decommission', new Date(Date.now() + 1000)), key2);
    expect((await verdicts(net, late.jws))['t-city-1']).toBe('key_expired');
  });

  it('refuses a forged roster and one older than the one held', async () => {
    net = await TestNetwork.create({ cities: 1 });
    const city = net.cities[0]!;
    const first = net.hub.roster.jws!;
    const official = await net.login(net.hub, 'official');
    await official.hub.changeMemberUrl.mutate({
      node: 't-city-1',
      baseUrl: city.baseUrl.replace('127.0.0.1', 'localhost'),
    });
    await net.refreshRosters();
    await expect(city.roster.adopt(first)).rejects.toThrow(/older than the held/);

    const key1 = await readKeyFile(net.configOf('t-city-1').keyFile);
    const byCity = await rosterSignedBy(key1, 99, []);
    await expect(city.roster.adopt(byCity.jws)).rejects.toThrow(/roster refused: unknown_kid/);
    expect(city.roster.version).toBe(net.hub.roster.version);
  });
});
