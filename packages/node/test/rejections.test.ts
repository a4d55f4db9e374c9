import { type CityLinkClient, createClient } from '@citylink/client';
import { createRequestToken, generateNodeKey, type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import { type CityLinkNode, createPeerClient, type NodeRejectReason, type ObjectResult } from '@citylink/node';
import {
  type Bulletin,
  base64url,
  canonicalBytes,
  LIMITS,
  objectIdOfPayload,
  type SignedObject,
  typOf,
  utf8,
} from '@citylink/protocol';
import { TRPCClientError } from '@trpc/client';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';

// The rule under test: a refused object is answered with a reason, counted, logged and
// audited, and never stored nor queued for anyone.

let net: TestNetwork;
let mallory: NodeKey;
const keys = new Map<string, NodeKey>();
const warnSpies = new Map<string, MockInstance>();

/** One network per describe block; city keys read from their key files; a spy on every node's warn log. */
function useNetwork() {
  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 3, users: true });
    keys.clear();
    for (const c of net.cities) keys.set(c.id, await readKeyFile(net.configOf(c.id).keyFile as string));
    mallory = await generateNodeKey();
    for (const n of net.nodes) warnSpies.set(n.id, vi.spyOn(n.log, 'warn'));
  });
  afterAll(() => net?.close());
}

const city = (i: 1 | 2 | 3) => net.node(`t-city-${i}`);
const keyOf = (id: string) => keys.get(id)!;

let serial = 0;
type BulletinOverrides = Omit<Partial<Bulletin>, 'body'> & { body?: Partial<Bulletin['body']> };

/** A valid GREEN, network-wide bulletin from city-1, unique per call. */
function bulletin({ body, ...envelope }: BulletinOverrides = {}): Bulletin {
  return {
    v: 1,
    kind: 'bulletin',
    origin: 't-city-1',
    created: new Date().toISOString(),
    tlp: 'GREEN',
    audience: ['*'],
    ...envelope,
    body: {
      title: `Report ${++serial}`,
      narrative: 'Look-alike domain e-mails asking poll workers for their passwords',
      category: 'cyber.phishing',
      severity: 'medium',
      ...body,
    },
  };
}

/** Signs with the origin's real key, or with the key given (which may claim another kid). */
const sign = async (o: SignedObject, key: NodeKey = keyOf(o.origin)) => (await signObject(o, key)).jws;

/** A compact JWS over arbitrary payload bytes and header, bypassing every check of `signObject`. */
const rawSign = (payload: Uint8Array | string, header: Record<string, unknown>, key = keyOf('t-city-1')) =>
  new CompactSign(typeof payload === 'string' ? utf8.encode(payload) : payload)
    .setProtectedHeader({ alg: 'EdDSA', ...header })
    .sign(key.privateKey);

const b64json = (v: unknown) => base64url.encode(utf8.encode(JSON.stringify(v)));
const idOf = (jws: string) => objectIdOfPayload(base64url.decode(jws.split('.')[1]!));

/** Changes one character of the title inside the signed payload; the payload stays canonical and schema-valid. */
function tamper(jws: string): string {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const text = utf8.decode(base64url.decode(p));
  const changed = text.replace('"title":"Report', '"title":"Repost');
  expect(changed).not.toBe(text);
  return `${h}.${base64url.encode(utf8.encode(changed))}.${s}`;
}

/** Acts as `from` calling `to`'s federation.deliver over HTTP with a fresh request token. */
async function deliverAs(from: string, to: CityLinkNode, objects: unknown[]): Promise<ObjectResult[]> {
  const client = createPeerClient({
    baseUrl: to.baseUrl,
    self: from,
    target: to.id,
    key: () => keyOf(from),
    timeoutMs: 5000,
  });
  return (await client.federation.deliver.mutate({ objects: objects as string[] })).results as ObjectResult[];
}

