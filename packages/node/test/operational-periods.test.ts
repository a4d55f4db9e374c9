import { ManualClock, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const clock = new ManualClock();
let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2, clock: clock.now });
});
afterAll(() => net.close());

const HOUR = 3_600_000;

describe('operational periods and check-ins (clock injected, no sleeping)', () => {
  it('a check-in outside any period is refused with the words the CLI prints', async () => {
    const staff = await net.login(net.cities[0]!);
    await expect(staff.operations.checkIn.mutate({ state: 'quiet' })).rejects.toThrow(/no operational period is open/);
    expect(await staff.operations.period.query()).toBeNull();
  });

  it('only the hub announces a period; it reaches every city; cities check in to the hub', async () => {
    const cityAdmin = await net.login(net.cities[0]!, 'admin');
    const start = new Date(clock.now() - 60_000).toISOString();
    const end = new Date(clock.now() + 7 * 24 * HOUR).toISOString();
    await expect(cityAdmin.operations.announcePeriod.mutate({ name: 'Not ours', start, end })).rejects.toThrow();

    const official = await net.login(net.hub, 'official');
    await expect(
      official.operations.announcePeriod.mutate({ name: 'Backwards', start: end, end: start }),
    ).rejects.toThrow(/ends before it starts/);
    const { id } = await official.operations.announcePeriod.mutate({ name: 'General election, Nov 3', start, end });
    await net.processAll();

    for (const city of net.cities) {
      const period = await (await net.login(city)).operations.period.query();
      expect(period).toMatchObject({ id, name: 'General election, Nov 3', checkInMinutes: 120 });
      expect(period!.ackTargets).toMatchObject({ emergency: 15, severe: 30, high: 60, medium: 240, low: null });
      expect(period!.endsInMs).toBe(Date.parse(end) - clock.now());
    }

    const staff = await net.login(net.cities[0]!);
    const checkIn = await staff.operations.checkIn.mutate({ state: 'issues', note: 'one scanner jammed' });
    expect(checkIn.period).toBe(id);
    await net.processAll();
    const held = await net.hub.store.getObject(checkIn.id);
    expect(held).toMatchObject({ kind: 'checkin', origin: net.cities[0]!.id, tlp: 'AMBER', target: id });
    expect(held!.audience).toEqual([net.hub.id]);
    const last = await net.hub.store.read((r) => r.operations.lastCheckIns(id));
    expect([...last.keys()]).toEqual([net.cities[0]!.id]);
    expect(last.get(net.cities[0]!.id)).toBe(clock.now());
    // The other city never sees it: it was addressed to the hub alone.
    expect(await net.cities[1]!.store.getObject(checkIn.id)).toBeNull();

    // The hub itself does not check in.
    await expect(official.operations.checkIn.mutate({ state: 'quiet' })).rejects.toThrow(/cities do/);
  });

  it('once the period has ended, nobody is in one and check-ins are refused again', async () => {
    clock.advance(8 * 24 * HOUR);
    const staff = await net.login(net.cities[1]!);
    expect(await staff.operations.period.query()).toBeNull();
    await expect(staff.operations.checkIn.mutate({ state: 'quiet' })).rejects.toThrow(/no operational period is open/);
  });
});
