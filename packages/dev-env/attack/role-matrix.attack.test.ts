import { createHash, randomBytes } from 'node:crypto';
import { createClient } from '@citylink/client';
import { createRequestToken, generateNodeKey, type NodeKey, readKeyFile } from '@citylink/crypto';
import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { type AppRouter, type CityLinkNode, LINK_SCOPE } from '@citylink/node';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { appRouter } from '../../node/src/api/app-router.js';

// Every procedure of the appRouter × every kind of caller (sessions by bearer token,
// node credentials as per-call request tokens and as a link). A call is "allowed" when
// it gets past authentication and authorization: any answer but UNAUTHORIZED or
// FORBIDDEN. First pass: input every parser refuses, so an allowed caller gets
// BAD_REQUEST and nothing changes. Second pass: valid input naming nothing that exists,
// so the handlers run too. Procedures come from the router definition itself, so a new
// one fails this test until it is classified below.

const IDENTITIES = [
  'anonymous@city',
  'anonymous@hub',
  'staff@city',
  'signer@city',
  'admin@city',
  'staff@hub',
  'official@hub',
  'admin@hub',
  'expired-session@city',
  // Machine accounts (API tokens, role feed-reader) as a bearer: they read TAXII and MISP feeds, never tRPC.
  'feed-reader@city',
  'feed-reader@hub',
  'revoked-feed-reader@city',
  'member-node@city',
  'member-node@hub',
  'non-member-node@city',
  'non-member-node@hub',
  'revoked-member-node@city',
  'revoked-member-node@hub',
  // The same node credentials as a link: a WebSocket opened with a link token, every call on it.
  'member-link@city',
  'member-link@hub',
  'non-member-link@hub',
  'revoked-member-link@city',
] as const;
type Identity = (typeof IDENTITIES)[number];

const ALL: readonly Identity[] = IDENTITIES;
const CITY_SESSIONS: readonly Identity[] = ['staff@city', 'signer@city', 'admin@city'];
const HUB_SESSIONS: readonly Identity[] = ['staff@hub', 'official@hub', 'admin@hub'];
const SESSIONS = [...CITY_SESSIONS, ...HUB_SESSIONS];
const MEMBER_NODES: readonly Identity[] = [
  'member-node@city',
  'member-node@hub',
  'member-link@city',
  'member-link@hub',
];
const HUB_OFFICIALS: readonly Identity[] = ['official@hub', 'admin@hub'];
const ADMINS: readonly Identity[] = ['admin@city', 'admin@hub'];