type RawBody = {
  result?: { data: { results: ObjectResult[] } };
  error?: { message: string; code: number; data: { code: string; httpStatus: number } };
};
/** POSTs to federation.deliver with a hand-made request token (or none). */
async function rawDeliver(to: CityLinkNode, token: string | undefined, objects: unknown[]) {
  const res = await fetch(`${to.baseUrl}/trpc/federation.deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `CityLink ${token}` }) },
    body: JSON.stringify({ objects }),
  });
  return { status: res.status, body: (await res.json()) as RawBody };
}

/** The tRPC error a call failed with (fails the test if it succeeded). */
async function failure(call: Promise<unknown>) {
  const err = await call.then(
    () => expect.fail('the call was expected to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  const e = err as {
    message: string;
    data: { code: string; httpStatus: number; issues?: { path: (string | number)[]; message: string }[] };
  };
  return { message: e.message, ...e.data };
}

async function rejectCounts(node: CityLinkNode): Promise<Map<string, number>> {
  const metric = (await node.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'citylink_rejects_total');
  return new Map((metric?.values ?? []).map((v) => [String(v.labels.reason), v.value]));
}

interface Observed {
  node: CityLinkNode;
  head: number;
  rejects: Map<string, number>;
  auditId: number;
  warns: number;
}
async function observe(node: CityLinkNode): Promise<Observed> {
  const [last] = await node.store.listAudit({ action: 'object.rejected', limit: 1 });
  return {
    node,
    head: node.store.headSeq,
    rejects: await rejectCounts(node),
    auditId: last?.id ?? 0,
    warns: warnSpies.get(node.id)!.mock.calls.length,
  };
}

/**
 * After a call that refused `refused` (and accepted `accepted` others): counted by reason,
 * logged, audited once for the call, not stored, not queued, and held by nobody once
 * every outbox has drained.
 */
async function expectRefused(
  before: Observed,
  from: string,
  refused: { jws: string; reason: NodeRejectReason }[],
  accepted = 0,
) {
  const { node } = before;
  const ids = refused.map((r) => idOf(r.jws));
  expect(node.store.headSeq).toBe(before.head + accepted);
  expect(await node.store.heldIds(ids)).toEqual(new Set());
  for (const id of ids) expect(await node.store.deliveriesOf(id)).toEqual([]);

  const counts = await rejectCounts(node);
  for (const reason of new Set(refused.map((r) => r.reason))) {
    const n = refused.filter((r) => r.reason === reason).length;
    expect(counts.get(reason), reason).toBe((before.rejects.get(reason) ?? 0) + n);
  }

  const logged = warnSpies
    .get(node.id)!
    .mock.calls.slice(before.warns)
    .filter((c) => c[1] === 'object rejected')
    .map((c) => c[0]);
  expect(logged).toEqual(refused.map((r) => expect.objectContaining({ from, path: 'push', reason: r.reason })));

  const audits = (await node.store.listAudit({ action: 'object.rejected', limit: 10 })).filter(
    (a) => a.id > before.auditId,
  );
  expect(audits).toHaveLength(1);
  expect(audits[0]).toMatchObject({
    actor: `node:${from}`,
    detail: {
      path: 'push',
      rejected: refused.map((r) => expect.objectContaining({ outcome: 'rejected', reason: r.reason })),
    },
  });

  await net.processAll();
  for (const n of net.nodes) expect(await n.store.heldIds(ids), n.id).toEqual(new Set());
}

/** Delivers one object as `from` to `to` and checks the whole refusal. */
async function refuse(from: string, to: CityLinkNode, jws: string, reason: NodeRejectReason) {
  const before = await observe(to);
  const results = await deliverAs(from, to, [jws]);
  expect(results).toHaveLength(1);
  expect(results[0]).toMatchObject({ outcome: 'rejected', reason, detail: expect.stringMatching(/\S/) });
  if (results[0]!.id !== undefined) expect(results[0]!.id).toBe(idOf(jws));
  await expectRefused(before, from, [{ jws, reason }]);
}

describe('forged, tampered, malformed, oversized and badly timed objects', () => {
  useNetwork();
  const receivers = () => [city(2), net.hub];

  it('a tampered payload fails the signature (1)', async () => {
    const jws = tamper(await sign(bulletin()));
    for (const to of receivers()) await refuse('t-city-1', to, jws, 'bad_signature');
  });

  it("a key that is not city-1's fails, whether it claims city-1's kid or its own (2)", async () => {
    const claimsKid = await sign(bulletin(), { ...mallory, kid: keyOf('t-city-1').kid });
    const ownKid = await sign(bulletin(), mallory);
    for (const to of receivers()) {
      await refuse('t-city-1', to, claimsKid, 'bad_signature');
      await refuse('t-city-1', to, ownKid, 'unknown_kid');
    }
  });

  it('an origin that is not a member has no key in the roster: unknown_kid (3)', async () => {
    const jws = await sign(bulletin({ origin: 'mallory' }), mallory);
    for (const to of receivers()) await refuse('t-city-1', to, jws, 'unknown_kid');
  });

  it.each([
    ['unknown typ', 'wrong_typ', () => rawSign(canonicalBytes(bulletin()), { typ: 'JWT', kid: keyOf('t-city-1').kid })],
    [
      'typ of another kind',
      'wrong_typ',
      () => rawSign(canonicalBytes(bulletin()), { typ: typOf('note'), kid: keyOf('t-city-1').kid }),
    ],
    [
      'non-canonical payload',
      'not_canonical',
      () => rawSign(JSON.stringify(bulletin(), null, 1), { typ: typOf('bulletin'), kid: keyOf('t-city-1').kid }),
    ],
    [
      'embedded jwk header',
      'malformed',
      () =>
        rawSign(
          canonicalBytes(bulletin()),
          { typ: typOf('bulletin'), kid: mallory.kid, jwk: mallory.publicJwk },
          mallory,
        ),
    ],
    [
      'alg none',
      'bad_alg',
      async () =>
        `${b64json({ alg: 'none', typ: typOf('bulletin'), kid: keyOf('t-city-1').kid })}.${base64url.encode(
          canonicalBytes(bulletin()),
        )}.${base64url.encode(new Uint8Array(64))}`,
    ],
    [
      'alg HS256',
      'bad_alg',
      () =>
        new CompactSign(canonicalBytes(bulletin()))
          .setProtectedHeader({ alg: 'HS256', typ: typOf('bulletin'), kid: keyOf('t-city-1').kid })
          .sign(utf8.encode('a shared secret nobody should use')),
    ],
    [
      'field outside the schema',
      'schema',
      () =>
        rawSign(canonicalBytes({ ...bulletin(), body: { ...bulletin().body, extra: 1 } }), {
          typ: typOf('bulletin'),
          kid: keyOf('t-city-1').kid,
        }),
    ],
  ] as const)('%s → %s', async (_name, reason, build) => {
    await refuse('t-city-1', net.hub, await build(), reason);
  });

  it('a bulletin over 64 KiB is too_large, checked before the schema (9)', async () => {
    const big = bulletin({ body: { narrative: 'x'.repeat(70_000) } });
    await expect(signObject(big, keyOf('t-city-1'))).rejects.toThrow(/narrative/);
    const jws = await rawSign(canonicalBytes(big), { typ: typOf('bulletin'), kid: keyOf('t-city-1').kid });
    expect(jws.length).toBeGreaterThan(LIMITS.maxObjectBytes);
    for (const to of receivers()) await refuse('t-city-1', to, jws, 'too_large');
  });

  it('created an hour ahead is future; expires in the past is expired (10)', async () => {
    const future = await sign(bulletin({ created: new Date(Date.now() + 3_600_000).toISOString() }));
    // Created at the key's first valid instant, so the key check passes and expiry is what fails.
    const created = keyOf('t-city-1').created;
    const expires = new Date(Date.parse(created) + 1).toISOString();
    const expired = await sign(bulletin({ created, expires }));
    for (const to of receivers()) {
      await refuse('t-city-1', to, future, 'future');
      await refuse('t-city-1', to, expired, 'expired');
    }
  });

  it('a hub-only kind (posture) signed by a city is not_authorized (11)', async () => {
    const posture: SignedObject = {
      v: 1,
      kind: 'posture',
      origin: 't-city-1',
      created: new Date().toISOString(),
      tlp: 'GREEN',
      audience: ['*'],
      body: { level: 'severe', advisory: { title: 'Fake', text: 'Stay home on Election Day' } },
    };
    const jws = await sign(posture);
    for (const to of receivers()) await refuse('t-city-1', to, jws, 'not_authorized');
    for (const n of net.nodes) expect(await n.currentPosture(), n.id).toBeNull();
  });

  it('a batch of one valid and one tampered object: outcomes per object, in order (14)', async () => {
    const valid = await sign(bulletin());
    const tampered = tamper(await sign(bulletin()));
    const before = await observe(net.hub);
    const results = await deliverAs('t-city-1', net.hub, [valid, tampered]);
    expect(results).toEqual([
      { id: idOf(valid), outcome: 'accepted', seq: before.head + 1 },
      { outcome: 'rejected', reason: 'bad_signature', detail: expect.stringMatching(/signature/) },
    ]);
    expect(await net.hub.store.heldIds([idOf(valid)])).toEqual(new Set([idOf(valid)]));
    // The hub relays the valid GREEN object to the other cities, and only that one.
    expect((await net.hub.store.deliveriesOf(idOf(valid))).map((d) => d.recipient)).toEqual(['t-city-2', 't-city-3']);
    await expectRefused(before, 't-city-1', [{ jws: tampered, reason: 'bad_signature' }], 1);
    for (const n of [city(2), city(3)])
      expect(await n.store.heldIds([idOf(valid)]), n.id).toEqual(new Set([idOf(valid)]));
  });
});

describe('request tokens, replays and batch limits', () => {
  useNetwork();
  const token = (key: NodeKey, issuer: string, audience: string, scope = 'federation.deliver') =>
    createRequestToken({ key, issuer, audience, scope });

  const tokenCases: [string, string, RegExp, () => Promise<string | undefined>][] = [
    [
      'a non-member (mallory)',
      'unknown_kid',
      /no key \S+ for node mallory/,
      () => token(mallory, 'mallory', 't-city-2'),
    ],
    [
      "a forged token in city-1's name",
      'invalid',
      /signature verification failed/,
      () => token({ ...mallory, kid: keyOf('t-city-1').kid }, 't-city-1', 't-city-2'),
    ],
    ['a token for another audience', 'invalid', /"aud" claim/, () => token(keyOf('t-city-1'), 't-city-1', 't-city-3')],
    [
      'a token scoped to federation.changes',
      'invalid',
      /token is for federation\.changes, not federation\.deliver/,
      () => token(keyOf('t-city-1'), 't-city-1', 't-city-2', 'federation.changes'),
    ],
    ['no token at all', 'malformed', /missing/, async () => undefined],
  ];
  it.each(tokenCases)(
    '%s is UNAUTHORIZED (%s) and nothing is processed (4)',
    async (_name, reason, message, makeToken) => {
      const to = city(2);
      const jws = await sign(bulletin());
      const before = await observe(to);
      const { status, body } = await rawDeliver(to, await makeToken(), [jws]);
      expect(status).toBe(401);
      expect(body.result).toBeUndefined();
      expect(body.error).toMatchObject({ code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } });
      expect(body.error?.message).toMatch(`request token ${reason}: `);
      expect(body.error?.message).toMatch(message);
      expect(to.store.headSeq).toBe(before.head);
      expect(await to.store.heldIds([idOf(jws)])).toEqual(new Set());
      const counts = await rejectCounts(to);
      expect(counts.get(`request_${reason}`)).toBe((before.rejects.get(`request_${reason}`) ?? 0) + 1);
      const logged = warnSpies.get(to.id)!.mock.calls.slice(before.warns);
      expect(logged).toContainEqual([
        expect.objectContaining({ path: 'federation.deliver', reason }),
        'federation call refused',
      ]);
    },
  );

  it('a replayed request token is UNAUTHORIZED, and its batch is processed once (5)', async () => {
    const to = city(2);
    const jws = await sign(bulletin());
    const t = await token(keyOf('t-city-1'), 't-city-1', to.id);
    const before = await observe(to);
    const dupes = async () => (await to.metrics.duplicatesIn.get()).values[0]?.value ?? 0;
    const dupesBefore = await dupes();

    const first = await rawDeliver(to, t, [jws]);
    expect(first.status).toBe(200);
    expect(first.body.result?.data.results).toEqual([{ id: idOf(jws), outcome: 'accepted', seq: before.head + 1 }]);

    const second = await rawDeliver(to, t, [jws]);
    expect(second.status).toBe(401);
    expect(second.body.error).toMatchObject({ data: { code: 'UNAUTHORIZED', httpStatus: 401 } });
    expect(second.body.error?.message).toMatch(/replayed/);

    expect(to.store.headSeq).toBe(before.head + 1);
    expect((await to.store.logAfter(before.head, 10)).map((r) => r.object.id)).toEqual([idOf(jws)]);
    expect(await dupes()).toBe(dupesBefore);
    expect((await rejectCounts(to)).get('request_replayed')).toBe((before.rejects.get('request_replayed') ?? 0) + 1);
  });

  it('the same object delivered twice is a duplicate the second time, not an error (6)', async () => {
    const to = city(2);
    const jws = await sign(bulletin());
    const [first] = await deliverAs('t-city-1', to, [jws]);
    expect(first).toMatchObject({ id: idOf(jws), outcome: 'accepted' });
    const before = await observe(to);
    expect(await deliverAs('t-city-1', to, [jws])).toEqual([{ id: idOf(jws), outcome: 'duplicate' }]);
    expect(to.store.headSeq).toBe(before.head);
    expect(await rejectCounts(to)).toEqual(before.rejects);
  });

  it('a batch over maxBatchBytes fails whole with PAYLOAD_TOO_LARGE, nothing stored (9)', async () => {
    const to = net.hub;
    const valid = await sign(bulletin());
    const filler = Array.from({ length: 33 }, () => 'x'.repeat(64_000));
    expect(valid.length + filler.length * 64_000).toBeGreaterThan(LIMITS.maxBatchBytes);
    const head = to.store.headSeq;
    const err = await failure(deliverAs('t-city-1', to, [valid, ...filler]));
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(err.message).toMatch(/exceeds 2097152/);
    expect(to.store.headSeq).toBe(head);
    expect(await to.store.heldIds([idOf(valid)])).toEqual(new Set());
  });

  it('the batch limit counts UTF-8 bytes, not UTF-16 code units (9)', async () => {
    const to = net.hub;
    const entries = Array.from({ length: 34 }, () => 'é'.repeat(32_000)); // 64,000 bytes each
    expect(entries.reduce((n, e) => n + utf8.encode(e).length, 0)).toBeGreaterThan(LIMITS.maxBatchBytes);
    const before = await observe(to);
    const err = await failure(deliverAs('t-city-1', to, entries));
    expect(err).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    const expected = new Map(before.rejects);
    expected.set('batch_too_large', (expected.get('batch_too_large') ?? 0) + 1);
    expect(await rejectCounts(to)).toEqual(expected);
  });

  it('a batch of more than 100 objects is BAD_REQUEST, nothing stored (9)', async () => {
    const to = net.hub;
    const batch = await Promise.all(Array.from({ length: LIMITS.maxBatchObjects + 1 }, () => sign(bulletin())));
    const head = to.store.headSeq;
    const err = await failure(deliverAs('t-city-1', to, batch));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(err.issues).toEqual([expect.objectContaining({ path: ['objects'] })]);
    expect(to.store.headSeq).toBe(head);
    expect(await to.store.heldIds(batch.map(idOf))).toEqual(new Set());
  });

  it.each([
    ['a number', [42]],
    ['an object', [{ jws: 'x' }]],
    ['null', [null]],
  ])('an entry that is %s fails the whole call with BAD_REQUEST (13)', async (_name, bad) => {
    const to = city(2);
    const valid = await sign(bulletin());
    const head = to.store.headSeq;
    const err = await failure(deliverAs('t-city-1', to, [valid, ...bad]));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(err.issues).toEqual([expect.objectContaining({ path: ['objects', 1] })]);
    expect(to.store.headSeq).toBe(head);
    expect(await to.store.heldIds([idOf(valid)])).toEqual(new Set());
  });
});

describe('addressing, forwarding and authorship', () => {
  useNetwork();

  it('AMBER for city-3 and RED for a person at the hub are not_addressed at city-2 (7)', async () => {
    const amber = await sign(bulletin({ tlp: 'AMBER', audience: ['t-city-3'] }));
    const red = await sign(
      bulletin({ tlp: 'RED', audience: ['t-hub', 't-city-2'], recipients: [{ node: 't-hub', user: 'official' }] }),
    );
    const to = city(2);
    const before = await observe(to);
    const results = await deliverAs('t-city-1', to, [amber, red]);
    const expected = [[amber, 'AMBER'] as const, [red, 'RED'] as const].map(([jws, tlp]) => ({
      id: idOf(jws),
      outcome: 'rejected',
      reason: 'not_addressed',
      detail: `${tlp} object is not addressed to t-city-2`,
    }));
    expect(results).toEqual(expected);
    await expectRefused(before, 't-city-1', [
      { jws: amber, reason: 'not_addressed' },
      { jws: red, reason: 'not_addressed' },
    ]);
    await refuse('t-city-1', net.hub, amber, 'not_addressed');
  });

  it('a non-origin never passes on AMBER, the hub included; GREEN may be relayed (8)', async () => {
    const amber = await sign(bulletin({ tlp: 'AMBER', audience: ['t-city-2', 't-city-3'] }));
    await refuse('t-city-2', city(3), amber, 'not_forwardable');
    const amberForHub = await sign(bulletin({ tlp: 'AMBER', audience: ['t-city-2', 't-hub'] }));
    await refuse('t-city-2', net.hub, amberForHub, 'not_forwardable');

    const green = await sign(bulletin());
    const [result] = await deliverAs('t-city-2', city(3), [green]);
    expect(result).toMatchObject({ id: idOf(green), outcome: 'accepted' });
    expect(await city(3).store.heldIds([idOf(green)])).toEqual(new Set([idOf(green)]));
    expect((await city(3).store.getObject(idOf(green)))?.receivedFrom).toBe('t-city-2');
  });

  describe('only the origin (or the hub, for status) may act on a bulletin (12)', () => {
    let c1: CityLinkClient;
    let target: string;
    beforeAll(async () => {
      c1 = await net.login(city(1));
      ({ id: target } = await c1.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: bulletin().body }));
      await net.processAll();
      for (const n of net.nodes) expect(await n.store.heldIds([target]), n.id).toEqual(new Set([target]));
    });
    const envelope = (origin: string) => ({
      v: 1 as const,
      origin,
      created: new Date().toISOString(),
      tlp: 'GREEN' as const,
      audience: ['*'],
    });

    it("a retraction of city-1's bulletin by city-2 is not_authorized; the bulletin stays", async () => {
      const jws = await sign({ ...envelope('t-city-2'), kind: 'retraction', body: { target, reason: 'fake' } });
      for (const to of [net.hub, city(3)]) await refuse('t-city-2', to, jws, 'not_authorized');
      const c2 = await net.login(city(2));
      expect(await failure(c2.staff.retract.mutate({ target, reason: 'fake' }))).toMatchObject({ code: 'FORBIDDEN' });
      for (const n of net.nodes) expect((await n.store.getItem(target))?.retracted, n.id).toBe(false);
    });

    it("a status on city-1's bulletin by city-3 is not_authorized", async () => {
      const jws = await sign({
        ...envelope('t-city-3'),
        kind: 'bulletin-status',
        body: { target, status: 'unfounded' },
      });
      for (const to of [net.hub, city(2)]) await refuse('t-city-3', to, jws, 'not_authorized');
      for (const n of net.nodes) expect((await n.store.getItem(target))?.status, n.id).toBe('published');
    });

    it("a new version of city-1's bulletin authored by city-2 is not_authorized", async () => {
      const jws = await sign(
        bulletin({ origin: 't-city-2', body: { supersedes: target, title: 'Report: all clear' } }),
      );
      for (const to of [net.hub, city(3)]) await refuse('t-city-2', to, jws, 'not_authorized');
      for (const n of net.nodes) expect((await n.store.getItem(target))?.supersededBy ?? null, n.id).toBeNull();
    });
  });
});

describe('the staff API refuses bad input and missing rights (15)', () => {
  useNetwork();
  let c1: CityLinkClient;
  let head: number;
  beforeAll(async () => {
    c1 = await net.login(city(1));
    head = city(1).store.headSeq;
  });
  const post = (marking: { tlp: SignedObject['tlp']; audience: string[] }, body: Record<string, unknown> = {}) =>
    c1.staff.postBulletin.mutate({ ...marking, body: { ...bulletin().body, ...body } as Bulletin['body'] });

  it('a schema-invalid bulletin is BAD_REQUEST with the zod issues', async () => {
    const emptyTitle = await failure(post({ tlp: 'GREEN', audience: ['*'] }, { title: '' }));
    expect(emptyTitle).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(emptyTitle.issues).toEqual([expect.objectContaining({ path: ['body', 'title'] })]);
    const category = await failure(post({ tlp: 'GREEN', audience: ['*'] }, { category: 'cyber.teleportation' }));
    expect(category).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(category.issues).toEqual([expect.objectContaining({ path: ['body', 'category'] })]);
    expect(city(1).store.headSeq).toBe(head);
  });

  it('AMBER for the whole network is BAD_REQUEST naming TLP:GREEN/CLEAR', async () => {
    const err = await failure(post({ tlp: 'AMBER', audience: ['*'] }));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(err.message).toMatch(/only allowed for TLP:GREEN and TLP:CLEAR, not AMBER/);
    expect(city(1).store.headSeq).toBe(head);
  });

  it('without a session the staff API is UNAUTHORIZED', async () => {
    const anon = createClient({ baseUrl: city(1).baseUrl });
    const postAnon = anon.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: bulletin().body });
    expect(await failure(postAnon)).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(await failure(anon.staff.feed.query({}))).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    const forged = createClient({ baseUrl: city(1).baseUrl, token: 'not-a-session' });
    expect(await failure(forged.staff.feed.query({}))).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(city(1).store.headSeq).toBe(head);
  });

  it('hub procedures are FORBIDDEN to city accounts', async () => {
    const triage = { target: idOf(await sign(bulletin())), status: 'acknowledged' } as const;
    const staff = await failure(c1.hub.triage.mutate(triage));
    expect(staff).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(staff.message).toMatch(/hub-official, admin/);
    const admin = await failure((await net.login(city(1), 'admin')).hub.triage.mutate(triage));
    expect(admin).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(admin.message).toMatch(/not the state hub/);
    expect(await failure(c1.hub.setPosture.mutate({ level: 'severe' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(city(1).store.headSeq).toBe(head);
  });
});

describe('a suspended member', () => {
  useNetwork();

  it('its objects are not_member and its own calls FORBIDDEN, though its key still resolves (3, 4)', async () => {
    const jws = await sign(bulletin({ origin: 't-city-3' }));
    await net.hub.publishMembers([{ ...city(3).selfMember(), status: 'suspended' }], 'test');
    await city(2).roster.refresh();
    expect(city(2).roster.member('t-city-3')?.status).toBe('suspended');
    for (const to of [city(2), net.hub]) await refuse('t-city-1', to, jws, 'not_member');
    const err = await failure(deliverAs('t-city-3', city(2), [jws]));
    expect(err).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(err.message).toMatch(/t-city-3 is not an active member/);
    expect(await city(2).store.heldIds([idOf(jws)])).toEqual(new Set());
  });
});
