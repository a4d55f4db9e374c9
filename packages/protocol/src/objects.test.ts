import { describe, expect, it } from 'vitest';
import { base64url, utf8 } from './encoding.js';
import {
  HUB_ONLY_KINDS,
  kindOfTyp,
  OBJECT_KINDS,
  type ObjectKind,
  SignedObjectSchema,
  StatementTextSchema,
  typOf,
} from './index.js';
import { LIMITS } from './limits.js';
import { INCIDENT_CODES, INCIDENT_TAXONOMY } from './taxonomy.js';

type Json = Record<string, unknown>;

// ------------------------------------------------------------------ builders

/** Distinct, well-formed object ids. */
const ID = {
  a: 'A'.repeat(43),
  b: 'B'.repeat(43),
  c: 'c'.repeat(43),
  d: `${'d'.repeat(21)}-_${'9'.repeat(20)}`,
};
const CREATED = '2024-10-01T12:00:00Z';
const LATER = '2024-10-08T12:00:00.000Z';

const validKey = (): Json => ({
  kid: ID.d,
  jwk: { kty: 'OKP', crv: 'Ed25519', x: ID.c },
  validFrom: '2024-01-01T00:00:00Z',
});

const validMember = (): Json => ({
  node: 'wi-madison',
  name: 'City of Madison',
  baseUrl: 'https://citylink.madison.example',
  role: 'city',
  status: 'active',
  keys: [validKey()],
});

const header = (block: Json = { name: 'Jane Doe', title: 'Mayor', city: 'Madison' }) =>
  base64url.encode(
    utf8.encode(
      JSON.stringify({
        alg: 'EdDSA',
        typ: 'citylink.statement-text+jws',
        kid: ID.c,
        node: 'wi-madison',
        block,
        iat: '2026-11-03T10:00:00Z',
      }),
    ),
  );
const cosignature = (): Json => ({ protected: header(), signature: 'c2lnbmF0dXJl' });

