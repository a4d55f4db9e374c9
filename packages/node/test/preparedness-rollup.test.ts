import { type CityLinkClient, createClient } from '@citylink/client';
import { ManualClock, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 15, the hub's roll-up: filters by the roster's county and size class, the daily
// trend, the cities whose contingency plans are not ready before an election; facts
// (statements awaiting the mayor's signature); the public page's CLEAR preparedness;
// and who may read the grid (the hub's officials, not its administrators).

let net: TestNetwork;
const clock = new ManualClock();
const today = () => new Date(clock.now()).toISOString().slice(0, 10);
const login = (node: string, user = 'staff'): Promise<CityLinkClient> => net.login(net.node(node), user);
const PROFILE = {
  't-city-1': { county: 'Dane', population: 269_840 }, // large
  't-city-2': { county: 'Dane', population: 12_000 }, // small
  't-city-3': { county: 'Brown', population: 107_395 }, // medium
};
const plan = (scenario: 'cyberattack' | 'machine-malfunction') => ({
  scenario,
  title: `${scenario} plan`,
  coversElectionDay: true,
  coversEarlyVoting: true,
  ownerRole: 'City clerk',
  lastReviewed: today(),
  lastExercised: { date: today(), afterAction: 'Tabletop went well.' },
  plan: { text: 'Call the county, switch to paper pollbooks.' },
});

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3, clock: clock.now });
  await net.hub.publishMembers(
    net.cities.map((c) => ({ ...c.selfMember(), ...PROFILE[c.id as keyof typeof PROFILE] })),
    'test',
  );
  await Promise.all(net.cities.map((c) => c.roster.refresh()));
  const staff = await login('t-city-1');
  for (const s of ['cyberattack', 'machine-malfunction'] as const) {
    await staff.preparedness.record.mutate({ kind: 'contingency-plan', body: plan(s) });
  }
  await net.processAll();
});
afterAll(() => net?.close());

const grid = async (q: Parameters<CityLinkClient['preparedness']['stateGrid']['query']>[0] = {}) =>
  (await login('t-hub', 'official')).preparedness.stateGrid.query(q);
const citiesOf = (cells: { city: string }[]) => [...new Set(cells.map((c) => c.city))].sort();

describe('the statewide grid by county and size', () => {
  it('a filter by county returns that county’s cities only, each cell with its county and size', async () => {
    const dane = await grid({ county: 'Dane' });
    expect(citiesOf(dane.cells)).toEqual(['t-city-1', 't-city-2']);
    expect(dane.cells.find((c) => c.city === 't-city-1')).toMatchObject({
      county: 'Dane',
      population: 269_840,
      size: 'large',
    });
    expect(citiesOf((await grid({ county: 'Brown' })).cells)).toEqual(['t-city-3']);
    expect((await grid({ county: 'Nowhere' })).cells).toEqual([]);
    expect(dane.counties).toEqual(['Brown', 'Dane']);
  });

  it('a filter by size class returns the cities of that class; filters combine', async () => {
    expect(citiesOf((await grid({ size: 'small' })).cells)).toEqual(['t-city-2']);
    expect(citiesOf((await grid({ size: 'medium' })).cells)).toEqual(['t-city-3']);
    expect(citiesOf((await grid({ size: 'large', county: 'Dane' })).cells)).toEqual(['t-city-1']);
    expect((await grid({ size: 'large', county: 'Brown' })).cells).toEqual([]);
    expect(citiesOf((await grid({ county: 'Dane', cities: ['t-city-2', 't-city-3'] })).cells)).toEqual(['t-city-2']);
  });

  it('refuses a filter it cannot mean, with the reason', async () => {
    const official = await login('t-hub', 'official');
    await expect(official.preparedness.stateGrid.query({ county: 'Dane County' })).rejects.toThrow(/without the word/);
    await expect(official.preparedness.stateGrid.query({ size: 'huge' as never })).rejects.toThrow(
      /small|medium|large/,
    );
  });
});

describe('the trend', () => {
  it('holds one snapshot a day, and a new one once the clock passes midnight UTC', async () => {
    const first = await grid();
    expect(first.trend).toHaveLength(1);
    const [day] = first.trend;
    expect(day!.cities).toBe(3);
    expect(day!.counts.find((c) => c.recommendation === 2)).toMatchObject({ done: 1, missing: 2 });
    expect((await grid()).trend).toHaveLength(1);
    const now = clock.now();
    clock.advance(
      Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1) - now,
    );
    const next = await grid();
    expect(next.trend.map((d) => d.day)).toEqual([day!.day, today()]);
    expect((await grid({ days: 1 })).trend.map((d) => d.day)).toEqual([today()]);
  });
});