/** Who may get past the auth checks of each procedure; everyone else gets UNAUTHORIZED or FORBIDDEN. */
const EXPECTED: Record<string, readonly Identity[]> = {
  'staff.login': ALL,
  'staff.logout': SESSIONS,
  'staff.posture': SESSIONS,
  'staff.me': ALL,
  'staff.roster': SESSIONS,
  'staff.redDirectory': SESSIONS,
  'staff.updateProfile': SESSIONS,
  'staff.postBulletin': SESSIONS,
  'staff.postNote': SESSIONS,
  'staff.endorse': SESSIONS,
  'staff.acknowledge': SESSIONS,
  'staff.retract': SESSIONS,
  'staff.updateStatus': SESSIONS,
  'staff.feed': SESSIONS,
  'staff.objects': SESSIONS,
  'staff.object': SESSIONS,
  'staff.onFeed': SESSIONS,

  'federation.deliver': MEMBER_NODES,
  'federation.changes': MEMBER_NODES,
  'federation.manifest': MEMBER_NODES,
  'federation.fetch': MEMBER_NODES,
  'federation.deliveryReport': MEMBER_NODES,
  'federation.roster': MEMBER_NODES,
  'federation.offerRoster': MEMBER_NODES,
  'federation.announceKey': MEMBER_NODES,
  // Open to anyone, at the hub; a city answers FORBIDDEN to everyone (it is not the hub).
  'federation.hubKeyChain': ALL.filter((who) => who.endsWith('@hub')),
  'federation.enroll': ALL,
  'federation.enrollmentStatus': ALL,

  'hub.overview': HUB_OFFICIALS,
  'hub.board': HUB_OFFICIALS,
  'hub.triage': HUB_OFFICIALS,
  'hub.setPosture': HUB_OFFICIALS,
  'hub.network': HUB_OFFICIALS,
  'hub.enrollments': HUB_OFFICIALS,
  'hub.approveEnrollment': HUB_OFFICIALS,
  'hub.rejectEnrollment': HUB_OFFICIALS,
  'hub.setMemberStatus': HUB_OFFICIALS,
  'hub.revokeKey': HUB_OFFICIALS,
  'hub.changeMemberUrl': HUB_OFFICIALS,
  'hub.importBundle': HUB_OFFICIALS,
  // roleProcedure('admin'), not hubProcedure: a city admin gets past auth; the handler
  // then refuses at a city ("only the hub manages membership").
  'hub.upsertMembers': ADMINS,

  'admin.rotateKey': ADMINS,
  'admin.enroll': ADMINS,
  'admin.enrollmentStatus': ADMINS,
  'admin.audit': [...ADMINS, 'official@hub'],

  'statements.list': SESSIONS,
  'statements.get': SESSIONS,
  'statements.diff': SESSIONS,
  'statements.create': SESSIONS,
  'statements.revise': SESSIONS,
  'statements.comment': SESSIONS,
  'statements.decide': SESSIONS,
  'statements.openSignOn': SESSIONS,
  'statements.sign': ['signer@city'],
  'statements.withdraw': ['signer@city'],
  'statements.finalize': SESSIONS,
  'statements.recordDelivery': SESSIONS,
  'statements.export': SESSIONS,
  'statements.addressedToState': HUB_OFFICIALS,

  'public.feed': ALL,
  'public.object': ALL,
  'public.cities': ALL,
  'public.preparedness': ALL,

  'operations.period': SESSIONS,
  'operations.announcePeriod': HUB_OFFICIALS,
  'operations.checkIn': SESSIONS,
  'operations.board': HUB_OFFICIALS,
  'operations.shift': HUB_OFFICIALS,
  'operations.setShift': HUB_OFFICIALS,
  'operations.escalations': HUB_OFFICIALS,
  'operations.writeShiftNote': HUB_OFFICIALS,
  'operations.shiftLog': HUB_OFFICIALS,

  'notifications.list': SESSIONS,
  'notifications.markRead': SESSIONS,
  'notifications.prefs': SESSIONS,
  'notifications.setPrefs': SESSIONS,
  'notifications.onChange': SESSIONS,
  'preparedness.record': SESSIONS,
  'preparedness.scorecard': SESSIONS,
  // Every city's weaknesses and whom to call there: the hub's officials, not its administrators.
  'preparedness.stateGrid': ['official@hub'],
  'preparedness.liaisons': ['official@hub'],
  'preparedness.trainingRecords': SESSIONS,
  'preparedness.addTrainingRecord': SESSIONS,
  'preparedness.removeTrainingRecord': SESSIONS,
  'preparedness.summarizeTraining': SESSIONS,
};

const FAKE_ID = 'A'.repeat(43);
const NOWHERE = 't-nobody';
/**
 * Second pass: input that passes validation, so the handler runs, but names objects and
 * members that do not exist (or creates throwaway ones), so no later row is affected.
 * `null`: covered by the first pass only (no input, or a valid call is refused by design).
 */
