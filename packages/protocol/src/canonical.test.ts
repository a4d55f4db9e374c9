import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalBytes, canonicalJson, parseCanonical } from './canonical.js';

const bytesOf = (text: string) => new TextEncoder().encode(text);

/** The IEEE 754 double whose bit pattern is the given 16 hex digits (RFC 8785 Appendix B notation). */
function doubleFromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** A deterministic pseudo-random source, so a shuffled clone can be derived from a fast-check seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deep clone of a JSON value whose object properties are inserted in a shuffled order. */
function shuffledClone(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffledClone(item, random));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  // Object.fromEntries defines own properties, so a "__proto__" key stays an ordinary key.
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffledClone(v, random)]));
}

describe('canonicalJson: RFC 8785 number serialization', () => {
  // RFC 8785 Appendix B: IEEE 754 bit pattern -> expected JSON text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('Appendix B: 0x%s -> %s', (hex, expected) => {
    expect(canonicalJson(doubleFromHex(hex))).toBe(expected);
  });

  // Inputs are number literals as written in the brief and in RFC 8785 Section 3.2.2, parsed by JSON.parse.
  it.each([
    ['1e21', '1e+21'],
    ['1e-7', '1e-7'],
    ['-0', '0'],
    ['333333333.33333329', '333333333.3333333'],
    ['1E30', '1e+30'],
    ['4.50', '4.5'],
    ['2e-3', '0.002'],
    ['0.000001', '0.000001'],
    ['0.000000000000000000000000001', '1e-27'],
    ['100', '100'],
    ['-1.5', '-1.5'],
  ])('%s -> %s', (literal, expected) => {
    expect(canonicalJson(JSON.parse(literal))).toBe(expected);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses %s, also nested', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalizationError);
    expect(() => canonicalJson({ a: [1, value] })).toThrow(CanonicalizationError);
  });

  it('Appendix B NaN and Infinity bit patterns are refused', () => {
    expect(() => canonicalJson(doubleFromHex('7fffffffffffffff'))).toThrow(CanonicalizationError);
    expect(() => canonicalJson(doubleFromHex('7ff0000000000000'))).toThrow(CanonicalizationError);
  });
});

describe('canonicalJson: RFC 8785 samples', () => {
  // Section 3.2.2 input text; JSON.parse applies the number and escape rules the RFC assumes.
  const rfcSample = () =>
    JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);

  it('serializes the Section 3.2.2 sample as printed in Section 3.2.4', () => {
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(rfcSample())).toBe(expected);
  });

  it('produces the Section 3.2.4 UTF-8 bytes of the sample', () => {
    // The hex dump printed in Section 3.2.4.
    const rfcHex = [
      '7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72',
      '75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a',
      '5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31',
      '65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37',
      '5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30',
      '30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d',
    ]
      .join(' ')
      .replaceAll(' ', '');
    expect(Buffer.from(canonicalBytes(rfcSample())).toString('hex')).toBe(rfcHex);
  });

  it('sorts keys by UTF-16 code units (Section 3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const expected =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(canonicalJson(input)).toBe(expected);
  });

  it('orders a surrogate pair before U+FB33 (code units, not code points)', () => {
    // By code point U+1F600 > U+FB33, but its first UTF-16 unit 0xD83D < 0xFB33.
    expect(canonicalJson({ '\ufb33': 1, '\ud83d\ude00': 2 })).toBe('{"\ud83d\ude00":2,"\ufb33":1}');
  });

  it('escapes only what JSON requires, with lowercase hex', () => {
    expect(canonicalJson('\u0000\u001f\b\t\n\f\r"\\/\u007f\u00e9')).toBe(
      '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u00e9"',
    );
  });
});

describe('canonicalJson: structure', () => {
  it('does not depend on property insertion order', () => {
    const a = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('keeps array order and nests arrays and objects without whitespace', () => {
    expect(canonicalJson([3, 1, [2, []], {}, [{ b: [], a: {} }]])).toBe('[3,1,[2,[]],{},[{"a":{},"b":[]}]]');
  });

  it('serializes literals and strings', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson('')).toBe('""');
    expect(canonicalJson({})).toBe('{}');
  });

  it('encodes as UTF-8', () => {
    expect(Array.from(canonicalBytes({ k: '\u00e9\ud83d\ude00' }))).toEqual([
      ...bytesOf('{"k":"'),
      0xc3,
      0xa9,
      0xf0,
      0x9f,
      0x98,
      0x80,
      ...bytesOf('"}'),
    ]);
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a reversed pair', '\ude00\ud83d'],
  ])('refuses %s in a string value or key', (_name, text) => {
    expect(() => canonicalJson(text)).toThrow(CanonicalizationError);
    expect(() => canonicalJson([text])).toThrow(CanonicalizationError);
    expect(() => canonicalJson({ [text]: 1 })).toThrow(CanonicalizationError);
  });

  it('refuses cycles and values without a JSON form', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalizationError);
    expect(() => canonicalJson(undefined)).toThrow(CanonicalizationError);
    expect(() => canonicalJson(10n)).toThrow(CanonicalizationError);
  });
});

