import type { CityLinkClient } from '@citylink/client';
import { readKeyFile, signObject } from '@citylink/crypto';
import { eventually, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Marking = Parameters<CityLinkClient['staff']['postBulletin']['mutate']>[0];

const body = (title: string) => ({
  title,
  narrative: `Narrative of ${title}`,
  category: 'cyber.phishing' as const,
  severity: 'medium' as const,
});

/** Which nodes of the network hold an object. */
async function holders(net: TestNetwork, id: string): Promise<string[]> {
  const out: string[] = [];
  for (const n of net.nodes) if ((await n.store.heldIds([id])).has(id)) out.push(n.id);
  return out.sort();
}

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('federation on %s', (_name, postgres) => {
  let net: TestNetwork;
  let c1: CityLinkClient;
  const post = async (marking: Omit<Marking, 'body'>, title: string) =>
    (await c1.staff.postBulletin.mutate({ ...marking, body: body(title) })).id;

  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 3, postgres });
    c1 = await net.login(net.cities[0]!);
  });
  afterAll(() => net?.close());

  it('a GREEN bulletin for the whole network reaches every city and the hub, verified and visible', async () => {
    const id = await post({ tlp: 'GREEN', audience: ['*'] }, 'green to all');
    await net.processAll();
    expect(await holders(net, id)).toEqual(['t-city-1', 't-city-2', 't-city-3', 't-hub']);
    const c3 = await net.login(net.cities[2]!);
    const feed = await c3.staff.feed.query({ text: 'green to all' });
    expect(feed.items.map((i) => i.id)).toEqual([id]);
    const detail = await c3.staff.object.query({ id });
    expect(detail.origin).toBe('t-city-1');
    expect(detail.kid).toBe(net.cities[0]!.keyId);
    // Stored bytes are exactly what the origin signed.
    expect(detail.jws).toBe((await net.cities[0]!.store.getObject(id))!.jws);
    // The origin's audit trail names the person who posted it.
    const audit = await net.cities[0]!.store.listAudit({ action: 'object.bulletin', limit: 50 });
    expect(audit.find((e) => e.subject === id)).toMatchObject({ actor: 'user:staff', detail: { tlp: 'GREEN' } });
  });

  it('AMBER, AMBER+STRICT and RED reach only their audience, and catch-up never leaks them', async () => {
    const amber = await post({ tlp: 'AMBER', audience: ['t-city-2', 't-hub'] }, 'amber');
    const strict = await post({ tlp: 'AMBER+STRICT', audience: ['t-city-3'] }, 'strict');
    const red = await post(
      { tlp: 'RED', audience: ['t-hub'], recipients: [{ node: 't-hub', user: 'official' }] },
      'red for the state CISO',
    );
    await net.processAll();
    await net.syncAll();
    await Promise.all(net.nodes.map((n) => n.reconcileAll()));
    expect(await holders(net, amber)).toEqual(['t-city-1', 't-city-2', 't-hub']);
    expect(await holders(net, strict)).toEqual(['t-city-1', 't-city-3']);
    expect(await holders(net, red)).toEqual(['t-city-1', 't-hub']);

    // RED is shown only to the named person at the hub.
    const official = await net.login(net.hub, 'official');
    const hubStaff = await net.login(net.hub, 'staff');
    expect((await official.staff.feed.query({ text: 'red for the state' })).items.map((i) => i.id)).toEqual([red]);
    expect((await hubStaff.staff.feed.query({ text: 'red for the state' })).items).toEqual([]);
    await expect(hubStaff.staff.object.query({ id: red })).rejects.toThrow(/no object/);
  });

  it('retractions and new versions propagate to every holder', async () => {
    const first = await post({ tlp: 'GREEN', audience: ['*'] }, 'version one');
    await net.processAll();
    const second = (
      await c1.staff.postBulletin.mutate({
        tlp: 'GREEN',
        audience: ['*'],
        body: { ...body('version two'), supersedes: first },
      })
    ).id;
    const doomed = await post({ tlp: 'GREEN', audience: ['*'] }, 'posted by mistake');
    await net.processAll();
    await c1.staff.retract.mutate({ target: doomed, reason: 'duplicate report' });
    await net.processAll();
    for (const n of net.nodes) {
      expect((await n.store.getItem(first))?.supersededBy, n.id).toBe(second);
      expect((await n.store.getItem(doomed))?.retracted, n.id).toBe(true);
    }
    const c2 = await net.login(net.cities[1]!);
    const titles = (await c2.staff.feed.query({ text: 'version' })).items.map((i) => i.title);
    expect(titles).toEqual(['version two']);
    expect((await c2.staff.feed.query({ text: 'posted by mistake' })).items).toEqual([]);
  });

  it("a batch carrying a bulletin and its author's status update is accepted together", async () => {
    const key = await readKeyFile(net.configOf('t-city-1').keyFile as string);
    const created = new Date().toISOString();
    const b = await signObject(
      { v: 1, kind: 'bulletin', origin: 't-city-1', created, tlp: 'GREEN', audience: ['*'], body: body('batched') },
      key,
    );
    const st = await signObject(
      {
        v: 1,
        kind: 'bulletin-status',
        origin: 't-city-1',
        created,
        tlp: 'GREEN',
        audience: ['*'],
        body: { target: b.id, status: 'mitigated' },
      },
      key,
    );
    const c2 = net.cities[1]!;
    const results = await c2.inbound.receive([b.jws, st.jws], 't-city-1', 'pull');
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect((await c2.store.getItem(b.id))?.status).toBe('mitigated');
  });

  it('concurrent deliveries are stored together, each object once, each sender told its own outcome', async () => {
    const key = await readKeyFile(net.configOf('t-city-1').keyFile as string);
    const signed = await Promise.all(
      ['concurrent a', 'concurrent b', 'concurrent c'].map((title) =>
        signObject(
          {
            v: 1,
            kind: 'bulletin',
            origin: 't-city-1',
            created: new Date().toISOString(),
            tlp: 'GREEN',
            audience: ['*'],
            body: body(title),
          },
          key,
        ),
      ),
    );
    const [a, b, c] = signed.map((o) => o.jws) as [string, string, string];
    const hub = net.hub;
    const head = hub.store.headSeq;
    // Three batches in flight at once; `b` is in two of them and `c` twice in one.
    const [r1, r2, r3] = await Promise.all([
      hub.inbound.receive([a, b], 't-city-1', 'push'),
      hub.inbound.receive([b, c, c], 't-city-1', 'push'),
      hub.inbound.receive(['not a jws'], 't-city-1', 'push'),
    ]);
    expect(r1[0]!.outcome).toBe('accepted');
    // Whichever batch was stored first took `b`; the other was told it is a duplicate.
    expect([r1[1]!.outcome, r2[0]!.outcome].sort()).toEqual(['accepted', 'duplicate']);
    expect(r2.slice(1).map((r) => r.outcome)).toEqual(['accepted', 'duplicate']);
    expect(r3).toMatchObject([{ outcome: 'rejected', reason: 'malformed' }]);
    expect(hub.store.headSeq).toBe(head + 3);
    const seqs = [...r1, ...r2].flatMap((r) => (r.outcome === 'accepted' ? [r.seq] : [])).sort((x, y) => x - y);
    expect(seqs).toEqual([head + 1, head + 2, head + 3]);
    for (const o of signed) expect(await hub.store.seqOf(o.id)).toBeGreaterThan(head);
  });

  it('receiving the same object twice is a no-op', async () => {
    const id = await post({ tlp: 'GREEN', audience: ['*'] }, 'dedupe me');
    await net.processAll();
    const c2 = net.cities[1]!;
    const jws = (await c2.store.getObject(id))!.jws;
    const head = c2.store.headSeq;
    const results = await c2.inbound.receive([jws, jws], 't-hub', 'push');
    expect(results.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(c2.store.headSeq).toBe(head);
  });

  it('hub triage reaches the author, who sees per-recipient delivery state', async () => {
    const id = await post({ tlp: 'GREEN', audience: ['*'] }, 'needs triage');
    await net.processAll();
    const official = await net.login(net.hub, 'official');
    const board = await official.hub.board.query();
    expect(board.unacknowledged.map((i) => i.id)).toContain(id);
    await official.hub.triage.mutate({ target: id, status: 'acknowledged', note: 'Seen by the state' });
    await net.processAll();

    const detail = await c1.staff.object.query({ id });
    expect(detail.item?.status).toBe('acknowledged');
    const status = detail.related.find((r) => r.kind === 'bulletin-status');
    expect(status?.origin).toBe('t-hub');
    // The author's own push to the hub, then the hub's onward delivery to every other city.
    expect(detail.deliveries).toEqual([
      expect.objectContaining({ recipient: 't-hub', outcome: 'accepted', deliveredAt: expect.any(String), via: null }),
      expect.objectContaining({ recipient: 't-city-2', outcome: 'accepted', via: 'hub' }),
      expect.objectContaining({ recipient: 't-city-3', outcome: 'accepted', via: 'hub' }),
    ]);
    expect(detail.relayReportAvailable).toBe(true);
    const after = await official.hub.board.query();
    expect(after.unacknowledged.map((i) => i.id)).not.toContain(id);
    expect(after.others.map((i) => i.id)).toContain(id);
  });

  it('live feed: new objects arrive over the WebSocket, and resuming skips nothing and repeats nothing', async () => {
    const c2 = await net.login(net.cities[1]!);
    const seen: { seq: string; title: string }[] = [];
    const waiters: (() => void)[] = [];
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (seen.length >= n ? resolve() : waiters.push(check));
        check();
      });
    const subscribe = (lastEventId?: string) =>
      c2.staff.onFeed.subscribe(lastEventId ? { lastEventId: Number(lastEventId) } : undefined, {
        onData: ({ id, data }) => {
          const title = (data.object.body as { title?: string }).title;
          if (data.kind === 'bulletin' && title?.startsWith('live')) seen.push({ seq: id, title });
          for (const w of waiters.splice(0)) w();
        },
      });
    let sub = subscribe();
    await post({ tlp: 'GREEN', audience: ['*'] }, 'live 1');
    await net.processAll();
    await until(1);
    sub.unsubscribe();
    // Posted while disconnected: must arrive on resume, exactly once.
    await post({ tlp: 'GREEN', audience: ['*'] }, 'live 2');
    await post({ tlp: 'GREEN', audience: ['*'] }, 'live 3');
    await net.processAll();
    sub = subscribe(seen[0]!.seq);
    await until(3);
    sub.unsubscribe();
    expect(seen.map((s) => s.title)).toEqual(['live 1', 'live 2', 'live 3']);
    expect(new Set(seen.map((s) => s.seq)).size).toBe(3);

    // Signing out ends the stream: the next batch is refused, not delivered.
    const errors: string[] = [];
    sub = c2.staff.onFeed.subscribe(
      { lastEventId: Number(seen[2]!.seq) },
      {
        onData: ({ data }) =>
          seen.push({ seq: 'after sign-out', title: (data.object.body as { title: string }).title }),
        onError: (err) => errors.push(err.message),
      },
    );
    await c2.staff.logout.mutate();
    await post({ tlp: 'GREEN', audience: ['*'] }, 'live 4');
    await net.processAll();
    // Refused at the next batch, or at the start if the sign-out got there first.
    await eventually(async () => expect(errors).toEqual([expect.stringMatching(/session ended|sign in first/)]));
    sub.unsubscribe();
    expect(seen).toHaveLength(3);
  });
});
