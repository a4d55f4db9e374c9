/**
 * Builds the protocol test vectors in docs/protocol/vectors/ from fixed keys.
 * Ed25519 signatures are deterministic, so the output is byte-for-byte reproducible;
 * test/vectors.test.ts checks that the committed files still match this code.
 *
 *   npm run vectors -w @citylink/crypto
 */
import { createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { base64url, canonicalJson, type SignedObject, utf8 } from '@citylink/protocol';
import { CompactSign, SignJWT } from 'jose';
import {
  assembleGeneralJws,
  cosign,
  importNodeKey,
  type NodeKey,
  type NodeKeyFile,
  signObject,
  statementTextBytes,
  thumbprint,
} from '../src/index.js';
import { buildPreparednessVectors } from './preparedness-vectors.js';
import { buildOperationsVectors } from './vectors-operations.js';

export const VECTOR_NOW = '2026-11-03T15:00:00.000Z';

/** Fixed seeds: never use these keys for anything but vectors. */
const SEEDS = {
  current: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  retired: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  stranger: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
  hubNext: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
};

export async function vectorKey(seedHex: string, created: string): Promise<NodeKey> {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  const jwk = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  const pub = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x as string };
  const file: NodeKeyFile = { kid: await thumbprint(pub), created, jwk: { ...pub, d: jwk.d as string } };
  return importNodeKey(file);
}

