import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInitOptions, parsePort } from '../src/commands/init-options.js';
import { checkPassword, checkUsername, parseRoles } from '../src/commands/user-input.js';
import { UsageError } from '../src/errors.js';
import { parseNodeUrl } from '../src/node-url.js';
import { run } from '../src/program.js';
import { captureIo } from './capture-io.js';

/** A port nothing listens on: bound by us a moment ago, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the CLI in-process with no network: every case here fails before it would connect. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { io, out, err } = captureIo(env);
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citylink-args-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('exit codes and one-line messages', () => {
  it('prints help with exit 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/demo.*\n.*\n?.*post/s);
  });

  it('exits 2 on an unknown command or a missing required option', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const r = await cli(['post', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--node <url>'");
  });

  it('exits 2 on a node URL that is not http(s)', async () => {
    const r = await cli(['feed', '--node', 'localhost:4001', '--user', 'a', '--password', 'b']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^citylink: --node: .*(not a URL|http)/);
    expect((await cli(['feed', '--node', 'ftp://x.example'])).code).toBe(2);
  });

  it('exits 2 without credentials, and takes them from the environment', async () => {
    const none = await cli(['post', 'x.json', '--node', 'http://127.0.0.1:9']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('CITYLINK_USER');
    const fromEnv = await cli(['post', join(dir, 'missing.json'), '--node', 'http://127.0.0.1:9'], {
      CITYLINK_USER: 'staff',
      CITYLINK_PASSWORD: 'long enough password',
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.err).toBe(`citylink: file not found: ${join(dir, 'missing.json')}`);
  });

  it('exits 1 with the reason on a post file that is not JSON or lacks fields', async () => {
    const creds = ['--node', 'http://127.0.0.1:9', '--user', 'u', '--password', 'p'];
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{ "tlp": ');
    const r1 = await cli(['post', notJson, ...creds]);
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/not valid JSON/);
    const noBody = join(dir, 'nobody.json');
    await writeFile(noBody, JSON.stringify({ tlp: 'GREEN', audience: ['*'] }));
    const r2 = await cli(['post', noBody, ...creds]);
    expect(r2.err).toMatch(/body is required/);
    const badKind = join(dir, 'kind.json');
    await writeFile(badKind, JSON.stringify({ kind: 'poem', tlp: 'GREEN', audience: ['*'], body: {} }));
    expect((await cli(['post', badKind, ...creds])).err).toMatch(/kind must be "bulletin" or "note"/);
  });

  it('exits 1 naming the URL when the node is unreachable', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify({ tlp: 'GREEN', audience: ['*'], body: { title: 't' } }));
    const port = await closedPort();
    const r = await cli(['post', file, '--node', `http://127.0.0.1:${port}`, '--user', 'u', '--password', 'p']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`citylink: cannot reach the node at http://127.0.0.1:${port} (ECONNREFUSED); is it running?`);
  });

  it('verify needs a key source', async () => {
    const r = await cli(['verify']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--node');
    expect((await cli(['verify', '--keys', 'BAD ID=http://x'])).code).toBe(2);
  });

  it('init validates role, ids, port and the hub options', async () => {
    const base = ['init', '--id', 'wi-x', '--name', 'X', '--dir', join(dir, 'n')];
    expect((await cli([...base, '--role', 'town'])).code).toBe(2);
    expect((await cli([...base, '--role', 'city'])).err).toContain('--hub-url');
    expect((await cli([...base, '--role', 'hub', '--hub-url', 'http://h'])).code).toBe(2);
    expect((await cli([...base, '--role', 'hub', '--port', '70000'])).code).toBe(2);
    expect((await cli(['init', '--role', 'hub', '--id', 'WI X', '--name', 'X', '--dir', dir])).code).toBe(2);
  });

  it('user add refuses short passwords and unknown roles before touching any file', async () => {
    const base = ['user', 'add', '--config', join(dir, 'nope.json'), '--username', 'ann'];
    const short = await cli([...base, '--roles', 'staff', '--password', 'short']);
    expect(short.code).toBe(2);
    expect(short.err).toContain('at least 12 characters');
    const role = await cli([...base, '--roles', 'staff,king', '--password', 'long enough password']);
    expect(role.code).toBe(2);
    expect(role.err).toContain('unknown role(s) king');
    const both = await cli([...base, '--roles', 'staff', '--password', 'long enough password', '--password-stdin']);
    expect(both.code).toBe(2);
  });

  it('demo validates --base-port', async () => {
    expect((await cli(['demo', '--base-port', 'abc', '--dir', join(dir, 'd')])).code).toBe(2);
    expect((await cli(['demo', '--base-port', '65534', '--dir', join(dir, 'd')])).code).toBe(2);
  });
});

describe('argument parsers', () => {
  it('parseNodeUrl keeps http(s) URLs without a trailing slash', () => {
    expect(parseNodeUrl('http://127.0.0.1:4001/')).toBe('http://127.0.0.1:4001');
    expect(parseNodeUrl('https://city.example/citylink/')).toBe('https://city.example/citylink');
    expect(() => parseNodeUrl('127.0.0.1:4001')).toThrow(UsageError);
    expect(() => parseNodeUrl('http://x?y=1')).toThrow(/query/);
  });

  it('parsePort accepts 1-65535 only', () => {
    expect(parsePort('4000')).toBe(4000);
    for (const bad of ['0', '65536', '-1', '40.5', '4e3', '']) expect(() => parsePort(bad)).toThrow(UsageError);
  });

  it('parseRoles checks every role and drops duplicates', () => {
    const allowed = ['staff', 'signer', 'admin'] as const;
    expect(parseRoles(' staff, signer ,staff', allowed)).toEqual(['staff', 'signer']);
    expect(() => parseRoles('', allowed)).toThrow(/at least one/);
    expect(() => parseRoles('staff,root', allowed)).toThrow(/root/);
  });

  it('checkUsername and checkPassword', () => {
    expect(checkUsername('j.doe@madison')).toBe('j.doe@madison');
    expect(() => checkUsername('has space')).toThrow(UsageError);
    expect(() => checkUsername('')).toThrow(UsageError);
    expect(checkPassword('x'.repeat(12))).toHaveLength(12);
    expect(() => checkPassword('x'.repeat(11))).toThrow(/at least 12/);
  });

  it('parseInitOptions applies the documented defaults', () => {
    const hub = parseInitOptions({ role: 'hub', id: 'wi-hub', name: ' WEC ', dir: 'd' });
    expect(hub).toEqual({ role: 'hub', id: 'wi-hub', name: 'WEC', dir: 'd', host: '127.0.0.1', port: 4000 });
    const city = parseInitOptions({
      role: 'city',
      id: 'wi-x',
      name: 'X',
      dir: 'd',
      hubUrl: 'https://hub.example/',
      hubJwk: 'hub.json',
      port: '5000',
    });
    expect(city).toMatchObject({ port: 5000, hub: { url: 'https://hub.example', jwk: 'hub.json' } });
    expect(parseInitOptions({ role: 'city', id: 'c', name: 'C', dir: 'd', hubUrl: 'http://h', hubJwk: 'k' }).port).toBe(
      4001,
    );
  });
});
