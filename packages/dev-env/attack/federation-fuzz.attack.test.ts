import { createHash } from 'node:crypto';
import {
  generateNodeKey,
  type KeyResolver,
  KeyRing,
  type NodeKey,
  REJECT_REASONS,
  readKeyFile,
  signObject,
  verifyObject,
} from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import { type CityLinkNode, createPeerClient, type ObjectResult } from '@citylink/node';
import {
  canonicalBytes,
  LIMITS,
  maxBytesForKind,
  OBJECT_KINDS,
  type ObjectKind,
  objectIdOf,
  type SignedObject,
  typOf,
  utf8,
} from '@citylink/protocol';
import { knexOf } from '@citylink/store/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A co-signature header of the right shape (the schema checks it); its signature is junk. */
const cosignatureHeader = (u: string) =>
  Buffer.from(
    JSON.stringify({
      alg: 'EdDSA',
      typ: 'citylink.statement-text+jws',
      kid: 'A'.repeat(43),
      node: 't-city-1',
      block: { name: `Mayor ${u}`, title: 'Mayor', city: 'Test City' },
      iat: '2026-11-03T14:00:00.000Z',
    }),
  ).toString('base64url');

// A hostile member (and a hostile non-member) sends mutated federation inputs: byte
// flips, truncations, JSON-level changes re-signed with a non-member key or with a
// member key but breaking a schema/TLP/audience/time/key rule, wrong kid, wrong alg,
// replays, non-canonical JSON, across every object kind. Most of the volume goes to
// the verifier directly (as the node calls it, with the node's key resolver); a
// share goes through the receiving node's whole pipeline (in-process as pushed or as
// pulled catch-up, and over HTTP federation.deliver), plus what only a node can judge:
// replays, addressing, forwarding, authorship, a revoked member, foreign senders.
//
// The oracle: every mutated input changed the signed bytes, the signature or the key,
// or breaks a rule, so it must be refused with a reason, and never be stored, shown
// in a feed or queued in an outbox. Valid controls are interleaved and must pass, so
// a verifier that refuses everything fails this test too.

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_103);
/** Every Nth generated input goes through a node instead of the verifier alone. */
const NODE_SHARE = 9;
/** A valid control after every Nth mutated input. */
const CONTROL_EVERY = 25;
const TIME_BUDGET_MS = 150_000;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

let net: TestNetwork;
const keys = new Map<string, NodeKey>();
let mallory: NodeKey;
let resolveKey: KeyResolver;
const synthetic = new Map<string, NodeKey>();
const started = Date.now();

const receiver = () => net.node('t-city-2');
const keyOf = (node: string) => {
  const k = keys.get(node) ?? synthetic.get(node) ?? (node === 'mallory' ? mallory : undefined);
  if (!k) throw new Error(`no key for ${node}`);
  return k;
};

// ------------------------------------------------------------------ tallies

interface Tally {
  tried: number;
  rejected: number;
  duplicate: number;
  wronglyAccepted: number;
  reasons: Map<string, number>;
}
const tallies = new Map<string, Tally>();
const tally = (cls: string) => {
  let t = tallies.get(cls);
  if (!t) {
    t = { tried: 0, rejected: 0, duplicate: 0, wronglyAccepted: 0, reasons: new Map() };
    tallies.set(cls, t);
  }
  return t;
};
const controls = { verifier: 0, node: 0 };
const acceptedControls = new Set<string>();
/** Mutated inputs waiting to go through a node: class, compact JWS, outcome allowed besides `rejected`. */
const nodeQueue: { cls: string; jws: string; duplicateOk?: boolean }[] = [];
/** Payload ids of everything mutated (and of the seeds they came from): none may ever be held. */
const mutatedIds = new Set<string>();

// ------------------------------------------------------------------ helpers

// node:buffer and node:crypto rather than the protocol's portable encoders: some inputs are 4 MiB.
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const b64json = (v: unknown) => b64(utf8.encode(JSON.stringify(v)));
const header = (kind: ObjectKind, kid: string) => ({ alg: 'EdDSA', kid, typ: typOf(kind) });

/** Signs arbitrary header and payload bytes with Ed25519, checking nothing (unlike `signObject`). */
async function rawJws(head: string | Record<string, unknown>, payload: Uint8Array, key: NodeKey): Promise<string> {
  const h = typeof head === 'string' ? b64(utf8.encode(head)) : b64json(head);
  const p = b64(payload);
  const sig = await crypto.subtle.sign('Ed25519', key.privateKey, utf8.encode(`${h}.${p}`));
  return `${h}.${p}.${b64(new Uint8Array(sig))}`;
}
/** Re-signs an (already mutated) object with `key`, claiming `kid`, over its canonical bytes. */
const resign = (o: Json, kind: ObjectKind, key: NodeKey, kid = key.kid) =>
  rawJws(header(kind, kid), canonicalBytes(o), key);

function payloadIdOf(jws: string): string | undefined {
  const p = jws.split('.')[1];
  if (p === undefined || !/^[A-Za-z0-9_-]*$/.test(p)) return undefined;
  return createHash('sha256').update(Buffer.from(p, 'base64url')).digest('base64url');
}

const clone = <T>(v: T): T => structuredClone(v);
function nodesOf(v: Json, path: Path = []): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = path.length > 0 ? [{ path, value: v }] : [];
  if (Array.isArray(v)) {
    for (const [i, c] of v.entries()) out.push(...nodesOf(c, [...path, i]));
  } else if (v !== null && typeof v === 'object')
    for (const [k, c] of Object.entries(v)) out.push(...nodesOf(c, [...path, k]));
  return out;
}
function setAt(root: Json, path: Path, value: Json | undefined): Json {
  const copy = clone(root);
  let cur = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}
const jsonType = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

// ------------------------------------------------------------------ seeds

let serial = 0;
const fakeId = (n: number | string) => objectIdOf({ fuzz: n });