/** One valid body per kind; the Record type makes the compiler insist on every kind. */
const VALID_BODIES: Record<ObjectKind, () => Json> = {
  bulletin: () => ({
    title: 'Phishing e-mail posing as the state elections office',
    narrative: 'Three clerks received a message asking them to re-enter their credentials.',
    category: 'cyber.phishing',
    severity: 'medium',
  }),
  'bulletin-status': () => ({ target: ID.a, status: 'investigating' }),
  note: () => ({
    topic: 'phishing-training',
    title: 'Quarterly phishing drills',
    problem: 'Staff clicked on test lures.',
    whatWorked: 'Short monthly drills with immediate feedback.',
    jurisdictionSize: 'm',
  }),
  endorsement: () => ({ target: ID.a }),
  acknowledgement: () => ({ target: ID.a, seenHere: true }),
  retraction: () => ({ target: ID.a, reason: 'Posted to the wrong network.' }),
  posture: () => ({ level: 'elevated' }),
  'statement-revision': () => ({
    title: 'Joint statement on election security funding',
    text: 'We, the undersigned mayors, ask for stable funding.',
    addressees: ['The Governor'],
    invited: ['wi-green-bay', 'wi-milwaukee'],
  }),
  'statement-comment': () => ({ statement: ID.a, revision: ID.b, comment: 'Please name the grant program.' }),
  'statement-decision': () => ({ statement: ID.a, proposal: ID.b, decision: 'accepted', revision: ID.c }),
  'statement-signon': () => ({ statement: ID.a, revision: ID.b, textHash: ID.c, deadline: LATER }),
  'statement-signature': () => ({
    statement: ID.a,
    signOn: ID.b,
    textHash: ID.c,
    block: { name: 'Jane Doe', title: 'Mayor', city: 'Madison' },
    cosignature: cosignature(),
  }),
  'statement-withdrawal': () => ({ statement: ID.a, signature: ID.b }),
  'statement-final': () => ({
    statement: ID.a,
    signOn: ID.b,
    textHash: ID.c,
    signatures: [ID.d],
    document: { payload: 'eyJ2IjoxfQ', signatures: [cosignature()] },
  }),
  'statement-delivery': () => ({
    statement: ID.a,
    final: ID.b,
    to: 'Office of the Governor',
    method: 'hand',
    deliveredAt: LATER,
  }),
  membership: () => ({ network: 'wi', member: validMember() }),
  roster: () => ({ network: 'wi', version: 1, members: [validMember()] }),
  enrollment: () => ({
    network: 'wi',
    node: 'wi-green-bay',
    name: 'City of Green Bay',
    baseUrl: 'https://citylink.greenbaywi.example',
    key: { kid: validMember().keys[0].kid, jwk: validMember().keys[0].jwk },
    contact: 'clerk@greenbaywi.example',
  }),
  'red-directory': () => ({ people: [{ user: 'clerk', name: 'Maribeth Witzel-Behl', title: 'city clerk' }] }),
  'key-announcement': () => ({
    node: 'wi-madison',
    replaces: validMember().keys[0].kid,
    key: { kid: ID.d, jwk: validMember().keys[0].jwk, validFrom: LATER },
  }),
  'operational-period': () => ({ name: 'General election, Nov 3', start: CREATED, end: LATER }),
  checkin: () => ({ period: ID.a, state: 'quiet', note: 'All polling places open.', open: [ID.b] }),
  'shift-note': () => ({
    period: ID.a,
    type: 'handover',
    by: 'Jo Official',
    text: 'Madison scanner fixed; Milwaukee quiet.',
    onShift: ['jo'],
  }),
  commission: () => ({ chartered: '2026-01-10', members: { cybersecurity: 1 }, meetings: ['2026-03-01'] }),
  'contingency-plan': () => ({
    scenario: 'machine-malfunction',
    title: 'Pollbook failure',
    coversElectionDay: true,
    coversEarlyVoting: false,
    ownerRole: 'City clerk',
    lastReviewed: '2026-09-01',
    plan: { text: 'Switch to paper pollbooks.' },
  }),
  'training-summary': () => ({
    period: { from: '2026-01-01', to: '2026-06-30' },
    course: 'Spear-phishing basics',
    coversSpearPhishing: true,
    staffWithAccess: 20,
    trained: 19,
  }),
  liaison: () => ({ role: 'IT security lead', agency: 'City IT', name: 'Sam Lee', workContact: 'it@city.example' }),
  forum: () => ({ date: '2026-10-01', with: 'County clerk', needs: ['Backup printers'], followUps: [] }),
  assessment: () => ({ provider: 'cisa', kind: 'vulnerability-scanning', date: '2026-05-01', openFindings: 2 }),
  'funding-need': () => ({ item: 'Backup pollbooks', amount: 40_000, buys: 'Ten paper kits', recommendation: 2 }),
  'security-day': () => ({ proclamation: '2026-10-15' }),
};

function validObject(kind: ObjectKind, envelope: Json = {}): Json {
  return {
    v: 1,
    kind,
    origin: 'wi-madison',
    created: CREATED,
    tlp: 'GREEN',
    audience: ['*'],
    body: VALID_BODIES[kind](),
    ...envelope,
  };
}

const withBody = (kind: ObjectKind, patch: Json): Json => ({
  ...validObject(kind),
  body: { ...VALID_BODIES[kind](), ...patch },
});

const bulletin = (patch: Json) => withBody('bulletin', patch);
const membership = (memberPatch: Json) => withBody('membership', { member: { ...validMember(), ...memberPatch } });

/** A RED object addressed to one named person at wi-green-bay. */
const redObject = (envelope: Json = {}) =>
  validObject('bulletin', {
    tlp: 'RED',
    audience: ['wi-green-bay'],
    recipients: [{ node: 'wi-green-bay', user: 'clerk@greenbay.example' }],
    ...envelope,
  });

// ------------------------------------------------------------------ helpers

function expectValid(value: unknown) {
  const result = SignedObjectSchema.safeParse(value);
  expect(result.error?.issues ?? []).toEqual([]);
}

