import { type CityLinkClient, createClient } from '@citylink/client';
import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_USERS, TestNetwork } from '../src/index.js';

// TLP leaks, hunted on every read path: a small network with a RED, an AMBER+STRICT, an
// AMBER, a GREEN and a CLEAR bulletin and answers to each (acknowledgements, status
// updates, a retraction), plus answers a hostile member forged under looser markings.
// For every (node, account) and every path (staff feed, objects, detail, search, live
// feed; federation changes, manifest and fetch as a peer; the public page) nothing may
// be visible that TLP forbids. Who may see what is written out by hand below, not
// derived from the rules under test.

type Level = 'RED' | 'AMBER+STRICT' | 'AMBER' | 'GREEN' | 'CLEAR';
type Marking = Omit<Parameters<CityLinkClient['staff']['postBulletin']['mutate']>[0], 'body'>;

const NODES = ['t-hub', 't-city-1', 't-city-2', 't-city-3'] as const;
const ACCOUNTS = NODES.flatMap((node) =>
  Object.entries(TEST_USERS)
    .filter(([, u]) => !u.hubOnly || node === 't-hub')
    .map(([user]) => ({ node, user })),
);

/** Every bulletin comes from staff at t-city-1; t-city-3 is in the RED audience without a recipient. */
const MARKINGS: Record<Level, Marking> = {
  RED: {
    tlp: 'RED',
    audience: ['t-city-2', 't-city-3', 't-hub'],
    recipients: [
      { node: 't-city-2', user: 'mayor' },
      { node: 't-hub', user: 'official' },
    ],
  },
  'AMBER+STRICT': { tlp: 'AMBER+STRICT', audience: ['t-city-2'] },
  AMBER: { tlp: 'AMBER', audience: ['t-hub'] },
  GREEN: { tlp: 'GREEN', audience: ['*'] },
  CLEAR: { tlp: 'CLEAR', audience: ['*'] },
};

/** Who may see a bulletin of each level, and every answer to it: `node` or `node/user`. */
const MAY_SEE: Record<Level, string[]> = {
  // The author keeps it; nobody else at t-city-1 (its mayor, its admin) reads it (issue 18).
  RED: ['t-city-1/staff', 't-city-2/mayor', 't-hub/official'],
  'AMBER+STRICT': ['t-city-1', 't-city-2'],
  AMBER: ['t-city-1', 't-hub'],
  GREEN: [...NODES],
  CLEAR: [...NODES],
};
/** Which nodes may hold a bulletin of each level (and its answers). */
const MAY_HOLD: Record<Level, string[]> = {
  RED: ['t-city-1', 't-city-2', 't-hub'],
  'AMBER+STRICT': ['t-city-1', 't-city-2'],
  AMBER: ['t-city-1', 't-hub'],
  GREEN: [...NODES],
  CLEAR: [...NODES],
};
/** Who answers each level with an acknowledgement (someone who may see it). */
const ACKER: Record<Level, { node: string; user: string }> = {
  RED: { node: 't-city-2', user: 'mayor' },
  'AMBER+STRICT': { node: 't-city-2', user: 'staff' },
  AMBER: { node: 't-hub', user: 'official' },
  GREEN: { node: 't-city-3', user: 'staff' },
  CLEAR: { node: 't-city-2', user: 'admin' },
};

let net: TestNetwork;
/** Every object of the scenario: its level and whether it may appear on the public page. */
const objects = new Map<string, { level: Level; title?: string; public: boolean }>();
/** Answers forged by a hostile member: nobody outside their target's circle may see them. */
const forged = new Map<string, Level>();
const clients = new Map<string, CityLinkClient>();
let sentinel: string;

const may = (level: Level, a: { node: string; user: string }) =>
  MAY_SEE[level].includes(a.node) || MAY_SEE[level].includes(`${a.node}/${a.user}`);
const client = (a: { node: string; user: string }) => clients.get(`${a.node}/${a.user}`)!;