const VALID_INPUTS: Record<string, unknown> = {
  'staff.login': null, // valid-shaped credentials that are wrong answer UNAUTHORIZED by design
  'staff.logout': null,
  'staff.posture': null,
  'staff.me': null,
  'staff.roster': null,
  'staff.redDirectory': null,
  'staff.updateProfile': null, // would rename the accounts later checks sign in as
  'staff.postBulletin': {
    tlp: 'GREEN',
    audience: ['*'],
    body: { title: 'Role matrix', narrative: 'A throwaway bulletin', category: 'cyber.phishing', severity: 'low' },
  },
  'staff.postNote': {
    tlp: 'GREEN',
    audience: ['*'],
    body: { topic: 'phishing-training', title: 'Role matrix', problem: 'x', whatWorked: 'y', jurisdictionSize: 'm' },
  },
  'staff.endorse': { target: FAKE_ID },
  'staff.acknowledge': { target: FAKE_ID, seenHere: true },
  'staff.retract': { target: FAKE_ID, reason: 'role matrix' },
  'staff.updateStatus': { target: FAKE_ID, status: 'investigating' },
  'staff.feed': {},
  'staff.objects': {},
  'staff.object': { id: FAKE_ID },
  'staff.onFeed': {},
  'federation.deliver': { objects: ['not-a-jws'] },
  'federation.changes': { after: 0 },
  'federation.manifest': { since: '2026-01-01T00:00:00Z' },
  'federation.fetch': { ids: [FAKE_ID] },
  'federation.deliveryReport': { ids: [FAKE_ID] },
  'federation.roster': null,
  'federation.offerRoster': { jws: 'x.y.z' },
  'federation.hubKeyChain': null,
  'federation.announceKey': { jws: 'x.y.z' },
  'federation.enroll': { jws: 'x.y.z' },
  'federation.enrollmentStatus': { id: FAKE_ID },
  'hub.overview': {},
  'hub.board': {},
  'hub.triage': { target: FAKE_ID, status: 'investigating' },
  'hub.setPosture': { level: 'guarded' },
  'hub.network': null,
  'hub.enrollments': {},
  'hub.approveEnrollment': { id: FAKE_ID },
  'hub.rejectEnrollment': { id: FAKE_ID, reason: 'role matrix' },
  'hub.setMemberStatus': { node: NOWHERE, status: 'suspended' },
  'hub.revokeKey': { node: NOWHERE, kid: 'x' },
  'hub.changeMemberUrl': { node: NOWHERE, baseUrl: 'https://nobody.example' },
  'hub.importBundle': {
    source: 'role matrix',
    bundle: { type: 'bundle', id: 'bundle--6b3f1c2e-1d2a-4c3b-9e8f-0a1b2c3d4e5f', objects: [] },
  },
  'hub.upsertMembers': 'throwaway-member', // built in beforeAll (needs a key)
  'admin.rotateKey': null,
  'admin.enroll': { contact: 'clerk@example.org' },
  'admin.enrollmentStatus': null,
  'admin.audit': {},
  'statements.list': null,
  'statements.get': { id: FAKE_ID },
  'statements.diff': { id: FAKE_ID, from: FAKE_ID, to: FAKE_ID },
  'statements.create': { title: 'Role matrix', text: 'A throwaway statement', addressees: ['Governor'], invited: [] },
  'statements.revise': { id: FAKE_ID, text: 'x' },
  'statements.comment': { id: FAKE_ID, comment: 'x' },
  'statements.decide': { id: FAKE_ID, proposal: FAKE_ID, decision: 'declined' },
  'statements.openSignOn': { id: FAKE_ID, deadline: '2030-01-01T00:00:00Z' },
  'statements.sign': { id: FAKE_ID, name: 'A Mayor', title: 'Mayor' },
  'statements.withdraw': { id: FAKE_ID },
  'statements.finalize': { id: FAKE_ID },
  'statements.recordDelivery': { id: FAKE_ID, to: 'Governor', method: 'email', deliveredAt: '2026-01-01T00:00:00Z' },
  'statements.export': { id: FAKE_ID },
  'statements.addressedToState': null,
  'public.feed': {},
  'public.object': { id: FAKE_ID },
  'public.cities': null,
  'public.preparedness': null,
  'operations.period': null,
  // Far in the future: it never opens, so no later call is inside a period.
  'operations.announcePeriod': { name: 'Role matrix', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' },
  'operations.checkIn': { state: 'quiet' }, // no period is open: CONFLICT, past the auth checks
  'operations.board': null,
  'operations.shift': null,
  'operations.setShift': { usernames: [] }, // nobody on shift: every official, as before
  'operations.escalations': { subject: FAKE_ID },
  'operations.writeShiftNote': { type: 'decision', text: 'role matrix' }, // no period open: CONFLICT
  'operations.shiftLog': { period: FAKE_ID },
  'notifications.list': {},
  'notifications.markRead': { ids: [999_999] },
  'notifications.prefs': null,
  'notifications.setPrefs': {}, // the defaults
  'notifications.onChange': null,
  'preparedness.record': {
    kind: 'forum',
    body: { date: '2026-10-01', with: 'Role matrix', needs: [], followUps: [] },
  },
  'preparedness.scorecard': { city: NOWHERE },
  'preparedness.stateGrid': { county: 'Nowhere', size: 'small', days: 7 },
  'preparedness.liaisons': null,
  'preparedness.trainingRecords': null,
  'preparedness.addTrainingRecord': {
    person: 'Role Matrix',
    course: 'Role matrix',
    completed: '2026-01-01',
    hasAccess: true,
  },
  'preparedness.removeTrainingRecord': { id: 999_999 },
  'preparedness.summarizeTraining': {
    from: '2026-01-01',
    to: '2026-01-31',
    course: 'No such course',
    coversSpearPhishing: true,
    staffWithAccess: 1,
  },
};
/** Where a handler refuses what the auth checks let through (second pass only). */
const REFUSED_BY_HANDLER: Record<string, readonly Identity[]> = {
  'hub.upsertMembers': ['admin@city'], // "only the hub manages membership"
  'preparedness.scorecard': ['staff@hub'], // another city's scorecard is for the hub's officials
  // Training records are kept by cities: the hub refuses them.
  'preparedness.addTrainingRecord': HUB_SESSIONS,
  'preparedness.removeTrainingRecord': HUB_SESSIONS,
  'preparedness.summarizeTraining': HUB_SESSIONS,
  // Hub procedures open to anyone (or any member): a city is not the hub.
  'federation.announceKey': ['member-node@city', 'member-link@city'],
  'federation.enroll': ALL.filter((who) => who.endsWith('@city')),
  'federation.enrollmentStatus': ALL.filter((who) => who.endsWith('@city')),
};

/** Procedures whose call changes state even without valid input (no input parser): run last, with throwaway sessions. */
const STATEFUL_WITHOUT_INPUT = ['staff.logout', 'admin.rotateKey'];
/** Input no procedure accepts (every parser is an object, optional or not): an allowed caller gets BAD_REQUEST. */
const INVALID_INPUT = 12_345;
const DENIED = new Set(['UNAUTHORIZED', 'FORBIDDEN']);

interface Procedure {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  hasInput: boolean;
}
function procedures(): Procedure[] {
  // Typed as the nested router record; at run time it is flat, keyed by the full path.
  const record = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: Procedure['type']; inputs: unknown[] } }
  >;
  return Object.entries(record).map(([path, p]) => ({ path, type: p._def.type, hasInput: p._def.inputs.length > 0 }));
}