/** Rejected, with at least one issue at (or under) `path`, so a test cannot pass for an unrelated reason. */
function expectInvalidAt(value: unknown, path: (string | number)[]) {
  const result = SignedObjectSchema.safeParse(value);
  expect(result.success).toBe(false);
  const paths = (result.error?.issues ?? []).map((issue) => issue.path.slice(0, path.length));
  expect(paths).toContainEqual(path);
}

// ------------------------------------------------------------------ tests

describe('OBJECT_KINDS', () => {
  it('lists the protocol kinds', () => {
    expect([...OBJECT_KINDS].sort()).toEqual(
      [
        'acknowledgement',
        'bulletin',
        'bulletin-status',
        'endorsement',
        'membership',
        'note',
        'posture',
        'retraction',
        'roster',
        'enrollment',
        'key-announcement',
        'red-directory',
        'statement-comment',
        'statement-decision',
        'statement-delivery',
        'statement-final',
        'statement-revision',
        'statement-signature',
        'statement-signon',
        'statement-withdrawal',
        'operational-period',
        'checkin',
        'shift-note',
        'commission',
        'contingency-plan',
        'training-summary',
        'liaison',
        'forum',
        'assessment',
        'funding-need',
        'security-day',
      ].sort(),
    );
  });

  it('hub-only kinds are posture, membership, roster, operational-period and shift-note', () => {
    expect([...HUB_ONLY_KINDS].sort()).toEqual(['membership', 'operational-period', 'posture', 'roster', 'shift-note']);
  });
});

describe.each(OBJECT_KINDS)('SignedObjectSchema: %s', (kind) => {
  it('accepts a valid example', () => {
    expectValid(validObject(kind));
  });

  it('accepts an AMBER example for named nodes with an expiry', () => {
    expectValid(validObject(kind, { tlp: 'AMBER', audience: ['wi-green-bay', 'wi-hub'], expires: LATER }));
  });

  it('rejects an unknown envelope field', () => {
    expectInvalidAt({ ...validObject(kind), extra: true }, []);
  });

  it('rejects an unknown body field', () => {
    expectInvalidAt(withBody(kind, { extra: true }), ['body']);
  });

  it('rejects the body of every other kind', () => {
    for (const other of OBJECT_KINDS.filter((k) => k !== kind)) {
      const mixed = { ...validObject(kind), body: VALID_BODIES[other]() };
      expect(SignedObjectSchema.safeParse(mixed).success, `${kind} with a ${other} body`).toBe(false);
    }
  });

  it('rejects a missing body', () => {
    const { body: _body, ...rest } = validObject(kind);
    expectInvalidAt(rest, ['body']);
  });

  it('round-trips its typ header', () => {
    expect(typOf(kind)).toBe(`citylink.${kind}+jws`);
    expect(kindOfTyp(typOf(kind))).toBe(kind);
  });
});

