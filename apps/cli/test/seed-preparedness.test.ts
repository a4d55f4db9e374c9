import { TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPreparedness } from '../src/demo/seed-preparedness.js';

// The demo's three preparedness states, recorded through each city's API and read back
// from the hub's statewide grid: one nearly complete, one stale, one just starting.

const CITY = { 'wi-madison': 't-city-1', 'wi-milwaukee': 't-city-2', 'wi-green-bay': 't-city-3' } as const;
let net: TestNetwork;

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3 });
  const count = await seedPreparedness(
    (node, user) => net.login(net.node(CITY[node as keyof typeof CITY]), user),
    Date.now(),
  );
  expect(count).toBeGreaterThan(10);
  await net.processAll();
});
afterAll(() => net?.close());

describe('demo preparedness seeds', () => {
  it('give the hub three different cities', async () => {
    const { cells: grid } = await (await net.login(net.hub, 'official')).preparedness.stateGrid.query();
    const of = (city: string) => grid.filter((c) => c.city === city);
    const done = (city: string) => of(city).filter((c) => c.status === 'done').length;
    expect(done('t-city-1')).toBeGreaterThanOrEqual(7);
    expect(of('t-city-2').find((c) => c.key === 'contingency-plans')?.status).toBe('stale');
    expect(of('t-city-2').find((c) => c.key === 'training')?.status).toBe('stale');
    expect(done('t-city-3')).toBeLessThanOrEqual(1);
    expect(of('t-city-3').filter((c) => c.status === 'missing').length).toBeGreaterThanOrEqual(7);
    expect(done('t-city-1')).toBeGreaterThan(done('t-city-2'));
  });
});