let net: TestNetwork;
let city: CityLinkNode;
let hub: CityLinkNode;
let mallory: NodeKey;
const nodeKeys = new Map<string, NodeKey>();
const sessions = new Map<Identity, string>();
/** API tokens of the feed-reader identities, made in beforeAll (the revoked one revoked there). */
const feedTokens = new Map<Identity, string>();

async function login(node: CityLinkNode, username: string): Promise<string> {
  const { token } = await createClient({ baseUrl: node.baseUrl }).staff.login.mutate({
    username,
    password: TEST_PASSWORD,
    bearer: true,
  });
  if (!token) throw new Error('no session token');
  return token;
}

/**
 * A session stored as a sign-in would store it, without the password check: for the
 * throwaway and expired sessions, so the matrix does not run into login rate limits.
 */
async function storedSession(node: CityLinkNode, username: string, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const user = await node.store.findUser(username);
  await node.store.createSession({
    id: createHash('sha256').update(token).digest('hex'),
    userId: user!.id,
    expiresAt: new Date(Date.now() + ttlMs),
  });
  return token;
}

const SESSION_USERS: Partial<Record<Identity, [() => CityLinkNode, string]>> = {
  'staff@city': [() => city, 'staff'],
  'signer@city': [() => city, 'mayor'],
  'admin@city': [() => city, 'admin'],
  'staff@hub': [() => hub, 'staff'],
  'official@hub': [() => hub, 'official'],
  'admin@hub': [() => hub, 'admin'],
};
const NODE_CALLERS: Partial<Record<Identity, [string, () => NodeKey]>> = {
  'member-node@city': ['t-city-1', () => nodeKeys.get('t-city-1')!],
  'member-node@hub': ['t-city-1', () => nodeKeys.get('t-city-1')!],
  'non-member-node@city': ['mallory', () => mallory],
  'non-member-node@hub': ['mallory', () => mallory],
  'revoked-member-node@city': ['t-city-3', () => nodeKeys.get('t-city-3')!],
  'revoked-member-node@hub': ['t-city-3', () => nodeKeys.get('t-city-3')!],
  'member-link@city': ['t-city-1', () => nodeKeys.get('t-city-1')!],
  'member-link@hub': ['t-city-1', () => nodeKeys.get('t-city-1')!],
  'non-member-link@hub': ['mallory', () => mallory],
  'revoked-member-link@city': ['t-city-3', () => nodeKeys.get('t-city-3')!],
};
const targetOf = (who: Identity) => (who.endsWith('@hub') ? hub : city);

