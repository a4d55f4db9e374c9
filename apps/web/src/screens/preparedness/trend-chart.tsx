import { SCORE_STATUSES } from '@citylink/protocol';
import { scaleLinear, scaleUtc } from 'd3-scale';
import { line } from 'd3-shape';
import { formatDay } from '../../components/day-chart';
import type { RouterOutputs } from '../../lib/api';
import { STATUS_LABEL } from './preparedness';

type TrendDay = RouterOutputs['preparedness']['stateGrid']['trend'][number];
type Status = (typeof SCORE_STATUSES)[number];

/** Each status its own line style, so they differ by more than colour. */
const STYLE: Record<Status, { stroke: string; dash: string }> = {
  done: { stroke: '#1d6b34', dash: '' },
  partial: { stroke: '#8a5a00', dash: '6 3' },
  stale: { stroke: '#a4161a', dash: '2 3' },
  missing: { stroke: '#4a5563', dash: '10 3 2 3' },
};

/** Per day, the share of all cells (cities × recommendations) with each status, in percent. */
export function trendShares(days: readonly TrendDay[]): { day: string; share: Record<Status, number> }[] {
  return days.map((d) => {
    const total = d.counts.reduce((a, c) => a + c.done + c.partial + c.stale + c.missing, 0);
    const share = Object.fromEntries(
      SCORE_STATUSES.map((s) => [s, total ? (100 * d.counts.reduce((a, c) => a + c[s], 0)) / total : 0]),
    ) as Record<Status, number>;
    return { day: d.day, share };
  });
}

/**
 * The statewide trend: a line per status (share of all cells, by day), drawn with
 * d3-scale and d3-shape as plain SVG (no canvas, no inline styles: the console's
 * Content-Security-Policy holds), with the same numbers in a table.
 */
export function TrendChart({ days }: { days: readonly TrendDay[] }) {
  const rows = trendShares(days);
  if (rows.length === 0) {
    return <p className="muted">No trend yet: the first daily snapshot is taken when the grid is first read.</p>;
  }
  const width = 600;
  const height = 180;
  const pad = { left: 36, right: 8, top: 8, bottom: 22 };
  const at = (day: string) => new Date(`${day}T00:00:00Z`);
  const first = at(rows[0]!.day);
  const last = at(rows.at(-1)!.day);
  const x = scaleUtc()
    .domain(first.getTime() === last.getTime() ? [new Date(first.getTime() - 86_400_000), last] : [first, last])
    .range([pad.left, width - pad.right]);
  const y = scaleLinear()
    .domain([0, 100])
    .range([height - pad.bottom, pad.top]);
  const path = (s: Status) =>
    line<(typeof rows)[number]>()
      .x((r) => x(at(r.day)))
      .y((r) => y(r.share[s]))(rows) ?? '';
  const ticks = x.ticks(Math.min(rows.length, 6));
  return (
    <figure className="chart trend-chart">
      <figcaption>Statewide trend: share of recommendations by status, last {rows.length} days</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Lines of the share of done, partial, stale and missing recommendations per day, from ${formatDay(rows[0]!.day)} to ${formatDay(rows.at(-1)!.day)}; the numbers are in the table below.`}
        className="trend-svg"
      >
        {[0, 50, 100].map((v) => (
          <g key={v}>
            <line x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} className="trend-grid" />
            <text x={pad.left - 4} y={y(v) + 4} textAnchor="end" className="trend-axis">
              {v}%
            </text>
          </g>
        ))}
        {ticks.map((t) => (
          <text key={t.toISOString()} x={x(t)} y={height - 6} textAnchor="middle" className="trend-axis">
            {formatDay(t.toISOString().slice(0, 10))}
          </text>
        ))}
        {SCORE_STATUSES.map((s) => (
          <path
            key={s}
            d={path(s)}
            fill="none"
            stroke={STYLE[s].stroke}
            strokeWidth={2}
            strokeDasharray={STYLE[s].dash || undefined}
            data-status={s}
          />
        ))}
      </svg>
      <ul className="trend-legend">
        {SCORE_STATUSES.map((s) => (
          <li key={s}>
            <svg viewBox="0 0 24 6" width="24" height="6" aria-hidden="true">
              <line
                x1="0"
                x2="24"
                y1="3"
                y2="3"
                stroke={STYLE[s].stroke}
                strokeWidth={2}
                strokeDasharray={STYLE[s].dash || undefined}
              />
            </svg>{' '}
            {STATUS_LABEL[s]} {rows.at(-1)!.share[s].toFixed(0)}%
          </li>
        ))}
      </ul>
      <details>
        <summary>The numbers</summary>
        <table className="table" aria-label="Trend by day">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Cities</th>
              {SCORE_STATUSES.map((s) => (
                <th key={s} scope="col">
                  {STATUS_LABEL[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{formatDay(d.day)}</th>
                <td>{d.cities}</td>
                {SCORE_STATUSES.map((s) => (
                  <td key={s}>{d.counts.reduce((a, c) => a + c[s], 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