describe('SignedObjectSchema: envelope', () => {
  it.each([
    ['an unknown kind', { kind: 'nope' }, ['kind']],
    ['a missing kind', { kind: undefined }, ['kind']],
    ['protocol version 2', { v: 2 }, ['v']],
    ['a TLP outside TLP 2.0', { tlp: 'WHITE' }, ['tlp']],
    ['a lowercase TLP', { tlp: 'green' }, ['tlp']],
  ])('rejects %s', (_name, envelope, path) => {
    expectInvalidAt(validObject('bulletin', envelope), path);
  });

  it.each([
    ['a', true],
    ['wi-madison', true],
    ['0-9', true],
    ['a'.repeat(63), true],
    ['WI-Madison', false],
    ['Madison', false],
    ['-madison', false],
    ['madison-', false],
    ['wi_madison', false],
    ['wi.madison', false],
    ['', false],
    ['a'.repeat(64), false],
  ])('node id %j valid: %s', (node, ok) => {
    const value = validObject('bulletin', { origin: node });
    if (ok) expectValid(value);
    else expectInvalidAt(value, ['origin']);
  });

  it.each([
    ['an uppercase node id', ['WI-Green-Bay']],
    ['a leading dash', ['-green-bay']],
  ])('rejects an audience entry with %s', (_name, audience) => {
    expectInvalidAt(validObject('bulletin', { tlp: 'AMBER', audience }), ['audience']);
  });

  it.each([
    ['2024-10-01T12:00:00Z', true],
    ['2024-10-01T12:00:00.123Z', true],
    ['2024-10-01T12:00:00', false],
    ['2024-10-01T12:00:00+00:00', false],
    ['2024-10-01T14:00:00+02:00', false],
    ['2024-10-01 12:00:00Z', false],
    ['2024-10-01', false],
    ['2024-13-01T12:00:00Z', false],
    ['October 1, 2024', false],
    ['1727784000000', false],
  ])('created %j valid: %s', (created, ok) => {
    const value = validObject('bulletin', { created });
    if (ok) expectValid(value);
    else expectInvalidAt(value, ['created']);
  });

  it('rejects a bad timestamp inside a body', () => {
    expectInvalidAt(withBody('statement-signon', { deadline: '2024-10-08T12:00:00' }), ['body', 'deadline']);
  });

  it.each([
    ['equal to created', CREATED],
    ['before created', '2024-10-01T11:59:59Z'],
    ['before created by a fraction of a second', '2024-10-01T11:59:59.999Z'],
  ])('rejects expires %s', (_name, expires) => {
    expectInvalidAt(validObject('bulletin', { expires }), ['expires']);
  });

  it('compares expires and created as instants, not as strings', () => {
    // "…00.5Z" sorts before "…00Z" as text, but is half a second later.
    expectValid(validObject('bulletin', { created: '2024-10-01T12:00:00Z', expires: '2024-10-01T12:00:00.500Z' }));
    expectInvalidAt(validObject('bulletin', { created: '2024-10-01T12:00:00.500Z', expires: CREATED }), ['expires']);
  });

  it('accepts expires one second after created', () => {
    expectValid(validObject('bulletin', { expires: '2024-10-01T12:00:01Z' }));
  });
});

describe('SignedObjectSchema: marking rules', () => {
  it.each(['CLEAR', 'GREEN'])('accepts audience "*" with %s', (tlp) => {
    expectValid(validObject('bulletin', { tlp, audience: ['*'] }));
  });

  it.each(['AMBER', 'AMBER+STRICT', 'RED'])('rejects audience "*" with %s', (tlp) => {
    const recipients = tlp === 'RED' ? { recipients: [{ node: 'wi-green-bay', user: 'clerk' }] } : {};
    expectInvalidAt(validObject('bulletin', { tlp, audience: ['*', 'wi-green-bay'], ...recipients }), ['audience']);
    expectInvalidAt(validObject('bulletin', { tlp, audience: ['*'], ...recipients }), ['audience']);
  });

  it.each(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'])('accepts an empty audience with %s', (tlp) => {
    expectValid(validObject('bulletin', { tlp, audience: [] }));
  });

  it.each([
    ['a node', ['wi-green-bay', 'wi-hub', 'wi-green-bay']],
    ['"*"', ['*', '*']],
  ])('rejects an audience listing %s twice', (_name, audience) => {
    expectInvalidAt(validObject('bulletin', { tlp: audience[0] === '*' ? 'GREEN' : 'AMBER', audience }), ['audience']);
  });

  it('rejects an audience larger than LIMITS.maxAudience', () => {
    const audience = Array.from({ length: LIMITS.maxAudience + 1 }, (_, i) => `n${i}`);
    expectInvalidAt(validObject('bulletin', { tlp: 'AMBER', audience }), ['audience']);
    expectValid(validObject('bulletin', { tlp: 'AMBER', audience: audience.slice(1) }));
  });

  it('accepts RED with recipients whose nodes are in the audience', () => {
    expectValid(redObject());
    expectValid(
      redObject({
        audience: ['wi-green-bay', 'wi-hub'],
        recipients: [
          { node: 'wi-green-bay', user: 'clerk' },
          { node: 'wi-green-bay', user: 'it-lead' },
          { node: 'wi-hub', user: 'analyst' },
        ],
      }),
    );
  });

  it('rejects RED without recipients', () => {
    expectInvalidAt(redObject({ recipients: undefined }), ['recipients']);
  });

  it('rejects RED with an empty recipients list', () => {
    expectInvalidAt(redObject({ recipients: [] }), ['recipients']);
  });

  it('rejects a RED recipient whose node is not in the audience', () => {
    const value = redObject({
      recipients: [
        { node: 'wi-green-bay', user: 'clerk' },
        { node: 'wi-milwaukee', user: 'clerk' },
      ],
    });
    expectInvalidAt(value, ['recipients', 1]);
  });

  it.each([
    ['a bad node id', { node: 'Green-Bay', user: 'clerk' }],
    ['an empty user', { node: 'wi-green-bay', user: '  ' }],
    ['an extra field', { node: 'wi-green-bay', user: 'clerk', role: 'x' }],
  ])('rejects a recipient with %s', (_name, recipient) => {
    expectInvalidAt(redObject({ recipients: [recipient] }), ['recipients', 0]);
  });

  it.each(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'])('rejects recipients on %s', (tlp) => {
    const value = validObject('bulletin', {
      tlp,
      audience: ['wi-green-bay'],
      recipients: [{ node: 'wi-green-bay', user: 'clerk' }],
    });
    expectInvalidAt(value, ['recipients']);
  });
});