function bodyOf(kind: ObjectKind, origin: string, u: string, now: string): Json {
  const key = keyOf(origin);
  const jwk = { ...key.publicJwk };
  const member = {
    node: 't-city-9',
    name: `Test City ${u}`,
    baseUrl: 'https://city-9.example',
    role: 'city',
    status: 'active',
    keys: [{ kid: key.kid, jwk, validFrom: now }],
  };
  const id = (n: string) => fakeId(`${u}-${n}`);
  switch (kind) {
    case 'bulletin':
      return {
        title: `Report ${u}`,
        narrative: 'Look-alike domain e-mails asking poll workers for their passwords',
        category: 'cyber.phishing',
        severity: 'medium',
        attackVector: 'email',
        affected: { voters: 12, staff: 3 },
        indicators: [{ type: 'domain', value: 'elections-wi-gov.example', note: 'sender domain' }],
        location: { description: 'Ward 4 polling place', county: 'Dane' },
        informed: ['County clerk'],
        related: [id('rel')],
      };
    case 'bulletin-status':
      return { target: id('t'), status: 'investigating', note: `Looking into it ${u}` };
    case 'note':
      return {
        topic: 'phishing-training',
        title: `Quarterly drills ${u}`,
        problem: 'Staff clicked test links.',
        whatWorked: 'Short monthly drills with feedback.',
        jurisdictionSize: 'm',
        cost: 'none',
      };
    case 'endorsement':
      return { target: id('t'), comment: `Worked for us too ${u}` };
    case 'acknowledgement':
      return { target: id('t'), seenHere: true, comment: `Seen here ${u}` };
    case 'retraction':
      return { target: id('t'), reason: `Sent in error ${u}` };
    case 'posture':
      return { level: 'elevated', advisory: { title: `Advisory ${u}`, text: 'Watch for phishing.' } };
    case 'statement-revision':
      return {
        title: `Letter ${u}`,
        text: 'We ask for paper ballots.',
        addressees: ['Governor'],
        invited: ['t-city-2'],
      };
    case 'statement-comment':
      return { statement: id('s'), revision: id('r'), comment: `Agree ${u}`, proposedText: 'We ask for audits.' };
    case 'statement-decision':
      return { statement: id('s'), proposal: id('p'), decision: 'declined', reason: `Out of scope ${u}` };
    case 'statement-signon':
      return { statement: id('s'), revision: id('r'), textHash: id('h'), deadline: now };
    case 'statement-signature':
      return {
        statement: id('s'),
        signOn: id('o'),
        textHash: id('h'),
        block: { name: `Mayor ${u}`, title: 'Mayor', city: 'Test City' },
        cosignature: { protected: cosignatureHeader(u), signature: 'c2lnbmF0dXJl' },
      };
    case 'statement-withdrawal':
      return { statement: id('s'), signature: id('sig'), reason: `Changed my mind ${u}` };
    case 'statement-final':
      return {
        statement: id('s'),
        signOn: id('o'),
        textHash: id('h'),
        signatures: [id('sig')],
        document: { payload: 'eyJ2IjoxfQ', signatures: [{ protected: cosignatureHeader(u), signature: 'c2ln' }] },
      };
    case 'statement-delivery':
      return { statement: id('s'), final: id('f'), to: 'Governor', method: 'email', deliveredAt: now, note: u };
    case 'membership':
      return { network: 't-net', member };
    case 'roster':
      return { network: 't-net', version: 1000 + serial, members: [member] };
    case 'enrollment':
      return {
        network: 't-net',
        node: 't-city-9',
        name: `Test City ${u}`,
        baseUrl: 'https://city-9.example',
        key: { kid: key.kid, jwk },
        contact: 'clerk@city-9.example',
      };
    case 'key-announcement':
      return {
        node: origin,
        replaces: key.kid,
        key: { kid: mallory.kid, jwk: { ...mallory.publicJwk }, validFrom: now },
      };
    case 'operational-period':
      return { name: `General election ${u}`, start: now, end: new Date(Date.now() + 86_400_000).toISOString() };
    case 'checkin':
      return { period: id('period'), state: 'quiet', note: `All quiet ${u}`, open: [] };
    case 'shift-note':
      return { period: id('period'), type: 'handover', by: 'Jo Official', text: `Handover ${u}`, onShift: ['jo'] };
    case 'red-directory':
      return { people: [{ user: `person-${u}`, name: `Person ${u}`, title: 'staff' }] };
    case 'commission':
      return { chartered: '2026-01-10', members: { cybersecurity: 1, agency: 2 }, meetings: ['2026-03-01'] };
    case 'contingency-plan':
      return {
        scenario: 'cyberattack',
        title: `Ransomware plan ${u}`,
        coversElectionDay: true,
        coversEarlyVoting: true,
        ownerRole: 'City clerk',
        lastReviewed: '2026-09-01',
        plan: { text: 'Isolate, call the county, switch to paper.' },
        supersedes: id('plan'),
      };
    case 'training-summary':
      return {
        period: { from: '2026-01-01', to: '2026-06-30' },
        course: `Phishing ${u}`,
        coversSpearPhishing: true,
        staffWithAccess: 10,
        trained: 9,
      };
    case 'liaison':
      return { role: 'Liaison', agency: 'City IT', name: `Liaison ${u}`, workContact: 'it@city.example' };
    case 'forum':
      return { date: '2026-10-01', with: 'County clerk', needs: [`Printers ${u}`], followUps: [] };
    case 'assessment':
      return { provider: 'state', kind: 'risk-assessment', date: '2026-05-01', openFindings: 1 };
    case 'funding-need':
      return { item: `Kits ${u}`, amount: 1000, buys: 'Paper pollbooks', recommendation: 10 };
    case 'security-day':
      return { townHall: { date: '2026-10-08', place: `Hall ${u}` } };
  }
}

const MARKINGS = [
  { tlp: 'GREEN', audience: ['*'] },
  { tlp: 'CLEAR', audience: ['*'] },
  { tlp: 'AMBER', audience: ['t-city-2'] },
  { tlp: 'AMBER+STRICT', audience: ['t-city-2', 't-hub'] },
  { tlp: 'RED', audience: ['t-city-2'], recipients: [{ node: 't-city-2', user: 'staff' }] },
] as const;

const HUB_KINDS: readonly ObjectKind[] = ['posture', 'membership', 'roster', 'operational-period', 'shift-note'];

function objectOf(kind: ObjectKind, origin: string, marking: (typeof MARKINGS)[number], extra: Partial<Json> = {}) {
  const now = new Date().toISOString();
  const u = `${++serial}`;
  return {
    v: 1,
    kind,
    origin,
    created: now,
    ...(serial % 3 === 0 && { expires: new Date(Date.now() + 86_400_000).toISOString() }),
    ...clone(marking),
    body: bodyOf(kind, origin, u, now),
    ...(extra as object),
  } as unknown as Json;
}

interface Seed {
  kind: ObjectKind;
  origin: string;
  object: Json;
  jws: string;
}
/** Valid, signed objects of every kind, never delivered as they are: the raw material of mutations. */
const seeds: Seed[] = [];

async function seedOf(kind: ObjectKind, i: number): Promise<Seed> {
  const origin = HUB_KINDS.includes(kind) ? 't-hub' : pick(['t-city-1', 't-city-3', 't-hub'], i);
  const object = objectOf(kind, origin, pick(MARKINGS, i + kind.length));
  const signed = await signObject(object as unknown as SignedObject, keyOf(origin));
  return { kind, origin, object, jws: signed.jws };
}

