import {
  ATTACK_VECTORS,
  type Bulletin,
  base64url,
  canonicalBytes,
  INCIDENT_CODES,
  JURISDICTION_SIZES,
  NOTE_TOPICS,
  type Note,
  objectIdOf,
  SEVERITIES,
  type SignedObject,
} from '@citylink/protocol';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64urlStrict } from '../src/fast-encoding.js';
import { type KeyRing, type NodeKey, signObject, type VerifyOptions, verifyObject } from '../src/index.js';
import { CREATED, NOW, newKey, rawJws, ringOf, segments } from './fixtures.js';

const NODES = ['wi-madison', 'wi-milwaukee', 'wi-green-bay', 'mn-duluth'] as const;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

let key: NodeKey;
let ring: KeyRing;
let opts: VerifyOptions;
beforeAll(async () => {
  key = await newKey();
  ring = ringOf(...NODES.map((node) => ({ node, key })));
  opts = { resolveKey: ring.resolve, now: NOW };
});

// ------------------------------------------------------------------ arbitraries

/** Non-blank text without surrounding spaces (the schema trims; trimmed input signs unchanged). */
const text = (max = 80) =>
  fc
    .stringMatching(new RegExp(`^[A-Za-z0-9 .,!?-]{1,${max}}$`))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
const nodeId = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/);
const iso = (min: string, max: string) =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString());

const marking = fc.oneof(
  fc.record({ tlp: fc.constantFrom('CLEAR' as const, 'GREEN' as const), audience: fc.constant(['*'] as string[]) }),
  fc.record({
    tlp: fc.constantFrom('CLEAR' as const, 'GREEN' as const, 'AMBER' as const, 'AMBER+STRICT' as const),
    audience: fc.uniqueArray(nodeId, { maxLength: 4 }),
  }),
  fc
    .tuple(fc.uniqueArray(nodeId, { minLength: 1, maxLength: 3 }), fc.array(text(20), { minLength: 1, maxLength: 3 }))
    .map(([audience, users]) => ({
      tlp: 'RED' as const,
      audience,
      recipients: users.map((user, i) => ({ node: audience[i % audience.length] as string, user })),
    })),
);

const envelope = fc.record(
  {
    origin: fc.constantFrom(...NODES),
    created: iso('2026-01-01T00:00:00Z', NOW.toISOString()),
    expires: iso('2026-11-04T00:00:00Z', '2030-01-01T00:00:00Z'),
    marking,
  },
  { requiredKeys: ['origin', 'created', 'marking'] },
);

const bulletinArb: fc.Arbitrary<Bulletin> = fc
  .tuple(
    envelope,
    fc.record(
      {
        title: text(),
        narrative: text(200),
        category: fc.constantFrom(...INCIDENT_CODES),
        severity: fc.constantFrom(...(Object.keys(SEVERITIES) as (keyof typeof SEVERITIES)[])),
        attackVector: fc.constantFrom(...(Object.keys(ATTACK_VECTORS) as (keyof typeof ATTACK_VECTORS)[])),
        observedAt: iso('2026-01-01T00:00:00Z', CREATED),
        affected: fc.record({ voters: fc.nat(1_000_000_000), staff: fc.nat(1000) }, { requiredKeys: [] }),
        indicators: fc.array(
          fc.record(
            {
              type: fc.constantFrom('domain' as const, 'ip' as const, 'url' as const),
              value: text(),
              note: fc.string({ maxLength: 100 }),
            },
            { requiredKeys: ['type', 'value'] },
          ),
          { maxLength: 3 },
        ),
        informed: fc.array(text(30), { maxLength: 3 }),
      },
      { requiredKeys: ['title', 'narrative', 'category', 'severity'] },
    ),
  )
  .map(([{ marking, ...env }, body]) => ({ v: 1 as const, kind: 'bulletin' as const, ...env, ...marking, body }));

const noteArb: fc.Arbitrary<Note> = fc
  .tuple(
    envelope,
    fc.record(
      {
        topic: fc.constantFrom(...(Object.keys(NOTE_TOPICS) as (keyof typeof NOTE_TOPICS)[])),
        title: text(),
        problem: text(200),
        whatWorked: text(200),
        whatDidNot: fc.string({ maxLength: 100 }),
        cost: fc.string({ maxLength: 20 }),
        jurisdictionSize: fc.constantFrom(...(Object.keys(JURISDICTION_SIZES) as (keyof typeof JURISDICTION_SIZES)[])),
      },
      { requiredKeys: ['topic', 'title', 'problem', 'whatWorked', 'jurisdictionSize'] },
    ),
  )
  .map(([{ marking, ...env }, body]) => ({ v: 1 as const, kind: 'note' as const, ...env, ...marking, body }));

const objectArb: fc.Arbitrary<SignedObject> = fc.oneof(bulletinArb, noteArb);

