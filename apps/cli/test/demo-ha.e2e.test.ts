import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPostgresDatabase } from '@citylink/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliProcess,
  type DemoAccounts,
  demoLogin,
  pollUntil,
  requireBuilt,
  runCli,
  startDemo,
} from './cli-process.js';

// `citylink demo --hub-processes 2 --database-url postgres://…`: the hub as two processes
// on one PostgreSQL database (a fresh one, made for this test), the cities as usual.

describe('citylink demo with two hub processes on PostgreSQL', () => {
  let dir: string;
  let demo: CliProcess;
  let basePort: number;
  let accounts: DemoAccounts;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    requireBuilt();
    const db = await createTestPostgresDatabase();
    drop = db.drop;
    dir = await mkdtemp(join(tmpdir(), 'citylink-demo-ha-'));
    ({ demo, basePort } = await startDemo(dir, ['--hub-processes', '2', '--database-url', db.url]));
    accounts = JSON.parse(await readFile(join(dir, 'accounts.json'), 'utf8')) as DemoAccounts;
  }, 180_000);

  afterAll(async () => {
    demo?.killGroup();
    if (dir) await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it('both hub processes answer as the hub, one of them leads, and a bulletin crosses the network', async () => {
    // The second process listens after the three cities' ports.
    const health = await Promise.all(
      [basePort, basePort + 4].map(async (port) => (await fetch(`http://127.0.0.1:${port}/healthz`)).json()),
    );
    expect(health.map((h) => (h as { node: string }).node)).toEqual(['wi-hub', 'wi-hub']);
    expect(health.filter((h) => (h as { leader?: boolean }).leader === true).length).toBe(1);

    const file = join(dir, 'post.json');
    await writeFile(
      file,
      JSON.stringify({
        kind: 'bulletin',
        tlp: 'GREEN',
        audience: ['*'],
        body: {
          title: 'HA demo',
          narrative: 'Through either hub process.',
          category: 'cyber.phishing',
          severity: 'low',
        },
      }),
    );
    const posted = await runCli(['post', file, ...demoLogin(accounts, 'wi-madison', 'staff')]);
    expect(posted.code).toBe(0);
    const id = posted.stdout.trim();
    await pollUntil(
      async () => {
        const feed = await runCli(['feed', '--json', ...demoLogin(accounts, 'wi-milwaukee', 'staff')]);
        return feed.stdout.split('\n').find((l) => l && JSON.parse(l).id === id);
      },
      30_000,
      `${id} at wi-milwaukee`,
    );
  }, 120_000);

  it('more than one hub process without a PostgreSQL database is a usage error', async () => {
    const res = await runCli(['demo', '--dir', join(dir, 'other'), '--hub-processes', '2']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/--hub-processes above 1 needs --database-url/);
  });
});