/** A fresh valid object of any kind, signed by its origin's member key. */
async function freshControl(n: number): Promise<string> {
  const kind = pick(OBJECT_KINDS, n);
  return (await seedOf(kind, n)).jws;
}

// ------------------------------------------------------------------ the runner

const RUN_REASONS = new Set<string>(REJECT_REASONS);

/**
 * Runs one mutation class as a fast-check property: `make` turns generated values
 * into a mutated compact JWS (or undefined when the draw happens to change nothing).
 * Most go to the verifier; every NODE_SHARE-th is queued for a node.
 */
async function runClass<T>(
  cls: string,
  arb: fc.Arbitrary<T>,
  numRuns: number,
  make: (v: T) => Promise<string | undefined>,
  expected?: readonly string[],
) {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      const jws = await make(v);
      fc.pre(jws !== undefined);
      const id = payloadIdOf(jws);
      if (id) mutatedIds.add(id);
      if (++n % NODE_SHARE === 0) {
        nodeQueue.push({ cls, jws });
        return;
      }
      const t = tally(cls);
      t.tried++;
      const r = await verifyObject(jws, { resolveKey });
      if (r.ok) {
        t.wronglyAccepted++;
        expect.fail(`${cls}: a mutated input was accepted: ${jws.slice(0, 300)}`);
      }
      t.rejected++;
      t.reasons.set(r.reason, (t.reasons.get(r.reason) ?? 0) + 1);
      expect(RUN_REASONS.has(r.reason), r.reason).toBe(true);
      expect(r.detail).toMatch(/\S/);
      if (expected) expect(expected, `${cls}: ${r.reason} ${r.detail}`).toContain(r.reason);
      if (n % CONTROL_EVERY === 0) {
        const control = await verifyObject(await freshControl(n), { resolveKey });
        expect(control.ok, control.ok ? '' : `control refused: ${control.reason} ${control.detail}`).toBe(true);
        controls.verifier++;
      }
    }),
    { numRuns, seed: SEED + cls.length * 7919 + numRuns, endOnFailure: true },
  );
}

const seedArb = () => fc.nat({ max: seeds.length - 1 }).map((i) => seeds[i]!);
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const FLIP_CHARS = `${B64_ALPHABET}.=+/ \u00e9\u0000`;

function flip(jws: string, pos: number, c: number): string {
  const i = pos % jws.length;
  const ch = pick([...FLIP_CHARS], c);
  return `${jws.slice(0, i)}${ch}${jws.slice(i + 1)}`;
}

// ------------------------------------------------------------------ object-level mutators

const ENUM_KEYS = new Set([
  'tlp',
  'category',
  'severity',
  'attackVector',
  'functionalImpact',
  'informationImpact',
  'status',
  'topic',
  'jurisdictionSize',
  'level',
  'decision',
  'method',
  'role',
  'type',
  'kty',
  'crv',
  'scenario',
  'provider',
]);
const OBJECT_ID_KEYS = new Set([
  'target',
  'statement',
  'revision',
  'supersedes',
  'signOn',
  'textHash',
  'proposal',
  'final',
  'addendumTo',
  'duplicateOf',
]);
const NODE_ID_KEYS = new Set(['origin', 'node', 'network']);
const TIME_KEYS = new Set([
  'created',
  'expires',
  'observedAt',
  'detectedAt',
  'deadline',
  'deliveredAt',
  'validFrom',
  'signOnDeadline',
]);
const BAD_NODE_IDS = ['T-CITY-1', '-city', 'city-', 'a_b', '', 'a'.repeat(64), 'a b', 'caf\u00e9', 't-city-1\n'];
const BAD_TIMES = [
  '2026-11-03',
  '2026-11-03T14:00:00+00:00',
  '2026-11-03T14:00:00.000+01:00',
  '2026-11-03 14:00:00Z',
  '2026-11-03T25:00:00Z',
  'Tue, 03 Nov 2026 14:00:00 GMT',
  '1',
  '',
];
const BAD_OBJECT_IDS = [
  'A'.repeat(42),
  'A'.repeat(44),
  `${'A'.repeat(42)}=`,
  `${'A'.repeat(42)}+`,
  `${'A'.repeat(42)}.`,
  '',
];
const BAD_B64 = ['', 'a=b', 'a.b', 'a b', 'a+b'];

/** Values that break a field's format, chosen by the field's name (and never valid for it). */
function badValuesFor(path: Path, value: Json): Json[] | undefined {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof key === 'number') {
    if (parent === 'related' || (parent === 'signatures' && path.length === 3)) return BAD_OBJECT_IDS;
    if (parent === 'audience') return BAD_NODE_IDS.filter((x) => x !== '');
    return undefined;
  }
  if (key === 'v' && path.length === 1) return [2, 0, 1.5, '1', -1];
  if (NODE_ID_KEYS.has(key!)) return BAD_NODE_IDS;
  if (TIME_KEYS.has(key!)) return BAD_TIMES;
  if (OBJECT_ID_KEYS.has(key!)) return BAD_OBJECT_IDS;
  // A withdrawal names a signature object (body.signature); body.cosignature.signature is base64url bytes.
  if (key === 'signature' && path.length === 3 && parent !== 'cosignature') return BAD_OBJECT_IDS;
  if (key === 'signature' || key === 'protected' || key === 'payload') return BAD_B64;
  if (key === 'kid' || key === 'replaces' || key === 'x') return BAD_OBJECT_IDS;
  if (key === 'baseUrl') return ['ftp://city.example', 'javascript:alert(1)', 'not a url', ''];
  if (key === 'title') return ['   ', 'x'.repeat(301), ''];
  if (key === 'narrative' || key === 'problem' || key === 'whatWorked') return ['  ', ''];
  if (key === 'user') return ['', '   ', 'u'.repeat(201)];
  if (key === 'version' && typeof value === 'number') return [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2];
  if (key === 'voters' || key === 'staff' || key === 'devices') return [-1, 1.5, 2_000_000_000];
  return undefined;
}

/** Marking changes that break a TLP or audience rule, for an object with this marking. */
function tlpBreakers(o: Record<string, Json>): Record<string, Json>[] {
  const audience = o.audience as string[];
  const out: Record<string, Json>[] = [
    { ...o, tlp: 'AMBER', audience: ['*'], recipients: undefined as never },
    { ...o, tlp: 'AMBER+STRICT', audience: ['*', 't-city-2'] },
    { ...o, tlp: 'RED', audience: ['*'], recipients: [{ node: 't-city-2', user: 'staff' }] },
    { ...o, tlp: 'RED', audience: ['t-city-2'], recipients: undefined as never },
    { ...o, tlp: 'RED', audience: ['t-city-2'], recipients: [{ node: 't-city-3', user: 'staff' }] },
    { ...o, tlp: 'GREEN', audience: ['*'], recipients: [{ node: 't-city-2', user: 'staff' }] },
    { ...o, tlp: 'AMBER', audience: ['t-city-2'], recipients: [{ node: 't-city-2', user: 'staff' }] },
    { ...o, audience: [...audience, audience[0] ?? 't-city-2', ...(audience.length === 0 ? ['t-city-2'] : [])] },
    { ...o, expires: o.created as string },
    { ...o, expires: new Date(Date.parse(o.created as string) - 1000).toISOString() },
    { ...o, tlp: 'RED', audience: ['t-city-2'], recipients: [] },
  ];
  return out.map((x) => JSON.parse(JSON.stringify(x)) as Record<string, Json>);
}

