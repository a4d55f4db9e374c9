import { generateNodeKey } from '@citylink/crypto';
import { describe, expect, it } from 'vitest';
import { type FeedEntry, feedHumanLine, feedJsonLine } from '../src/commands/feed-format.js';
import { parseHubKeys, UNKNOWN_VALID_FROM } from '../src/commands/hub-keys.js';
import { parsePostInput } from '../src/commands/post-input.js';
import { formatLogLine } from '../src/demo/log-format.js';
import { CliError } from '../src/errors.js';

const entry = {
  seq: 7,
  id: 'A'.repeat(43),
  kind: 'bulletin',
  origin: 'wi-madison',
  created: '2026-03-01T10:00:00.000Z',
  tlp: 'GREEN',
  audience: ['*'],
  target: null,
  object: {
    v: 1,
    kind: 'bulletin',
    origin: 'wi-madison',
    created: '2026-03-01T10:00:00.000Z',
    tlp: 'GREEN',
    audience: ['*'],
    body: { title: 'Phishing wave', narrative: 'n', category: 'cyber.phishing', severity: 'medium' },
  },
  jws: 'h.p.s',
} as FeedEntry;

describe('feed lines', () => {
  it('--json prints the whole entry on one line', () => {
    const line = feedJsonLine(entry);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(entry);
  });

  it('the human line has created, origin, kind, tlp, title and id', () => {
    expect(feedHumanLine(entry)).toBe(
      `2026-03-01T10:00:00.000Z  wi-madison  bulletin  GREEN  [medium cyber.phishing] "Phishing wave"  ${'A'.repeat(43)}`,
    );
    const ack = { ...entry, kind: 'acknowledgement', target: 'B'.repeat(43), object: { body: {} } } as FeedEntry;
    expect(feedHumanLine(ack)).toContain(`about ${'B'.repeat(43)}`);
  });
});

describe('demo log lines', () => {
  it('shows pino JSON as time, node, level, message and fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.parse('2026-03-01T10:00:05Z'),
      pid: 1,
      hostname: 'h',
      node: 'wi-hub',
      msg: 'pull failed',
      peer: 'wi-madison',
      err: 'fetch failed',
    });
    expect(formatLogLine('wi-hub', line, { width: 12 })).toBe(
      '10:00:05 wi-hub       WARN  pull failed peer=wi-madison err="fetch failed"',
    );
  });

  it('passes anything else through, prefixed', () => {
    expect(formatLogLine('wi-madison', 'Error: boom', { width: 10 })).toBe('wi-madison | Error: boom');
    expect(formatLogLine('x', '{"not":"pino"}', { width: 1 })).toBe('x | {"not":"pino"}');
  });

  it('truncates long values', () => {
    const line = JSON.stringify({ level: 30, time: 0, msg: 'm', big: 'x'.repeat(500) });
    expect(formatLogLine('n', line, { width: 1 }).length).toBeLessThan(200);
  });
});

describe('post files', () => {
  it('defaults kind to bulletin and keeps only known fields', () => {
    const parsed = parsePostInput({ tlp: 'GREEN', audience: ['*'], body: { title: 't' } }, 'f.json');
    expect(parsed).toEqual({ kind: 'bulletin', input: { tlp: 'GREEN', audience: ['*'], body: { title: 't' } } });
    const note = parsePostInput(
      { kind: 'note', tlp: 'RED', audience: ['wi-hub'], recipients: [{ node: 'wi-hub', user: 'o' }], body: {} },
      'f.json',
    );
    expect(note.kind).toBe('note');
    expect(note.input.recipients).toEqual([{ node: 'wi-hub', user: 'o' }]);
  });

  it('names what is wrong', () => {
    expect(() => parsePostInput([], 'f.json')).toThrow(CliError);
    expect(() => parsePostInput({ tlp: 'GREEN', audience: '*', body: {} }, 'f.json')).toThrow(/audience/);
    expect(() => parsePostInput({ tlp: 'GREEN', audience: [], body: {}, titel: 'x' }, 'f.json')).toThrow(/titel/);
  });
});

describe('hub keys for init --hub-jwk', () => {
  it('accepts a member record, a JWKS, a key record and a bare JWK', async () => {
    const key = await generateNodeKey(new Date('2026-01-01T00:00:00Z'));
    const record = { kid: key.kid, jwk: key.publicJwk, validFrom: key.created };
    const expected = [{ jwk: key.publicJwk, validFrom: key.created }];
    expect(await parseHubKeys({ node: 'wi-hub', keys: [record] }, 's')).toEqual({ node: 'wi-hub', keys: expected });
    const jwks = { keys: [{ ...key.publicJwk, kid: key.kid, alg: 'EdDSA', validFrom: key.created }] };
    expect(await parseHubKeys(jwks, 's')).toEqual({ keys: expected });
    expect(await parseHubKeys(record, 's')).toEqual({ keys: expected });
    expect(await parseHubKeys(key.publicJwk, 's')).toEqual({
      keys: [{ jwk: key.publicJwk, validFrom: UNKNOWN_VALID_FROM }],
    });
  });

  it('refuses a wrong kid, a private key and non-Ed25519 keys', async () => {
    const key = await generateNodeKey();
    await expect(parseHubKeys({ ...key.publicJwk, kid: 'x'.repeat(43) }, 's')).rejects.toThrow(/thumbprint/);
    await expect(parseHubKeys({ ...key.publicJwk, d: 'secret' }, 's')).rejects.toThrow(/private/);
    await expect(parseHubKeys({ kty: 'RSA', n: 'x', e: 'AQAB' }, 's')).rejects.toThrow(/Ed25519/);
    await expect(parseHubKeys({ keys: [] }, 's')).rejects.toThrow(/no keys/);
  });
});
