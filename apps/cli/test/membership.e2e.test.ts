import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CITY_MAIN,
  CliProcess,
  type CliResult,
  type DemoAccounts,
  demoLogin,
  demoUrl,
  pollUntil,
  requireBuilt,
  runCli,
  startDemo,
} from './cli-process.js';

type Accounts = DemoAccounts;
interface Jwks {
  keys: { kid: string; kty: string; crv: string; x: string; validFrom: string }[];
}

const SECOND = 1_000;
const PROPAGATION_MS = 30 * SECOND;
const NEW_CITY = 'wi-eau-claire';
const ADMIN_PASSWORD = 'eau claire admin password';
const KID = /^[A-Za-z0-9_-]{43}$/;

/** A port nothing listens on right now (bound a moment ago, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const succeeded = (res: CliResult, what: string) => {
  expect(res.code, `${what}: ${res.stderr}`).toBe(0);
  return res.stdout;
};

describe('membership: join by fingerprint and enrollment, rotate, revoke, recover a lost key', () => {
  let dir: string;
  let demo: CliProcess;
  let accounts: Accounts;
  let city: CliProcess | undefined;
  let cityDir: string;
  let cityUrl: string;
  let cityConfig: { keyFile: string; network: string; hub: unknown };
  let hubKey: Jwks['keys'][number];
  let cityKid: string;
  let rotatedKid: string;
  const posted: Record<'first' | 'second' | 'late', string> = { first: '', second: '', late: '' };

  const url = (node: string) => demoUrl(accounts, node);
  const login = (node: string, user: string) => demoLogin(accounts, node, user);
  const cityAdmin = () => ['--node', cityUrl, '--user', 'admin', '--password', ADMIN_PASSWORD];
  const feedLines = async (creds: string[]) =>
    succeeded(await runCli(['feed', '--json', ...creds]), `feed ${creds[1]}`)
      .split('\n')
      .filter(Boolean);
  const waitInFeed = (creds: string[], id: string) =>
    pollUntil(
      async () => (await feedLines(creds)).find((l) => JSON.parse(l).id === id),
      PROPAGATION_MS,
      `${id} in the feed at ${creds[1]}`,
    );
  const post = async (creds: string[], title: string) => {
    const path = join(dir, `post-${Math.random().toString(36).slice(2)}.json`);
    const body = {
      title,
      narrative: `${title}: reported by poll workers.`,
      category: 'cyber.phishing',
      severity: 'low',
    };
    await writeFile(path, JSON.stringify({ kind: 'bulletin', tlp: 'GREEN', audience: ['*'], body }));
    const out = succeeded(await runCli(['post', path, ...creds]), `post at ${creds[1]}`);
    expect(out).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    return out.trim();
  };
  const startCity = async () => {
    city = new CliProcess([], { CITYLINK_CONFIG: join(cityDir, 'config.json') }, CITY_MAIN);
    await city.waitForLine((l) => l.includes('"msg":"node listening"'), 30 * SECOND, `${NEW_CITY} listening`);
  };

  beforeAll(async () => {
    requireBuilt();
    dir = await mkdtemp(join(tmpdir(), 'citylink-membership-test-'));
    ({ demo } = await startDemo(join(dir, 'demo')));
    accounts = JSON.parse(await readFile(join(dir, 'demo', 'accounts.json'), 'utf8')) as Accounts;
    cityDir = join(dir, 'eau-claire');
    const port = await freePort();
    cityUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    city?.killGroup();
    demo?.killGroup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('init stops at a wrong hub fingerprint, writing nothing, and pins the key for the right one', async () => {
    const hubUrl = url('wi-hub');
    const jwks = (await (await fetch(`${hubUrl}/.well-known/jwks.json`)).json()) as Jwks;
    expect(jwks.keys).toHaveLength(1);
    hubKey = jwks.keys[0]!;
    const init = (fingerprint: string) =>
      runCli([
        'init',
        '--role',
        'city',
        '--id',
        NEW_CITY,
        '--name',
        'City of Eau Claire',
        '--dir',
        cityDir,
        '--port',
        new URL(cityUrl).port,
        '--hub-url',
        hubUrl,
        '--hub-fingerprint',
        fingerprint,
      ]);

    const wrongKid = `${hubKey.kid[0] === 'A' ? 'B' : 'A'}${hubKey.kid.slice(1)}`;
    const wrong = await init(wrongKid);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toContain(
      `citylink: the hub at ${hubUrl} does not present key ${wrongKid} (expected ${wrongKid}, found ${hubKey.kid}); check the fingerprint with the hub operator`,
    );
    await expect(stat(cityDir)).rejects.toThrow(/ENOENT/);

    const out = succeeded(await init(hubKey.kid), 'init with the right fingerprint');
    cityConfig = JSON.parse(await readFile(join(cityDir, 'config.json'), 'utf8'));
    expect(cityConfig.network).toBe('wi');
    expect(cityConfig.hub).toEqual({
      node: 'wi-hub',
      url: hubUrl,
      keys: [{ jwk: { kty: 'OKP', crv: 'Ed25519', x: hubKey.x }, validFrom: hubKey.validFrom }],
    });
    const record = JSON.parse(await readFile(join(cityDir, 'public-key.json'), 'utf8')) as { keys: { kid: string }[] };
    cityKid = record.keys[0]!.kid;
    expect(out).toContain(`kid ${cityKid}`);
  });

  it('the new city enrolls; the hub official sees the request and approves it', async () => {
    succeeded(
      await runCli([
        'user',
        'add',
        '--config',
        join(cityDir, 'config.json'),
        '--username',
        'admin',
        '--roles',
        'admin,staff',
        '--password',
        ADMIN_PASSWORD,
      ]),
      'user add',
    );
    await startCity();

    const sent = succeeded(await runCli(['enroll', '--contact', 'clerk@eauclaire.example', ...cityAdmin()]), 'enroll');
    const [enrollmentId, status] = sent.trim().split(' ');
    expect(enrollmentId).toMatch(KID);
    expect(status).toBe('pending');

    const waiting = await runCli(['enroll', 'status', ...cityAdmin()]);
    expect(waiting.stdout).toBe('pending\n');
    expect(waiting.code).toBe(3);

    const official = login('wi-hub', 'official');
    const list = succeeded(await runCli(['hub', 'enrollments', '--status', 'pending', ...official]), 'enrollments');
    const row = list.split('\n').find((l) => l.startsWith(enrollmentId!));
    expect(row, list).toBeDefined();
    expect(row).toMatch(new RegExp(`^${enrollmentId}\\s+${NEW_CITY}\\s+pending\\s+\\S+\\s+${cityKid}\\s+${cityUrl}`));

    // Ids are base64url and may start with '-': they go after `--`.
    const approved = succeeded(await runCli(['hub', 'approve', ...official, '--', enrollmentId!]), 'approve');
    expect(approved).toMatch(/^roster version \d+\n$/);
    const twice = await runCli(['hub', 'approve', ...official, '--', enrollmentId!]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^citylink: approving enrollment .* already decided\n$/);

    const decided = await runCli(['enroll', 'status', ...cityAdmin()]);
    expect(decided.stdout).toBe('approved\n');
    expect(decided.code).toBe(0);
  });

  it('its objects signed before and after a key rotation reach the other cities and verify by the roster', async () => {
    posted.first = await post(cityAdmin(), 'Eau Claire: look-alike domain');
    await waitInFeed(login('wi-hub', 'staff'), posted.first);

    const rotated = succeeded(await runCli(['keys', 'rotate', ...cityAdmin()]), 'keys rotate');
    const [, oldKid] = /^old key {2}(\S+)$/m.exec(rotated) ?? [];
    const [, newKid] = /^new key {2}(\S+)$/m.exec(rotated) ?? [];
    expect(oldKid).toBe(cityKid);
    expect(newKid).toMatch(KID);
    expect(newKid).not.toBe(cityKid);
    rotatedKid = newKid!;
    posted.second = await post(cityAdmin(), 'Eau Claire: signed with the new key');

    const milwaukee = login('wi-milwaukee', 'staff');
    const lines = [await waitInFeed(milwaukee, posted.first), await waitInFeed(milwaukee, posted.second)];
    const input = `${lines.join('\n')}\n`;

    const shown = succeeded(await runCli(['keys', 'show', '--node', cityUrl]), 'keys show').split('\n');
    expect(shown[0]).toMatch(/^kid\s+valid from\s+valid until\s+revoked at\s+state$/);
    expect(shown.find((l) => l.startsWith(cityKid))).toMatch(/\sretired$/);
    expect(shown.find((l) => l.startsWith(rotatedKid))).toMatch(/\s-\s+-\s+current$/);

    const expected =
      `OK ${posted.first} bulletin from ${NEW_CITY} (key ${cityKid})\n` +
      `OK ${posted.second} bulletin from ${NEW_CITY} (key ${rotatedKid})\n`;
    const pinned = await runCli(['verify', '--roster', '--hub-fingerprint', hubKey.kid, ...milwaukee], { input });
    expect(pinned.stdout).toBe(expected);
    expect(pinned.code).toBe(0);
    expect(pinned.stderr).toContain(`trust root: hub wi-hub key ${hubKey.kid} (pinned with --hub-fingerprint)`);
    expect(pinned.stderr).toMatch(/roster version \d+ of network wi \(5 members\), signed by wi-hub/);

    const fetched = await runCli(['verify', '--roster', ...milwaukee], { input });
    expect(fetched.stdout).toBe(expected);
    expect(fetched.code).toBe(0);
    expect(fetched.stderr).toContain(`trust root: hub wi-hub keys fetched from ${url('wi-hub')}/.well-known/jwks.json`);

    // The published keys of wi-milwaukee alone know nothing of the new city.
    const published = await runCli(['verify', '--node', url('wi-milwaukee')], { input });
    expect(published.stdout).toMatch(/^FAIL unknown_kid: .*\nFAIL unknown_kid: /);
    expect(published.code).toBe(1);

    // A roster is only as good as the hub key it is checked against.
    const wrongPin = await runCli(['verify', '--roster', '--hub-fingerprint', cityKid, ...milwaukee], { input });
    expect(wrongPin.stdout).toBe('');
    expect(wrongPin.stderr).toContain(`is signed by hub key ${hubKey.kid}, not the pinned ${cityKid}`);
    expect(wrongPin.code).toBe(1);
  });

  it('after the hub revokes it, the city learns it and refuses to post; nothing reaches wi-madison; the audit shows it', async () => {
    const revoked = succeeded(await runCli(['hub', 'revoke', NEW_CITY, ...login('wi-hub', 'official')]), 'revoke');
    expect(revoked).toMatch(/^roster version \d+\n$/);

    // wi-madison has adopted the roster that revokes it once its audit trail says so.
    const madisonAdmin = login('wi-madison', 'admin');
    const entry = await pollUntil(
      async () =>
        succeeded(await runCli(['audit', '--action', 'membership.status', '--json', ...madisonAdmin]), 'audit')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { actor: string; subject: string; detail: { to?: string } })
          .find((e) => e.subject === NEW_CITY && e.detail.to === 'revoked'),
      PROPAGATION_MS,
      'the revocation in the audit trail of wi-madison',
    );
    expect(entry.actor).toBe('node:wi-hub');

    // The hub offers the revoking roster to the city it revokes too: once the city has it,
    // it refuses to post (exit 1, with the reason) instead of signing what nobody would take.
    const path = join(dir, 'post-late.json');
    await writeFile(
      path,
      JSON.stringify({
        kind: 'bulletin',
        tlp: 'GREEN',
        audience: ['*'],
        body: {
          title: 'Eau Claire: after the revocation',
          narrative: 'x',
          category: 'cyber.phishing',
          severity: 'low',
        },
      }),
    );
    const lates: string[] = [];
    const refused = await pollUntil(
      async () => {
        const r = await runCli(['post', path, ...cityAdmin()]);
        if (r.code === 0) lates.push(r.stdout.trim()); // before it adopted the roster: must reach nobody
        return r.code === 1 ? r : undefined;
      },
      PROPAGATION_MS,
      `${NEW_CITY} refusing to post once it knows it is revoked`,
    );
    expect(refused.stderr).toMatch(/is revoked in the network's roster/);
    // Posted at the hub after it: once this marker is at wi-madison, so would a late object be.
    const marker = await post(login('wi-hub', 'staff'), 'Hub: marker after the revocation');
    const madison = login('wi-madison', 'staff');
    await waitInFeed(madison, marker);
    const seen = (await feedLines(madison)).map((l) => JSON.parse(l).id as string);
    expect(seen).toContain(posted.first);
    for (const id of lates) expect(seen).not.toContain(id);
    posted.late = lates[0] ?? '';

    const table = succeeded(await runCli(['audit', ...madisonAdmin]), 'audit table').split('\n');
    expect(table[0]).toMatch(/^at\s+actor\s+action\s+subject\s+detail$/);
    expect(table.find((l) => /\smembership\.status\s/.test(l))).toMatch(
      new RegExp(`node:wi-hub\\s+membership\\.status\\s+${NEW_CITY}\\s+.*"to":"revoked"`),
    );
    const members = succeeded(await runCli(['hub', 'members', ...login('wi-hub', 'official')]), 'members');
    expect(members.split('\n').find((l) => l.startsWith(NEW_CITY))).toMatch(
      new RegExp(`^${NEW_CITY}\\s+city\\s+revoked`),
    );
  });

  it('a revoked city cannot re-enroll; the hub replaces its key and reinstates it, and it takes part again', async () => {
    const again = await runCli(['enroll', '--contact', 'clerk@eauclaire.example', ...cityAdmin()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`${NEW_CITY} is already a member`));

    const stopped = await city!.stop('SIGTERM', 30 * SECOND);
    expect(stopped.code, city!.output).toBe(0);
    city = undefined;

    const newKeyFile = join(dir, 'eau-claire-new-key.json');
    const made = succeeded(await runCli(['keys', 'new', '--out', newKeyFile]), 'keys new');
    expect((await stat(newKeyFile)).mode & 0o777).toBe(0o600);
    const record = JSON.parse(made) as { kid: string };
    expect(record.kid).toMatch(KID);
    const publicFile = join(dir, 'eau-claire-new-public.json');
    await writeFile(publicFile, made);

    const replaced = await runCli(['hub', 'replace-key', NEW_CITY, publicFile, ...login('wi-hub', 'admin')]);
    expect(replaced.stdout).toMatch(/^roster version \d+\n$/);
    expect(replaced.stderr).toContain(`note: ${NEW_CITY} is revoked`);
    expect(replaced.code).toBe(0);
    const reused = await runCli(['hub', 'replace-key', NEW_CITY, publicFile, ...login('wi-hub', 'admin')]);
    expect(reused.stderr).toContain(`key ${record.kid} is already in the roster (of ${NEW_CITY})`);
    expect(reused.code).toBe(1);
    succeeded(await runCli(['hub', 'reinstate', NEW_CITY, ...login('wi-hub', 'official')]), 'reinstate');

    await rename(cityConfig.keyFile, `${cityConfig.keyFile}.lost`);
    await rename(newKeyFile, cityConfig.keyFile);
    await startCity();
    const back = await post(cityAdmin(), 'Eau Claire: back with a new key');
    const madison = login('wi-madison', 'staff');
    const lines = [
      await waitInFeed(madison, posted.first),
      await waitInFeed(madison, posted.second),
      await waitInFeed(madison, back),
    ];
    expect((await feedLines(madison)).some((l) => JSON.parse(l).id === posted.late)).toBe(false);

    const verified = await runCli(['verify', '--roster', '--hub-fingerprint', hubKey.kid, ...madison], {
      input: lines.join('\n'),
    });
    expect(verified.stdout).toBe(
      [
        `OK ${posted.first} bulletin from ${NEW_CITY} (key ${cityKid})`,
        `OK ${posted.second} bulletin from ${NEW_CITY} (key ${rotatedKid})`,
        `OK ${back} bulletin from ${NEW_CITY} (key ${record.kid})`,
        '',
      ].join('\n'),
    );
    expect(verified.code).toBe(0);
  });

  it('every process stops cleanly on SIGTERM', async () => {
    const cityExit = await city!.stop('SIGTERM', 30 * SECOND);
    expect(cityExit.code, city!.output).toBe(0);
    const demoExit = await demo.stop('SIGTERM', 30 * SECOND);
    expect(demoExit.code, demo.output).toBe(0);
    for (const node of ['wi-hub', 'wi-madison', 'wi-milwaukee', 'wi-green-bay']) {
      expect(demo.lines).toContain(`${node} stopped (exit code 0)`);
    }
  });
});