/** Text edits that make a canonical payload non-canonical (or not JSON at all) while meaning the same. */
const NON_CANONICAL: ((text: string, o: Json) => string | Uint8Array | undefined)[] = [
  (_t, o) => JSON.stringify(o, null, 1),
  (_t, o) => JSON.stringify(o, null, '\t'),
  (t) => `${t}\n`,
  (t) => ` ${t}`,
  (t) => `\ufeff${t}`,
  (t) => t.replace('":', '" :'),
  (t) => t.replace(',"', ', "'),
  (t) => t.replace('"v":1', '"v":1.0'),
  (t) => t.replace('"v":1', '"v":1e0'),
  (t) => t.replace('"v":1', '"v":10e-1'),
  (t) => t.replace(/"([A-Za-z])/, (_m, c: string) => `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  (t) => t.replace(/"([a-z])/, (_m, c: string) => `"\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`),
  (t) => (t.includes('/') ? t.replace('/', '\\/') : undefined),
  (t) => t.replace('"origin":', '"kind":"bulletin","origin":'),
  (t) => t.replace('"v":1', '"v":1,"v":1'),
  (t) => t.replace(/^\{"audience":(\[[^\]]*\])/, '{"audience":$1,"audience":$1'),
  (t) => `${t.slice(0, -1)},"tlp":"CLEAR"}`,
  (t) => t.replace(/\{"([^"]+)":("[^"]*"),"([^"]+)":/, '{"$3":$2,"$1":'),
  (t) => t.replace('"', '"\\ud800'),
  (t) => t.replace('"', "'"),
  (t) => {
    const bytes = utf8.encode(t);
    const i = t.indexOf('Report') >= 0 ? t.indexOf('Report') : 10;
    const out = new Uint8Array(bytes);
    out[i] = 0xff; // not UTF-8
    return out;
  },
  (t) => t.replace('é', 'e\u0301'),
  (t) => `${t}\u0000`,
  (t) => t.replace('true', 'True'),
  (t) => t.replace(/":(\d+)/, '":0$1'),
];

// ------------------------------------------------------------------ setup

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3, users: true });
  for (const n of net.nodes) keys.set(n.id, await readKeyFile(net.configOf(n.id).keyFile as string));
  mallory = await generateNodeKey();
  // Members with keys outside their windows, known to the verifier's resolver only.
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const windows = {
    'x-revoked': { validFrom: iso(now - 86_400_000), revokedAt: iso(now - 3_600_000) },
    'x-expired': { validFrom: iso(now - 86_400_000), validUntil: iso(now - 3_600_000) },
    'x-later': { validFrom: iso(now + 86_400_000) },
    'x-compromised': { validFrom: iso(now - 86_400_000), compromised: true },
  };
  const ring = new KeyRing();
  for (const [node, w] of Object.entries(windows)) {
    const k = await generateNodeKey();
    synthetic.set(node, k);
    ring.setKeys(node, [{ kid: k.kid, jwk: k.publicJwk, ...w }]);
  }
  const city2 = receiver();
  resolveKey = async (node, kid) => (await ring.resolve(node, kid)) ?? city2.roster.resolveKey(node, kid);
  for (const [i, kind] of OBJECT_KINDS.entries()) {
    for (let j = 0; j < 4; j++) seeds.push(await seedOf(kind, i * 4 + j));
  }
  for (const s of seeds) mutatedIds.add(payloadIdOf(s.jws)!);
});

afterAll(async () => {
  const rows = [...tallies].map(([cls, t]) => ({
    class: cls,
    tried: t.tried,
    rejected: t.rejected,
    duplicate: t.duplicate,
    wrong: t.wronglyAccepted,
    reasons: [...t.reasons].map(([r, n]) => `${r}:${n}`).join(' '),
  }));
  const total = rows.reduce((n, r) => n + r.tried, 0);
  const wrong = rows.reduce((n, r) => n + r.wrong, 0);
  console.table(rows);
  console.log(
    `federation fuzz (seed ${SEED}): ${total} mutated inputs, ${wrong} wrongly accepted; ` +
      `controls accepted: ${controls.verifier} by the verifier, ${controls.node} by nodes; ${Date.now() - started} ms`,
  );
  await net?.close();
});

// ------------------------------------------------------------------ the classes

