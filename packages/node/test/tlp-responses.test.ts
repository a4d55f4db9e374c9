import { type CityLinkClient, createClient } from '@citylink/client';
import { type NodeKey, readKeyFile, signObject } from '@citylink/crypto';
import { TestNetwork } from '@citylink/dev-env';
import type { CityLinkNode, SessionUser } from '@citylink/node';
import type { SignedObject } from '@citylink/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Item 7 of issue 11: answers to a RED bulletin (acknowledgement, status updates,
// retraction) stay RED for the named recipients (the author among them), on every read path.
// Issue 18: the author keeps it; nobody else at the origin (its mayor, its admin) reads it.

let net: TestNetwork;
const keys = new Map<string, NodeKey>();
const node = (id: string) => net.node(id);
let bulletin: string;
/** The answers to the RED bulletin, by what they are. */
const answers: Record<string, string> = {};
let sentinel: string;

/** Who may see the RED bulletin and its answers: its author and the two named recipients. */
const ALLOWED = [
  ['t-city-1', 'staff'],
  ['t-city-2', 'mayor'],
  ['t-hub', 'official'],
] as const;
const DENIED = [
  ['t-city-1', 'mayor'],
  ['t-city-1', 'admin'],
  ['t-city-2', 'staff'],
  ['t-city-2', 'admin'],
  ['t-city-3', 'staff'],
  ['t-city-3', 'mayor'],
  ['t-hub', 'staff'],
  ['t-hub', 'admin'],
] as const;

const body = (title: string) => ({
  title,
  narrative: `Narrative of ${title}`,
  category: 'physical.threat-to-staff' as const,
  severity: 'high' as const,
});

async function login(nodeId: string, user: string): Promise<CityLinkClient> {
  return net.login(node(nodeId), user);
}

/** Everything a person's live feed yields from the start of the log up to the sentinel. */
async function followed(n: CityLinkNode, username: string): Promise<string[]> {
  const user: SessionUser = { id: 0, username, displayName: username, roles: ['staff'] };
  const abort = new AbortController();
  const seen: string[] = [];
  for await (const batch of n.views.follow(user, 0, abort.signal)) {
    seen.push(...batch.map((e) => e.id));
    if (seen.includes(sentinel)) abort.abort();
  }
  return seen;
}

async function sign(origin: string, o: Omit<SignedObject, 'v' | 'origin' | 'created'>): Promise<string> {
  const object = { v: 1, origin, created: new Date().toISOString(), ...o } as SignedObject;
  return (await signObject(object, keys.get(origin)!)).jws;
}

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3 });
  for (const c of [net.hub, ...net.cities]) keys.set(c.id, await readKeyFile(net.configOf(c.id).keyFile as string));
  const author = await login('t-city-1', 'staff');
  // t-city-3 is in the audience but hosts no named recipient: it may not receive any of it.
  bulletin = (
    await author.staff.postBulletin.mutate({
      tlp: 'RED',
      audience: ['t-city-2', 't-city-3', 't-hub'],
      recipients: [
        { node: 't-city-2', user: 'mayor' },
        { node: 't-hub', user: 'official' },
      ],
      body: body('red threat to the clerk'),
    })
  ).id;
  await net.processAll();
  const mayor2 = await login('t-city-2', 'mayor');
  answers.ack = (await mayor2.staff.acknowledge.mutate({ target: bulletin, seenHere: true, comment: 'ACK-SECRET' })).id;
  const official = await login('t-hub', 'official');
  answers.hubStatus = (
    await official.hub.triage.mutate({ target: bulletin, status: 'investigating', note: 'STATUS-SECRET' })
  ).id;
  answers.ownStatus = (
    await author.staff.updateStatus.mutate({ target: bulletin, status: 'confirmed', note: 'OWN-SECRET' })
  ).id;
  await net.processAll();
  answers.retraction = (await author.staff.retract.mutate({ target: bulletin, reason: 'RETRACT-SECRET' })).id;
  await net.processAll();
  await net.syncAll();
  await Promise.all(net.nodes.map((n) => n.reconcileAll()));
  sentinel = (await author.staff.postBulletin.mutate({ tlp: 'GREEN', audience: ['*'], body: body('sentinel') })).id;
  await net.processAll();
});
afterAll(() => net?.close());

