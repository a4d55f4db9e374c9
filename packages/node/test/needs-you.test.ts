import { eventually, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
});
afterAll(() => net.close());

type Centre = { unread: number; items: { kind: string; text: string; subject: string | null }[] };

describe('"needs you" markers, live', () => {
  it('a mayor invited to a statement sees the invitation, then "awaiting your signature", as they happen', async () => {
    const invitedMayor = await net.login(net.cities[1]!, 'mayor');
    const seen: Centre[] = [];
    const waiters: (() => void)[] = [];
    const until = (pred: (c: Centre) => boolean) =>
      new Promise<Centre>((resolve) => {
        const check = () => {
          const hit = seen.find(pred);
          if (hit) resolve(hit);
          else waiters.push(check);
        };
        check();
      });
    const sub = invitedMayor.notifications.onChange.subscribe(undefined, {
      onData: (c) => {
        seen.push(c as Centre);
        for (const w of waiters.splice(0)) w();
      },
    });
    try {
      expect((await until(() => true)).unread).toBe(0);

      const author = await net.login(net.cities[0]!, 'mayor');
      const { id } = await author.statements.create.mutate({
        title: 'Fund election security',
        text: 'We ask for stable funding of election security.',
        addressees: ['Governor'],
        invited: [net.cities[1]!.id],
      });
      await net.processAll();
      const invited = await until((c) => c.unread === 1);
      expect(invited.items[0]).toMatchObject({ kind: 'statement-invitation', subject: id });
      expect(invited.items[0]!.text).not.toContain('Fund election security');

      await author.statements.openSignOn.mutate({ id, deadline: new Date(Date.now() + 86_400_000).toISOString() });
      await net.processAll();
      const awaiting = await until((c) => c.unread === 2);
      expect(awaiting.items[0]).toMatchObject({ kind: 'signature-awaited', subject: id });
      expect(awaiting.items[0]!.text).toMatch(/awaiting your signature/);

      // Staff without the signer role are not asked to sign; the author city is not notified of its own statement.
      expect((await (await net.login(net.cities[1]!, 'staff')).notifications.list.query()).unread).toBe(0);
      expect((await author.notifications.list.query()).unread).toBe(0);

      await invitedMayor.notifications.markRead.mutate({});
      expect((await until((c) => c.unread === 0 && c.items.length === 2)).items.map((i) => i.kind)).toEqual([
        'signature-awaited',
        'statement-invitation',
      ]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('a statewide advisory reaches every account of every city', async () => {
    const official = await net.login(net.hub, 'official');
    await official.hub.setPosture.mutate({
      level: 'elevated',
      advisory: { title: 'Phishing wave', text: 'Be careful.' },
    });
    await net.processAll();
    for (const city of net.cities) {
      for (const user of ['staff', 'mayor', 'admin']) {
        const client = await net.login(city, user);
        // Notified right after the append, in the background: poll until it is there.
        await eventually(async () => {
          const centre = await client.notifications.list.query();
          expect(
            centre.items.filter((i) => i.kind === 'advisory'),
            `${user}@${city.id}`,
          ).toHaveLength(1);
        });
      }
    }
  });

  it('a comment on a report reaches its author, and nobody else', async () => {
    const author = await net.login(net.cities[0]!, 'staff');
    const { id } = await author.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: {
        title: 'Look-alike domain',
        narrative: 'Seen in three inboxes.',
        category: 'cyber.phishing',
        severity: 'low',
      },
    });
    await net.processAll();
    const other = await net.login(net.cities[1]!, 'staff');
    await other.staff.acknowledge.mutate({ target: id, seenHere: true, comment: 'Same here, since Monday.' });
    await net.processAll();
    await eventually(async () => {
      const centre = await author.notifications.list.query();
      expect(centre.items.filter((i) => i.kind === 'comment')).toMatchObject([
        { subject: id, text: `Test City ${net.cities[1]!.id} commented on your report — open CityLink` },
      ]);
    });
    const admin = await net.login(net.cities[0]!, 'admin');
    expect((await admin.notifications.list.query()).items.filter((i) => i.kind === 'comment')).toEqual([]);
  });
});