describe('mutated federation inputs', () => {
  it('every seed of every kind is valid as signed (the controls the mutations start from)', async () => {
    expect(new Set(seeds.map((s) => s.kind))).toEqual(new Set(OBJECT_KINDS));
    for (const s of seeds) {
      const r = await verifyObject(s.jws, { resolveKey });
      expect(r.ok, r.ok ? '' : `${s.kind}: ${r.reason} ${r.detail}`).toBe(true);
      if (r.ok) expect(payloadIdOf(s.jws)).toBe(r.id);
    }
  });

  it('byte flips, truncations, extensions and swapped segments of signed objects', async () => {
    await runClass('byte-flip', fc.tuple(seedArb(), fc.nat(), fc.nat()), 3000, async ([s, pos, c]) => {
      const m = flip(s.jws, pos, c);
      return m === s.jws ? undefined : m;
    });
    await runClass(
      'multi-flip',
      fc.tuple(seedArb(), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 2, maxLength: 8 })),
      1500,
      async ([s, flips]) => {
        const m = flips.reduce((j, [p, c]) => flip(j, p, c), s.jws);
        return m === s.jws ? undefined : m;
      },
    );
    await runClass('truncate', fc.tuple(seedArb(), fc.nat(), fc.nat({ max: 64 })), 1200, async ([s, pos, len]) => {
      const i = pos % s.jws.length;
      const m = len === 0 ? s.jws.slice(0, i) : s.jws.slice(0, i) + s.jws.slice(i + len);
      return m === s.jws ? undefined : m;
    });
    await runClass(
      'extend',
      fc.tuple(seedArb(), fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }), fc.boolean()),
      600,
      async ([s, extra, front]) => (front ? extra + s.jws : s.jws + extra),
    );
    await runClass(
      'segment-swap',
      fc.tuple(seedArb(), seedArb(), fc.constantFrom(0, 1, 2)),
      800,
      async ([a, b, part]) => {
        const pa = a.jws.split('.');
        pa[part] = b.jws.split('.')[part]!;
        const m = pa.join('.');
        return m === a.jws ? undefined : m;
      },
    );
  });

  it('payload or header edits kept under the original signature', async () => {
    // Edits that keep the object valid, so only the signature (or the key lookup) can catch them.
    const FREE_TEXT = new Set([
      'title',
      'narrative',
      'comment',
      'reason',
      'note',
      'text',
      'problem',
      'whatWorked',
      'to',
    ]);
    const safeText = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,!?-]{0,40}[A-Za-z0-9]$/);
    await runClass(
      'valid-edit-unsigned',
      fc.tuple(seedArb(), fc.nat(), safeText, fc.integer({ min: 1, max: 5_000 })),
      1500,
      async ([s, n, words, ms]) => {
        const o = s.object as Record<string, Json>;
        const texts = nodesOf(s.object).filter(
          (x) =>
            typeof x.value === 'string' &&
            FREE_TEXT.has(String(x.path[x.path.length - 1])) &&
            // A training summary's `period.to` is a date, not the free text `to` of a delivery.
            !x.path.includes('period'),
        );
        const edits: (() => Json)[] = [
          () => {
            const { recipients: _r, ...rest } = o;
            return { ...rest, ...clone(pick(MARKINGS, n)) } as unknown as Json;
          },
          () => ({ ...o, created: new Date(Date.parse(o.created as string) + ms).toISOString() }),
          () => ({ ...o, origin: pick(['t-city-1', 't-city-2', 't-city-3', 't-hub'], n) }),
          ...(texts.length > 0 ? [() => setAt(s.object, pick(texts, n).path, words)] : []),
        ];
        const changed = pick(edits, Math.floor(n / 7))();
        const [h, , sig] = s.jws.split('.');
        const m = `${h}.${b64(canonicalBytes(changed))}.${sig}`;
        return m === s.jws ? undefined : m;
      },
      ['bad_signature', 'unknown_kid'],
    );
    await runClass(
      'payload-edit-unsigned',
      fc.tuple(seedArb(), fc.nat(), fc.jsonValue({ maxDepth: 2 })),
      2000,
      async ([s, at, value]) => {
        const nodes = nodesOf(s.object);
        const target = pick(nodes, at);
        const changed = setAt(s.object, target.path, value as Json);
        const [h, , sig] = s.jws.split('.');
        let payload: Uint8Array;
        try {
          payload = canonicalBytes(changed);
        } catch {
          return undefined;
        }
        const m = `${h}.${b64(payload)}.${sig}`;
        return m === s.jws ? undefined : m;
      },
    );
    await runClass(
      'header-edit-unsigned',
      fc.tuple(seedArb(), fc.constantFrom('kid', 'typ', 'alg'), fc.nat()),
      600,
      async ([s, field, n]) => {
        const [, p, sig] = s.jws.split('.');
        const others = [...keys.values(), mallory].map((k) => k.kid);
        const value =
          field === 'kid'
            ? pick(others, n)
            : field === 'typ'
              ? typOf(pick(OBJECT_KINDS, n))
              : pick(['EdDSA', 'Ed25519'], n);
        const h = { ...header(s.kind, keyOf(s.origin).kid), [field]: value };
        const m = `${b64json(h)}.${p}.${sig}`;
        return m === s.jws ? undefined : m;
      },
    );
  });

  it('schema violations re-signed by the origin member key', async () => {
    await runClass(
      'type-confusion',
      fc.tuple(seedArb(), fc.nat(), fc.jsonValue({ maxDepth: 2 })),
      2000,
      async ([s, at, value]) => {
        const target = pick(nodesOf(s.object), at);
        if (jsonType(value as Json) === jsonType(target.value)) return undefined;
        return resign(setAt(s.object, target.path, value as Json), s.kind, keyOf(s.origin));
      },
      ['schema'],
    );
    await runClass(
      'unknown-field',
      fc.tuple(seedArb(), fc.nat(), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
      1000,
      async ([s, at, name, value]) => {
        const objects = [{ path: [] as Path, value: s.object }, ...nodesOf(s.object)].filter(
          (x) => jsonType(x.value) === 'object',
        );
        const target = pick(objects, at);
        return resign(setAt(s.object, [...target.path, `x-${name}`], value as Json), s.kind, keyOf(s.origin));
      },
      ['schema', 'too_large'],
    );
    await runClass(
      'enum-out-of-range',
      fc.tuple(seedArb(), fc.nat(), fc.string({ maxLength: 20 })),
      800,
      async ([s, at, junk]) => {
        // A liaison's `role` is free text, not a member's role.
        const enums = nodesOf(s.object).filter(
          (x) => ENUM_KEYS.has(String(x.path[x.path.length - 1])) && !(s.kind === 'liaison' && x.path.includes('role')),
        );
        if (enums.length === 0) return undefined;
        return resign(setAt(s.object, pick(enums, at).path, `~${junk}`), s.kind, keyOf(s.origin));
      },
      ['schema'],
    );
    await runClass(
      'bad-format',
      fc.tuple(seedArb(), fc.nat(), fc.nat()),
      1200,
      async ([s, at, n]) => {
        const fields = nodesOf(s.object)
          .map((x) => ({ ...x, bad: badValuesFor(x.path, x.value) }))
          .filter((x) => x.bad !== undefined);
        const f = pick(fields, at);
        return resign(setAt(s.object, f.path, pick(f.bad!, n)), s.kind, keyOf(s.origin));
      },
      ['schema'],
    );
    await runClass(
      'kind-mismatch',
      fc.tuple(seedArb(), fc.constantFrom(...OBJECT_KINDS)),
      600,
      async ([s, other]) => {
        if (other === s.kind) return undefined;
        // Body of one kind under another kind's name (and typ).
        return resign({ ...(s.object as object), kind: other } as Json, other, keyOf(s.origin));
      },
      ['schema'],
    );
  });

  it('TLP, audience and expiry rules broken, re-signed by the origin member key', async () => {
    await runClass(
      'tlp-rule',
      fc.tuple(seedArb(), fc.nat()),
      1000,
      async ([s, n]) => resign(pick(tlpBreakers(s.object as Record<string, Json>), n), s.kind, keyOf(s.origin)),
      ['schema'],
    );
  });

  it('wrong keys: a non-member, another member, a claimed kid, the origin forged', async () => {
    const members = () => [...keys.keys()];
    await runClass(
      'non-member-key',
      fc.tuple(seedArb(), fc.constantFrom('own-kid', 'claims-origin-kid', 'origin-mallory')),
      900,
      async ([s, how]) => {
        if (how === 'origin-mallory')
          return resign({ ...(s.object as object), origin: 'mallory' } as Json, s.kind, mallory);
        return resign(s.object, s.kind, mallory, how === 'own-kid' ? mallory.kid : keyOf(s.origin).kid);
      },
      ['unknown_kid', 'bad_signature'],
    );
    await runClass(
      'wrong-kid-or-signer',
      fc.tuple(seedArb(), fc.nat(), fc.constantFrom('other-kid', 'other-signer', 'origin-swapped')),
      900,
      async ([s, n, how]) => {
        const other = members().filter((m) => m !== s.origin);
        const o = pick(other, n);
        if (how === 'other-kid') return resign(s.object, s.kind, keyOf(s.origin), keyOf(o).kid);
        if (how === 'other-signer') return resign(s.object, s.kind, keyOf(o));
        // The payload claims another member as origin, signed and kid'ed by the real signer.
        return resign({ ...(s.object as object), origin: o } as Json, s.kind, keyOf(s.origin));
      },
      ['unknown_kid', 'bad_signature'],
    );
    await runClass(
      'key-window',
      fc.tuple(seedArb(), fc.constantFrom(...['x-revoked', 'x-expired', 'x-later', 'x-compromised'])),
      600,
      async ([s, node]) => resign({ ...(s.object as object), origin: node } as Json, s.kind, keyOf(node)),
      ['key_revoked', 'key_expired', 'key_not_yet_valid'],
    );
  });

  it('wrong alg, typ and header parameters, signed by the origin member key', async () => {
    const ALGS: unknown[] = ['none', 'HS256', 'ES256', 'RS256', 'Ed25519', 'eddsa', 'EdDSA ', '', null, 1, ['EdDSA']];
    await runClass(
      'wrong-alg',
      fc.tuple(seedArb(), fc.nat()),
      600,
      async ([s, n]) => {
        const h = { ...header(s.kind, keyOf(s.origin).kid), alg: pick(ALGS, n) };
        return rawJws(h, canonicalBytes(s.object), keyOf(s.origin));
      },
      ['bad_alg'],
    );
    const TYPS = (k: ObjectKind): unknown[] => [
      'JWT',
      `citylink.${k}+JWS`,
      `citylink.${k}`,
      `${typOf(k)} `,
      'citylink.unknown+jws',
      undefined,
      null,
      7,
      ...OBJECT_KINDS.filter((x) => x !== k).map(typOf),
    ];
    await runClass(
      'wrong-typ',
      fc.tuple(seedArb(), fc.nat()),
      700,
      async ([s, n]) => {
        const h: Record<string, unknown> = { ...header(s.kind, keyOf(s.origin).kid), typ: pick(TYPS(s.kind), n) };
        if (h.typ === undefined) delete h.typ;
        return rawJws(h, canonicalBytes(s.object), keyOf(s.origin));
      },
      ['wrong_typ'],
    );
    const EXTRA: [string, unknown][] = [
      ['jwk', { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }],
      ['crit', ['b64']],
      ['b64', false],
      ['jku', 'https://evil.example/jwks'],
      ['x5u', 'https://evil.example/cert'],
      ['x5c', ['MIIB']],
      ['cty', 'json'],
      ['zip', 'DEF'],
      ['kid2', 'x'],
      ['__proto__', { alg: 'none' }],
    ];
    await runClass(
      'extra-header',
      fc.tuple(seedArb(), fc.nat(), fc.boolean()),
      500,
      async ([s, n, asText]) => {
        const [name, value] = pick(EXTRA, n);
        const base = header(s.kind, keyOf(s.origin).kid);
        const text = asText
          ? `${JSON.stringify(base).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(value)}}`
          : JSON.stringify({ ...base, [name]: value });
        return rawJws(text, canonicalBytes(s.object), keyOf(s.origin));
      },
      ['malformed'],
    );
    await runClass(
      'bad-kid',
      fc.tuple(seedArb(), fc.constantFrom<unknown>('', null, 5, undefined, ['x'], 'x'.repeat(2000))),
      300,
      async ([s, kid]) => {
        const h: Record<string, unknown> = { ...header(s.kind, keyOf(s.origin).kid), kid };
        if (kid === undefined) delete h.kid;
        return rawJws(h, canonicalBytes(s.object), keyOf(s.origin));
      },
      ['malformed', 'unknown_kid'],
    );
    await runClass(
      'not-a-header',
      fc.tuple(seedArb(), fc.constantFrom('[]', 'null', '"EdDSA"', '{', '', '{"alg":"EdDSA"', '\ufeff{}')),
      200,
      async ([s, text]) => rawJws(text, canonicalBytes(s.object), keyOf(s.origin)),
      ['malformed', 'bad_alg'],
    );
  });

  it('badly timed: expired, far-future created, created before the key existed', async () => {
    await runClass(
      'expired',
      seedArb(),
      500,
      async (s) => {
        const created = (s.object as { created: string }).created;
        const o = { ...(s.object as object), expires: new Date(Date.parse(created) + 1).toISOString() } as Json;
        return resign(o, s.kind, keyOf(s.origin));
      },
      ['expired'],
    );
    await runClass(
      'future',
      fc.tuple(seedArb(), fc.integer({ min: LIMITS.maxClockSkewMs + 60_000, max: 100 * 365 * 86_400_000 })),
      500,
      async ([s, ahead]) => {
        const created = new Date(Date.now() + ahead).toISOString();
        const { expires: _drop, ...rest } = s.object as Record<string, Json>;
        return resign({ ...rest, created } as Json, s.kind, keyOf(s.origin));
      },
      ['future'],
    );
    await runClass(
      'before-key',
      fc.tuple(seedArb(), fc.integer({ min: 60_000, max: 20 * 365 * 86_400_000 })),
      400,
      async ([s, back]) => {
        const created = new Date(started - back).toISOString();
        const { expires: _drop, ...rest } = s.object as Record<string, Json>;
        return resign({ ...rest, created } as Json, s.kind, keyOf(s.origin));
      },
      ['key_not_yet_valid'],
    );
  });

  it('oversized objects, by kind', async () => {
    const oversized = (s: Seed, size: number) =>
      resign(setAt(s.object, ['body', 'narrative'], 'x'.repeat(Math.ceil((size * 3) / 4))), s.kind, keyOf(s.origin));
    const small = fc.tuple(seedArb(), fc.nat({ max: 4096 })).filter(([s]) => maxBytesForKind(s.kind) < 1024 * 1024);
    await runClass('oversized', small, 150, async ([s, extra]) => oversized(s, maxBytesForKind(s.kind) + 1 + extra), [
      'too_large',
    ]);
    // Past the hard ceiling (a few only: each is 4 MiB to sign and check).
    await runClass('oversized-absolute', seedArb(), 12, async (s) => oversized(s, LIMITS.absoluteMaxObjectBytes + 1), [
      'too_large',
    ]);
  });

  it('non-canonical JSON: whitespace, key order, duplicate keys, escapes, number forms, encodings', async () => {
    await runClass(
      'non-canonical',
      fc.tuple(seedArb(), fc.nat()),
      1500,
      async ([s, n]) => {
        const text = utf8.decode(canonicalBytes(s.object));
        const out = pick(NON_CANONICAL, n)(text, s.object);
        if (out === undefined || out === text) return undefined;
        return rawJws(
          header(s.kind, keyOf(s.origin).kid),
          typeof out === 'string' ? utf8.encode(out) : out,
          keyOf(s.origin),
        );
      },
      ['not_canonical', 'malformed'],
    );
  });
});