describe('contingency plans before an election', () => {
  it('no election ahead: no list', async () => {
    expect((await grid()).election).toBeNull();
  });

  it('an upcoming period lists the cities whose plans are stale or missing; a city with both plans is not listed', async () => {
    const official = await login('t-hub', 'official');
    const start = new Date(clock.now() + 7 * 86_400_000).toISOString();
    const end = new Date(clock.now() + 8 * 86_400_000).toISOString();
    await official.operations.announcePeriod.mutate({ name: 'General Election', start, end });
    const { election } = await grid({ reasons: true });
    expect(election?.period).toMatchObject({ name: 'General Election', open: false });
    expect(election?.stalePlans.map((c) => [c.city, c.status])).toEqual([
      ['t-city-2', 'missing'],
      ['t-city-3', 'missing'],
    ]);
    expect(election?.stalePlans[0]?.reason).toBeTruthy();
    // Filters apply to the list too.
    expect((await grid({ county: 'Brown' })).election?.stalePlans.map((c) => c.city)).toEqual(['t-city-3']);
  });
});

describe('joint statements awaiting the mayor’s signature', () => {
  it('count as the next step of recommendation 8, and stop counting once signed', async () => {
    const city1 = await login('t-city-1');
    const { id } = await city1.statements.create.mutate({
      title: 'Fund election security',
      text: 'We, the mayors, ask the legislature to fund election security.',
      addressees: ['Governor'],
      invited: ['t-city-2'],
    });
    await net.processAll();
    await city1.statements.openSignOn.mutate({ id, deadline: new Date(clock.now() + 14 * 86_400_000).toISOString() });
    await net.processAll();
    const row = async (node: string) =>
      (await (await login(node)).preparedness.scorecard.query()).rows.find((r) => r.key === 'joint-statements');
    expect(await row('t-city-2')).toMatchObject({
      status: 'partial',
      next: '1 joint statement awaits the mayor’s signature',
    });
    expect((await row('t-city-3'))?.status).toBe('missing');
    await (await login('t-city-2', 'mayor')).statements.sign.mutate({ id, name: 'A Mayor', title: 'Mayor' });
    await net.processAll();
    expect((await row('t-city-2'))?.next).not.toMatch(/await/);
  });
});

describe('the public page', () => {
  it('shows a city’s CLEAR preparedness objects, and never a non-CLEAR one, on every node', async () => {
    const staff = await login('t-city-1');
    const day = { proclamation: today(), townHall: { date: today(), place: 'PUBLIC-HALL' } };
    const { id: published } = await staff.preparedness.record.mutate({
      kind: 'security-day',
      body: day,
      marking: { tlp: 'CLEAR', audience: ['*'] },
      confirmWider: true,
    });
    const green = await staff.preparedness.record.mutate({
      kind: 'forum',
      body: { date: today(), with: 'GREEN-FORUM', needs: [], followUps: [] },
      marking: { tlp: 'GREEN', audience: ['*'] },
      confirmWider: true,
    });
    // The default marking: AMBER+STRICT to the hub alone.
    const strict = await staff.preparedness.record.mutate({
      kind: 'funding-need',
      body: { item: 'STRICT-NEED', amount: 1000, buys: 'Backup pollbooks', recommendation: 10 },
    });
    await net.processAll();
    await net.syncAll();
    await net.processAll();
    for (const node of net.nodes) {
      const anon = createClient({ baseUrl: node.baseUrl });
      const cities = await anon.public.preparedness.query();
      const all = cities.flatMap((c) => c.entries);
      expect(
        all.map((e) => e.id),
        node.id,
      ).toEqual([published]);
      expect(cities).toEqual([expect.objectContaining({ city: 't-city-1', name: expect.any(String) })]);
      expect(all.every((e) => e.tlp === 'CLEAR')).toBe(true);
      const text = JSON.stringify(cities);
      expect(text).not.toContain('GREEN-FORUM');
      expect(text).not.toContain('STRICT-NEED');
      for (const hidden of [green.id, strict.id]) {
        await expect(anon.public.object.query({ id: hidden })).rejects.toThrow(/no public object/);
      }
    }
  });
});

describe('who may read the grid and the liaison directory', () => {
  it('a hub admin who is not an official is refused, as is hub staff; the official is not', async () => {
    for (const user of ['admin', 'staff']) {
      const api = await login('t-hub', user);
      await expect(api.preparedness.stateGrid.query()).rejects.toThrow(/needs one of the roles: hub-official$/);
      await expect(api.preparedness.liaisons.query()).rejects.toThrow(/needs one of the roles: hub-official$/);
    }
    const official = await login('t-hub', 'official');
    await expect(official.preparedness.liaisons.query()).resolves.toEqual([]);
  });
});
