import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { RECOMMENDATIONS } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

async function cli(args: string[]) {
  const { io, out, err } = captureIo({ CITYLINK_PASSWORD: TEST_PASSWORD });
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let net: TestNetwork;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 2 });
  await net.hub.publishMembers(
    [
      { ...net.node('t-city-1').selfMember(), county: 'Dane', population: 269_840 },
      { ...net.node('t-city-2').selfMember(), county: 'Brown', population: 12_000 },
    ],
    'test',
  );
  const staff = await net.login(net.node('t-city-1'), 'staff');
  await staff.preparedness.record.mutate({
    kind: 'training-summary',
    body: {
      period: { from: today, to: today },
      course: 'Spear-phishing',
      coversSpearPhishing: true,
      staffWithAccess: 10,
      trained: 10,
    },
  });
  await net.processAll();
});
afterAll(() => net?.close());

describe('citylink scorecard', () => {
  it('--json prints the city’s ten rows in the issue’s shape', async () => {
    const r = await cli(['scorecard', '--node', net.node('t-city-1').baseUrl, '--user', 'staff', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    expect(rows.map((x) => [x.recommendation, x.key])).toEqual(RECOMMENDATIONS.map((x) => [x.n, x.key]));
    for (const x of rows) {
      expect(Object.keys(x).sort()).toEqual(['key', 'next', 'reason', 'recommendation', 'status']);
      expect(['done', 'partial', 'stale', 'missing']).toContain(x.status);
    }
    expect(rows.find((x) => x.key === 'training')?.status).toBe('done');
  });

  it('prints a table for people', async () => {
    const r = await cli(['scorecard', '--node', net.node('t-city-2').baseUrl, '--user', 'mayor']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^t-city-2: where the city stands/);
    expect(r.out).toContain('Election-security commission');
  });

  it('--state --json prints the hub’s grid, one entry per city and recommendation', async () => {
    const r = await cli(['scorecard', '--state', '--node', net.hub.baseUrl, '--user', 'official', '--json']);
    expect(r.code).toBe(0);
    const grid = JSON.parse(r.out) as { city: string; recommendation: number; status: string }[];
    expect(grid).toHaveLength(20);
    for (const x of grid) expect(Object.keys(x).sort()).toEqual(['city', 'recommendation', 'status']);
    expect(grid.find((x) => x.city === 't-city-1' && x.recommendation === 4)?.status).toBe('done');
    expect(grid.find((x) => x.city === 't-city-2' && x.recommendation === 4)?.status).toBe('missing');
    const table = await cli(['scorecard', '--state', '--node', net.hub.baseUrl, '--user', 'official']);
    expect(table.out).toContain('2 cities');
  });

  it('--state --county and --size print only those cities', async () => {
    const hub = ['scorecard', '--state', '--node', net.hub.baseUrl, '--user', 'official', '--json'];
    const cities = async (...args: string[]) => {
      const r = await cli([...hub, ...args]);
      expect(r.code, r.err).toBe(0);
      return [...new Set((JSON.parse(r.out) as { city: string }[]).map((x) => x.city))];
    };
    expect(await cities('--county', 'Dane')).toEqual(['t-city-1']);
    expect(await cities('--size', 'small')).toEqual(['t-city-2']);
    expect(await cities('--county', 'Dane', '--size', 'small')).toEqual([]);
    const table = await cli([
      'scorecard',
      '--state',
      '--node',
      net.hub.baseUrl,
      '--user',
      'official',
      '--county',
      'Brown',
    ]);
    expect(table.out).toContain('1 cities (Brown County)');
    const bad = await cli([...hub, '--county', 'Dane County']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--county: "Dane County" is not a county name/);
  });

  it.each([
    ['hub staff', 'hub', 'staff'],
    ['a hub admin who is not an official', 'hub', 'admin'],
    ['a city account at its city', 't-city-1', 'admin'],
  ])('--state refuses %s clearly, exit 1, nothing on stdout', async (_who, node, user) => {
    const url = node === 'hub' ? net.hub.baseUrl : net.node(node).baseUrl;
    const r = await cli(['scorecard', '--state', '--node', url, '--user', user, '--json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/the statewide grid is for the hub's officials/);
  });
});
