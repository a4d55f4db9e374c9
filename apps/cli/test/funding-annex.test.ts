import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { base64url, utf8 } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

// Issue 15, advocacy: a joint statement carries a table of the signing cities' funding
// needs, each row signed by its city, the table's hash inside the co-signed text;
// `citylink verify` checks every row and fails when an amount is changed.

async function cli(args: string[]) {
  const { io, out, err } = captureIo({ CITYLINK_PASSWORD: TEST_PASSWORD });
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const need = (item: string, amount: number) => ({
  kind: 'funding-need' as const,
  body: { item, amount, buys: `${item} for every polling place`, recommendation: 10 },
});
const shared = { marking: { tlp: 'GREEN' as const, audience: ['*'] }, confirmWider: true };

let net: TestNetwork;
let dir: string;
let bundle: Record<string, unknown>;
let rows: string[];
let resigned: string;

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3 });
  dir = await mkdtemp(join(tmpdir(), 'citylink-annex-'));
  const as = (i: number, user = 'mayor') => net.login(net.cities[i - 1]!, user);
  const ids: string[] = [];
  for (const [i, item, amount] of [
    [1, 'Paper backup pollbooks', 42_000],
    [2, 'Ballot-on-demand printers', 18_500],
    [3, 'Phishing training seats', 6_000],
  ] as const) {
    ids.push((await (await as(i, 'staff')).preparedness.record.mutate({ ...need(item, amount), ...shared })).id);
  }
  resigned = (
    await (
      await as(2, 'staff')
    ).preparedness.record.mutate({ ...need('Ballot-on-demand printers', 185_000), ...shared })
  ).id;
  await net.processAll();
  const originator = await as(1);
  const { id } = await originator.statements.create.mutate({
    title: 'Mayors to Congress: fund election security',
    text: 'Federal funding would let each of our cities buy what the table below lists.',
    addressees: ['U.S. Congress'],
    invited: ['t-city-2', 't-city-3'],
    includeHub: true,
    fundingAnnex: ids,
  });
  await net.processAll();
  await originator.statements.openSignOn.mutate({ id, deadline: inAnHour() });
  await net.processAll();
  for (const i of [1, 2, 3]) await (await as(i)).statements.sign.mutate({ id, name: `Mayor ${i}`, title: 'Mayor' });
  await net.processAll();
  await originator.statements.finalize.mutate({ id });
  await net.processAll();
  const exported = await originator.statements.export.query({ id });
  bundle = exported.bundle as Record<string, unknown>;
  rows = bundle.fundingAnnex as string[];
  expect(exported.html).toContain('Ballot-on-demand printers');
});
afterAll(async () => {
  await net?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verifyBundle(b: unknown) {
  const file = join(dir, `bundle-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(b));
  return cli(['verify', file]);
}

describe('a joint statement with a funding annex', () => {
  it('verifies: every signature and every row, each against its own city’s key', async () => {
    expect(rows).toHaveLength(3);
    const r = await verifyBundle(bundle);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('OK   funding annex row 1: t-city-1 Paper backup pollbooks, $42,000');
    expect(r.out).toContain('OK   funding annex row 2: t-city-2 Ballot-on-demand printers, $18,500');
    expect(r.out).toContain('all 3 signatures verify');
  });

  it('fails when an amount is changed in a row', async () => {
    const [h, p, s] = rows[1]!.split('.') as [string, string, string];
    const payload = utf8.decode(base64url.decode(p)).replace('"amount":18500', '"amount":185000');
    expect(payload).toContain('185000');
    const forged = `${h}.${base64url.encode(utf8.encode(payload))}.${s}`;
    const r = await verifyBundle({ ...bundle, fundingAnnex: [rows[0], forged, rows[2]] });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL funding annex row 2: bad_signature/);
  });

  it('fails when a row is swapped for another object its city signed (the table hash no longer matches)', async () => {
    const other = (await net.node('t-city-2').store.getObject(resigned))!.jws;
    const r = await verifyBundle({ ...bundle, fundingAnnex: [rows[0], other, rows[2]] });
    expect(r.code).toBe(1);
    expect(r.out).toContain('OK   funding annex row 2: t-city-2 Ballot-on-demand printers, $185,000');
    expect(r.out).toContain('FAIL the funding annex differs from the table the mayors signed');
  });

  it('fails when the annex is dropped from the bundle', async () => {
    const { fundingAnnex: _dropped, ...rest } = bundle;
    const r = await verifyBundle(rest);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL the signed text names a funding annex the bundle lacks');
  });

  it('a row marked for the hub alone cannot be attached: its city must share it first', async () => {
    const c1 = await net.login(net.cities[0]!, 'staff');
    const { id: secret } = await c1.preparedness.record.mutate(need('Hub-only figure', 1_000));
    const mayor = await net.login(net.cities[0]!, 'mayor');
    await expect(
      mayor.statements.create.mutate({
        title: 'Another letter',
        text: 'Text',
        addressees: ['U.S. Congress'],
        invited: ['t-city-2'],
        includeHub: true,
        fundingAnnex: [secret],
      }),
    ).rejects.toThrow(/TLP:AMBER\+STRICT and may not reach t-city-2/);
  });
});