// ------------------------------------------------------------------ through a node

type Item = { cls: string; jws: string; duplicateOk?: boolean };

/** Acts as `from` calling `to`'s federation.deliver over HTTP with a fresh request token signed by `key`. */
async function deliverHttp(from: string, key: NodeKey, to: CityLinkNode, objects: string[]): Promise<ObjectResult[]> {
  const client = createPeerClient({
    baseUrl: to.baseUrl,
    self: from,
    target: to.id,
    key: () => key,
    timeoutMs: 20_000,
  });
  // One call stays under the HTTP batch ceiling (2 MiB); several oversized mutations may be queued together.
  const results: ObjectResult[] = [];
  for (let i = 0; i < objects.length; ) {
    let bytes = 0;
    let j = i;
    while (j < objects.length && (j === i || bytes + objects[j]!.length < 1_900_000)) bytes += objects[j++]!.length;
    results.push(
      ...((await client.federation.deliver.mutate({ objects: objects.slice(i, j) })).results as ObjectResult[]),
    );
    i = j;
  }
  return results;
}

let controlSerial = 0;
/** Fresh valid objects `to` must accept from t-city-1: addressed to it, of several kinds and markings. */
async function nodeControls(to: CityLinkNode): Promise<string[]> {
  const n = ++controlSerial;
  const forHub = to.id === 't-hub';
  const list: Json[] = forHub
    ? [
        objectOf('bulletin', 't-city-1', MARKINGS[0]),
        objectOf('note', 't-city-1', { tlp: 'AMBER', audience: ['t-hub'] } as never),
        objectOf('bulletin', 't-city-3', MARKINGS[1]),
      ]
    : [
        objectOf('bulletin', 't-city-1', pick([MARKINGS[0], MARKINGS[2], MARKINGS[4]], n)),
        objectOf('note', 't-city-1', pick([MARKINGS[1], MARKINGS[3]], n)),
        objectOf('bulletin', 't-city-3', MARKINGS[0]),
      ];
  return Promise.all(
    list.map(
      async (o) => (await signObject(o as unknown as SignedObject, keyOf((o as { origin: string }).origin))).jws,
    ),
  );
}

