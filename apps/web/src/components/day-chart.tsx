import { SEVERITIES } from '@citylink/protocol';
import { useId } from 'react';
import { humanize, plural } from '../lib/format';

/** "Nov 3: 4 reports (1 high, 3 medium)". */
export function dayTip(day: string, severities: string[], counts: Record<string, number>, total: number): string {
  const parts = severities
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${s === 'none' ? 'without severity' : humanize(s)}`);
  return `${formatDay(day)}: ${plural(total, 'report')}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export interface DayRow {
  day: string;
  category: string;
  severity: string;
  n: number;
}

/** Most severe first (as in the protocol), plus reports without a severity. */
const ORDER = [...Object.keys(SEVERITIES), 'none'];

/** A distinct pattern for each severity, so the segments differ by more than colour. */
const PATTERNS: Record<string, { fill: string; mark: 'solid' | 'stripe' | 'dots' | 'cross' | 'hstripe' | 'empty' }> = {
  emergency: { fill: '#5c0a0d', mark: 'solid' },
  severe: { fill: '#a4161a', mark: 'stripe' },
  high: { fill: '#b45309', mark: 'cross' },
  medium: { fill: '#0b5cad', mark: 'dots' },
  low: { fill: '#1d6b34', mark: 'hstripe' },
  'baseline-minor': { fill: '#4a5563', mark: 'empty' },
  none: { fill: '#8a96a3', mark: 'empty' },
};

export interface DayTable {
  days: string[];
  severities: string[];
  /** counts[day][severity] */
  counts: Record<string, Record<string, number>>;
  totals: Record<string, number>;
}

const DAY_MS = 86_400_000;

/** Every day from `from` (or the first day with data) through `to`, with counts by severity. */
export function dayTable(rows: DayRow[], opts: { from?: string | undefined; to?: string } = {}): DayTable {
  const counts: Record<string, Record<string, number>> = {};
  const seen = new Set<string>();
  for (const r of rows) {
    const c = counts[r.day] ?? {};
    counts[r.day] = c;
    c[r.severity] = (c[r.severity] ?? 0) + r.n;
    seen.add(r.severity);
  }
  const dataDays = Object.keys(counts).sort();
  const to = [opts.to ?? new Date().toISOString().slice(0, 10), ...dataDays].sort().at(-1)!;
  const from = [opts.from ?? dataDays[0] ?? to, ...dataDays].sort()[0]!;
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  const totals: Record<string, number> = {};
  for (const d of days) totals[d] = Object.values(counts[d] ?? {}).reduce((a, b) => a + b, 0);
  const severities = [...ORDER.filter((s) => seen.has(s)), ...[...seen].filter((s) => !ORDER.includes(s))];
  return { days, severities, counts, totals };
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
export const formatDay = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));

function Swatch({ id, severity }: { id: string; severity: string }) {
  return (
    <svg viewBox="0 0 12 12" className="swatch" aria-hidden="true" focusable="false">
      <rect x="0" y="0" width="12" height="12" fill={`url(#${id}-${severity})`} stroke="#14202e" strokeWidth="1" />
    </svg>
  );
}

function PatternDefs({ id, severities }: { id: string; severities: string[] }) {
  return (
    <defs>
      {severities.map((s) => {
        const p = PATTERNS[s] ?? PATTERNS.none!;
        return (
          <pattern key={s} id={`${id}-${s}`} width="4" height="4" patternUnits="userSpaceOnUse">
            <rect width="4" height="4" fill={p.mark === 'empty' ? '#ffffff' : p.fill} />
            {p.mark === 'stripe' && <path d="M-1,1 l2,-2 M0,4 l4,-4 M3,5 l2,-2" stroke="#ffffff" strokeWidth="0.8" />}
            {p.mark === 'hstripe' && <path d="M0,2 h4" stroke="#ffffff" strokeWidth="0.9" />}
            {p.mark === 'dots' && <circle cx="2" cy="2" r="0.8" fill="#ffffff" />}
            {p.mark === 'cross' && <path d="M0,0 l4,4 M4,0 l-4,4" stroke="#ffffff" strokeWidth="0.7" />}
            {p.mark === 'empty' && <path d="M0,4 l4,-4" stroke={p.fill} strokeWidth="0.8" />}
          </pattern>
        );
      })}
    </defs>
  );
}

