import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@citylink/client';
import { TEST_PASSWORD, TestNetwork, eventually as waitFor } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CITY_MAIN = fileURLToPath(new URL('../../../apps/city/dist/main.js', import.meta.url));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('a city node as its own process', () => {
  let net: TestNetwork;
  let configFile: string;
  let baseUrl: string;
  const children: ChildProcess[] = [];

  const startCity = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [CITY_MAIN], {
      env: { ...process.env, CITYLINK_CONFIG: configFile, CITYLINK_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(child);
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`city process exited with ${child.exitCode}`);
      const res = await fetch(`${baseUrl}/healthz`);
      expect(res.status).toBe(200);
    });
    return child;
  };

  beforeAll(async () => {
    if (!existsSync(CITY_MAIN)) throw new Error(`${CITY_MAIN} is missing: run \`npm run build\` (npm test does)`);
    net = await TestNetwork.create({ cities: 2 });
    const city1 = net.cities[0]!;
    baseUrl = city1.baseUrl;
    const port = Number(new URL(baseUrl).port);
    await net.stop(city1.id);
    configFile = join(net.dir, 't-city-1.config.json');
    await writeFile(configFile, JSON.stringify({ ...net.configOf(city1.id), port }));
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await net?.close();
  });

  it('kill -9 in the middle of a burst loses no accepted object and duplicates none', async () => {
    let child = await startCity();
    const { token } = await createClient({ baseUrl }).staff.login.mutate({
      username: 'staff',
      password: TEST_PASSWORD,
      bearer: true,
    });
    const api = createClient({ baseUrl, token: token! });

    // A burst of posts, five at a time; the process is killed once 25 have been accepted.
    const accepted: string[] = [];
    let n = 0;
    const worker = async () => {
      while (n < 200) {
        const i = n++;
        try {
          const { id } = await api.staff.postBulletin.mutate({
            tlp: 'GREEN',
            audience: ['*'],
            body: { title: `burst ${i}`, narrative: 'crash test', category: 'cyber.scanning', severity: 'low' },
          });
          accepted.push(id);
          if (accepted.length === 25) child.kill('SIGKILL');
        } catch {
          return; // the process is gone
        }
      }
    };
    await Promise.all(Array.from({ length: 5 }, worker));
    expect((await exited(child)).signal).toBe('SIGKILL');
    expect(accepted.length).toBeGreaterThanOrEqual(25);

    child = await startCity();
    // Every accepted object reaches the hub and the other city exactly once, with no new post.
    await waitFor(async () => {
      await net.processAll();
      for (const node of net.nodes) expect((await node.store.heldIds(accepted)).size, node.id).toBe(accepted.length);
    });
    const hubLog = await net.hub.store.logAfter(0, 10_000);
    const bursts = hubLog.filter((r) => r.object.kind === 'bulletin');
    expect(new Set(bursts.map((r) => r.object.id)).size).toBe(bursts.length);

    // The restarted city still has them all, once each, in its own log.
    const seen = new Map<string, number>();
    for (let after = 0; ; ) {
      const page = await api.staff.objects.query({ after, limit: 500 });
      for (const e of page.items) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      if (page.next >= page.head) break;
      after = page.next;
    }
    for (const id of accepted) expect(seen.get(id), id).toBe(1);

    // And it stops cleanly on SIGTERM.
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });
});
