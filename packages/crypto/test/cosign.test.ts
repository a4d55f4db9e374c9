import { base64url, objectIdOf, type StatementText, sha256Base64url, utf8 } from '@citylink/protocol';
import { generalVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assembleGeneralJws,
  COSIGN_TYP,
  type CosignatureEntry,
  cosign,
  type GeneralJws,
  type NodeKey,
  type SignatureBlock,
  statementTextBytes,
  verifyCosignatures,
} from '../src/index.js';
import { decodeSegment, newKey, ringOf } from './fixtures.js';

const SIGNED_AT = '2026-11-03T14:00:00.000Z';

const statement: StatementText = {
  v: 1,
  kind: 'statement-text',
  statement: objectIdOf({ n: 'statement' }),
  revision: objectIdOf({ n: 'revision' }),
  title: 'Fund election security in the state budget',
  text: 'We, the undersigned mayors, ask the legislature to fund election security.',
  addressees: ['The Wisconsin State Legislature'],
};

const signers: { node: string; block: SignatureBlock }[] = [
  { node: 'wi-madison', block: { name: 'Ada Lovelace', title: 'Mayor', city: 'Madison' } },
  { node: 'wi-milwaukee', block: { name: 'Grace Hopper', title: 'Mayor', city: 'Milwaukee' } },
  { node: 'wi-green-bay', block: { name: 'Edsger Dijkstra', title: 'Mayor', city: 'Green Bay' } },
];

let keys: NodeKey[];
let bytes: Uint8Array;
let textHash: string;
let entries: CosignatureEntry[];
let doc: GeneralJws;

const ringWith = (ks: NodeKey[], extra: Record<number, object> = {}) =>
  ringOf(...ks.map((key, i) => ({ node: signers[i]?.node as string, key, record: extra[i] ?? {} })));

const withProtected = (entry: CosignatureEntry, edit: (h: Record<string, unknown>) => void): CosignatureEntry => {
  const header = decodeSegment(entry.protected) as Record<string, unknown>;
  edit(header);
  return { ...entry, protected: base64url.encode(utf8.encode(JSON.stringify(header))) };
};

beforeAll(async () => {
  keys = await Promise.all(signers.map(() => newKey()));
  ({ bytes, textHash } = statementTextBytes(statement));
  entries = await Promise.all(signers.map((s, i) => cosign(bytes, keys[i] as NodeKey, { ...s, signedAt: SIGNED_AT })));
  doc = assembleGeneralJws(bytes, entries);
});

describe('statementTextBytes', () => {
  it('gives the canonical bytes and their SHA-256', () => {
    expect(utf8.decode(bytes)).toBe(
      '{"addressees":["The Wisconsin State Legislature"],"kind":"statement-text","revision":"' +
        `${statement.revision}","statement":"${statement.statement}","text":"${statement.text}",` +
        `"title":"${statement.title}","v":1}`,
    );
    expect(textHash).toBe(sha256Base64url(bytes));
    expect(textHash).toBe(objectIdOf(statement));
  });

  it('refuses a document that is not a statement text', () => {
    expect(() => statementTextBytes({ ...statement, addressees: [] })).toThrow();
  });
});