describe('SignedObjectSchema: bulletin', () => {
  it('accepts every optional field', () => {
    expectValid(
      bulletin({
        observedAt: '2024-10-01T09:00:00Z',
        detectedAt: '2024-10-01T10:00:00Z',
        location: { description: 'City hall', county: 'Dane' },
        attackVector: 'email',
        affectedAsset: 'Clerk mailboxes',
        functionalImpact: 'none',
        informationImpact: 'suspected',
        affected: { staff: 3 },
        indicators: [{ type: 'email-sender', value: 'elections@wi-gov.example', note: 'look-alike' }],
        contact: { name: 'Jane Doe', email: 'jane@madison.example' },
        informed: ['County clerk'],
        related: [ID.b],
        supersedes: ID.c,
      }),
    );
  });

  it.each(INCIDENT_CODES)('accepts category %s', (category) => {
    expectValid(bulletin({ category }));
  });

  it.each(['cyber.nope', 'cyber', 'phishing', 'Cyber.phishing', 'cyber.phishing '])(
    'rejects category %j',
    (category) => {
      expectInvalidAt(bulletin({ category }), ['body', 'category']);
    },
  );

  it('rejects an unknown severity', () => {
    expectInvalidAt(bulletin({ severity: 'catastrophic' }), ['body', 'severity']);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   '],
    ['201 characters', 'x'.repeat(201)],
  ])('rejects a title that is %s', (_name, title) => {
    expectInvalidAt(bulletin({ title }), ['body', 'title']);
  });

  it('accepts a title of exactly 200 characters', () => {
    expectValid(bulletin({ title: 'x'.repeat(200) }));
  });

  const indicators = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'ip', value: `192.0.2.${i % 256}` }));

  it('accepts LIMITS.maxIndicators indicators and rejects one more', () => {
    expectValid(bulletin({ indicators: indicators(LIMITS.maxIndicators) }));
    expectInvalidAt(bulletin({ indicators: indicators(LIMITS.maxIndicators + 1) }), ['body', 'indicators']);
  });

  it('rejects an indicator of unknown type', () => {
    expectInvalidAt(bulletin({ indicators: [{ type: 'cve', value: 'CVE-2024-0001' }] }), ['body', 'indicators', 0]);
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
  ])('rejects a %s affected count', (_name, staff) => {
    expectInvalidAt(bulletin({ affected: { staff } }), ['body', 'affected', 'staff']);
  });

  it('rejects a malformed related id', () => {
    expectInvalidAt(bulletin({ related: ['A'.repeat(42)] }), ['body', 'related', 0]);
    expectInvalidAt(bulletin({ related: [`${'A'.repeat(42)}=`] }), ['body', 'related', 0]);
  });
});

