import type { CityLinkClient } from '@citylink/client';
import { readKeyFile, signObject } from '@citylink/crypto';
import type { CityLinkNode } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, TestNetwork } from '../src/index.js';

// The Election Day surface as an insider attacks it: a hub account that is not an
// official (plain staff) reaching the officials' shift log and the cities' check-ins
// through the generic read paths; a city forging a check-in for another city, or a
// shift note; a city reading another city's check-ins.

let net: TestNetwork;
let hub: CityLinkNode;
let city1: CityLinkNode;
let city2: CityLinkNode;
let official: CityLinkClient;
let desk: CityLinkClient;
let shiftNote: string;
let checkIn: string;

const ids = async (c: CityLinkClient) => {
  const out: { id: string; kind: string }[] = [];
  let after = 0;
  for (;;) {
    const page = await c.staff.objects.query({ after, limit: 500 });
    out.push(...page.items.map((i) => ({ id: i.id, kind: i.kind })));
    if (page.next === after || page.next >= page.head) break;
    after = page.next;
  }
  return out;
};

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2, users: true });
  hub = net.hub;
  city1 = net.node('t-city-1');
  city2 = net.node('t-city-2');
  await hub.addUser({ username: 'desk', password: TEST_PASSWORD, roles: ['staff'] });
  official = await net.login(hub, 'official');
  desk = await net.login(hub, 'desk');
  const now = Date.now();
  await official.operations.announcePeriod.mutate({
    name: 'General election',
    start: new Date(now - 3_600_000).toISOString(),
    end: new Date(now + 86_400_000).toISOString(),
  });
  await net.processAll();
  shiftNote = (
    await official.operations.writeShiftNote.mutate({
      type: 'handover',
      text: 'shift-secret: the backup line is 555-0100',
    })
  ).id;
  const staff1 = await net.login(city1, 'staff');
  checkIn = (await staff1.operations.checkIn.mutate({ state: 'issues', note: 'checkin-secret: pollbook outage' })).id;
  await net.processAll();
  expect(await hub.store.getObject(checkIn)).not.toBeNull();
});
afterAll(() => net?.close());

describe('what is for the hub officials', () => {
  it('the shift log and check-ins are not readable by a hub account that is not an official', async () => {
    await expect(desk.operations.shiftLog.query()).rejects.toThrow();
    const seen = await ids(desk);
    expect(seen.map((s) => s.id)).not.toContain(shiftNote);
    expect(seen.map((s) => s.id)).not.toContain(checkIn);
    await expect(desk.staff.object.query({ id: shiftNote })).rejects.toThrow(/no object/);
    await expect(desk.staff.object.query({ id: checkIn })).rejects.toThrow(/no object/);
  });

  it('the officials still read both', async () => {
    const seen = (await ids(official)).map((s) => s.id);
    expect(seen).toContain(shiftNote);
    expect(seen).toContain(checkIn);
    expect((await official.staff.object.query({ id: checkIn })).id).toBe(checkIn);
    const log = await official.operations.shiftLog.query();
    expect(log.text).toContain('shift-secret');
  });

  it("held: the city's own staff still see its own check-in", async () => {
    const staff1 = await net.login(city1, 'staff');
    expect((await staff1.staff.object.query({ id: checkIn })).id).toBe(checkIn);
  });
});

describe('forged and foreign Election Day objects (held)', () => {
  it("another city never holds or reads a city's check-in", async () => {
    expect(await city2.store.getObject(checkIn)).toBeNull();
    const admin2 = await net.login(city2, 'admin');
    await expect(admin2.staff.object.query({ id: checkIn })).rejects.toThrow();
  });

  it('a check-in signed by one city in the name of another, and a shift note from a city, are refused', async () => {
    const key2 = await readKeyFile(net.configOf(city2.id).keyFile as string);
    const period = (await official.operations.period.query())!.id;
    const sign = (o: Omit<SignedObject, 'v' | 'created'>) =>
      signObject({ v: 1, created: new Date().toISOString(), ...o } as SignedObject, key2);
    const forged = await sign({
      kind: 'checkin',
      origin: city1.id,
      tlp: 'AMBER',
      audience: [hub.id],
      body: { period, state: 'quiet' },
    });
    const note = await sign({
      kind: 'shift-note',
      origin: city2.id,
      tlp: 'AMBER',
      audience: [city2.id],
      body: { period, type: 'decision', by: 'x', text: 'forged decision' },
    });
    const hubCheckIn = await sign({
      kind: 'checkin',
      origin: city2.id,
      tlp: 'AMBER',
      audience: [hub.id],
      body: { period: 'A'.repeat(43), state: 'quiet' },
    });
    const now = Date.now();
    const period2 = await sign({
      kind: 'operational-period',
      origin: city2.id,
      tlp: 'GREEN',
      audience: ['*'],
      body: {
        name: 'A city opening its own period',
        start: new Date(now - 60_000).toISOString(),
        end: new Date(now + 60_000).toISOString(),
      },
    } as Omit<SignedObject, 'v' | 'created'>);
    const results = await hub.inbound.receive([forged.jws, note.jws, hubCheckIn.jws, period2.jws], city2.id, 'push');
    expect(results.map((r) => r.outcome)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect((await official.operations.period.query())!.id).toBe(period);
  });
});