export async function buildVectors() {
  const current = await vectorKey(SEEDS.current, '2026-01-01T00:00:00.000Z');
  const retired = await vectorKey(SEEDS.retired, '2025-01-01T00:00:00.000Z');
  const stranger = await vectorKey(SEEDS.stranger, '2026-01-01T00:00:00.000Z');
  const keys = {
    node: 'wi-madison',
    records: [
      { kid: current.kid, jwk: current.publicJwk, validFrom: '2026-01-01T00:00:00.000Z' },
      {
        kid: retired.kid,
        jwk: retired.publicJwk,
        validFrom: '2025-01-01T00:00:00.000Z',
        validUntil: '2026-01-01T00:00:00.000Z',
      },
    ],
  };

  const base = { v: 1, origin: 'wi-madison', created: '2026-11-03T14:05:00.000Z' } as const;
  const bulletin: SignedObject = {
    ...base,
    kind: 'bulletin',
    tlp: 'GREEN',
    audience: ['*'],
    body: {
      title: 'Phishing e-mails impersonating the state elections office',
      narrative: 'Poll workers received e-mails asking them to “confirm” credentials on a look-alike site. ✓',
      category: 'cyber.phishing',
      severity: 'medium',
      attackVector: 'email',
      observedAt: '2026-11-03T13:40:00.000Z',
      indicators: [{ type: 'domain', value: 'elections-wi-gov.example' }],
      affected: { staff: 12 },
    },
  };
  const red: SignedObject = {
    ...base,
    kind: 'bulletin',
    tlp: 'RED',
    audience: ['wi-hub'],
    recipients: [{ node: 'wi-hub', user: 'state-ciso' }],
    body: {
      title: 'Threat against the county clerk',
      narrative: 'Details shared with the state CISO only.',
      category: 'physical.threat-to-staff',
      severity: 'high',
    },
  };
  const note: SignedObject = {
    ...base,
    kind: 'note',
    tlp: 'CLEAR',
    audience: ['*'],
    body: {
      topic: 'phishing-training',
      title: 'Quarterly phishing drills for poll workers',
      problem: 'Seasonal staff had never seen a targeted phishing e-mail.',
      whatWorked: 'Four short drills before each election; click rate fell from 18% to 3%.',
      jurisdictionSize: 'm',
    },
  };
  const ack: SignedObject = {
    ...base,
    origin: 'wi-green-bay',
    kind: 'acknowledgement',
    tlp: 'AMBER',
    audience: ['wi-madison', 'wi-hub'],
    body: { target: 'ZmFrZS1pZC1mb3ItdmVjdG9ycy1vbmx5LTAwMDAwMDA', seenHere: true },
  };
  const directory: SignedObject = {
    ...base,
    kind: 'red-directory',
    tlp: 'GREEN',
    audience: ['*'],
    body: { people: [{ user: 'clerk', name: 'Maribeth Witzel-Behl', title: 'city clerk' }] },
  };

  const valid = [];
  for (const [name, object] of [
    ['green-bulletin', bulletin],
    ['red-bulletin', red],
    ['clear-note', note],
    ['red-directory', directory],
  ] as const) {
    const s = await signObject(object, current);
    valid.push({ name, input: object, canonical: canonicalJson(object), id: s.id, kid: current.kid, jws: s.jws });
  }

  const sign = (payload: string | Uint8Array, header: Record<string, unknown>, key: NodeKey = current) =>
    new CompactSign(typeof payload === 'string' ? utf8.encode(payload) : payload)
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, ...header })
      .sign(key.privateKey);
  const good = valid[0]!.jws;
  const [gh, gp, gs] = good.split('.') as [string, string, string];
  const tamperedPayload = base64url.encode(utf8.encode(valid[0]!.canonical.replace('Phishing', 'Fishing')));
  const otherSig = (
    await sign(valid[0]!.canonical, { typ: 'citylink.bulletin+jws', kid: current.kid }, stranger)
  ).split('.')[2];
  const hmac = await new CompactSign(utf8.encode(valid[0]!.canonical))
    .setProtectedHeader({ alg: 'HS256', typ: 'citylink.bulletin+jws', kid: current.kid })
    .sign(utf8.encode(current.publicJwk.x));
  const noneHeader = base64url.encode(utf8.encode('{"alg":"none","kid":"x","typ":"citylink.bulletin+jws"}'));
  const typ = { typ: 'citylink.bulletin+jws' };
  const withBody = (patch: Record<string, unknown>) => canonicalJson({ ...bulletin, ...patch });

  const invalid = [
    { name: 'not-three-segments', reason: 'malformed', jws: `${gh}.${gp}` },
    {
      name: 'unexpected-header-jwk',
      reason: 'malformed',
      jws: await sign(valid[0]!.canonical, { ...typ, jwk: current.publicJwk }),
    },
    { name: 'alg-none', reason: 'bad_alg', jws: `${noneHeader}.${gp}.${gs}` },
    { name: 'hmac-with-public-key', reason: 'bad_alg', jws: hmac },
    { name: 'typ-jwt', reason: 'wrong_typ', jws: await sign(valid[0]!.canonical, { typ: 'JWT' }) },
    {
      name: 'typ-kind-mismatch',
      reason: 'wrong_typ',
      jws: await sign(valid[0]!.canonical, { typ: 'citylink.note+jws' }),
    },
    {
      name: 'not-canonical-whitespace',
      reason: 'not_canonical',
      jws: await sign(JSON.stringify(bulletin, null, 1), typ),
    },
    { name: 'amber-to-everyone', reason: 'schema', jws: await sign(withBody({ tlp: 'AMBER' }), typ) },
    { name: 'unknown-kid', reason: 'unknown_kid', jws: await sign(valid[0]!.canonical, typ, stranger) },
    {
      name: 'retired-key-used-after-window',
      reason: 'key_expired',
      jws: await sign(valid[0]!.canonical, typ, retired),
    },
    { name: 'tampered-payload', reason: 'bad_signature', jws: `${gh}.${tamperedPayload}.${gs}` },
    { name: 'signature-by-another-key', reason: 'bad_signature', jws: `${gh}.${gp}.${otherSig}` },
    { name: 'future-dated', reason: 'future', jws: await sign(withBody({ created: '2026-11-03T16:00:00.000Z' }), typ) },
    {
      name: 'expired',
      reason: 'expired',
      jws: await sign(withBody({ expires: '2026-11-03T14:30:00.000Z' }), typ),
    },
    {
      name: 'oversized-bulletin',
      reason: 'too_large',
      jws: await sign(withBody({ body: { ...bulletin.body, narrative: 'x'.repeat(70_000) } }), typ),
    },
  ];
  // An acknowledgement by another node, signed with wi-madison's key: the key is not on record for that origin.
  invalid.push({
    name: 'origin-not-owner-of-key',
    reason: 'unknown_kid',
    jws: await sign(canonicalJson(ack), { typ: 'citylink.acknowledgement+jws' }),
  });

  const doc = {
    v: 1,
    kind: 'statement-text',
    statement: valid[0]!.id,
    revision: valid[0]!.id,
    title: 'Letter on election-security funding',
    text: 'We, the undersigned mayors, ask the Legislature to fund election security.',
    addressees: ['Governor', 'State Legislature'],
  } as const;
  const { bytes, textHash } = statementTextBytes(doc);
  const entry = await cosign(bytes, current, {
    node: 'wi-madison',
    block: { name: 'Jane Doe', title: 'Mayor', city: 'Madison' },
    signedAt: '2026-11-03T14:30:00.000Z',
  });
  const cosignature = {
    document: doc,
    canonical: canonicalJson(doc),
    textHash,
    generalJws: assembleGeneralJws(bytes, [entry]),
  };

  const tokenFor = (scope: string, jti: string) =>
    new SignJWT({ scope })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'citylink-request+jwt', kid: current.kid })
      .setIssuer('wi-madison')
      .setAudience('wi-hub')
      .setIssuedAt(Math.floor(Date.parse(VECTOR_NOW) / 1000))
      .setExpirationTime(Math.floor(Date.parse(VECTOR_NOW) / 1000) + 60)
      .setJti(jti)
      .sign(current.privateKey);
  const linkToken = await tokenFor('federation.link', '00000000-0000-4000-8000-000000000001');
  const requestToken = {
    note: 'Deterministic example; a real token expires within two minutes of iat and its jti is random.',
    token: await tokenFor('federation.deliver', '00000000-0000-4000-8000-000000000000'),
    verifyAt: VECTOR_NOW,
    expect: { iss: 'wi-madison', aud: 'wi-hub', scope: 'federation.deliver' },
    link: {
      note: 'Opening a link (protocol §10.1): the first WebSocket message carries a token of scope federation.link.',
      url: 'wss://citylink.elections.wi.example/trpc?connectionParams=1',
      firstMessage: JSON.stringify({ method: 'connectionParams', data: { peer: linkToken } }),
      token: linkToken,
      expect: { iss: 'wi-madison', aud: 'wi-hub', scope: 'federation.link' },
    },
  };

  // Membership: a hub-signed roster, the hub rotating its key (an announcement signed
  // by the pinned key), and the next roster signed by the new key.
  const hubPinned = stranger;
  const hubNext = await vectorKey(SEEDS.hubNext, '2026-06-01T00:00:00.000Z');
  const hubRecord = { kid: hubPinned.kid, jwk: hubPinned.publicJwk, validFrom: '2026-01-01T00:00:00.000Z' };
  const madison = {
    node: 'wi-madison',
    name: 'City of Madison',
    baseUrl: 'https://citylink.cityofmadison.example',
    role: 'city' as const,
    status: 'active' as const,
    keys: keys.records,
  };
  const hubMember = (hubKeys: unknown[]) => ({
    node: 'wi-hub',
    name: 'Wisconsin Elections Commission',
    baseUrl: 'https://citylink.elections.wi.example',
    role: 'hub' as const,
    status: 'active' as const,
    keys: hubKeys as typeof keys.records,
  });
  const rosterOf = (version: number, created: string, hubKeys: unknown[]): SignedObject => ({
    v: 1,
    kind: 'roster',
    origin: 'wi-hub',
    created,
    tlp: 'GREEN',
    audience: ['*'],
    body: { network: 'wi', version, members: [madison, hubMember(hubKeys)] },
  });
  const roster1 = await signObject(rosterOf(1, '2026-02-01T00:00:00.000Z', [hubRecord]), hubPinned);
  const rotatedAt = '2026-06-01T00:00:00.000Z';
  const announcement = await signObject(
    {
      v: 1,
      kind: 'key-announcement',
      origin: 'wi-hub',
      created: rotatedAt,
      tlp: 'GREEN',
      audience: ['*'],
      body: {
        node: 'wi-hub',
        replaces: hubPinned.kid,
        key: { kid: hubNext.kid, jwk: hubNext.publicJwk, validFrom: rotatedAt },
      },
    },
    hubPinned,
  );
  const roster2 = await signObject(
    rosterOf(2, '2026-06-01T00:00:01.000Z', [
      { ...hubRecord, validUntil: rotatedAt },
      { kid: hubNext.kid, jwk: hubNext.publicJwk, validFrom: rotatedAt },
    ]),
    hubNext,
  );
  const membership = {
    note: 'A city pins the hub key by its kid (fingerprint). Roster 1 verifies with it; the announcement, signed by it, adds the next hub key; roster 2 verifies with that key.',
    pinnedHubKey: hubRecord,
    roster: roster1.jws,
    hubKeyChain: [announcement.jws],
    rosterAfterRotation: roster2.jws,
  };

  const operations = await buildOperationsVectors({ hub: hubPinned, city: current });
  const preparedness = await buildPreparednessVectors(current, 'wi-madison', 'wi-hub');

  return { now: VECTOR_NOW, keys, valid, invalid, cosignature, requestToken, membership, operations, preparedness };
}