async function forge(key: NodeKey, origin: string, o: Omit<SignedObject, 'v' | 'origin' | 'created'>) {
  const object = { v: 1, origin, created: new Date().toISOString(), ...o } as SignedObject;
  return signObject(object, key);
}

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3 });
  for (const a of ACCOUNTS) clients.set(`${a.node}/${a.user}`, await net.login(net.node(a.node), a.user));
  const author = client({ node: 't-city-1', user: 'staff' });
  const targets = {} as Record<Level, string>;
  for (const level of Object.keys(MARKINGS) as Level[]) {
    const title = `leak probe ${level}`;
    const body = { title, narrative: `narrative ${level}`, category: 'cyber.phishing', severity: 'high' } as const;
    targets[level] = (await author.staff.postBulletin.mutate({ ...MARKINGS[level], body })).id;
    objects.set(targets[level], { level, title, public: level === 'CLEAR' });
  }
  await net.processAll();
  for (const level of Object.keys(MARKINGS) as Level[]) {
    const target = targets[level];
    const answer = (id: string) => objects.set(id, { level, public: level === 'CLEAR' });
    const ack = await client(ACKER[level]).staff.acknowledge.mutate({
      target,
      seenHere: true,
      comment: `ack ${level}`,
    });
    answer(ack.id);
    answer((await author.staff.updateStatus.mutate({ target, status: 'investigating', note: `note ${level}` })).id);
    if (level === 'RED' || level === 'AMBER') {
      const official = client({ node: 't-hub', user: 'official' });
      answer((await official.hub.triage.mutate({ target, status: 'confirmed', note: `hub ${level}` })).id);
    }
  }
  await net.processAll();
  objects.set((await author.staff.retract.mutate({ target: targets.RED, reason: 'retract RED' })).id, {
    level: 'RED',
    public: false,
  });
  await net.processAll();

  // A hostile member answers what it should not, under looser markings, to everyone it can reach.
  const key3 = await readKeyFile(net.configOf('t-city-3').keyFile as string);
  const key2 = await readKeyFile(net.configOf('t-city-2').keyFile as string);
  const attempts: [NodeKey, string, Level, Omit<SignedObject, 'v' | 'origin' | 'created'>][] = [
    [
      key3,
      't-city-3',
      'RED',
      {
        kind: 'acknowledgement',
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: targets.RED, seenHere: true, comment: 'forged green' },
      },
    ],
    [
      key3,
      't-city-3',
      'RED',
      {
        kind: 'acknowledgement',
        tlp: 'CLEAR',
        audience: ['*'],
        body: { target: targets.RED, seenHere: true, comment: 'forged clear' },
      },
    ],
    [
      key2,
      't-city-2',
      'RED',
      {
        kind: 'acknowledgement',
        tlp: 'AMBER',
        audience: ['t-city-1', 't-hub'],
        body: { target: targets.RED, seenHere: true, comment: 'forged amber' },
      },
    ],
    [
      key2,
      't-city-2',
      'AMBER+STRICT',
      {
        kind: 'acknowledgement',
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: targets['AMBER+STRICT'], seenHere: true, comment: 'forged strict' },
      },
    ],
  ];
  for (const [key, origin, level, o] of attempts) {
    const signed = await forge(key, origin, o);
    forged.set(signed.id, level);
    for (const n of net.nodes) if (n.id !== origin) await n.inbound.receive([signed.jws], origin, 'push');
  }
  await net.processAll();
  await net.syncAll();
  await Promise.all(net.nodes.map((n) => n.reconcileAll()));
  sentinel = (
    await author.staff.postBulletin.mutate({
      tlp: 'GREEN',
      audience: ['*'],
      body: { title: 'sentinel', narrative: 'n', category: 'cyber.phishing', severity: 'low' },
    })
  ).id;
  await net.processAll();
}, 120_000);
afterAll(() => net?.close());

/** The ids a person's live feed yields from the start of the log until the sentinel. */
function liveFeed(api: CityLinkClient): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error('the sentinel never arrived on the live feed'));
    }, 20_000);
    const sub = api.staff.onFeed.subscribe(
      { lastEventId: 0 },
      {
        onData: ({ data }) => {
          seen.push(data.id);
          if (data.id !== sentinel) return;
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(seen);
        },
        onError: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      },
    );
  });
}