/** How `who` authenticates a call to `path`: an Authorization header and WebSocket connection params. */
async function credentials(
  who: Identity,
  path: string,
  fresh: boolean,
): Promise<{ headers: Record<string, string>; params: Record<string, string> }> {
  const target = targetOf(who);
  const session = SESSION_USERS[who];
  if (session) {
    const token = fresh ? await storedSession(session[0](), session[1], 3_600_000) : sessions.get(who)!;
    return { headers: { authorization: `Bearer ${token}` }, params: { token } };
  }
  if (who === 'expired-session@city') {
    // Stored and well-formed but past its expiry; made anew for each call (the first use deletes it).
    const token = await storedSession(city, 'staff', -60_000);
    return { headers: { authorization: `Bearer ${token}` }, params: { token } };
  }
  const feedToken = feedTokens.get(who);
  if (feedToken) return { headers: { authorization: `Bearer ${feedToken}` }, params: { token: feedToken } };
  const caller = NODE_CALLERS[who];
  if (caller) {
    const [issuer, key] = caller;
    const token = (scope: string) => createRequestToken({ key: key(), issuer, audience: target.id, scope });
    return { headers: { authorization: `CityLink ${await token(path)}` }, params: { peer: await token(LINK_SCOPE) } };
  }
  return { headers: {}, params: {} };
}

/** The tRPC error code of one call with this input (undefined: none), or 'OK'. */
async function call(who: Identity, p: Procedure, input: unknown, fresh = false): Promise<string> {
  const target = targetOf(who);
  const { headers, params } = await credentials(who, p.path, fresh);
  if (p.type === 'subscription' || who.includes('-link@')) return overSocket(target, params, p, input);
  const url = new URL(`${target.baseUrl}/trpc/${p.path}`);
  let res: Response;
  if (p.type === 'query') {
    if (input !== undefined) url.searchParams.set('input', JSON.stringify(input));
    res = await fetch(url, { headers, signal: AbortSignal.timeout(20_000) });
  } else {
    res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
      signal: AbortSignal.timeout(20_000),
    });
  }
  const body = (await res.json()) as { error?: { data?: { code?: string } } };
  return body.error ? (body.error.data?.code ?? `HTTP_${res.status}`) : 'OK';
}

/**
 * One call over a WebSocket opened with these connection params: a query or mutation
 * answers 'OK' or its error code; a subscription 'OK' once the server says it started.
 */
async function overSocket(
  target: CityLinkNode,
  params: Record<string, string>,
  p: Procedure,
  input: unknown,
): Promise<string> {
  const ws = createWSClient({
    url: `${target.baseUrl.replace(/^http/, 'ws')}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: params,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink<AppRouter>({ client: ws })] });
  const procedure = p.path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], client) as {
    query: (input: unknown, opts: { signal: AbortSignal }) => Promise<unknown>;
    mutate: (input: unknown, opts: { signal: AbortSignal }) => Promise<unknown>;
    subscribe: typeof client.staff.onFeed.subscribe;
  };
  const codeOf = (err: unknown) => (err as { data?: { code?: string } }).data?.code ?? 'ERROR';
  try {
    if (p.type !== 'subscription') {
      const signal = AbortSignal.timeout(20_000);
      const run = p.type === 'query' ? procedure.query(input, { signal }) : procedure.mutate(input, { signal });
      return await run.then(() => 'OK', codeOf);
    }
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${p.path}: no answer on the socket`)), 20_000);
      const done = (code: string) => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(code);
      };
      const sub = procedure.subscribe(input as never, {
        onStarted: () => done('OK'),
        onError: (err) => done(codeOf(err)),
      });
    });
  } finally {
    ws.close();
  }
}

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3, users: true });
  city = net.node('t-city-2');
  hub = net.hub;
  mallory = await generateNodeKey();
  // Suspended, on a closed loopback port: the hub never contacts it.
  VALID_INPUTS['hub.upsertMembers'] = {
    members: [
      {
        node: 't-throwaway',
        name: 'Throwaway',
        baseUrl: 'http://127.0.0.1:9',
        role: 'city',
        status: 'suspended',
        keys: [{ kid: mallory.kid, jwk: mallory.publicJwk, validFrom: new Date().toISOString() }],
      },
    ],
  };
  for (const id of ['t-city-1', 't-city-3']) nodeKeys.set(id, await readKeyFile(net.configOf(id).keyFile as string));
  for (const [who, [node, username]] of Object.entries(SESSION_USERS)) {
    sessions.set(who as Identity, await login(node(), username));
  }
  for (const [who, node] of [
    ['feed-reader@city', city],
    ['feed-reader@hub', hub],
    ['revoked-feed-reader@city', city],
  ] as const) {
    feedTokens.set(
      who,
      (await node.tokens.create({ name: who.split('@')[0]!, role: 'feed-reader', by: 'test' })).token,
    );
  }
  await city.tokens.revoke('revoked-feed-reader', 'test');
  // t-city-3 is revoked by the hub; every node learns it from the new roster.
  await hub.membership.setStatus('t-city-3', 'revoked', 'role-matrix');
  await net.refreshRosters();
  expect(city.roster.member('t-city-3')?.status).toBe('revoked');
});