const VECTOR_DIR = fileURLToPath(new URL('../../../docs/protocol/vectors/', import.meta.url));
export const VECTOR_FILES = [
  'keys',
  'valid-objects',
  'invalid-objects',
  'cosignature',
  'request-token',
  'membership',
  'operations',
  'preparedness-objects',
] as const;

export function vectorFiles(
  v: Awaited<ReturnType<typeof buildVectors>>,
): Record<(typeof VECTOR_FILES)[number], unknown> {
  return {
    keys: { now: v.now, ...v.keys },
    'valid-objects': { now: v.now, vectors: v.valid },
    'invalid-objects': { now: v.now, vectors: v.invalid },
    cosignature: { keys: 'keys.json', ...v.cosignature },
    'request-token': { keys: 'keys.json', ...v.requestToken },
    membership: v.membership,
    operations: { keys: 'keys.json, membership.json (pinnedHubKey)', ...v.operations },
    'preparedness-objects': { now: v.now, vectors: v.preparedness },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = vectorFiles(await buildVectors());
  for (const [name, content] of Object.entries(files)) {
    await writeFile(`${VECTOR_DIR}${name}.json`, `${JSON.stringify(content, null, 2)}\n`);
  }
  console.log(`wrote ${Object.keys(files).length} vector files to ${VECTOR_DIR}`);
}