describe('SignedObjectSchema: bulletin-status', () => {
  it('accepts duplicate with duplicateOf', () => {
    expectValid(withBody('bulletin-status', { status: 'duplicate', duplicateOf: ID.b }));
  });

  it('rejects duplicate without duplicateOf', () => {
    expectInvalidAt(withBody('bulletin-status', { status: 'duplicate' }), ['body', 'duplicateOf']);
  });

  it.each(['acknowledged', 'investigating', 'confirmed', 'unfounded', 'mitigated', 'closed'])(
    'accepts %s without duplicateOf and rejects it with one',
    (status) => {
      expectValid(withBody('bulletin-status', { status }));
      expectInvalidAt(withBody('bulletin-status', { status, duplicateOf: ID.b }), ['body', 'duplicateOf']);
    },
  );

  it.each(['published', 'retracted', 'open'])('rejects status %s', (status) => {
    expectInvalidAt(withBody('bulletin-status', { status }), ['body', 'status']);
  });
});

describe('SignedObjectSchema: statements', () => {
  it('rejects a revision without addressees', () => {
    expectInvalidAt(withBody('statement-revision', { addressees: [] }), ['body', 'addressees']);
  });

  it('rejects a final without signatures', () => {
    expectInvalidAt(withBody('statement-final', { signatures: [] }), ['body', 'signatures']);
  });

  it('rejects a cosignature that is not base64url', () => {
    const value = withBody('statement-signature', { cosignature: { protected: 'eyJ9', signature: 'a+b/' } });
    expectInvalidAt(value, ['body', 'cosignature', 'signature']);
  });

  it('rejects a co-signature whose signature block is not three strings', () => {
    const bad = { protected: header({ name: 42, title: 'Mayor', city: 'Madison' }), signature: 'c2lnbmF0dXJl' };
    expectInvalidAt(withBody('statement-signature', { cosignature: bad }), ['body', 'cosignature', 'protected']);
    expectInvalidAt(
      withBody('statement-final', { document: { payload: 'eyJ2IjoxfQ', signatures: [cosignature(), bad] } }),
      ['body', 'document', 'signatures', 1, 'protected'],
    );
    const notJson = { protected: 'bm90IGpzb24', signature: 'c2lnbmF0dXJl' };
    expectInvalidAt(withBody('statement-signature', { cosignature: notJson }), ['body', 'cosignature', 'protected']);
  });

  it('accepts the frozen text document and rejects it with another version', () => {
    const doc = {
      v: 1,
      kind: 'statement-text',
      statement: ID.a,
      revision: ID.b,
      title: 'Joint statement',
      text: 'We ask for funding.',
      addressees: ['The Governor'],
    };
    expect(StatementTextSchema.safeParse(doc).success).toBe(true);
    expect(StatementTextSchema.safeParse({ ...doc, v: 2 }).success).toBe(false);
  });
});

