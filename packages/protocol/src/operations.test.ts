import { describe, expect, it } from 'vitest';
import {
  ackDeadline,
  DEFAULT_ACK_TARGETS,
  durationWords,
  escalationClocks,
  nextBusinessMorning,
  OperationalPeriodBodySchema,
  overdueCheckIns,
} from './index.js';

const period = OperationalPeriodBodySchema.parse({
  name: 'General election, Nov 3',
  start: '2026-11-03T11:00:00Z',
  end: '2026-11-04T06:00:00Z',
});
const at = (iso: string) => Date.parse(iso);

describe('operational periods', () => {
  it('default to a 2 h check-in and the guide’s acknowledgement targets', () => {
    expect(period.checkInMinutes).toBe(120);
    expect(period.ackTargets).toEqual(DEFAULT_ACK_TARGETS);
    expect(OperationalPeriodBodySchema.safeParse({ ...period, end: period.start }).success).toBe(false);
  });
});

describe('acknowledgement deadlines', () => {
  it('add the target to the arrival for emergency to medium', () => {
    const t = at('2026-11-03T14:00:00Z');
    expect(ackDeadline(t, 'emergency', period) - t).toBe(15 * 60_000);
    expect(ackDeadline(t, 'severe', period) - t).toBe(30 * 60_000);
    expect(ackDeadline(t, 'high', period) - t).toBe(60 * 60_000);
    expect(ackDeadline(t, 'medium', period) - t).toBe(240 * 60_000);
  });

  it('give low and baseline until 9:00 local time on the next business day', () => {
    // Tuesday 3 Nov 2026, 14:00 UTC = 8:00 in Chicago (CST, UTC-6): due Wednesday 9:00 CST.
    expect(new Date(ackDeadline(at('2026-11-03T14:00:00Z'), 'low', period)).toISOString()).toBe(
      '2026-11-04T15:00:00.000Z',
    );
    // Friday evening in Chicago: due Monday 9:00.
    expect(new Date(nextBusinessMorning(at('2026-11-07T01:00:00Z'), 'America/Chicago')).toISOString()).toBe(
      '2026-11-09T15:00:00.000Z',
    );
    // Summer time: 9:00 CDT is 14:00 UTC.
    expect(new Date(nextBusinessMorning(at('2026-07-01T12:00:00Z'), 'America/Chicago')).toISOString()).toBe(
      '2026-07-02T14:00:00.000Z',
    );
  });
});

describe('escalation clocks', () => {
  const received = at('2026-11-03T14:00:00Z');
  const bulletins = [
    { id: 'a', origin: 'wi-madison', title: 'Pollbook outage', severity: 'severe' as const, receivedAt: received },
    { id: 'b', origin: 'wi-milwaukee', title: 'Phishing', severity: 'emergency' as const, receivedAt: received },
    { id: 'c', origin: 'wi-green-bay', title: 'Scanning', severity: 'medium' as const, receivedAt: received },
    {
      id: 'd',
      origin: 'wi-madison',
      title: 'Acknowledged',
      severity: 'emergency' as const,
      receivedAt: received,
      acknowledgedAt: received + 60_000,
    },
  ];

  it('put the overdue first, say the time in words, and leave out what is acknowledged', () => {
    const queue = escalationClocks(bulletins, period, received + 20 * 60_000);
    expect(queue.map((q) => [q.id, q.overdue, q.words])).toEqual([
      ['b', true, 'overdue by 5 min'],
      ['a', false, '10 min left'],
      ['c', false, '3 h 40 min left'],
    ]);
  });

  it('the boundary: exactly at the target is not overdue yet', () => {
    expect(escalationClocks([bulletins[1]!], period, received + 15 * 60_000)[0]!.overdue).toBe(false);
    expect(escalationClocks([bulletins[1]!], period, received + 15 * 60_000 + 1)[0]!.overdue).toBe(true);
  });

  it('words', () => {
    expect(durationWords(0)).toBe('0 min');
    expect(durationWords(65 * 60_000)).toBe('1 h 5 min');
    expect(durationWords(26 * 3_600_000)).toBe('1 d 2 h');
  });
});

describe('check-ins', () => {
  const cities = [
    { city: 'wi-madison', lastCheckIn: at('2026-11-03T14:30:00Z') },
    { city: 'wi-milwaukee' },
    { city: 'wi-green-bay', lastCheckIn: at('2026-11-02T10:00:00Z') },
  ];

  it('a city is overdue once an interval passes without a check-in, counted from the start or its last', () => {
    expect(overdueCheckIns(cities, period, at('2026-11-03T12:59:59Z'))).toEqual([]);
    expect(overdueCheckIns(cities, period, at('2026-11-03T15:00:00Z'))).toEqual([
      { city: 'wi-green-bay', missed: 2, since: at('2026-11-03T11:00:00Z') },
      { city: 'wi-milwaukee', missed: 2, since: at('2026-11-03T11:00:00Z') },
    ]);
    expect(
      overdueCheckIns(cities, period, at('2026-11-03T16:30:00Z')).find((c) => c.city === 'wi-madison'),
    ).toMatchObject({ missed: 1 });
  });

  it('nobody is overdue outside the period', () => {
    expect(overdueCheckIns(cities, period, at('2026-11-04T06:00:01Z'))).toEqual([]);
    expect(overdueCheckIns(cities, period, at('2026-11-03T10:00:00Z'))).toEqual([]);
  });
});
