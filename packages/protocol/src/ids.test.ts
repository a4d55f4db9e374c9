import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { base64url, sha256Base64url, utf8 } from './encoding.js';
import { objectIdOf, objectIdOfPayload } from './ids.js';

const nodeSha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('base64url');

const sample = {
  v: 1,
  kind: 'endorsement',
  origin: 'wi-madison',
  created: '2024-10-01T12:00:00Z',
  tlp: 'GREEN',
  audience: ['*'],
  body: { target: 'A'.repeat(43), comment: 'Seen here too \u00e9' },
};
const sampleCanonicalText =
  '{"audience":["*"],"body":{"comment":"Seen here too \u00e9","target":"' +
  'A'.repeat(43) +
  '"},"created":"2024-10-01T12:00:00Z","kind":"endorsement","origin":"wi-madison","tlp":"GREEN","v":1}';

describe('objectIdOf', () => {
  it('is the base64url SHA-256 of the canonical UTF-8 bytes', () => {
    expect(objectIdOf(sample)).toBe(nodeSha256(Buffer.from(sampleCanonicalText, 'utf8')));
  });

  it('matches objectIdOfPayload over the same bytes', () => {
    expect(objectIdOfPayload(new TextEncoder().encode(sampleCanonicalText))).toBe(objectIdOf(sample));
  });

  it('hashes exactly the given payload bytes (no re-canonicalization)', () => {
    const spaced = new TextEncoder().encode('{"a": 1}');
    expect(objectIdOfPayload(spaced)).toBe(nodeSha256('{"a": 1}'));
    expect(objectIdOfPayload(spaced)).not.toBe(objectIdOf({ a: 1 }));
  });

  it('is 43 base64url characters without padding', () => {
    const id = objectIdOf(sample);
    expect(id).toHaveLength(43);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('does not depend on key order', () => {
    const reordered = {
      body: { comment: sample.body.comment, target: sample.body.target },
      tlp: sample.tlp,
      audience: sample.audience,
      origin: sample.origin,
      kind: sample.kind,
      created: sample.created,
      v: sample.v,
    };
    expect(objectIdOf(reordered)).toBe(objectIdOf(sample));
  });

  it.each([
    ['v', { ...sample, v: 2 }],
    ['kind', { ...sample, kind: 'acknowledgement' }],
    ['origin', { ...sample, origin: 'wi-green-bay' }],
    ['created', { ...sample, created: '2024-10-01T12:00:01Z' }],
    ['tlp', { ...sample, tlp: 'CLEAR' }],
    ['audience', { ...sample, audience: ['wi-green-bay'] }],
    ['an added field', { ...sample, expires: '2024-10-02T12:00:00Z' }],
    ['body.target', { ...sample, body: { ...sample.body, target: 'B'.repeat(43) } }],
    ['body.comment', { ...sample, body: { ...sample.body, comment: 'Seen here too e' } }],
    ['a removed body field', { ...sample, body: { target: sample.body.target } }],
  ])('changes when %s changes', (_field, changed) => {
    expect(objectIdOf(changed)).not.toBe(objectIdOf(sample));
  });

  it('is the SHA-256 of canonicalJson for arbitrary JSON, and differs when the canonical text differs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(objectIdOf(a)).toBe(nodeSha256(Buffer.from(canonicalJson(a), 'utf8')));
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(objectIdOf(a)).not.toBe(objectIdOf(b));
      }),
    );
  });
});

describe('sha256Base64url', () => {
  it.each([
    ['', '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'],
    ['abc', 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'],
  ])('hashes %j to the published SHA-256 digest', (input, expected) => {
    expect(sha256Base64url(new TextEncoder().encode(input))).toBe(expected);
  });

  it('agrees with node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(sha256Base64url(bytes)).toBe(nodeSha256(bytes));
      }),
    );
  });
});

describe('base64url', () => {
  it.each([
    [[], ''],
    [[0x00], 'AA'],
    [[0x01], 'AQ'],
    [[0x00, 0x01], 'AAE'],
    [[0x12, 0xab], 'Eqs'],
    [[0xfb, 0xff], '-_8'],
    [[0xfb, 0xff, 0xbf], '-_-_'],
    [[...new TextEncoder().encode('hello')], 'aGVsbG8'],
  ])('encodes %j as %s and decodes it back', (bytes, text) => {
    expect(base64url.encode(new Uint8Array(bytes))).toBe(text);
    expect(Array.from(base64url.decode(text))).toEqual(bytes);
  });

  it.each([
    ['padding', 'AA=='],
    ['a single padding character', 'AAE='],
    ["standard alphabet '+' and '/'", '+/8'],
    ["standard alphabet '+'", '+_8'],
    ["standard alphabet '/'", '-/8'],
    ['non-zero trailing bits after one byte', 'AB'],
    ['non-zero trailing bits after one byte (last bit)', 'AR'],
    ['non-zero trailing bits after two bytes', 'AAF'],
    ['a length that cannot carry whole bytes', 'A'],
    ['a length that cannot carry whole bytes (5)', 'AAAAA'],
    ['a space', 'AA A'],
    ['a trailing newline', 'AA\n'],
    ['a non-alphabet character', 'A*'],
  ])('refuses %s (%j)', (_name, text) => {
    expect(() => base64url.decode(text)).toThrow();
  });

  it('round-trips arbitrary bytes and matches Node base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = base64url.encode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(base64url.decode(text)).toEqual(bytes);
      }),
    );
  });
});

describe('utf8', () => {
  it('round-trips text including astral characters', () => {
    const text = 'Caf\u00e9 \ud83d\uddf3\ufe0f';
    expect(utf8.decode(utf8.encode(text))).toBe(text);
    expect(Array.from(utf8.encode('\u00e9'))).toEqual([0xc3, 0xa9]);
  });

  it.each([
    ['an invalid byte', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('refuses %s', (_name, bytes) => {
    expect(() => utf8.decode(new Uint8Array(bytes))).toThrow();
  });
});
