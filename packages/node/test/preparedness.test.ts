import { type CityLinkClient, createClient } from '@citylink/client';
import { TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 15: a city's preparedness evidence is AMBER+STRICT to the hub by default. It
// reaches the hub and no other city, on every read path; a city sees another city's
// scorecard only from what that city published.

let net: TestNetwork;
let training: string;
let plan: string;
const SECRET = 'TRAINING-SECRET course';

const login = (node: string, user = 'staff'): Promise<CityLinkClient> => net.login(net.node(node), user);
const today = new Date().toISOString().slice(0, 10);

const trainingBody = {
  period: { from: today, to: today },
  course: SECRET,
  coversSpearPhishing: true,
  staffWithAccess: 20,
  trained: 20,
};
const planBody = (scenario: 'cyberattack' | 'machine-malfunction') => ({
  scenario,
  title: `${scenario} plan`,
  coversElectionDay: true,
  coversEarlyVoting: true,
  ownerRole: 'City clerk',
  lastReviewed: today,
  lastExercised: { date: today, afterAction: 'Tabletop went well.' },
  plan: { text: 'Call the county, switch to paper pollbooks.' },
});

async function settle() {
  await net.processAll();
  await net.syncAll();
  await Promise.all(net.nodes.map((n) => n.reconcileAll()));
  await net.processAll();
}

beforeAll(async () => {
  net = await TestNetwork.create({ cities: 3 });
  const staff = await login('t-city-1');
  training = (await staff.preparedness.record.mutate({ kind: 'training-summary', body: trainingBody })).id;
  plan = (await staff.preparedness.record.mutate({ kind: 'contingency-plan', body: planBody('cyberattack') })).id;
  await staff.preparedness.record.mutate({
    kind: 'liaison',
    body: { role: 'Cybersecurity liaison', agency: 'City IT', name: 'Sam Lee', workContact: 'it@city-1.example' },
  });
  await settle();
});
afterAll(() => net?.close());

describe('preparedness evidence', () => {
  it('is signed AMBER+STRICT for the hub alone, and only the origin and the hub hold it', async () => {
    const o = await net.node('t-city-1').store.getObject(training);
    expect(o).toMatchObject({ kind: 'training-summary', tlp: 'AMBER+STRICT', audience: ['t-hub'] });
    for (const n of net.nodes) {
      expect((await n.store.heldIds([training, plan])).size, n.id).toBe(['t-city-1', 't-hub'].includes(n.id) ? 2 : 0);
    }
  });

  it('counts at the city: its own training row is done, the plan row partial (no malfunction plan)', async () => {
    const card = await (await login('t-city-1')).preparedness.scorecard.query();
    expect(card.city).toBe('t-city-1');
    expect(card.rows).toHaveLength(10);
    expect(card.rows.find((r) => r.key === 'training')?.status).toBe('done');
    expect(card.rows.find((r) => r.key === 'contingency-plans')?.status).toBe('partial');
    expect(card.evidence.map((e) => e.id)).toEqual(expect.arrayContaining([training, plan]));
  });

  it('reaches the hub: the grid and the city’s scorecard for officials, the liaison directory', async () => {
    const official = await login('t-hub', 'official');
    const grid = (await official.preparedness.stateGrid.query()).cells;
    expect(grid).toHaveLength(30);
    const cell = (city: string, key: string) => grid.find((c) => c.city === city && c.key === key)?.status;
    expect(cell('t-city-1', 'training')).toBe('done');
    expect(cell('t-city-2', 'training')).toBe('missing');
    const card = await official.preparedness.scorecard.query({ city: 't-city-1' });
    expect(card.rows.find((r) => r.key === 'training')?.status).toBe('done');
    const liaisons = await official.preparedness.liaisons.query();
    expect(liaisons).toEqual([expect.objectContaining({ city: 't-city-1', name: 'Sam Lee', agency: 'City IT' })]);
  });

  it('the hub grid follows new evidence at the next read', async () => {
    const official = await login('t-hub', 'official');
    const before = (await official.preparedness.stateGrid.query({ cities: ['t-city-1'] })).cells;
    expect(before.find((c) => c.key === 'contingency-plans')?.status).toBe('partial');
    await (await login('t-city-1')).preparedness.record.mutate({
      kind: 'contingency-plan',
      body: planBody('machine-malfunction'),
    });
    await net.processAll();
    const after = (await official.preparedness.stateGrid.query({ cities: ['t-city-1'] })).cells;
    expect(after.find((c) => c.key === 'contingency-plans')?.status).toBe('done');
  });

  it('is for the hub’s officials only at the hub', async () => {
    const hubStaff = await login('t-hub', 'staff');
    await expect(hubStaff.preparedness.stateGrid.query()).rejects.toThrow(/roles: hub-official$/);
    await expect(hubStaff.preparedness.liaisons.query()).rejects.toThrow(/roles: hub-official$/);
    await expect(hubStaff.preparedness.scorecard.query({ city: 't-city-1' })).rejects.toThrow(/hub’s officials/);
  });

  it.each(['t-city-2', 't-city-3'])(
    'is seen at %s on no path, and its scorecard of t-city-1 is refused',
    async (id) => {
      for (const user of ['staff', 'mayor', 'admin']) {
        const api = await login(id, user);
        await expect(api.preparedness.scorecard.query({ city: 't-city-1' })).rejects.toThrow(/not published/);
        await expect(api.preparedness.stateGrid.query()).rejects.toThrow();
        const ids = (await api.staff.objects.query({ after: 0, limit: 500 })).items.map((i) => i.id);
        expect(ids).not.toContain(training);
        await expect(api.staff.object.query({ id: training })).rejects.toThrow(/no object/);
        expect((await api.staff.feed.query({ text: 'TRAINING-SECRET' })).items).toEqual([]);
      }
    },
  );

  it('is never on a public page, nor handed to another city by any holder', async () => {
    for (const holder of net.nodes) {
      const anon = createClient({ baseUrl: holder.baseUrl });
      await expect(anon.public.object.query({ id: training })).rejects.toThrow(/no public object/);
      expect((await anon.public.feed.query({ text: 'TRAINING-SECRET' })).items).toEqual([]);
    }
    const c2 = net.node('t-city-2');
    for (const holder of ['t-city-1', 't-hub']) {
      const peer = c2.peer(holder)!;
      expect((await peer.federation.fetch.query({ ids: [training] })).objects).toEqual([]);
      const manifest = await peer.federation.manifest.query({ since: new Date(0).toISOString(), limit: 5000 });
      expect(manifest.ids).not.toContain(training);
    }
  });

  it('a wider marking is refused until the warning is confirmed; nothing is signed before', async () => {
    const staff = await login('t-city-1');
    const day = {
      kind: 'security-day' as const,
      body: { proclamation: today, townHall: { date: today, place: 'City Hall' } },
    };
    const marking = { tlp: 'GREEN' as const, audience: ['*'] };
    const head = net.node('t-city-1').store.headSeq;
    await expect(staff.preparedness.record.mutate({ ...day, marking })).rejects.toThrow(/shares more than the default/);
    expect(net.node('t-city-1').store.headSeq).toBe(head);
    await staff.preparedness.record.mutate({ ...day, marking, confirmWider: true });
    await settle();
    // Published: another city now sees the scorecard, from that object alone.
    const card = await (await login('t-city-2')).preparedness.scorecard.query({ city: 't-city-1' });
    expect(card.withFacts).toBe(false);
    expect(card.rows.find((r) => r.key === 'security-day')?.status).toBe('done');
    expect(card.rows.find((r) => r.key === 'training')?.status).toBe('missing');
    expect(JSON.stringify(card)).not.toContain('TRAINING-SECRET');
  });

  it('personal training records stay at the city: only the signed counts reach the hub', async () => {
    const staff = await login('t-city-1');
    for (const [person, hasAccess] of [
      ['Pat PERSONAL-NAME Quinn', true],
      ['Robin PERSONAL-NAME Diaz', true],
      ['Robin PERSONAL-NAME Diaz', true],
      ['Kim PERSONAL-NAME Office', false],
    ] as const) {
      await staff.preparedness.addTrainingRecord.mutate({
        person,
        course: 'Phishing 101',
        completed: today,
        hasAccess,
      });
    }
    expect(await staff.preparedness.trainingRecords.query()).toHaveLength(4);
    const { id, body } = await staff.preparedness.summarizeTraining.mutate({
      from: today,
      to: today,
      course: 'Phishing 101',
      coversSpearPhishing: true,
      staffWithAccess: 3,
    });
    expect(body).toMatchObject({ staffWithAccess: 3, trained: 2, officeMatesTrained: 1 });
    await expect(
      staff.preparedness.summarizeTraining.mutate({
        from: today,
        to: today,
        course: 'Phishing 101',
        coversSpearPhishing: true,
        staffWithAccess: 1,
      }),
    ).rejects.toThrow(/more than the 1 staff with access/);
    await settle();
    const atHub = await net.hub.store.getObject(id);
    expect(atHub?.kind).toBe('training-summary');
    for (const n of net.nodes) {
      const rows = await n.store.logAfter(0, 10_000);
      expect(
        rows.some((r) => Buffer.from(r.object.jws.split('.')[1]!, 'base64url').toString().includes('PERSONAL-NAME')),
        n.id,
      ).toBe(false);
    }
    expect(await (await login('t-hub', 'official')).preparedness.trainingRecords.query()).toEqual([]);
    await expect(
      (await login('t-hub', 'official')).preparedness.addTrainingRecord.mutate({
        person: 'X',
        course: 'Y',
        completed: today,
        hasAccess: true,
      }),
    ).rejects.toThrow(/kept by cities/);
  });

  it('refuses a body that does not fit its kind, with the field named', async () => {
    const staff = await login('t-city-1');
    await expect(
      staff.preparedness.record.mutate({ kind: 'training-summary', body: { ...trainingBody, trained: 21 } }),
    ).rejects.toThrow(/trained cannot exceed staffWithAccess/);
    await expect(
      staff.preparedness.record.mutate({ kind: 'training-summary', body: { ...trainingBody, people: ['Pat'] } }),
    ).rejects.toThrow();
  });
});