describe('TLP on every staff read path', () => {
  it.each(ACCOUNTS)('$user at $node sees exactly what TLP allows', async (a) => {
    const api = client(a);
    const allowed = [...objects].filter(([, o]) => may(o.level, a)).map(([id]) => id);
    const forbidden = new Set([
      ...[...objects].filter(([, o]) => !may(o.level, a)).map(([id]) => id),
      ...[...forged].filter(([, level]) => !may(level, a)).map(([id]) => id),
    ]);
    const leaks = (ids: string[]) => ids.filter((id) => forbidden.has(id));

    const listed = (await api.staff.objects.query({ after: 0, limit: 500 })).items.map((i) => i.id);
    expect(leaks(listed), 'staff.objects').toEqual([]);
    expect(listed).toEqual(expect.arrayContaining(allowed));

    const feed = (await api.staff.feed.query({ includeRetracted: true, limit: 200 })).items.map((i) => i.id);
    expect(leaks(feed), 'staff.feed').toEqual([]);
    for (const [, o] of objects) {
      if (!o.title) continue;
      const found = (await api.staff.feed.query({ text: o.title, includeRetracted: true })).items.map((i) => i.id);
      expect(leaks(found), `search ${o.title}`).toEqual([]);
    }

    for (const id of [...objects.keys(), ...forged.keys()]) {
      const detail = await api.staff.object.query({ id }).catch((err: Error) => err);
      if (forbidden.has(id)) {
        expect(detail, `detail of ${id}`).toBeInstanceOf(Error);
        continue;
      }
      if (detail instanceof Error) {
        expect(forged.has(id), `${id}: ${detail.message}`).toBe(true);
        continue;
      }
      expect(leaks(detail.related.map((r) => r.id)), `related of ${id}`).toEqual([]);
    }

    const live = await liveFeed(api);
    expect(leaks(live), 'staff.onFeed').toEqual([]);
    expect(live).toEqual(expect.arrayContaining(allowed));
  });
});

describe('TLP on federation catch-up, as a peer', () => {
  const pairs = NODES.flatMap((holder) => NODES.filter((p) => p !== holder).map((peer) => ({ holder, peer })));

  it.each(pairs)('$peer pulling from $holder gets nothing it may not hold', async ({ holder, peer }) => {
    const api = net.node(peer).peer(holder)!;
    const forbidden = new Set([...[...objects].filter(([, o]) => !MAY_HOLD[o.level].includes(peer)).map(([id]) => id)]);
    const idOfJws = new Map<string, string>();
    for (const n of net.nodes) {
      for (const o of await n.store.getObjects([...objects.keys(), ...forged.keys()])) idOfJws.set(o.jws, o.id);
    }
    const leaks = (ids: (string | undefined)[]) => ids.filter((id) => id !== undefined && forbidden.has(id));

    const changes = await api.federation.changes.query({ after: 0, limit: 500 });
    expect(leaks(changes.items.map((i) => idOfJws.get(i.jws))), 'changes').toEqual([]);

    const since = new Date(Date.now() - 3_600_000).toISOString();
    const manifest: string[] = [];
    const cursors: string[] = [];
    let after: string | undefined;
    let ended = false;
    for (let page = 0; page < 200 && !ended; page++) {
      const res = await api.federation.manifest.query({ since, limit: 1, ...(after && { after }) });
      manifest.push(...res.ids);
      ended = !res.next;
      if (res.next) cursors.push(res.next);
      after = res.next ?? undefined;
    }
    expect(ended, 'manifest paging ends').toBe(true);
    expect(leaks(manifest), 'manifest').toEqual([]);
    for (const id of forbidden)
      expect(
        cursors.some((c) => c.includes(id)),
        `cursor reveals ${id}`,
      ).toBe(false);

    const fetched = await api.federation.fetch.query({ ids: [...objects.keys()] });
    expect(leaks(fetched.objects.map((j) => idOfJws.get(j))), 'fetch').toEqual([]);
  });
});

describe('TLP on the public page', () => {
  it.each(NODES)('%s shows only CLEAR bulletins and CLEAR answers to them', async (nodeId) => {
    const anon = createClient({ baseUrl: net.node(nodeId).baseUrl });
    const pub = (await anon.public.feed.query({ limit: 100 })).items.map((i) => i.id);
    for (const id of pub) expect(objects.get(id)?.public, id).toBe(true);
    for (const id of [...objects.keys(), ...forged.keys()]) {
      const shown = await anon.public.object.query({ id }).then(
        () => true,
        () => false,
      );
      if (shown) expect(objects.get(id)?.public, id).toBe(true);
    }
  });
});