describe('parseCanonical', () => {
  const parse = (text: string) => parseCanonical(bytesOf(text));

  it.each([
    '{"a":1,"b":[true,false,null,"x"],"c":{"d":-1.5}}',
    '[]',
    '0',
    '"\u00e9\ud83d\ude00"',
    '"\\u001f\\n"',
    '1e+21',
    '0.000001',
  ])('accepts canonical text %s', (text) => {
    const result = parse(text);
    expect(result).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it('accepts the RFC 8785 Section 3.2.4 output', () => {
    const text = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(parse(text).ok).toBe(true);
  });

  it.each([
    ['a space after a colon', '{"a": 1}'],
    ['a space after a comma', '[1, 2]'],
    ['a trailing newline', '{"a":1}\n'],
    ['leading whitespace', ' {"a":1}'],
    ['unsorted keys', '{"b":1,"a":2}'],
    ['keys sorted by code point instead of code unit', '{"\ufb33":1,"\ud83d\ude00":2}'],
    ['duplicate keys', '{"a":1,"a":1}'],
    ['a trailing zero', '1.0'],
    ['a trailing zero inside an object', '{"n":4.50}'],
    ['an uppercase exponent', '1E30'],
    ['an exponent where JCS writes digits', '2e-3'],
    ['negative zero', '-0'],
    ['an escaped e-acute that JCS writes literally', '"\\u00e9"'],
    ['an escaped solidus', '"\\/"'],
    ['an uppercase hex escape', '"\\u001F"'],
    ['an escaped lone surrogate', '"\\ud800"'],
  ])('refuses %s as not_canonical', (_name, text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'not_canonical' });
  });

  it.each([
    ['empty input', []],
    ['plain text', [...bytesOf('hello')]],
    ['a truncated object', [...bytesOf('{"a":')]],
    ['an invalid UTF-8 byte', [0x22, 0xff, 0x22]],
    ['an overlong UTF-8 encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
    ['a UTF-8 encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['a truncated multi-byte sequence', [0x22, 0xc3, 0x22]],
  ])('refuses %s as not_json', (_name, bytes) => {
    expect(parseCanonical(new Uint8Array(bytes))).toEqual({ ok: false, reason: 'not_json' });
  });

  it('answers (never throws) for nesting too deep to serialize', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(parseCanonical(bytesOf(deep))).toEqual({ ok: false, reason: 'not_canonical' });
    const deepObject = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    expect(parseCanonical(bytesOf(deepObject))).toEqual({ ok: false, reason: 'not_canonical' });
  });

  it('refuses a UTF-8 byte order mark in front of canonical text', () => {
    const result = parseCanonical(new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf('{}')]));
    expect(result.ok).toBe(false);
  });
});

describe('canonical properties', () => {
  it('ignores property order, and its output is accepted by parseCanonical', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), fc.integer(), (value, seed) => {
        const text = canonicalJson(value);
        expect(canonicalJson(shuffledClone(value, seededRandom(seed)))).toBe(text);
        const parsed = parseCanonical(canonicalBytes(value));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(canonicalJson(parsed.value)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts exactly the texts that equal their own canonical form', () => {
    // The reference definition, without parseCanonical's fast path.
    const canonical = (text: string) => {
      try {
        return canonicalJson(JSON.parse(text)) === text;
      } catch {
        return false;
      }
    };
    const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'a\udbff');
    const value = fc.jsonValue({ stringUnit: 'binary' }).chain((v) =>
      fc.oneof(
        fc.constant(v),
        loneSurrogate.map((s) => ({ s, v })),
        fc.constant({ 10: v, 9: 1, b: [v] }),
        fc.constant({ z: 1, a: v }),
      ),
    );
    fc.assert(
      fc.property(value, fc.integer(), fc.constantFrom(0, 1, 2), (v, seed, indent) => {
        for (const text of [
          JSON.stringify(v),
          JSON.stringify(v, null, indent),
          JSON.stringify(shuffledClone(v, seededRandom(seed))),
          canonical(JSON.stringify(v)) ? JSON.stringify(v) : safeCanonical(v),
        ]) {
          if (text === undefined) continue;
          expect(parseCanonical(bytesOf(text)).ok, text).toBe(canonical(text));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });
});

function safeCanonical(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}
