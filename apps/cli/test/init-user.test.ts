import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signIn } from '@citylink/client';
import { createNode, type NodeConfigInput } from '@citylink/node';
import { Store } from '@citylink/store';
import { createTestPostgresDatabase } from '@citylink/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

async function cli(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) {
  const { io, out, err } = captureIo(env, stdin);
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;

describe('citylink init and user add', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'citylink-init-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a hub and a city whose configs start and federate', async () => {
    const hubDir = join(dir, 'hub');
    const cityDir = join(dir, 'city');
    const hub = await cli(['init', '--role', 'hub', '--id', 'wi-hub', '--name', 'WEC', '--dir', hubDir]);
    expect(hub.err).toBe('');
    expect(hub.code).toBe(0);
    expect((await stat(join(hubDir, 'node-key.json'))).mode & 0o777).toBe(0o600);
    expect(await readJson(join(hubDir, 'members.json'))).toEqual([]);
    const hubPublic = await readJson<{ node: string; keys: { kid: string }[] }>(join(hubDir, 'public-key.json'));
    expect(hub.out).toContain(`kid ${hubPublic.keys[0]!.kid}`);
    expect(hub.out).not.toContain('"d"');

    // The hub's public record, as its operator would hand it over.
    const city = await cli([
      'init',
      '--role',
      'city',
      '--id',
      'wi-madison',
      '--name',
      'City of Madison',
      '--dir',
      cityDir,
      '--hub-url',
      'http://127.0.0.1:4000',
      '--hub-jwk',
      join(hubDir, 'public-key.json'),
    ]);
    expect(city.err).toBe('');
    expect(city.code).toBe(0);
    const cityConfig = await readJson<NodeConfigInput>(join(cityDir, 'config.json'));
    expect(cityConfig).toMatchObject({ nodeId: 'wi-madison', role: 'city', network: 'wi-hub', port: 4001 });
    expect(cityConfig.hub).toMatchObject({ node: 'wi-hub', url: 'http://127.0.0.1:4000' });

    // Refuses to overwrite an existing node.
    const again = await cli(['init', '--role', 'hub', '--id', 'wi-hub', '--name', 'WEC', '--dir', hubDir]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already holds a node');

    // Enroll the city (its public record into the hub's members.json) and run both on free ports.
    const cityPublic = await readJson<{ baseUrl: string }>(join(cityDir, 'public-key.json'));
    const hubConfig = await readJson<NodeConfigInput>(join(hubDir, 'config.json'));
    await using hubNode = await createNode({ ...hubConfig, port: 0, logLevel: 'silent' });
    await using cityNode = await createNode({
      ...cityConfig,
      port: 0,
      logLevel: 'silent',
      hub: { ...cityConfig.hub!, url: hubNode.baseUrl },
    });
    await writeFile(join(hubDir, 'members.json'), JSON.stringify([{ ...cityPublic, baseUrl: cityNode.baseUrl }]));
    await hubNode.publishMembers(JSON.parse(await readFile(join(hubDir, 'members.json'), 'utf8')), 'test');
    await cityNode.roster.refresh();
    expect(cityNode.roster.isActive('wi-madison')).toBe(true);

    // An account added with the CLI while the node runs can sign in.
    const add = await cli(
      [
        'user',
        'add',
        '--config',
        join(cityDir, 'config.json'),
        '--username',
        'clerk',
        '--roles',
        'staff,signer',
        '--password-stdin',
      ],
      'a long enough password\nignored second line\n',
    );
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toBe('added user clerk (staff, signer) to wi-madison');
    const client = await signIn(cityNode.baseUrl, 'clerk', 'a long enough password');
    expect((await client.staff.me.query()).user?.roles).toEqual(['staff', 'signer']);

    const duplicate = await cli([
      'user',
      'add',
      '--config',
      join(cityDir, 'config.json'),
      '--username',
      'clerk',
      '--roles',
      'staff',
      '--password',
      'another long password',
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.err).toBe('citylink: user clerk already exists on wi-madison');
  });

  it('user add generates a password when none is given, and DATABASE_URL overrides the database', async () => {
    const nodeDir = join(dir, 'solo');
    expect((await cli(['init', '--role', 'hub', '--id', 'wi-solo', '--name', 'Solo', '--dir', nodeDir])).code).toBe(0);
    const db = await createTestPostgresDatabase();
    try {
      const config = join(nodeDir, 'config.json');
      const add = await cli(['user', 'add', '--config', config, '--username', 'ann', '--roles', 'admin'], '', {
        DATABASE_URL: db.url,
      });
      expect(add.err).toBe('');
      expect(add.code).toBe(0);
      const password = /generated password: (\S+)/.exec(add.out)?.[1];
      expect(password?.length).toBeGreaterThanOrEqual(12);
      const pg = await Store.open({ databaseUrl: db.url });
      try {
        expect((await pg.findUser('ann'))?.roles).toEqual(['admin']);
      } finally {
        await pg.close();
      }
      // …and not in the config's SQLite file.
      const sqlite = await Store.open({ sqlitePath: join(nodeDir, 'data.db') });
      try {
        expect(await sqlite.findUser('ann')).toBeNull();
      } finally {
        await sqlite.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('user add refuses a guessable password with zxcvbn’s advice and creates nothing', async () => {
    const nodeDir = join(dir, 'weak');
    const init = await cli(['init', '--role', 'hub', '--id', 'wi-weakville', '--name', 'Weakville', '--dir', nodeDir]);
    expect(init.code).toBe(0);
    const config = join(nodeDir, 'config.json');
    const add = (password: string) =>
      cli(['user', 'add', '--config', config, '--username', 'ann', '--roles', 'staff', '--password', password]);
    const common = await add('password1234');
    expect(common.code).toBe(2);
    expect(common.err).toMatch(/password too easy to guess .*similar to a commonly used password/);
    const personal = await add('Weakville2024!');
    expect(personal.code).toBe(2);
    expect(personal.err).toMatch(/password too easy to guess/);
    await expect(stat(join(nodeDir, 'data.db'))).rejects.toThrow(/ENOENT/);
  });

  it('user add reports a bad config in one line', async () => {
    const bad = join(dir, 'bad-config.json');
    await writeFile(bad, JSON.stringify({ nodeId: 'x', role: 'city' }));
    const r = await cli([
      'user',
      'add',
      '--config',
      bad,
      '--username',
      'a',
      '--roles',
      'staff',
      '--password',
      'x'.repeat(12),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^citylink: .*bad-config\.json: \w+: /);
    const missing = await cli([
      'user',
      'add',
      '--config',
      join(dir, 'none.json'),
      '--username',
      'a',
      '--roles',
      'staff',
    ]);
    expect(missing.err).toBe(`citylink: file not found: ${join(dir, 'none.json')}`);
  });
});
