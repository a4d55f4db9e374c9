import { countyKey, type Member, type SizeClass, sizeClassOf } from '@citylink/protocol';
import type { HeldPeriod } from '../operations/periods.js';
import type { GridCell, ScorecardGrid } from './grid.js';
import { DEFAULT_TREND_DAYS, type TrendDay } from './trend.js';

export interface RollupQuery {
  cities?: readonly string[] | undefined;
  statuses?: readonly string[] | undefined;
  /** With each cell's reason and next step. */
  reasons?: boolean | undefined;
  /** Only the cities of this county (the roster's `county`, case and a trailing "County" ignored). */
  county?: string | undefined;
  /** Only the cities of this size class (from the roster's `population`). */
  size?: SizeClass | undefined;
  /** How many days of trend (default 30). */
  days?: number | undefined;
}

export interface RollupCell extends Omit<GridCell, 'computedAt'> {
  name: string;
  county: string | null;
  population: number | null;
  size: SizeClass | null;
  computedAt: string;
}

/** The election ahead (open now, or the next announced) and the cities whose contingency plans are not ready for it. */
export interface ElectionWatch {
  period: { id: string; name: string; start: string; end: string; open: boolean };
  stalePlans: { city: string; name: string; status: 'stale' | 'missing'; reason: string | null }[];
}

export interface StateRollup {
  cells: RollupCell[];
  /** Every county named in the roster's cities, for the filter. */
  counties: string[];
  /** Statewide counts per day (the whole grid, whatever the filters), oldest first. */
  trend: TrendDay[];
  election: ElectionWatch | null;
}

/** The contingency-plan row (recommendation 2). */
const PLANS = 2;

/** The period open at `now`, else the next one to start; null when none is open or ahead. */
export function electionAhead(periods: readonly HeldPeriod[], now: number): HeldPeriod | null {
  const open = periods.find((p) => Date.parse(p.start) <= now && now < Date.parse(p.end));
  if (open) return open;
  const ahead = periods
    .filter((p) => Date.parse(p.start) > now)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return ahead[0] ?? null;
}

/** Which roster cities pass the county and size filters (all of them without filters). */
export function citiesMatching(
  members: readonly Pick<Member, 'node' | 'county' | 'population'>[],
  q: Pick<RollupQuery, 'county' | 'size' | 'cities'>,
): string[] | undefined {
  if (!q.county && !q.size) return q.cities ? [...q.cities] : undefined;
  const wanted = q.cities && new Set(q.cities);
  const county = q.county && countyKey(q.county);
  return members
    .filter((m) => !wanted || wanted.has(m.node))
    .filter((m) => !county || (m.county !== undefined && countyKey(m.county) === county))
    .filter((m) => !q.size || sizeClassOf(m.population) === q.size)
    .map((m) => m.node);
}

/** The hub's statewide roll-up: the grid (filtered), the trend, and the stale plans before an election. */
export async function stateRollup(
  d: { grid: ScorecardGrid; members: () => Member[]; periods: () => Promise<HeldPeriod[]>; now: () => Date },
  q: RollupQuery,
): Promise<StateRollup> {
  const members = d.members();
  const byNode = new Map(members.map((m) => [m.node, m]));
  const cityMembers = members.filter((m) => m.role === 'city');
  const cities = citiesMatching(cityMembers, q);
  const cells =
    cities && cities.length === 0 ? [] : await d.grid.rows({ reasons: !!q.reasons, ...(cities && { cities }) });
  const all: RollupCell[] = cells.map((c) => {
    const m = byNode.get(c.city);
    return {
      ...c,
      name: m?.name ?? c.city,
      county: m?.county ?? null,
      population: m?.population ?? null,
      size: sizeClassOf(m?.population) ?? null,
      computedAt: c.computedAt.toISOString(),
    };
  });
  const out = q.statuses ? all.filter((c) => q.statuses!.includes(c.status)) : all;
  const [trend, periods] = await Promise.all([d.grid.trend.last(q.days ?? DEFAULT_TREND_DAYS), d.periods()]);
  const ahead = electionAhead(periods, d.now().getTime());
  const election: ElectionWatch | null = ahead && {
    period: {
      id: ahead.id,
      name: ahead.name,
      start: ahead.start,
      end: ahead.end,
      open: Date.parse(ahead.start) <= d.now().getTime(),
    },
    stalePlans: all
      .filter((c) => c.recommendation === PLANS && (c.status === 'stale' || c.status === 'missing'))
      .map((c) => ({ city: c.city, name: c.name, status: c.status as 'stale' | 'missing', reason: c.reason ?? null })),
  };
  const counties = [...new Set(cityMembers.flatMap((m) => (m.county ? [m.county] : [])))].sort((a, b) =>
    a.localeCompare(b),
  );
  return { cells: out, counties, trend, election };
}
