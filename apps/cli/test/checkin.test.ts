import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

async function cli(args: string[]) {
  const { io, out, err } = captureIo({ CITYLINK_PASSWORD: TEST_PASSWORD });
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let net: TestNetwork;
beforeAll(async () => {
  net = await TestNetwork.create({ cities: 1 });
});
afterAll(() => net.close());

describe('citylink checkin', () => {
  it('exits 1 with `no operational period is open` outside one, and checks in once the hub opens one', async () => {
    const city = net.cities[0]!;
    const args = ['checkin', '--node', city.baseUrl, '--user', 'staff', '--note', 'all polling places open'];
    const refused = await cli(args);
    expect(refused.code).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/no operational period is open/);

    const official = await net.login(net.hub, 'official');
    const now = Date.now();
    await official.operations.announcePeriod.mutate({
      name: 'General election, Nov 3',
      start: new Date(now - 60_000).toISOString(),
      end: new Date(now + 86_400_000).toISOString(),
    });
    await net.processAll();

    const ok = await cli(args);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    await net.processAll();
    const held = await net.hub.store.getObject(ok.out.trim());
    expect(held).toMatchObject({ kind: 'checkin', origin: city.id });
  });
});
