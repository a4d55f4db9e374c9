import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CliProcess,
  type DemoAccounts,
  demoLogin,
  demoUrl,
  pollUntil,
  requireBuilt,
  runCli,
  startDemo,
} from './cli-process.js';

type Accounts = DemoAccounts;

const SECOND = 1_000;
const PROPAGATION_MS = 20 * SECOND;

const bulletin = (title: string, marking: object) => ({
  kind: 'bulletin',
  ...marking,
  body: { title, narrative: `${title}: seen by several poll workers.`, category: 'cyber.phishing', severity: 'medium' },
});
const GREEN = { tlp: 'GREEN', audience: ['*'] };
const RED_TO_OFFICIAL = { tlp: 'RED', audience: ['wi-hub'], recipients: [{ node: 'wi-hub', user: 'official' }] };

describe('citylink demo: four node processes, posting, following, verifying', () => {
  let dir: string;
  let demo: CliProcess;
  let accounts: Accounts;
  const url = (node: string) => demoUrl(accounts, node);
  const login = (node: string, user: string) => demoLogin(accounts, node, user);
  const feedLines = async (node: string, user: string) => {
    const res = await runCli(['feed', '--json', ...login(node, user)]);
    if (res.code !== 0) throw new Error(`feed at ${node} failed: ${res.stderr}`);
    return res.stdout.split('\n').filter(Boolean);
  };
  const waitInFeed = (node: string, user: string, id: string) =>
    pollUntil(
      async () => (await feedLines(node, user)).find((l) => JSON.parse(l).id === id),
      PROPAGATION_MS,
      `${id} in the feed of ${user}@${node}`,
    );
  const post = async (node: string, file: object) => {
    const path = join(dir, `post-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify(file));
    const res = await runCli(['post', path, ...login(node, 'staff')]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    return res.stdout.trim();
  };

  let greenId: string;
  let greenLine: string;

  beforeAll(async () => {
    requireBuilt();
    dir = await mkdtemp(join(tmpdir(), 'citylink-demo-test-'));
    ({ demo } = await startDemo(dir));
    accounts = JSON.parse(await readFile(join(dir, 'accounts.json'), 'utf8')) as Accounts;
  });

  afterAll(async () => {
    demo?.killGroup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes accounts for every node, with random passwords of at least 12 characters', () => {
    expect(accounts.nodes.map((n) => n.node)).toEqual(['wi-hub', 'wi-madison', 'wi-milwaukee', 'wi-green-bay']);
    const hub = accounts.nodes[0]!;
    expect(hub.accounts.map((a) => a.username).sort()).toEqual(['admin', 'feeds', 'mayor', 'official', 'staff']);
    for (const n of accounts.nodes.slice(1)) {
      expect(n.accounts.map((a) => a.username).sort()).toEqual(['admin', 'feeds', 'mayor', 'staff']);
    }
    const passwords = accounts.nodes.flatMap((n) => n.accounts.map((a) => a.password));
    expect(new Set(passwords).size).toBe(passwords.length);
    for (const p of passwords) expect(p.length).toBeGreaterThanOrEqual(12);
  });

  it("lists a feed-reader token per node as user 'feeds', and TAXII takes it (HTTP Basic) where nothing else does", async () => {
    for (const n of accounts.nodes) {
      const feeds = n.accounts.find((a) => a.username === 'feeds')!;
      expect(feeds.roles).toEqual(['feed-reader']);
      const taxii = (password: string) =>
        fetch(`${n.url}/taxii2/api/collections/network/objects/?limit=5`, {
          headers: {
            accept: 'application/taxii+json;version=2.1',
            authorization: `Basic ${Buffer.from(`feeds:${password}`).toString('base64')}`,
          },
        });
      expect((await taxii(feeds.password)).status).toBe(200);
      expect((await taxii(`${feeds.password}x`)).status).toBe(401);
    }
  });

  it('opens on a seeded week: every category and TLP, best practices, a statement in sign-on, a posture, a period with check-ins', async () => {
    expect(demo.lines).toContain(
      'seeded the demo: 13 bulletins, 2 best practices, a statement in sign-on, a posture, an operational period with check-ins',
    );
    const entries = (await feedLines('wi-hub', 'official')).map((l) => JSON.parse(l) as Record<string, string>);
    const bulletins = entries.filter((e) => e.kind === 'bulletin');
    expect(bulletins.length).toBeGreaterThanOrEqual(12);
    expect(new Set(bulletins.map((b) => b.origin))).toEqual(new Set(['wi-madison', 'wi-milwaukee', 'wi-green-bay']));
    expect(new Set(bulletins.map((b) => b.tlp))).toEqual(new Set(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']));
    const kinds = new Set(entries.map((e) => e.kind));
    for (const kind of [
      'note',
      'endorsement',
      'acknowledgement',
      'bulletin-status',
      'posture',
      'statement-signon',
      'statement-signature',
      'operational-period',
      'checkin',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    const categoryOf = (jws: string) =>
      (JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as { body: { category: string } }).body
        .category;
    expect(new Set(bulletins.map((b) => categoryOf(b.jws!).split('.')[0]))).toEqual(
      new Set(['cyber', 'equipment', 'physical', 'information', 'insider', 'operational']),
    );
    // The RED report is the official's alone: the hub's staff account does not see it.
    const staff = (await feedLines('wi-hub', 'staff')).map((l) => JSON.parse(l) as Record<string, string>);
    expect(staff.some((e) => e.tlp === 'RED')).toBe(false);
  });

  it('the roster gives each city its county and population: the hub grid filters by them', async () => {
    const grid = async (...args: string[]) => {
      const res = await runCli(['scorecard', '--state', '--json', ...args, ...login('wi-hub', 'official')]);
      expect(res.stderr).toBe('');
      return [...new Set((JSON.parse(res.stdout) as { city: string }[]).map((c) => c.city))].sort();
    };
    expect(await grid('--county', 'Dane')).toEqual(['wi-madison']);
    expect(await grid('--size', 'large')).toEqual(['wi-madison', 'wi-milwaukee']);
    expect(await grid('--size', 'medium')).toEqual(['wi-green-bay']);
  });

  it('a GREEN bulletin posted at wi-madison reaches wi-milwaukee and the hub, and verifies', async () => {
    const follow = new CliProcess(['feed', '--json', '--follow', ...login('wi-milwaukee', 'staff')]);
    try {
      greenId = await post('wi-madison', bulletin('Look-alike domain e-mails', GREEN));
      const followed = await follow.waitForLine((l) => l.includes(greenId), PROPAGATION_MS, 'followed GREEN');
      expect(JSON.parse(followed)).toMatchObject({ id: greenId, kind: 'bulletin', origin: 'wi-madison', tlp: 'GREEN' });
      greenLine = await waitInFeed('wi-milwaukee', 'staff', greenId);
      await waitInFeed('wi-hub', 'staff', greenId);

      const entry = JSON.parse(greenLine) as Record<string, unknown>;
      for (const field of ['id', 'kind', 'origin', 'created', 'tlp', 'jws']) expect(entry).toHaveProperty(field);

      const keys = ['--node', url('wi-madison'), '--peer', url('wi-hub')];
      const ok = await runCli(['verify', '-', ...keys], { input: `${greenLine}\n` });
      expect(ok.stdout).toMatch(new RegExp(`^OK ${greenId} bulletin from wi-madison \\(key [A-Za-z0-9_-]{43}\\)\n$`));
      expect(ok.code).toBe(0);

      const jws = entry.jws as string;
      const [h, p, s] = jws.split('.') as [string, string, string];
      const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
      const bad = await runCli(['verify', ...keys], {
        input: `${jws}\n${flipped}\n${JSON.stringify({ ...entry, id: 'x'.repeat(43) })}\n`,
      });
      const lines = bad.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^OK /);
      expect(lines[1]).toMatch(/^FAIL bad_signature: /);
      expect(lines[2]).toMatch(/^FAIL id_mismatch: /);
      expect(bad.code).toBe(1);

      // Without wi-madison's keys the origin is unknown.
      const unknown = await runCli(['verify', '--node', url('wi-milwaukee')], { input: jws });
      expect(unknown.stdout).toMatch(/^FAIL unknown_kid: /);
      expect(unknown.code).toBe(1);

      const stopped = await follow.stop('SIGINT', 10 * SECOND);
      expect(stopped.code).toBe(0);
    } finally {
      follow.killGroup();
    }
  });

  it('a RED bulletin for the hub official reaches only them, never wi-milwaukee', async () => {
    const redId = await post('wi-madison', bulletin('Threat against the clerk', RED_TO_OFFICIAL));
    // Posted after the RED one: once it has arrived at wi-milwaukee, so would have the RED one.
    const markerId = await post('wi-madison', bulletin('Marker after RED', GREEN));
    await waitInFeed('wi-milwaukee', 'admin', markerId);
    await waitInFeed('wi-hub', 'official', redId);

    const milwaukee = await feedLines('wi-milwaukee', 'admin');
    expect(milwaukee.some((l) => l.includes(markerId))).toBe(true);
    expect(milwaukee.some((l) => l.includes(redId))).toBe(false);
    const hubStaff = await feedLines('wi-hub', 'staff');
    expect(hubStaff.some((l) => l.includes(markerId))).toBe(true);
    expect(hubStaff.some((l) => l.includes(redId))).toBe(false);
  });

  it("gives the hub each city's county, so the situation room's map shows every city's open reports", async () => {
    const hub = JSON.parse(await readFile(join(dir, 'wi-hub.config.json'), 'utf8')) as {
      operations?: { cityCounties?: Record<string, string> };
    };
    expect(hub.operations?.cityCounties).toEqual({
      'wi-madison': 'Dane',
      'wi-milwaukee': 'Milwaukee',
      'wi-green-bay': 'Brown',
    });
  });

  it('stops all four nodes on SIGINT and exits 0', async () => {
    const { code } = await demo.stop('SIGINT', 30 * SECOND);
    expect(code, demo.output).toBe(0);
    for (const node of ['wi-hub', 'wi-madison', 'wi-milwaukee', 'wi-green-bay']) {
      expect(demo.lines).toContain(`${node} stopped (exit code 0)`);
      await expect(fetch(`${url(node)}/healthz`, { signal: AbortSignal.timeout(5 * SECOND) })).rejects.toThrow();
    }
  });

  it('keeps its state across a restart', async () => {
    const before = await readFile(join(dir, 'accounts.json'), 'utf8');
    ({ demo } = await startDemo(dir));
    const after = JSON.parse(await readFile(join(dir, 'accounts.json'), 'utf8')) as Accounts;
    expect(after.nodes.map((n) => n.accounts)).toEqual((JSON.parse(before) as Accounts).nodes.map((n) => n.accounts));
    accounts = after;
    expect(demo.lines.some((l) => l.startsWith('creating the demo network'))).toBe(false);
    const lines = await feedLines('wi-milwaukee', 'staff');
    expect(lines.some((l) => JSON.parse(l).id === greenId)).toBe(true);
    // Seeded once per demo directory, not again on a restart.
    expect(demo.lines.some((l) => l.startsWith('seeded the demo'))).toBe(false);
    const { code } = await demo.stop('SIGTERM', 30 * SECOND);
    expect(code, demo.output).toBe(0);
  });
});