describe('SignedObjectSchema: membership and roster', () => {
  it.each([0, -1, 1.5])('rejects roster version %d', (version) => {
    expectInvalidAt(withBody('roster', { version }), ['body', 'version']);
  });

  it('accepts an empty roster at version 2', () => {
    expectValid(withBody('roster', { version: 2, members: [] }));
  });

  it.each([
    ['http://citylink.madison.example', true],
    ['https://citylink.madison.example:8443/base', true],
    ['ftp://citylink.madison.example', false],
    ['javascript:alert(1)', false],
    ['citylink.madison.example', false],
  ])('member baseUrl %s valid: %s', (baseUrl, ok) => {
    const value = membership({ baseUrl });
    if (ok) expectValid(value);
    else expectInvalidAt(value, ['body', 'member', 'baseUrl']);
  });

  it('rejects an ftp baseUrl inside a roster', () => {
    const value = withBody('roster', { members: [{ ...validMember(), baseUrl: 'ftp://madison.example' }] });
    expectInvalidAt(value, ['body', 'members', 0, 'baseUrl']);
  });

  it.each([
    ['kty RSA', { kty: 'RSA', crv: 'Ed25519', x: ID.c }],
    ['crv X25519', { kty: 'OKP', crv: 'X25519', x: ID.c }],
    ['a short x', { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(42) }],
    ['a private key d', { kty: 'OKP', crv: 'Ed25519', x: ID.c, d: ID.a }],
    ['RSA parameters', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }],
  ])('rejects a key jwk with %s', (_name, jwk) => {
    expectInvalidAt(membership({ keys: [{ ...validKey(), jwk }] }), ['body', 'member', 'keys', 0, 'jwk']);
  });

  it('a member may list the endpoints of its processes: http(s), 1 to 16', () => {
    expectValid(membership({ endpoints: ['https://hub-a.example', 'https://hub-b.example:8443'] }));
    expectInvalidAt(membership({ endpoints: ['ftp://hub-a.example'] }), ['body', 'member', 'endpoints', 0]);
    expectInvalidAt(membership({ endpoints: [] }), ['body', 'member', 'endpoints']);
    const many = Array.from({ length: 17 }, (_, i) => `https://hub-${i}.example`);
    expectInvalidAt(membership({ endpoints: many }), ['body', 'member', 'endpoints']);
  });

  it('rejects a member without keys', () => {
    expectInvalidAt(membership({ keys: [] }), ['body', 'member', 'keys']);
  });

  it('rejects an unknown member role and status', () => {
    expectInvalidAt(membership({ role: 'county' }), ['body', 'member', 'role']);
    expectInvalidAt(membership({ status: 'deleted' }), ['body', 'member', 'status']);
  });
});

describe('typOf / kindOfTyp', () => {
  it('names the bulletin typ', () => {
    expect(typOf('bulletin')).toBe('citylink.bulletin+jws');
    expect(kindOfTyp('citylink.statement-final+jws')).toBe('statement-final');
  });

  it.each([
    'citylink.nope+jws',
    'JWT',
    '',
    'citylink.bulletin',
    'bulletin',
    'citylink.bulletin+jwt',
    'CITYLINK.BULLETIN+JWS',
    'citylink.Bulletin+jws',
    ' citylink.bulletin+jws',
    'citylink.bulletin+jws\n',
    'xcitylink.bulletin+jws',
    'citylink.statement-text+jws',
    'citylink.constructor+jws',
  ])('rejects %j', (typ) => {
    expect(kindOfTyp(typ)).toBeUndefined();
  });
});

describe('incident taxonomy', () => {
  it('contains the expected codes', () => {
    expect(INCIDENT_CODES).toContain('cyber.phishing');
    expect(INCIDENT_CODES).toContain('physical.swatting');
    expect(INCIDENT_CODES).toContain('operational.vendor-issue');
  });

  it('has exactly one code per category.subcategory, and nothing else', () => {
    const expected = Object.entries(INCIDENT_TAXONOMY).flatMap(([category, def]) =>
      Object.keys(def.subcategories).map((sub) => `${category}.${sub}`),
    );
    expect([...INCIDENT_CODES].sort()).toEqual(expected.sort());
    expect(new Set(INCIDENT_CODES).size).toBe(INCIDENT_CODES.length);
  });

  it.each(INCIDENT_CODES)('%s is category.subcategory of the taxonomy', (code) => {
    const parts = code.split('.');
    expect(parts).toHaveLength(2);
    const [category, subcategory] = parts as [string, string];
    expect(Object.keys(INCIDENT_TAXONOMY)).toContain(category);
    const subcategories: Record<string, string> =
      INCIDENT_TAXONOMY[category as keyof typeof INCIDENT_TAXONOMY].subcategories;
    expect(Object.keys(subcategories)).toContain(subcategory);
  });
});
