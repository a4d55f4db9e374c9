import { TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 18, TLP:RED: recipients come from a directory each node publishes of its own
// people with the `red-recipient` opt-in; posting refuses anyone else, the recipient
// node refuses per object (`unknown_recipient`) and the author sees it; and RED is for
// the named people only: the author keeps it, the author city's mayor does not read it.

let net: TestNetwork;

const body = (title: string) => ({
  title,
  narrative: `Narrative of ${title}`,
  category: 'physical.threat-to-staff' as const,
  severity: 'high' as const,
});

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
});
afterAll(() => net?.close());

describe('the RED directory', () => {
  it('lists every node’s opted-in people, names and roles only, at every node', async () => {
    const api = await net.login(net.node('t-city-2'), 'staff');
    const { people } = await api.staff.redDirectory.query();
    const keys = people.map((p) => `${p.node}/${p.user}`).sort();
    expect(keys).toEqual(
      [
        't-city-1/mayor',
        't-city-1/staff',
        't-city-2/mayor',
        't-city-2/staff',
        't-hub/mayor',
        't-hub/official',
        't-hub/staff',
      ].sort(),
    );
    expect(people.find((p) => p.node === 't-hub' && p.user === 'official')).toEqual({
      node: 't-hub',
      nodeName: 'Test State Election Office',
      user: 'official',
      name: 'official',
      title: 'state election official, staff',
    });
  });

  it('follows an account that opts in: republished, relayed by the hub, known everywhere', async () => {
    await net.hub.addUser({
      username: 'analyst',
      password: 'a long analyst passphrase 42',
      displayName: 'Ada Analyst',
      roles: ['staff', 'red-recipient'],
    });
    await net.processAll();
    const api = await net.login(net.node('t-city-1'), 'staff');
    const { people } = await api.staff.redDirectory.query();
    expect(people).toContainEqual({
      node: 't-hub',
      nodeName: 'Test State Election Office',
      user: 'analyst',
      name: 'Ada Analyst',
      title: 'staff',
    });
  });
});

describe('a person’s profile', () => {
  it('holds full name and title, returned with the session, and names them in the RED directory', async () => {
    const mayor = await net.login(net.node('t-city-2'), 'mayor');
    const updated = await mayor.staff.updateProfile.mutate({ displayName: 'Cavalier Johnson', title: 'Mayor of Two' });
    expect(updated).toMatchObject({ displayName: 'Cavalier Johnson', title: 'Mayor of Two' });
    expect((await mayor.staff.me.query()).user).toMatchObject({
      displayName: 'Cavalier Johnson',
      title: 'Mayor of Two',
    });
    await net.processAll();
    const elsewhere = await net.login(net.node('t-city-1'), 'staff');
    const { people } = await elsewhere.staff.redDirectory.query();
    expect(people.find((p) => p.node === 't-city-2' && p.user === 'mayor')).toMatchObject({
      name: 'Cavalier Johnson',
      title: 'Mayor of Two',
    });
    await expect(mayor.staff.updateProfile.mutate({ displayName: ' ', title: '' })).rejects.toThrow();
  });
});

describe('posting TLP:RED', () => {
  it('refuses a person who is not in the directory, and stores nothing', async () => {
    const city1 = net.node('t-city-1');
    const api = await net.login(city1, 'staff');
    const head = city1.store.headSeq;
    for (const [recipient, shown] of [
      [{ node: 't-hub', user: 'offical' }, 't-hub/offical'], // a typo
      [{ node: 't-city-2', user: 'admin' }, 't-city-2/admin'], // an account without the opt-in
      [{ node: 't-city-1', user: 'admin' }, 't-city-1/admin'], // a colleague without it
    ] as const) {
      await expect(
        api.staff.postBulletin.mutate({
          tlp: 'RED',
          audience: [recipient.node],
          recipients: [recipient],
          body: body(`to ${shown}`),
        }),
      ).rejects.toThrow(`unknown recipient ${shown}`);
    }
    expect(city1.store.headSeq).toBe(head);
  });

  it('the recipient node refuses per object, with unknown_recipient, and the author sees it', async () => {
    const city1 = net.node('t-city-1');
    const city2 = net.node('t-city-2');
    const api = await net.login(city1, 'staff');
    // The mayor of t-city-2 opts out after t-city-1 last heard of its directory.
    const mayor = (await city2.store.findUser('mayor'))!;
    await city2.store.updateUser(mayor.id, { roles: ['signer', 'staff'] });
    const { id } = await api.staff.postBulletin.mutate({
      tlp: 'RED',
      audience: ['t-city-2', 't-hub'],
      recipients: [
        { node: 't-city-2', user: 'mayor' },
        { node: 't-hub', user: 'official' },
      ],
      body: body('to a mayor who opted out'),
    });
    await net.processAll();
    expect(await city2.store.getObject(id)).toBeNull();
    expect(await net.hub.store.getObject(id)).not.toBeNull();
    const detail = await api.staff.object.query({ id });
    expect(detail.deliveries.find((d) => d.recipient === 't-city-2')).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/unknown_recipient/),
    });
    expect(detail.deliveries.find((d) => d.recipient === 't-hub')).toMatchObject({ outcome: 'accepted' });

    // Its directory follows: once republished, posting refuses the mayor at once.
    await city2.ctx.redDirectory.sync();
    await net.processAll();
    await expect(
      api.staff.postBulletin.mutate({
        tlp: 'RED',
        audience: ['t-city-2'],
        recipients: [{ node: 't-city-2', user: 'mayor' }],
        body: body('again'),
      }),
    ).rejects.toThrow('unknown recipient t-city-2/mayor');
    await city2.store.updateUser(mayor.id, { roles: ['signer', 'staff', 'red-recipient'] });
    await city2.ctx.redDirectory.sync();
    await net.processAll();
  });
});

describe('who reads TLP:RED', () => {
  it('the author keeps it; the author city’s mayor reads it only when named', async () => {
    const city1 = net.node('t-city-1');
    const author = await net.login(city1, 'staff');
    const mayor = await net.login(city1, 'mayor');
    const admin = await net.login(city1, 'admin');
    const { id } = await author.staff.postBulletin.mutate({
      tlp: 'RED',
      audience: ['t-hub'],
      recipients: [{ node: 't-hub', user: 'official' }],
      body: body('staff only, about the mayor'),
    });
    await net.processAll();
    expect((await author.staff.object.query({ id })).recipients).toEqual([
      { node: 't-hub', user: 'official' },
      { node: 't-city-1', user: 'staff' },
    ]);
    for (const other of [mayor, admin]) {
      await expect(other.staff.object.query({ id })).rejects.toThrow(/no object/);
      expect((await other.staff.feed.query({})).items.map((i) => i.id)).not.toContain(id);
      const all = await other.staff.objects.query({ limit: 500 });
      expect(all.items.map((i) => i.id)).not.toContain(id);
    }
    const official = await net.login(net.hub, 'official');
    expect((await official.staff.object.query({ id })).id).toBe(id);

    const named = await author.staff.postBulletin.mutate({
      tlp: 'RED',
      audience: ['t-city-1'],
      recipients: [{ node: 't-city-1', user: 'mayor' }],
      body: body('for the mayor'),
    });
    expect((await mayor.staff.object.query({ id: named.id })).id).toBe(named.id);
    await expect(admin.staff.object.query({ id: named.id })).rejects.toThrow(/no object/);
  });
});