/** Delivers mutated items with interleaved controls; checks every outcome. */
async function deliverChecked(to: CityLinkNode, items: Item[], via: 'pipeline' | 'pull' | 'http', from = 't-city-1') {
  const ctrl = await nodeControls(to);
  const batch: { jws: string; item?: Item }[] = items.map((item) => ({ jws: item.jws, item }));
  for (const [i, jws] of ctrl.entries())
    batch.splice(Math.floor(((i + 1) * batch.length) / (ctrl.length + 1)), 0, { jws });
  const jwsList = batch.map((b) => b.jws);
  // Past the HTTP batch ceiling a call is refused whole, before any object is looked at: push those in-process.
  if (via === 'http' && jwsList.some((j) => j.length > 1_900_000)) via = 'pipeline';
  const results =
    via === 'http'
      ? await deliverHttp(from, keyOf(from), to, jwsList)
      : await to.inbound.receive(jwsList, from, via === 'pull' ? 'pull' : 'push');
  expect(results).toHaveLength(batch.length);
  for (const [i, r] of results.entries()) {
    const { item } = batch[i]!;
    if (!item) {
      expect(r, `control refused by ${to.id}`).toMatchObject({ outcome: 'accepted' });
      acceptedControls.add((r as { id: string }).id);
      controls.node++;
      continue;
    }
    const t = tally(`${item.cls}@node`);
    t.tried++;
    if (r.outcome === 'accepted') {
      t.wronglyAccepted++;
      expect.fail(`${item.cls}: ${to.id} accepted a mutated input via ${via}: ${item.jws.slice(0, 300)}`);
    }
    if (r.outcome === 'duplicate') {
      t.duplicate++;
      expect(item.duplicateOk, `${item.cls}: a mutated input was answered duplicate`).toBe(true);
      continue;
    }
    t.rejected++;
    t.reasons.set(r.reason, (t.reasons.get(r.reason) ?? 0) + 1);
    expect(r.reason).toMatch(/^[a-z_]+$/);
    expect(r.detail).toMatch(/\S/);
  }
}

/** A federation call refused as a whole (bad or foreign request token): nothing in it may land. */
async function refusedCall(cls: string, call: Promise<unknown>, count: number, codes: string[]) {
  const err = await call.then(
    () => expect.fail(`${cls}: the call was expected to be refused`),
    (e: unknown) => e as { data?: { code?: string } },
  );
  expect(codes).toContain(err.data?.code);
  const t = tally(`${cls}@node`);
  t.tried += count;
  t.rejected += count;
  t.reasons.set(`call:${err.data?.code}`, (t.reasons.get(`call:${err.data?.code}`) ?? 0) + count);
}