describe('answers to a RED bulletin', () => {
  it('are RED, for the named recipients and the author, and reach only their nodes', async () => {
    for (const id of Object.values(answers)) {
      const o = await node('t-city-1').store.getObject(id);
      expect(o?.tlp, id).toBe('RED');
      expect(o?.recipients).toEqual(
        expect.arrayContaining([
          { node: 't-city-2', user: 'mayor' },
          { node: 't-hub', user: 'official' },
          { node: 't-city-1', user: 'staff' },
        ]),
      );
      for (const n of net.nodes) {
        const held = (await n.store.heldIds([id])).has(id);
        expect(held, `${n.id} holds ${id}`).toBe(n.id !== 't-city-3');
      }
    }
  });

  it.each(ALLOWED)('are seen at %s by %s in objects, detail and the live feed', async (nodeId, user) => {
    const api = await login(nodeId, user);
    const ids = (await api.staff.objects.query({ after: 0, limit: 500 })).items.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([bulletin, ...Object.values(answers)]));
    for (const id of Object.values(answers)) expect((await api.staff.object.query({ id })).id).toBe(id);
    const related = (await api.staff.object.query({ id: bulletin })).related.map((r) => r.id);
    expect(related).toEqual(expect.arrayContaining(Object.values(answers)));
    expect(await followed(node(nodeId), user)).toEqual(expect.arrayContaining(Object.values(answers)));
  });

  it.each(DENIED)('are not seen at %s by %s on any path', async (nodeId, user) => {
    const api = await login(nodeId, user);
    const ids = (await api.staff.objects.query({ after: 0, limit: 500 })).items.map((i) => i.id);
    expect(ids).toContain(sentinel);
    for (const id of [bulletin, ...Object.values(answers)]) {
      expect(ids).not.toContain(id);
      await expect(api.staff.object.query({ id }), id).rejects.toThrow(/no object/);
    }
    const live = await followed(node(nodeId), user);
    expect(live).toContain(sentinel);
    for (const id of Object.values(answers)) expect(live).not.toContain(id);
    for (const text of ['SECRET', 'red threat']) {
      const feed = await api.staff.feed.query({ text, includeRetracted: true });
      expect(feed.items.map((i) => i.id)).toEqual([]);
    }
  });

  it('are handed to no peer that may not receive the bulletin, and never shown publicly', async () => {
    const c3 = node('t-city-3');
    const all = [bulletin, ...Object.values(answers)];
    for (const holder of ['t-city-1', 't-city-2', 't-hub']) {
      const peer = c3.peer(holder)!;
      const changes = await peer.federation.changes.query({ after: 0, limit: 500 });
      const seen = changes.items.map((i) => i.jws);
      const manifest = await peer.federation.manifest.query({ since: new Date(0).toISOString(), limit: 5000 });
      const fetched = await peer.federation.fetch.query({ ids: all });
      expect(fetched.objects, holder).toEqual([]);
      for (const id of all) {
        expect(manifest.ids, holder).not.toContain(id);
        const jws = (await node(holder).store.getObject(id))?.jws;
        if (jws) expect(seen, holder).not.toContain(jws);
      }
      const anon = createClient({ baseUrl: node(holder).baseUrl });
      for (const id of all) await expect(anon.public.object.query({ id })).rejects.toThrow(/no public object/);
    }
  });

  it('from a hostile member are refused when looser or wider than the bulletin', async () => {
    const origin = node('t-city-1');
    const ack = (comment: string) => ({ target: bulletin, seenHere: true, comment });
    // A city that may not hold the bulletin answers it.
    const outsider = await sign('t-city-3', {
      kind: 'acknowledgement',
      tlp: 'AMBER',
      audience: ['t-city-1'],
      body: ack('c3'),
    });
    const [refused] = await origin.inbound.receive([outsider], 't-city-3', 'push');
    expect(refused).toMatchObject({ outcome: 'rejected', reason: 'wider_than_target' });
    const cases = [
      // A recipient's node answers it under a looser marking.
      await sign('t-city-2', {
        kind: 'acknowledgement',
        tlp: 'AMBER+STRICT',
        audience: ['t-city-1'],
        body: ack('strict'),
      }),
      // RED, but naming a colleague who is not a recipient.
      await sign('t-city-2', {
        kind: 'acknowledgement',
        tlp: 'RED',
        audience: ['t-city-1', 't-city-2'],
        recipients: [
          { node: 't-city-1', user: 'staff' },
          { node: 't-city-2', user: 'staff' },
        ],
        body: ack('colleague'),
      }),
      // GREEN to the whole network.
      await sign('t-city-2', { kind: 'acknowledgement', tlp: 'GREEN', audience: ['*'], body: ack('everyone') }),
    ];
    const results = await origin.inbound.receive(cases, 't-city-2', 'push');
    expect(results.map((r) => [r.outcome, 'reason' in r ? r.reason : null])).toEqual(
      cases.map(() => ['rejected', 'wider_than_target']),
    );
    const held = await origin.store.heldIds([refused!.id!, ...results.map((r) => r.id!)]);
    expect(held.size).toBe(0);
    // Within the bulletin's circle, an answer is accepted (once per city: t-city-2 has acknowledged already).
    const again = await sign('t-city-2', {
      kind: 'acknowledgement',
      tlp: 'RED',
      audience: ['t-city-1', 't-city-2'],
      recipients: [
        { node: 't-city-1', user: 'staff' },
        { node: 't-city-2', user: 'mayor' },
      ],
      body: ack('again'),
    });
    expect((await origin.inbound.receive([again], 't-city-2', 'push'))[0]).toMatchObject({
      outcome: 'rejected',
      reason: 'duplicate_acknowledgement',
    });
    const fine = await sign('t-hub', {
      kind: 'acknowledgement',
      tlp: 'RED',
      audience: ['t-city-1', 't-hub'],
      recipients: [
        { node: 't-city-1', user: 'staff' },
        { node: 't-hub', user: 'official' },
      ],
      body: ack('fine'),
    });
    expect((await origin.inbound.receive([fine], 't-hub', 'push'))[0]?.outcome).toBe('accepted');
  });
});
