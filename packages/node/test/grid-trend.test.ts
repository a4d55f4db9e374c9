import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@citylink/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstDay, GridTrend, gridCounts, utcDay } from '../src/preparedness/trend.js';

// The hub grid's trend: one snapshot per UTC day of the injected clock, idempotent
// within the day, a new row from the first instant of the next.

let dir: string;
let store: Store;
let now = new Date('2026-11-02T23:59:59.999Z');
let trend: GridTrend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'citylink-trend-'));
  store = await Store.open({ sqlitePath: join(dir, 'trend.db') });
  trend = new GridTrend({ store, now: () => now });
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const lines = (...statuses: string[]) => statuses.map((s) => ({ statuses: s }));

describe('grid counts', () => {
  it('count each recommendation’s statuses over the cities', () => {
    const counts = gridCounts(lines('ddddddddds', 'pmmmmmmmmm', 'dsmpdsmpdd'));
    expect(counts).toHaveLength(10);
    expect(counts[0]).toEqual([2, 1, 0, 0]);
    expect(counts[1]).toEqual([1, 0, 1, 1]);
    expect(counts[9]).toEqual([1, 0, 1, 1]);
    for (const c of counts) expect(c.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('read a short or unknown letter as missing', () => {
    expect(gridCounts(lines('d'))[5]).toEqual([0, 0, 0, 1]);
    expect(gridCounts(lines('x'))[0]).toEqual([0, 0, 0, 1]);
  });
});

describe('daily snapshots', () => {
  it('take the UTC day, whatever the local offset', () => {
    expect(utcDay(new Date('2026-11-03T04:30:00-06:00'))).toBe('2026-11-03');
    expect(utcDay(new Date('2026-11-02T23:59:59.999Z'))).toBe('2026-11-02');
    expect(firstDay(new Date('2026-11-03T12:00:00Z'), 30)).toBe('2026-10-05');
    expect(firstDay(new Date('2026-03-01T00:00:00Z'), 1)).toBe('2026-03-01');
  });

  it('are one row per day: writing again the same day replaces it, the next day adds one', async () => {
    expect(trend.due()).toBe(true);
    expect(await trend.record(lines('dddddddddd', 'mmmmmmmmmm'))).toBe('2026-11-02');
    expect(trend.due()).toBe(false);
    expect(await trend.record(lines('dddddddddd', 'mmmmmmmmmm'))).toBe('2026-11-02');
    let days = await trend.last();
    expect(days.map((d) => d.day)).toEqual(['2026-11-02']);
    expect(days[0]!.counts[0]).toEqual({ recommendation: 1, done: 1, partial: 0, stale: 0, missing: 1 });

    // One millisecond later it is the next UTC day: a second row.
    now = new Date('2026-11-03T00:00:00.000Z');
    expect(trend.due()).toBe(true);
    expect(await trend.record(lines('dddddddddd', 'pmmmmmmmmm'))).toBe('2026-11-03');
    // Later the same day, with a change: still two rows, the day's holds the latest counts.
    now = new Date('2026-11-03T18:00:00.000Z');
    await trend.record(lines('dddddddddd', 'dmmmmmmmmm', 'mmmmmmmmmm'));
    days = await trend.last();
    expect(days.map((d) => [d.day, d.cities])).toEqual([
      ['2026-11-02', 2],
      ['2026-11-03', 3],
    ]);
    expect(days[1]!.counts[0]).toEqual({ recommendation: 1, done: 2, partial: 0, stale: 0, missing: 1 });
    expect(await store.read((r) => r.scorecards.snapshots('1970-01-01'))).toHaveLength(2);
  });

  it('are read for the last N days only, today included', async () => {
    now = new Date('2026-11-04T08:00:00.000Z');
    expect((await trend.last(2)).map((d) => d.day)).toEqual(['2026-11-03']);
    expect((await trend.last(3)).map((d) => d.day)).toEqual(['2026-11-02', '2026-11-03']);
  });
});
