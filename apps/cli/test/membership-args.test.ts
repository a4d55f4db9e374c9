import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateNodeKey, type NodeKey } from '@citylink/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHubKey } from '../src/commands/hub-trust.js';
import { keyState } from '../src/commands/keys.js';
import {
  parseAt,
  parseCityProfile,
  parseEnrollmentId,
  parseKid,
  parseNodeId,
} from '../src/commands/membership-options.js';
import { UsageError } from '../src/errors.js';
import { run } from '../src/program.js';
import { renderTable } from '../src/table.js';
import { captureIo } from './capture-io.js';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { io, out, err } = captureIo(env);
  const code = await run(['node', 'citylink', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const KID = 'A'.repeat(43);

describe('membership arguments', () => {
  it('parses --county and --population, refusing what the roster would refuse', () => {
    expect(parseCityProfile({})).toEqual({});
    expect(parseCityProfile({ county: ' St. Croix ', population: '84,345' })).toEqual({
      county: 'St. Croix',
      population: 84_345,
    });
    expect(() => parseCityProfile({ county: 'Dane County' })).toThrow(/--county: "Dane County" is not a county name/);
    for (const bad of ['0', '-3', '1.5', 'many', '']) {
      expect(() => parseCityProfile({ population: bad })).toThrow(/--population: .* is not a positive whole number/);
    }
  });

  it('enroll and hub approve refuse a bad --county or --population before calling any node (exit 2)', async () => {
    const enroll = await cli([
      'enroll',
      '--node',
      'http://127.0.0.1:9',
      '--contact',
      'clerk@x.example',
      '--population',
      '0',
    ]);
    expect(enroll.code).toBe(2);
    expect(enroll.err).toMatch(/--population: "0"/);
    const approve = await cli(['hub', 'approve', KID, '--node', 'http://127.0.0.1:9', '--county', 'Dane County']);
    expect(approve.code).toBe(2);
    expect(approve.err).toMatch(/--county: "Dane County"/);
  });

  it('parses fingerprints, node ids, enrollment ids and --at', () => {
    expect(parseKid(` ${KID} `)).toBe(KID);
    expect(() => parseKid('abc', '--hub-fingerprint')).toThrow(/--hub-fingerprint: "abc" is not a key fingerprint/);
    expect(parseNodeId('wi-eau-claire')).toBe('wi-eau-claire');
    expect(() => parseNodeId('Eau Claire')).toThrow(UsageError);
    expect(parseEnrollmentId(KID)).toBe(KID);
    expect(() => parseEnrollmentId('x')).toThrow(UsageError);
    expect(parseAt('2026-05-01T12:00:00Z')).toBe('2026-05-01T12:00:00.000Z');
    expect(parseAt('2026-05-01T07:00:00-05:00')).toBe('2026-05-01T12:00:00.000Z');
    expect(() => parseAt('2026-05-01')).toThrow(/time zone/);
    expect(() => parseAt('2026-05-01T12:00:00')).toThrow(/time zone/);
    expect(() => parseAt('2026-13-01T12:00:00Z')).toThrow(UsageError);
  });

  it('refuses bad arguments with exit 2 before connecting', async () => {
    const creds = ['--node', 'http://127.0.0.1:9', '--user', 'u', '--password', 'p'];
    expect((await cli(['hub', 'approve', 'nope', ...creds])).err).toMatch(/^citylink: ID: "nope" is not an enrollment/);
    expect((await cli(['hub', 'revoke', 'wi-x', '--at', 'yesterday', ...creds])).code).toBe(2);
    expect((await cli(['hub', 'revoke-key', 'wi-x', 'short', ...creds])).code).toBe(2);
    expect((await cli(['hub', 'reject', KID, ...creds])).err).toContain("required option '--reason <text>'");
    // An id is base64url and may start with '-': after `--` it is the id, not an option.
    const dashed = `-${KID.slice(1)}`;
    expect((await cli(['hub', 'approve', dashed, ...creds])).err).toContain(`unknown option '${dashed}'`);
    const approved = await cli(['hub', 'approve', ...creds, '--', dashed]);
    expect(approved.err).not.toContain('unknown option');
    expect(approved.err).not.toContain('is not an enrollment');
    expect((await cli(['hub', 'set-url', 'wi-x', 'ftp://x', ...creds])).code).toBe(2);
    expect((await cli(['hub', 'members', '--node', 'http://127.0.0.1:9'])).err).toContain('CITYLINK_USER');
    const noContact = await cli(['enroll', ...creds]);
    expect(noContact.code).toBe(2);
    expect(noContact.err).toContain('--contact EMAIL');
    expect((await cli(['enroll', 'status', '--user', 'u', '--password', 'p'])).code).toBe(2);
    expect((await cli(['audit', '--limit', '0', ...creds])).err).toContain('--limit');
    expect((await cli(['verify', '--roster'])).err).toContain('--roster needs --node');
    expect((await cli(['verify', '--roster', '--peer', 'http://a', ...creds])).err).toContain('leave out --peer');
    expect((await cli(['verify', '--node', 'http://a', '--hub-fingerprint', KID])).err).toContain('only with --roster');
    const init = await cli(['init', '--role', 'city', '--id', 'wi-x', '--name', 'X', '--dir', '/nonexistent/x']);
    expect(init.err).toContain('--hub-fingerprint KID');
    const hubFp = await cli([
      'init',
      '--role',
      'hub',
      '--id',
      'wi-h',
      '--name',
      'H',
      '--dir',
      'd',
      '--hub-fingerprint',
      KID,
    ]);
    expect(hubFp.err).toContain('--hub-fingerprint: only for --role city');
  });

  it('enroll status and hub commands report an unreachable node in one line, exit 1', async () => {
    const r = await cli(['enroll', 'status', '--node', 'http://127.0.0.1:9', '--user', 'u', '--password', 'p']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^citylink: cannot reach the node at http:\/\/127\.0\.0\.1:9 /);
  });
});

describe('tables and key states', () => {
  it('renderTable pads columns and trims line ends', () => {
    expect(
      renderTable([
        ['a', 'bb', 'c'],
        ['ccc', 'd', ''],
      ]),
    ).toEqual(['a    bb  c', 'ccc  d']);
    expect(renderTable([])).toEqual([]);
  });

  it('keyState follows the validity window', async () => {
    const k = { kid: KID, jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' } as const, validFrom: '2026-01-01T00:00:00.000Z' };
    const at = (iso: string) => new Date(iso);
    expect(keyState(k, at('2026-02-01T00:00:00Z'))).toBe('current');
    expect(keyState(k, at('2025-12-31T00:00:00Z'))).toBe('not yet valid');
    expect(keyState({ ...k, validUntil: '2026-03-01T00:00:00.000Z' }, at('2026-03-01T00:00:00Z'))).toBe('retired');
    expect(keyState({ ...k, revokedAt: '2026-03-01T00:00:00.000Z' }, at('2026-02-01T00:00:00Z'))).toBe(
      'current (revoked from 2026-03-01T00:00:00.000Z)',
    );
    expect(keyState({ ...k, revokedAt: '2026-03-01T00:00:00.000Z' }, at('2026-04-01T00:00:00Z'))).toBe('revoked');
    expect(keyState({ ...k, compromised: true }, at('2026-02-01T00:00:00Z'))).toBe('compromised');
  });
});

describe('fetchHubKey: the fingerprint is checked against the key itself, not its label', () => {
  let key: NodeKey;
  let other: NodeKey;
  let server: Server;
  let base: string;
  /** What the fake hub serves at /.well-known/jwks.json. */
  let jwks: unknown;
  let role = 'hub';

  beforeAll(async () => {
    key = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
    other = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/jwks.json') return res.end(JSON.stringify(jwks));
      if (req.url === '/.well-known/citylink-node.json') {
        return res.end(JSON.stringify({ node: 'wi-hub', role, network: 'wi', hub: 'wi-hub' }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const entry = (k: NodeKey, kid = k.kid, extra: object = {}) => ({
    ...k.publicJwk,
    kid,
    alg: 'EdDSA',
    use: 'sig',
    validFrom: k.created,
    ...extra,
  });

  it('returns the key, its hub and network when the fingerprint matches', async () => {
    role = 'hub';
    jwks = { keys: [entry(other), entry(key)] };
    const { io, out, err } = captureIo();
    const found = await fetchHubKey(base, key.kid, io);
    expect(found).toEqual({
      node: 'wi-hub',
      network: 'wi',
      kid: key.kid,
      key: { jwk: key.publicJwk, validFrom: key.created },
    });
    expect(out).toEqual([]);
    expect(err.at(-1)).toContain('it matches the fingerprint');
  });

  it('names the expected and found fingerprints when the key is absent', async () => {
    jwks = { keys: [entry(other)] };
    await expect(fetchHubKey(base, key.kid, captureIo().io)).rejects.toThrow(
      `the hub at ${base} does not present key ${key.kid} (expected ${key.kid}, found ${other.kid}); check the fingerprint with the hub operator`,
    );
  });

  it('refuses a key labelled with the fingerprint whose thumbprint differs', async () => {
    jwks = { keys: [entry(other, key.kid)] };
    await expect(fetchHubKey(base, key.kid, captureIo().io)).rejects.toThrow(
      `labels a key ${key.kid} but its thumbprint is ${other.kid} (expected ${key.kid})`,
    );
  });

  it('refuses a revoked hub key and a node that is not a hub', async () => {
    jwks = { keys: [entry(key, key.kid, { revokedAt: '2026-02-01T00:00:00.000Z' })] };
    await expect(fetchHubKey(base, key.kid, captureIo().io)).rejects.toThrow(/revoked its key/);
    role = 'city';
    jwks = { keys: [entry(key)] };
    await expect(fetchHubKey(base, key.kid, captureIo().io)).rejects.toThrow(/a city node, not the hub/);
    role = 'hub';
  });
});
