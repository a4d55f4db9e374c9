/**
 * Revocation at restart, with the city as a real process: a city that was down while
 * another city was revoked comes back on its stored roster (which still lists the
 * revoked city as active) and is handed, the moment it listens, a bulletin signed
 * with the revoked key. It must refuse it or quarantine it; it must never show it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signIn } from '@citylink/client';
import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { eventually, TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { createPeerClient, type NodeConfigInput } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { TRPCClientError } from '@trpc/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CITY_MAIN = join(ROOT, 'apps/city/dist/main.js');
const B = 't-city-1';
const C = 't-city-2';

const children = new Set<ChildProcess>();
let net: TestNetwork | undefined;

beforeAll(() => {
  // The city runs from its build, as deployed: make sure the build is current.
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/city'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('tsc -b apps/city failed');
});

afterEach(async () => {
  for (const child of children) await stopProcess(child);
  await net?.close();
  net = undefined;
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', resolve));
}

async function stopProcess(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(killer);
  children.delete(child);
}

const bulletin = (title: string): SignedObject => ({
  v: 1,
  kind: 'bulletin',
  origin: B,
  created: new Date().toISOString(),
  tlp: 'GREEN',
  audience: ['*'],
  body: { title, narrative: 'signed with a revoked key', category: 'cyber.spoofing', severity: 'high' },
});

/**
 * The network in-process, then C stopped (its port kept), B revoked at the hub, and
 * C's config written for its process. `hubDown`: the hub is stopped as well.
 */
async function revokedWhileDown(opts: { hubDown: boolean; config?: Partial<NodeConfigInput> }) {
  net = await TestNetwork.create({ cities: 2 });
  const city = net.node(C);
  const baseUrl = city.baseUrl;
  await net.stop(C);
  const official = await signIn(net.hub.baseUrl, 'official', TEST_PASSWORD);
  await official.hub.setMemberStatus.mutate({ node: B, status: 'revoked' });
  if (opts.hubDown) await net.stop(net.hub.id);
  const configFile = join(net.dir, `${C}.process.json`);
  const config = net.configOf(C);
  await writeFile(
    configFile,
    JSON.stringify({
      ...config,
      port: Number(new URL(baseUrl).port),
      ...opts.config,
      intervals: { ...config.intervals, ...opts.config?.intervals },
    }),
  );
  const keyB = await readKeyFile(net.configOf(B).keyFile);
  return { baseUrl, configFile, keyB };
}

function startCity(configFile: string): ChildProcess {
  const child = spawn(process.execPath, [CITY_MAIN], {
    env: { ...process.env, CITYLINK_CONFIG: configFile, CITYLINK_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  return child;
}

type Answer = 'accepted' | 'unavailable' | 'revoked' | 'rejected' | 'duplicate';

/** One push of `jws` to C as B; what C answered, or undefined if C is not listening yet. */
async function push(baseUrl: string, keyB: NodeKey, jws: string): Promise<Answer | undefined> {
  const asB = createPeerClient({ baseUrl, self: B, target: C, key: () => keyB, timeoutMs: 5_000 });
  try {
    const { results } = await asB.federation.deliver.mutate({ objects: [jws] });
    return results[0]!.outcome;
  } catch (err) {
    if (!(err instanceof TRPCClientError) || !err.data) return undefined; // connection refused: not up yet
    if (err.data.httpStatus === 503 && /roster not confirmed yet/.test(err.message)) return 'unavailable';
    if (err.data.httpStatus === 401 && /key_revoked/.test(err.message)) return 'revoked';
    throw err;
  }
}

/** Pushes as soon as C listens and keeps pushing until `done` says so (bounded in count and time). */
async function pushUntil(
  baseUrl: string,
  keyB: NodeKey,
  jws: string,
  child: ChildProcess,
  done: (answers: Answer[]) => boolean,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < 20_000 && Date.now() < deadline; i++) {
    if (child.exitCode !== null) throw new Error(`city process exited with ${child.exitCode}`);
    const answer = await push(baseUrl, keyB, jws);
    if (answer) answers.push(answer);
    if (done(answers)) return answers;
    // Until C listens, try again at once; then poll at 20/s, within the per-peer rate limit.
    await new Promise((resolve) => (answer ? setTimeout(resolve, 50) : setImmediate(resolve)));
  }
  throw new Error(`gave up after ${answers.length} answers: ${[...new Set(answers)].join(', ')}`);
}

async function assertNeverShown(baseUrl: string, id: string): Promise<void> {
  const staff = await signIn(baseUrl, 'staff', TEST_PASSWORD);
  const feed = await staff.staff.feed.query({ limit: 200 });
  expect(feed.items.map((i) => i.id)).not.toContain(id);
  expect((await staff.staff.feed.query({ text: 'revoked key' })).items).toEqual([]);
  const log = await staff.staff.objects.query({ after: 0, limit: 500 });
  expect(log.items.map((e) => e.id)).not.toContain(id);
  await expect(staff.staff.object.query({ id })).rejects.toThrow(/no object/);
}

describe('revocation at restart (city as a process)', () => {
  it('hub reachable: a bulletin pushed the moment C listens is refused, never shown', async () => {
    const { baseUrl, configFile, keyB } = await revokedWhileDown({ hubDown: false });
    const forged = await signObject(bulletin('pushed at once after restart'), keyB);
    const child = startCity(configFile);
    // Push from the first instant C answers until C knows B is revoked.
    const answers = await pushUntil(baseUrl, keyB, forged.jws, child, (a) => a.includes('revoked'));
    expect(answers.filter((a) => a !== 'unavailable' && a !== 'revoked')).toEqual([]);
    await assertNeverShown(baseUrl, forged.id);
  });

  it('hub unreachable: refused through the grace; quarantined when taken after it; never shown once the hub is back', async () => {
    const { baseUrl, configFile, keyB } = await revokedWhileDown({
      hubDown: true,
      config: { limits: { rosterGraceMs: 3_000 }, intervals: { rosterMs: 200 } },
    });
    const forged = await signObject(bulletin('pushed while the hub is down'), keyB);
    const child = startCity(configFile);
    const answers = await pushUntil(baseUrl, keyB, forged.jws, child, (a) => a.includes('accepted'));
    // Refused at first (the grace), then taken, but only as unconfirmed.
    expect(answers[0]).toBe('unavailable');
    expect(answers.filter((a) => a !== 'unavailable')).toEqual(['accepted']);
    const staff = await signIn(baseUrl, 'staff', TEST_PASSWORD);
    expect(await staff.staff.object.query({ id: forged.id })).toMatchObject({ unconfirmed: true });

    // The hub comes back; C's next roster refresh adopts the revocation and quarantines the bulletin.
    await net!.restart(net!.hub.id);
    await eventually(async () => {
      await expect(staff.staff.object.query({ id: forged.id })).rejects.toThrow(/no object/);
    }, 30_000);
    await assertNeverShown(baseUrl, forged.id);
    const admin = await signIn(baseUrl, 'admin', TEST_PASSWORD);
    const audit = await admin.admin.audit.query({ action: 'object.quarantined' });
    expect(audit).toEqual([expect.objectContaining({ subject: forged.id })]);
    expect(audit[0]!.detail).toMatchObject({ origin: B, reason: expect.stringMatching(/key_revoked/) });
    // And B can no longer push at all.
    expect(await push(baseUrl, keyB, forged.jws)).toBe('revoked');
  });
});