describe('cosign / verifyCosignatures', () => {
  it('puts signer, node and block in the protected header', () => {
    expect(doc.payload).toBe(base64url.encode(bytes));
    expect(doc.signatures).toHaveLength(3);
    expect(decodeSegment(entries[1]?.protected as string)).toEqual({
      alg: 'EdDSA',
      typ: COSIGN_TYP,
      kid: keys[1]?.kid,
      node: 'wi-milwaukee',
      block: signers[1]?.block,
      iat: SIGNED_AT,
    });
  });

  it('reports all three signers valid', async () => {
    const result = await verifyCosignatures(doc, ringWith(keys).resolve);
    expect(result.allValid).toBe(true);
    expect(result.textHash).toBe(textHash);
    expect(result.payload).toEqual(bytes);
    expect(result.signers).toEqual(
      signers.map((s, i) => ({
        index: i,
        ok: true,
        node: s.node,
        kid: keys[i]?.kid,
        block: s.block,
        signedAt: SIGNED_AT,
      })),
    );
  });

  it('is a standard General JWS: jose.generalVerify accepts it with each signer key', async () => {
    for (const key of keys) {
      const { payload, protectedHeader } = await generalVerify(doc, key.publicKey, { algorithms: ['EdDSA'] });
      expect(payload).toEqual(bytes);
      expect(protectedHeader?.kid).toBe(key.kid);
    }
    const stranger = await newKey();
    await expect(generalVerify(doc, stranger.publicKey)).rejects.toThrow();
  });

  it('a changed text fails every signer', async () => {
    const changed = statementTextBytes({ ...statement, text: `${statement.text} Now.` }).bytes;
    const tampered = { ...doc, payload: base64url.encode(changed) };
    const result = await verifyCosignatures(tampered, ringWith(keys).resolve);
    expect(result.allValid).toBe(false);
    expect(result.textHash).toBe(sha256Base64url(changed));
    expect(result.signers.map((s) => s.ok)).toEqual([false, false, false]);
    for (const [i, s] of result.signers.entries()) {
      expect(s).toMatchObject({ index: i, node: signers[i]?.node, reason: expect.stringMatching(/does not match/) });
    }
  });

  it('an edited signature block fails only that signer, named by index and node', async () => {
    const edited = withProtected(entries[1] as CosignatureEntry, (h) => {
      h.block = { ...(h.block as SignatureBlock), name: 'Someone Else' };
    });
    const tampered = assembleGeneralJws(bytes, [entries[0], edited, entries[2]] as CosignatureEntry[]);
    const result = await verifyCosignatures(tampered, ringWith(keys).resolve);
    expect(result.allValid).toBe(false);
    expect(result.signers.map((s) => s.ok)).toEqual([true, false, true]);
    expect(result.signers[1]).toMatchObject({
      index: 1,
      ok: false,
      node: 'wi-milwaukee',
      kid: keys[1]?.kid,
      block: { ...signers[1]?.block, name: 'Someone Else' },
      reason: 'signature does not match the text and signature block',
    });
  });

  it('a replaced signature fails only that signer', async () => {
    const swapped = { ...(entries[2] as CosignatureEntry), signature: (entries[0] as CosignatureEntry).signature };
    const tampered = assembleGeneralJws(bytes, [entries[0], entries[1], swapped] as CosignatureEntry[]);
    const result = await verifyCosignatures(tampered, ringWith(keys).resolve);
    expect(result.signers.map((s) => s.ok)).toEqual([true, true, false]);
    expect(result.signers[2]).toMatchObject({ index: 2, node: 'wi-green-bay', reason: expect.stringMatching(/match/) });
  });

  it('an unknown key fails only that signer, with its own reason', async () => {
    const result = await verifyCosignatures(doc, ringWith(keys.slice(0, 2)).resolve);
    expect(result.allValid).toBe(false);
    expect(result.signers.map((s) => s.ok)).toEqual([true, true, false]);
    expect(result.signers[2]).toMatchObject({
      index: 2,
      node: 'wi-green-bay',
      reason: `unknown key ${keys[2]?.kid} for wi-green-bay`,
    });
  });

  it('a key revoked before signing fails that signer; one revoked after does not', async () => {
    const result = await verifyCosignatures(
      doc,
      ringWith(keys, { 0: { revokedAt: '2026-11-03T13:00:00Z' }, 1: { revokedAt: '2026-11-03T15:00:00Z' } }).resolve,
    );
    expect(result.signers.map((s) => (s.ok ? 'ok' : s.reason))).toEqual(['key_revoked', 'ok', 'ok']);
  });

  it('refuses a signing time that is not a timestamp, so key windows cannot be dodged', async () => {
    const entry = await cosign(bytes, keys[0] as NodeKey, { ...(signers[0] as (typeof signers)[0]), signedAt: 'soon' });
    const result = await verifyCosignatures(
      assembleGeneralJws(bytes, [entry]),
      ringWith(keys, { 0: { revokedAt: '2026-06-01T00:00:00Z' } }).resolve,
    );
    expect(result.allValid).toBe(false);
    expect(result.signers[0]).toMatchObject({ index: 0, ok: false, node: 'wi-madison' });
  });

  it('a signer whose header lies about typ or alg fails', async () => {
    const wrongTyp = withProtected(entries[0] as CosignatureEntry, (h) => {
      h.typ = 'JWT';
    });
    const wrongAlg = withProtected(entries[1] as CosignatureEntry, (h) => {
      h.alg = 'none';
    });
    const result = await verifyCosignatures(
      assembleGeneralJws(bytes, [wrongTyp, wrongAlg, entries[2] as CosignatureEntry]),
      ringWith(keys).resolve,
    );
    expect(result.signers.map((s) => (s.ok ? 'ok' : s.reason))).toEqual([
      `typ must be ${COSIGN_TYP}`,
      'alg must be EdDSA',
      'ok',
    ]);
  });

  it('never throws on garbage', async () => {
    const resolve = ringWith(keys).resolve;
    for (const junk of [
      null,
      undefined,
      'x',
      42,
      {},
      { payload: 'a', signatures: 'no' },
      { payload: '@@', signatures: [] },
    ]) {
      expect(await verifyCosignatures(junk, resolve)).toEqual({ signers: [], allValid: false });
    }
    const empty = await verifyCosignatures({ payload: doc.payload, signatures: [] }, resolve);
    expect(empty.allValid).toBe(false);
    const broken = await verifyCosignatures(
      { payload: doc.payload, signatures: [null, { protected: '!!' }, 7] },
      resolve,
    );
    expect(broken.allValid).toBe(false);
    expect(broken.signers.map((s) => s.ok)).toEqual([false, false, false]);
  });
});
