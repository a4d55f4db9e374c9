import type { CityLinkClient } from '@citylink/client';
import { TEST_PASSWORD, TestNetwork } from '@citylink/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Item 11 of issue 11: a manifest page (and its cursor) never hands a peer the id of
// an object it may not receive, and the hub's counts leave out RED it may not see.

type Marking = Omit<Parameters<CityLinkClient['staff']['postBulletin']['mutate']>[0], 'body'>;

const MARKINGS: [Marking, string[]][] = [
  [{ tlp: 'GREEN', audience: ['*'] }, ['t-city-2', 't-city-3', 't-hub']],
  [{ tlp: 'AMBER', audience: ['t-city-3'] }, ['t-city-3']],
  [{ tlp: 'AMBER+STRICT', audience: ['t-hub'] }, ['t-hub']],
  [{ tlp: 'RED', audience: ['t-city-2', 't-hub'], recipients: [{ node: 't-hub', user: 'official' }] }, ['t-hub']],
  [{ tlp: 'AMBER', audience: ['t-city-2'] }, ['t-city-2']],
  [{ tlp: 'CLEAR', audience: ['*'] }, ['t-city-2', 't-city-3', 't-hub']],
];

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('on %s', (_name, postgres) => {
  let net: TestNetwork;
  /** Every object posted at t-city-1, with the nodes that may receive it. */
  const posted: { id: string; receivers: string[] }[] = [];

  beforeAll(async () => {
    net = await TestNetwork.create({ cities: 3, postgres });
    posted.length = 0;
    const api = await net.login(net.cities[0]!);
    for (let round = 0; round < 4; round++) {
      for (const [marking, receivers] of MARKINGS) {
        const body = {
          title: `manifest ${round} ${marking.tlp}`,
          narrative: 'n',
          category: 'cyber.scanning' as const,
          severity: 'low' as const,
        };
        posted.push({ id: (await api.staff.postBulletin.mutate({ ...marking, body })).id, receivers });
      }
    }
  });
  afterAll(() => net?.close());

  describe('federation.manifest', () => {
    it.each(['t-city-2', 't-city-3', 't-hub'])(
      'paged one id at a time, hands %s every id it may receive and nothing else, in ids or cursors',
      async (peerId) => {
        const peer = net.node(peerId).peer('t-city-1')!;
        const allowed = posted.filter((p) => p.receivers.includes(peerId)).map((p) => p.id);
        const hidden = posted.filter((p) => !p.receivers.includes(peerId)).map((p) => p.id);
        const since = new Date(Date.now() - 3_600_000).toISOString();
        const seen: string[] = [];
        const cursors: string[] = [];
        let after: string | undefined;
        for (let page = 0; page <= posted.length + 1; page++) {
          const res = await peer.federation.manifest.query({ since, limit: 1, ...(after && { after }) });
          expect(res.ids.length).toBeLessThanOrEqual(1);
          seen.push(...res.ids);
          if (!res.next) break;
          cursors.push(res.next);
          after = res.next;
        }
        expect(seen.filter((id) => posted.some((p) => p.id === id)).sort()).toEqual([...allowed].sort());
        for (const id of hidden) {
          expect(seen).not.toContain(id);
          for (const c of cursors) expect(c).not.toContain(id);
        }
      },
    );

    it('refuses a cursor it did not issue to this peer, and still understands a plain id', async () => {
      const since = new Date(Date.now() - 3_600_000).toISOString();
      const c2 = net.node('t-city-2').peer('t-city-1')!;
      const c3 = net.node('t-city-3').peer('t-city-1')!;
      const first = await c2.federation.manifest.query({ since, limit: 1 });
      expect(first.next).toBeTruthy();
      await expect(c3.federation.manifest.query({ since, limit: 1, after: first.next! })).rejects.toThrow(
        /cursor not valid/,
      );
      const plain = await c2.federation.manifest.query({ since, limit: 5000, after: first.ids[0]! });
      expect(plain.ids).not.toContain(first.ids[0]);
      expect(plain.next).toBeNull();
    });
  });

  describe('hub.overview', () => {
    it('counts a RED bulletin only for the people who may see it', async () => {
      await net.hub.addUser({
        username: 'official2',
        password: TEST_PASSWORD,
        roles: ['hub-official', 'staff', 'red-recipient'],
      });
      await net.processAll(); // the hub's RED directory now names official2, everywhere
      const api = await net.login(net.cities[0]!);
      await api.staff.postBulletin.mutate({
        tlp: 'RED',
        audience: ['t-hub'],
        recipients: [{ node: 't-hub', user: 'official2' }],
        body: { title: 'for official2 only', narrative: 'n', category: 'physical.swatting', severity: 'emergency' },
      });
      await net.processAll();
      const official = await net.login(net.hub, 'official');
      const official2 = await net.login(net.hub, 'official2');
      const mine = await official2.hub.overview.query();
      const theirs = await official.hub.overview.query();
      expect(mine.byCategory['physical.swatting']).toBe(1);
      expect(mine.bySeverity.emergency).toBe(1);
      expect(mine.byDay.filter((d) => d.category === 'physical.swatting')).toHaveLength(1);
      expect(theirs.byCategory['physical.swatting']).toBeUndefined();
      expect(theirs.bySeverity.emergency).toBeUndefined();
      expect(theirs.byDay.filter((d) => d.category === 'physical.swatting')).toEqual([]);
      // The RED bulletins for `official` (one per round above) count for official, not for official2.
      expect(theirs.byOrigin['t-city-1']! - mine.byOrigin['t-city-1']!).toBe(4 - 1);
    });
  });
});