describe('through a receiving node: the whole pipeline, in-process and federation.deliver over HTTP', () => {
  it('queued mutations of every class are refused with a reason, controls in the same batches accepted', async () => {
    expect(nodeQueue.length).toBeGreaterThan(1500);
    const BATCH = 60;
    for (let i = 0, b = 0; i < nodeQueue.length; i += BATCH, b++) {
      const items = nodeQueue.slice(i, i + BATCH);
      // Every fourth batch to the hub (which relays what it accepts).
      const to = b % 4 === 3 ? net.hub : receiver();
      // Over HTTP, pushed in-process, or as a page of catch-up pulled from a hostile member.
      await deliverChecked(to, items, pick(['http', 'pipeline', 'pull'] as const, b));
      expect(Date.now() - started, 'time budget').toBeLessThan(TIME_BUDGET_MS);
    }
  });

  it('node rules: replays, mis-addressed, not forwardable, hub-only kinds, foreign authorship, revoked member', async () => {
    const city2 = receiver();
    const signed = async (o: Json) =>
      (await signObject(o as unknown as SignedObject, keyOf((o as { origin: string }).origin))).jws;
    const queue: Item[] = [];
    const add = async (cls: string, o: Json) => {
      const jws = await signed(o);
      mutatedIds.add(payloadIdOf(jws)!);
      queue.push({ cls, jws });
    };
    // Objects of t-city-3 that city-2 holds, for the authorship rules.
    const theirs = objectOf('bulletin', 't-city-3', MARKINGS[0]);
    const theirNote = objectOf('note', 't-city-3', MARKINGS[0]);
    const held = [await signed(theirs), await signed(theirNote)];
    const [a, b] = await city2.inbound.receive(held, 't-city-3', 'push');
    expect([a?.outcome, b?.outcome]).toEqual(['accepted', 'accepted']);
    for (const r of [a, b]) acceptedControls.add((r as { id: string }).id);
    const theirId = (a as { id: string }).id;
    const theirNoteId = (b as { id: string }).id;

    for (let i = 0; i < 40; i++) {
      const kind = pick(['bulletin', 'note', 'acknowledgement', 'endorsement'] as ObjectKind[], i);
      for (const audience of [['t-city-3'], ['t-hub'], []]) {
        await add(
          'mis-addressed',
          objectOf(kind, 't-city-1', { tlp: pick(['AMBER', 'AMBER+STRICT', 'GREEN'], i), audience } as never),
        );
      }
      await add(
        'mis-addressed',
        objectOf(kind, 't-city-1', {
          tlp: 'RED',
          audience: ['t-city-2', 't-city-3'],
          recipients: [{ node: 't-city-3', user: 'staff' }],
        } as never),
      );
      for (const m of [MARKINGS[2], MARKINGS[3], MARKINGS[4]])
        await add('not-forwardable', objectOf(kind, 't-city-3', m));
      await add('hub-only-by-city', objectOf(pick(HUB_KINDS, i), 't-city-1', MARKINGS[0]));
      const body = (k: ObjectKind, extra: Record<string, Json>): Json => {
        const o = objectOf(k, 't-city-1', MARKINGS[0]) as Record<string, Json>;
        return { ...o, body: { ...(o.body as Record<string, Json>), ...extra } };
      };
      await add('foreign-authorship', body('retraction', { target: theirId }));
      await add('foreign-authorship', body('bulletin', { supersedes: theirId }));
      await add('foreign-authorship', body('note', { supersedes: theirNoteId }));
      await add('foreign-authorship', body('bulletin-status', { target: theirId }));
      await add('foreign-authorship', body('bulletin-status', { target: theirNoteId }));
      await add('foreign-authorship', body('bulletin-status', { target: fakeId(`unknown-${i}`) }));
    }
    // Replays of controls already accepted: a duplicate, never accepted twice.
    const replays = [...acceptedControls].slice(0, 60);
    const stored = await city2.store.getObjects(replays);
    for (const o of stored) queue.push({ cls: 'replay', jws: o.jws, duplicateOk: true });
    expect(stored.length).toBeGreaterThan(10);

    for (let i = 0; i < queue.length; i += 50) {
      await deliverChecked(city2, queue.slice(i, i + 50), pick(['http', 'pipeline', 'pull'] as const, i / 50));
    }

    // A member revoked by the hub: its new objects, passed on by another member, and its own calls.
    const city4 = await net.addCity('t-city-4');
    keys.set('t-city-4', await readKeyFile(net.configOf('t-city-4').keyFile as string));
    await net.hub.membership.setStatus('t-city-4', 'revoked', 'fuzz');
    await net.refreshRosters();
    const revoked: Item[] = [];
    for (let i = 0; i < 40; i++) {
      const jws = await signed(objectOf(pick(['bulletin', 'note'] as ObjectKind[], i), 't-city-4', MARKINGS[0]));
      mutatedIds.add(payloadIdOf(jws)!);
      revoked.push({ cls: 'revoked-member', jws });
    }
    await deliverChecked(city2, revoked.slice(0, 20), 'http');
    await deliverChecked(city2, revoked.slice(20), 'pipeline');
    await refusedCall(
      'revoked-sender',
      deliverHttp(
        't-city-4',
        keyOf('t-city-4'),
        city2,
        revoked.map((r) => r.jws),
      ),
      revoked.length,
      ['UNAUTHORIZED', 'FORBIDDEN'],
    );
    expect(city4.id).toBe('t-city-4');

    // A non-member (its own key), and one claiming to be t-city-1 with its key: the call itself is refused.
    const forged = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const jws = await resign(objectOf('bulletin', 'mallory', MARKINGS[0]), 'bulletin', mallory);
        mutatedIds.add(payloadIdOf(jws)!);
        expect(i).toBeLessThan(20);
        return jws;
      }),
    );
    await refusedCall('non-member-sender', deliverHttp('mallory', mallory, city2, forged), forged.length, [
      'UNAUTHORIZED',
      'FORBIDDEN',
    ]);
    await refusedCall('forged-sender', deliverHttp('t-city-1', mallory, city2, forged), forged.length, [
      'UNAUTHORIZED',
      'FORBIDDEN',
    ]);
  });

  it('nothing mutated is held, shown in a feed, or queued in an outbox, on any node', async () => {
    await net.processAll();
    const ids = [...mutatedIds];
    for (const id of acceptedControls) expect(mutatedIds.has(id), 'a control id among the mutated').toBe(false);
    for (const node of net.nodes) {
      expect(await node.store.heldIds(ids), `${node.id} holds a mutated object`).toEqual(new Set());
      const queued: string[] = await knexOf(node.store)('outbox').distinct('object_id').pluck('object_id');
      expect(
        queued.filter((id) => mutatedIds.has(id)),
        `${node.id} queued a mutated object`,
      ).toEqual([]);
    }
    // What a person sees: city-2's staff (a named RED recipient) reads the feed and the object log.
    const staff = await net.login(receiver(), 'staff');
    const seen: string[] = [];
    for (let after = 0, round = 0; round < 100; round++) {
      const page = await staff.staff.objects.query({ after, limit: 500 });
      seen.push(...page.items.map((e: { id: string }) => e.id));
      if (page.next === after || page.next >= page.head) break;
      after = page.next;
    }
    const feed = await staff.staff.feed.query({ limit: 200 });
    seen.push(...feed.items.map((i: { id: string }) => i.id));
    expect(seen.filter((id) => mutatedIds.has(id))).toEqual([]);
    expect(
      seen.some((id) => acceptedControls.has(id)),
      'controls are visible',
    ).toBe(true);
    const wrong = [...tallies.values()].reduce((n, t) => n + t.wronglyAccepted, 0);
    const total = [...tallies.values()].reduce((n, t) => n + t.tried, 0);
    expect(wrong).toBe(0);
    expect(total).toBeGreaterThanOrEqual(20_000);
    expect(controls.verifier).toBeGreaterThan(500);
    expect(controls.node).toBeGreaterThan(100);
  });
});
