import type { CityLinkClient } from '@citylink/client';
import { RECOMMENDATIONS, SIZE_CLASSES, type SizeClass } from '@citylink/protocol';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { remoteError } from '../remote-errors.js';
import { type Credentials, connect } from '../session.js';
import { renderTable } from '../table.js';

export interface ScorecardOptions {
  node: string;
  creds: Credentials;
  json: boolean;
  /** The hub's statewide grid instead of one city's rows. */
  state: boolean;
  /** With `state`: only this county's cities, only this size class. */
  county?: string | undefined;
  size?: SizeClass | undefined;
}

const SHORT: Record<string, string> = { done: 'done', partial: 'part', stale: 'STALE', missing: '-' };

const codeOf = (err: unknown) => (err as { data?: { code?: string } } | undefined)?.data?.code;

/**
 * `citylink scorecard`: the city's ten rows (any account of that city), or with
 * `--state` the hub's grid of every city (hub officials only; anyone else is refused, exit 1).
 */
export async function scorecard(io: Io, opts: ScorecardOptions): Promise<void> {
  const client = await connect(opts.node, opts.creds);
  if (opts.state) await printGrid(io, client, opts);
  else await printCity(io, client, opts);
}

async function printCity(io: Io, client: CityLinkClient, opts: ScorecardOptions): Promise<void> {
  let card: Awaited<ReturnType<CityLinkClient['preparedness']['scorecard']['query']>>;
  try {
    card = await client.preparedness.scorecard.query();
  } catch (err) {
    throw remoteError(err, opts.node, 'reading the scorecard');
  }
  const rows = card.rows.map((r) => ({
    recommendation: r.recommendation,
    key: r.key,
    status: r.status,
    reason: r.reason,
    next: r.next,
  }));
  if (opts.json) {
    io.out(JSON.stringify(rows));
    return;
  }
  io.out(`${card.city}: where the city stands on the ten recommendations`);
  const title = (n: number) => RECOMMENDATIONS.find((r) => r.n === n)?.title ?? '';
  for (const line of renderTable([
    ['#', 'recommendation', 'status', 'reason', 'next step'],
    ...rows.map((r) => [String(r.recommendation), title(r.recommendation), r.status, r.reason, r.next]),
  ])) {
    io.out(line);
  }
}

async function printGrid(io: Io, client: CityLinkClient, opts: ScorecardOptions): Promise<void> {
  let grid: Awaited<ReturnType<CityLinkClient['preparedness']['stateGrid']['query']>>;
  try {
    grid = await client.preparedness.stateGrid.query({
      ...(opts.county && { county: opts.county }),
      ...(opts.size && { size: opts.size }),
    });
  } catch (err) {
    if (codeOf(err) === 'FORBIDDEN') {
      const why = err instanceof Error ? err.message : String(err);
      throw new CliError(
        `the statewide grid is for the hub's officials: ${opts.creds.user} at ${opts.node} may not read it (${why})`,
      );
    }
    throw remoteError(err, opts.node, 'reading the statewide grid');
  }
  const cells = grid.cells;
  if (opts.json) {
    io.out(JSON.stringify(cells.map((c) => ({ city: c.city, recommendation: c.recommendation, status: c.status }))));
    return;
  }
  const cities = [...new Set(cells.map((c) => c.city))];
  const cell = new Map(cells.map((c) => [`${c.city} ${c.recommendation}`, c.status]));
  const header = ['city', ...RECOMMENDATIONS.map((r) => String(r.n)), 'done'];
  const body = cities.map((city) => {
    const statuses = RECOMMENDATIONS.map((r) => cell.get(`${city} ${r.n}`) ?? 'missing');
    return [city, ...statuses.map((s) => SHORT[s] ?? s), `${statuses.filter((s) => s === 'done').length}/10`];
  });
  for (const line of renderTable([header, ...body])) io.out(line);
  const only = [opts.county && `${opts.county} County`, opts.size && SIZE_CLASSES[opts.size].label.toLowerCase()]
    .filter(Boolean)
    .join(', ');
  io.out(`${cities.length} cities${only ? ` (${only})` : ''}; done, part(ial), STALE, - (missing)`);
  if (grid.election && grid.election.stalePlans.length > 0) {
    const names = grid.election.stalePlans.map((c) => `${c.city} (${c.status})`).join(', ');
    io.out(`contingency plans not ready for ${grid.election.period.name}: ${names}`);
  }
}