/**
 * Reports per day, stacked by severity. The SVG is for the eye (each severity
 * has its own pattern, named in the legend); the table under it carries every
 * number in text, for screen readers and for anyone who prefers numbers.
 */
export function DayChart({
  rows,
  from,
  title = 'Reports per day',
}: {
  rows: DayRow[];
  from?: string | undefined;
  title?: string;
}) {
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const t = dayTable(rows, { from });
  const max = Math.max(1, ...Object.values(t.totals));
  const total = Object.values(t.totals).reduce((a, b) => a + b, 0);
  const w = 10;
  const h = 100;
  return (
    <figure className="chart day-chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>
        {title}{' '}
        <span className="muted">
          ({plural(total, 'report')} over {plural(t.days.length, 'day')}, by severity)
        </span>
      </figcaption>
      {total === 0 ? (
        <p className="muted">No reports in this period.</p>
      ) : (
        <>
          <svg
            className="day-bars"
            viewBox={`0 0 ${t.days.length * w} ${h}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`Stacked bars of reports per day by severity, from ${formatDay(t.days[0]!)} to ${formatDay(t.days.at(-1)!)}; the numbers are in the table below.`}
          >
            <PatternDefs id={id} severities={t.severities} />
            {t.days.map((d, i) => {
              let y = h;
              return (
                <g key={d}>
                  {/* A pointer's tooltip; the same numbers are in the table for everyone else. */}
                  <title>{dayTip(d, t.severities, t.counts[d] ?? {}, t.totals[d] ?? 0)}</title>
                  <rect x={i * w} y={0} width={w} height={h} fill="transparent" />
                  {[...t.severities].reverse().map((s) => {
                    const n = t.counts[d]?.[s] ?? 0;
                    if (!n) return null;
                    const bh = (n / max) * h;
                    y -= bh;
                    return (
                      <rect
                        key={s}
                        x={i * w + 1}
                        y={y}
                        width={w - 2}
                        height={bh}
                        fill={`url(#${id}-${s})`}
                        stroke="currentColor"
                        strokeWidth="1"
                        vectorEffect="non-scaling-stroke"
                      />
                    );
                  })}
                </g>
              );
            })}
          </svg>
          <div className="day-axis" aria-hidden="true">
            <span>{formatDay(t.days[0]!)}</span>
            <span>tallest bar: {plural(max, 'report')}</span>
            <span>{formatDay(t.days.at(-1)!)}</span>
          </div>
          <ul className="legend" aria-label="Severity patterns">
            {t.severities.map((s) => (
              <li key={s}>
                <Swatch id={id} severity={s} /> {s === 'none' ? 'No severity' : humanize(s)}
              </li>
            ))}
          </ul>
          <details className="day-table">
            <summary>Reports per day as a table</summary>
            <div className="table-scroll">
              <table className="table">
                <caption>Reports per day by severity (days in UTC)</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    {t.severities.map((s) => (
                      <th key={s} scope="col" className="num">
                        {s === 'none' ? 'No severity' : humanize(s)}
                      </th>
                    ))}
                    <th scope="col" className="num">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {t.days.map((d) => (
                    <tr key={d}>
                      <th scope="row">
                        <time dateTime={d}>{formatDay(d)}</time>
                      </th>
                      {t.severities.map((s) => (
                        <td key={s} className="num">
                          {t.counts[d]?.[s] ?? 0}
                        </td>
                      ))}
                      <td className="num">{t.totals[d]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </figure>
  );
}