/** Deterministic shuffle of every object's keys, at every depth. */
function reorder(value: unknown, seed: number): unknown {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

// ------------------------------------------------------------------ properties

describe('properties', () => {
  it('every valid bulletin or note signs and verifies to the same object and id', async () => {
    await fc.assert(
      fc.asyncProperty(objectArb, async (object) => {
        const signed = await signObject(object, key);
        expect(signed.object).toEqual(object);
        const result = await verifyObject(signed.jws, opts);
        expect(result).toMatchObject({ ok: true, id: signed.id, kind: object.kind, kid: key.kid });
        if (!result.ok) return;
        expect(result.id).toBe(objectIdOf(object));
        expect(result.object).toEqual(object);
        expect(result.payload).toEqual(canonicalBytes(object));
      }),
      { numRuns: 80 },
    );
  });

  it('changing any single character of a signed object never verifies', async () => {
    const signed = await Promise.all([
      signObject(
        {
          v: 1,
          kind: 'note',
          origin: 'wi-madison',
          created: CREATED,
          tlp: 'CLEAR',
          audience: ['*'],
          body: { topic: 'mail-handling', title: 'T', problem: 'P', whatWorked: 'W', jurisdictionSize: 's' },
        },
        key,
      ),
      signObject(
        {
          v: 1,
          kind: 'bulletin',
          origin: 'wi-milwaukee',
          created: CREATED,
          tlp: 'AMBER',
          audience: ['wi-madison'],
          body: { title: 'Outage', narrative: 'Pollbook outage.', category: 'equipment.malfunction', severity: 'high' },
        },
        key,
      ),
    ]);
    for (const s of signed) expect((await verifyObject(s.jws, opts)).ok).toBe(true);
    const mutation = fc
      .tuple(fc.constantFrom(...signed.map((s) => s.jws)), fc.nat(), fc.constantFrom(...`${B64URL}.`))
      .map(([jws, n, c]) => ({ jws, at: n % jws.length, c }))
      .filter(({ jws, at, c }) => jws[at] !== c);
    await fc.assert(
      fc.asyncProperty(mutation, async ({ jws, at, c }) => {
        const mutated = `${jws.slice(0, at)}${c}${jws.slice(at + 1)}`;
        expect(mutated).not.toBe(jws);
        const result = await verifyObject(mutated, opts);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the order of keys in the input does not change the signed bytes or the id', async () => {
    await fc.assert(
      fc.asyncProperty(objectArb, fc.integer(), async (object, seed) => {
        const shuffled = reorder(object, seed) as SignedObject;
        expect(shuffled).toEqual(object);
        const [a, b] = await Promise.all([signObject(object, key), signObject(shuffled, key)]);
        expect(b.id).toBe(a.id);
        expect(b.id).toBe(objectIdOf(object));
        expect(b.payload).toEqual(a.payload);
        expect(segments(b.jws)[1]).toBe(segments(a.jws)[1]);
      }),
      { numRuns: 50 },
    );
  });

  it('arbitrary JSON values and strings never throw and never verify', async () => {
    const junk = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.string({ unit: fc.constantFrom(...`${B64URL}.=+/ `) }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (value) => {
        const result = await verifyObject(value, opts);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.detail.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('JWS-shaped junk with arbitrary JSON header and payload, genuinely signed, never throws or verifies', async () => {
    const header = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          alg: fc.constantFrom('EdDSA', 'none', 'HS256'),
          typ: fc.constantFrom('citylink.bulletin+jws', 'citylink.note+jws', 'JWT'),
          kid: fc.oneof(fc.constant(key.kid), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(header, fc.jsonValue(), async (h, p) => {
        const jws = await rawJws(JSON.stringify(h), canonicalBytes(p), key.privateKey);
        const result = await verifyObject(jws, opts);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('the native base64url decoder agrees with the portable one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = base64url.encode(bytes);
        expect(decodeBase64urlStrict(text)).toEqual(bytes);
        expect(base64url.decode(text)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...`${B64URL}=+/`), maxLength: 12 }), (text) => {
        let portable: Uint8Array | undefined;
        try {
          portable = base64url.decode(text);
        } catch {
          portable = undefined;
        }
        expect(decodeBase64urlStrict(text)).toEqual(portable);
      }),
      { numRuns: 2000 },
    );
  });

  it('both decoders refuse non-zero trailing bits', () => {
    const withTrailingBits = fc
      .uint8Array({ minLength: 1, maxLength: 60 })
      .filter((b) => b.length % 3 !== 0)
      .chain((bytes) => {
        const text = base64url.encode(bytes);
        const spare = bytes.length % 3 === 1 ? 0x0f : 0x03;
        const last = B64URL.indexOf(text.at(-1) as string);
        return fc
          .integer({ min: 1, max: spare })
          .map((bits) => `${text.slice(0, -1)}${B64URL[(last & ~spare) | bits]}`);
      });
    fc.assert(
      fc.property(withTrailingBits, (text) => {
        expect(decodeBase64urlStrict(text)).toBeUndefined();
        expect(() => base64url.decode(text)).toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
