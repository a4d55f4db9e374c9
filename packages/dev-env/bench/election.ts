/**
 * Election Day at scale: 2,000 cities in an operational period. (1) The hub's tick:
 * overdue check-ins and escalation clocks computed from the read model (two indexed
 * queries and the pure rules), beside a plain select of the same rows in the same run.
 * (2) A notification reaching a connected console: the hub sets an advisory, a city's
 * mayor subscribed to the notification centre gets it; from the call to the event.
 *
 *   npm run bench -w @citylink/dev-env -- election   (BENCH_ELECTION_CITIES=n sets the count)
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Member } from '@citylink/protocol';
import { base64url, utf8 } from '@citylink/protocol';
import { type AppendInput, Store } from '@citylink/store';
import { knexOf } from '@citylink/store/testing';
import { pino } from 'pino';
import { FeedBus } from '../../node/src/ingest/pipeline.js';
import type { RosterState } from '../../node/src/membership/roster-state.js';
import { OperationsConfigSchema } from '../../node/src/notifications/notifications-config.js';
import { Notifier } from '../../node/src/notifications/notifier.js';
import { CheckInModel } from '../../node/src/operations/checkin-model.js';
import type { OnCall } from '../../node/src/operations/on-call.js';
import { Periods } from '../../node/src/operations/periods.js';
import { Situation } from '../../node/src/operations/situation.js';
import { TestNetwork } from '../src/index.js';
import { machineLine, median, ms, peakRssLine, percentile, result, size, watchdog } from './lib.js';

const CITIES = size('ELECTION_CITIES', 2_000, 200);
const CHECKINS_PER_CITY = 3;
const OPEN_BULLETINS = size('ELECTION_BULLETINS', 500, 50);
const ROUNDS = size('ELECTION_ROUNDS', 30, 5);
const timer = watchdog(240_000, 'election');

const id = (s: string) => createHash('sha256').update(s).digest('base64url');
const jwsOf = (o: unknown) => `h.${base64url.encode(utf8.encode(JSON.stringify(o)))}.s`;
const HUB = 'wi-hub';
const city = (n: number) => `wi-city-${n}`;
const now0 = Date.UTC(2026, 10, 3, 18, 0, 0);
const periodId = id('period');

function stored(
  objectId: string,
  kind: string,
  origin: string,
  object: unknown,
  target: string | null,
): AppendInput['object'] {
  return {
    id: objectId,
    kind,
    origin,
    kid: id('kid'),
    created: new Date(now0),
    receivedFrom: origin,
    tlp: 'AMBER',
    audience: [HUB],
    recipients: null,
    target,
    jws: jwsOf(object),
  };
}

async function tickBenchmark(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'citylink-election-'));
  let clock = now0 - 6 * 3_600_000;
  const store = await Store.open({ sqlitePath: join(dir, 'hub.db') }, { clock: () => clock });
  try {
    const period = {
      v: 1,
      kind: 'operational-period',
      origin: HUB,
      created: new Date(now0 - 7 * 3_600_000).toISOString(),
      tlp: 'GREEN',
      audience: ['*'],
      body: {
        name: 'General election',
        start: new Date(now0 - 6 * 3_600_000).toISOString(),
        end: new Date(now0 + 6 * 3_600_000).toISOString(),
      },
    };
    await store.append([
      { object: { ...stored(periodId, 'operational-period', HUB, period, null), audience: ['*'], tlp: 'GREEN' } },
    ]);
    // Check-ins spread over the last six hours; a tenth of the cities went quiet early.
    for (let round = 0; round < CHECKINS_PER_CITY; round++) {
      clock = now0 - (6 - 2 * round) * 3_600_000 + 60_000;
      const batch: AppendInput[] = [];
      for (let n = 0; n < CITIES; n++) {
        if (n % 10 === 0 && round > 0) continue;
        const oid = id(`checkin-${n}-${round}`);
        batch.push({ object: stored(oid, 'checkin', city(n), { body: { period: periodId } }, periodId) });
      }
      for (let i = 0; i < batch.length; i += 1000) await store.append(batch.slice(i, i + 1000));
    }
    clock = now0 - 3_600_000;
    const bulletins: AppendInput[] = [];
    for (let n = 0; n < OPEN_BULLETINS; n++) {
      const oid = id(`bulletin-${n}`);
      bulletins.push({
        object: { ...stored(oid, 'bulletin', city(n % CITIES), {}, null), kind: 'bulletin' },
        item: {
          id: oid,
          kind: 'bulletin',
          origin: city(n % CITIES),
          created: new Date(clock),
          tlp: 'AMBER',
          title: `Report ${n}`,
          category: 'equipment.malfunction',
          severity: ['emergency', 'severe', 'high', 'medium', 'low'][n % 5]!,
          topic: null,
          status: 'published',
          retracted: false,
          supersededBy: null,
          searchText: `report ${n}`,
        },
      });
    }
    for (let i = 0; i < bulletins.length; i += 1000) await store.append(bulletins.slice(i, i + 1000));
    clock = now0;

    const members: Member[] = Array.from({ length: CITIES }, (_, n) => ({
      node: city(n),
      name: `City ${n}`,
      baseUrl: `https://city-${n}.example`,
      role: 'city',
      status: 'active',
      keys: [],
      contact: `clerk@city-${n}.example`,
    }));
    const byNode = new Map(members.map((m) => [m.node, m]));
    const roster = { members: () => members, member: (n: string) => byNode.get(n) } as unknown as RosterState;
    const log = pino({ level: 'silent' });
    const config = OperationsConfigSchema.parse({});
    const situation = new Situation({
      self: HUB,
      store,
      clock: () => clock,
      periods: new Periods({ role: 'hub', hubNode: HUB, store, clock: () => clock, publish: async () => ({ id: '' }) }),
      checkIns: new CheckInModel({ store, bus: new FeedBus() }),
      roster,
      onCall: { recipients: async () => [{ username: 'official' }] } as unknown as OnCall,
      notifier: new Notifier({ self: HUB, config, wake: () => undefined }),
      // No city has named liaisons here: the escalations go to the enrolled contacts
      // (only the first tick escalates; the per-tick figure never calls this).
      liaisons: async () => [],
      log,
    });

    const first = performance.now();
    const escalated = await situation.tick();
    console.log(`first tick: ${escalated.length} escalations recorded in ${ms(performance.now() - first)} (once)`);
    const ticks: number[] = [];
    const selects: number[] = [];
    const knex = knexOf(store);
    for (let r = 0; r < ROUNDS; r++) {
      clock += 1_000;
      let t = performance.now();
      const snap = await situation.tick().then(() => situation.board());
      ticks.push(performance.now() - t);
      if (r === 0)
        console.log(
          `per tick: ${snap.clocks.length} clocks (${snap.clocks.filter((c) => c.overdue).length} overdue), ${snap.overdue.length} cities behind`,
        );
      t = performance.now();
      await knex('objects').select('origin', 'received_at').where({ kind: 'checkin', target: periodId });
      await knex('items').select('id', 'origin', 'severity').where({ status: 'published', kind: 'bulletin' });
      selects.push(performance.now() - t);
    }
    ticks.sort((a, b) => a - b);
    console.log(
      `tick (${CITIES} cities, ${CITIES * CHECKINS_PER_CITY} check-ins, ${OPEN_BULLETINS} open bulletins): median ${ms(median(ticks))}, p95 ${ms(percentile(ticks, 0.95))}; plain select of the same rows: median ${ms(median(selects))}`,
    );
    result('election-tick-ms', median(ticks), 'ms', '<', 50);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function notificationBenchmark(): Promise<void> {
  const net = await TestNetwork.create({ cities: 1 });
  try {
    const mayor = await net.login(net.cities[0]!, 'mayor');
    const official = await net.login(net.hub, 'official');
    let wake: ((n: number) => void) | undefined;
    let seen = -1;
    const sub = mayor.notifications.onChange.subscribe(undefined, {
      onData: (c) => {
        if (c.unread !== seen) {
          seen = c.unread;
          wake?.(c.unread);
        }
      },
    });
    const next = (n: number) =>
      new Promise<void>((resolve) => {
        if (seen >= n) return resolve();
        wake = (u) => {
          if (u >= n) resolve();
        };
      });
    await next(0);
    const times: number[] = [];
    const rounds = size('ELECTION_NOTIFY', 10, 3);
    for (let r = 1; r <= rounds; r++) {
      const t = performance.now();
      await official.hub.setPosture.mutate({
        level: 'elevated',
        advisory: { title: `Advisory ${r}`, text: 'Be careful.' },
      });
      await next(r);
      times.push(performance.now() - t);
    }
    sub.unsubscribe();
    times.sort((a, b) => a - b);
    console.log(`advisory at the hub → a city mayor's console: median ${ms(median(times))}, max ${ms(times.at(-1)!)}`);
    result('election-notification-ms', times.at(-1)!, 'ms', '<', 1_000);
  } finally {
    await net.close();
  }
}

console.log(machineLine());
await tickBenchmark();
await notificationBenchmark();
console.log(peakRssLine());
clearTimeout(timer);