afterAll(() => net?.close());

describe('role matrix over every procedure of the appRouter', () => {
  it('every procedure is classified, and every classification names a procedure', () => {
    const paths = procedures().map((p) => p.path);
    expect(paths.length).toBeGreaterThan(40);
    for (const table of [EXPECTED, VALID_INPUTS]) {
      expect(
        paths.filter((p) => !(p in table)),
        'procedures without an entry: classify them',
      ).toEqual([]);
      expect(
        Object.keys(table).filter((p) => !paths.includes(p)),
        'entries for no procedure',
      ).toEqual([]);
    }
  });

  /** Calls every procedure as every identity; returns the mismatches with `expected` and prints the matrix. */
  async function matrix(
    label: string,
    list: Procedure[],
    inputOf: (p: Procedure) => unknown,
    expected: (p: Procedure, who: Identity) => boolean,
  ) {
    const mismatches: string[] = [];
    const crashes: string[] = [];
    const rows: Record<string, string>[] = [];
    for (const p of list) {
      const row: Record<string, string> = { procedure: p.path };
      for (const who of IDENTITIES) {
        const code = await call(who, p, inputOf(p), STATEFUL_WITHOUT_INPUT.includes(p.path));
        const allowed = !DENIED.has(code);
        row[who] = allowed ? (code === 'OK' ? 'ok' : code.toLowerCase()) : code === 'FORBIDDEN' ? '403' : '401';
        if (allowed !== expected(p, who)) {
          mismatches.push(`${p.path} as ${who}: got ${code}, expected ${allowed ? 'refused' : 'allowed'}`);
        }
        if (code === 'INTERNAL_SERVER_ERROR' || code.startsWith('HTTP_')) crashes.push(`${p.path} as ${who}: ${code}`);
      }
      rows.push(row);
    }
    console.log(`role matrix, ${label}: ${list.length} procedures × ${IDENTITIES.length} identities`);
    console.table(rows);
    return { mismatches, crashes };
  }
  const allowedByAuth = (p: Procedure, who: Identity) => EXPECTED[p.path]!.includes(who);

  it('invalid input: each identity gets past the auth checks of exactly the procedures it may', async () => {
    const all = procedures();
    // Calls that change state whatever the input go last, each with a fresh session.
    const ordered = [
      ...all.filter((p) => !STATEFUL_WITHOUT_INPUT.includes(p.path)),
      ...STATEFUL_WITHOUT_INPUT.map((path) => all.find((p) => p.path === path)!),
    ];
    const { mismatches, crashes } = await matrix(
      'invalid input',
      ordered,
      (p) => (p.hasInput ? INVALID_INPUT : undefined),
      allowedByAuth,
    );
    expect(mismatches).toEqual([]);
    expect(crashes).toEqual([]);
  });

  it('valid input naming nothing that exists: the handlers refuse nobody else', async () => {
    const list = procedures().filter((p) => VALID_INPUTS[p.path] !== null);
    const { mismatches, crashes } = await matrix(
      'valid input',
      list,
      (p) => VALID_INPUTS[p.path],
      (p, who) => allowedByAuth(p, who) && !(REFUSED_BY_HANDLER[p.path] ?? []).includes(who),
    );
    expect(mismatches).toEqual([]);
    expect(crashes).toEqual([]);
  });
});
