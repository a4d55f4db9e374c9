import { RECOMMENDATIONS, SCORE_STATUSES, SIZE_CLASS_KEYS, SIZE_CLASSES, type SizeClass } from '@citylink/protocol';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Notice } from '../../components/fields';
import { apiError, type RouterOutputs, useTRPC } from '../../lib/api';
import { Link } from '../../lib/router';
import { STATUS_LABEL } from './preparedness';

/** Loaded with the roll-up only: d3-scale and d3-shape stay out of the first load. */
const TrendChart = lazy(() => import('./trend-chart').then((m) => ({ default: m.TrendChart })));

type Rollup = RouterOutputs['preparedness']['stateGrid'];
type Cell = Rollup['cells'][number];

/** One CSV field, quoted when it needs to be (RFC 4180). */
const csvField = (s: string | number) => (/[",\n]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));

export function gridCsv(cells: readonly Cell[]): string {
  const head = ['city', 'name', 'county', 'population', 'size', 'recommendation', 'key', 'status', 'reason', 'next'];
  const rows = cells.map((c) =>
    [
      c.city,
      c.name,
      c.county ?? '',
      c.population ?? '',
      c.size ?? '',
      c.recommendation,
      c.key,
      c.status,
      c.reason ?? '',
      c.next ?? '',
    ].map(csvField),
  );
  return `${[head, ...rows].map((r) => r.join(',')).join('\n')}\n`;
}

/** "Stale contingency plans before the 2026 General Election (Nov 3): Milwaukee (stale), Green Bay (missing)." */
function ElectionWatchNotice({ election }: { election: Rollup['election'] }) {
  if (!election || election.stalePlans.length === 0) return null;
  const when = election.period.open ? 'during' : 'before';
  return (
    <Notice kind="error">
      Contingency plans not ready {when} “{election.period.name}”:{' '}
      {election.stalePlans.map((c) => `${c.name} (${c.status === 'stale' ? 'stale' : 'none'})`).join(', ')}.
    </Notice>
  );
}

/** The hub's statewide roll-up: cities × recommendations, with filters, counts, trend, stale plans and a CSV export. */
export function HubPreparednessScreen() {
  const trpc = useTRPC();
  const [county, setCounty] = useState('');
  const [size, setSize] = useState<SizeClass | ''>('');
  const grid = useQuery({
    ...trpc.preparedness.stateGrid.queryOptions({
      reasons: true,
      ...(county && { county }),
      ...(size && { size }),
    }),
    placeholderData: (previous) => previous,
  });
  const [status, setStatus] = useState('');
  const [recommendation, setRecommendation] = useState('');
  const [text, setText] = useState('');
  const cells = grid.data?.cells ?? [];
  const cities = useMemo(() => {
    const by = new Map<string, { city: string; name: string; cells: Map<number, Cell> }>();
    for (const c of cells) {
      const row = by.get(c.city) ?? { city: c.city, name: c.name, cells: new Map() };
      row.cells.set(c.recommendation, c);
      by.set(c.city, row);
    }
    return [...by.values()];
  }, [cells]);
  const shown = useMemo(
    () =>
      cities.filter((c) => {
        if (text && !`${c.city} ${c.name}`.toLowerCase().includes(text.toLowerCase())) return false;
        if (!status) return true;
        return recommendation
          ? c.cells.get(Number(recommendation))?.status === status
          : [...c.cells.values()].some((x) => x.status === status);
      }),
    [cities, text, status, recommendation],
  );
  const count = (n: number, s: string) => cells.filter((c) => c.recommendation === n && c.status === s).length;
  // The export holds what the filters show: the county and size from the server, the rest from here.
  const shownCells = useMemo(() => shown.flatMap((c) => [...c.cells.values()]), [shown]);
  const csvHref = useMemo(
    () =>
      shownCells.length > 0 ? URL.createObjectURL(new Blob([gridCsv(shownCells)], { type: 'text/csv' })) : undefined,
    [shownCells],
  );

  return (
    <div className="stack">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Statewide preparedness
        </h1>
        <Link to="/hub/liaisons">Liaison directory</Link>
      </div>
      {grid.isError && <Notice kind="error">{apiError(grid.error).message}</Notice>}
      <ElectionWatchNotice election={grid.data?.election ?? null} />
      <search className="filters card">
        <label>
          County{' '}
          <select value={county} onChange={(e) => setCounty(e.target.value)}>
            <option value="">Any</option>
            {(grid.data?.counties ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Size{' '}
          <select value={size} onChange={(e) => setSize(e.target.value as SizeClass | '')}>
            <option value="">Any</option>
            {SIZE_CLASS_KEYS.map((k) => (
              <option key={k} value={k}>
                {SIZE_CLASSES[k].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          City <input type="search" value={text} onChange={(e) => setText(e.target.value)} maxLength={100} />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {SCORE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          In recommendation{' '}
          <select value={recommendation} onChange={(e) => setRecommendation(e.target.value)}>
            <option value="">Any</option>
            {RECOMMENDATIONS.map((r) => (
              <option key={r.n} value={r.n}>
                {r.n}. {r.title}
              </option>
            ))}
          </select>
        </label>
        {csvHref && (
          <a className="button secondary" href={csvHref} download="preparedness.csv">
            Export CSV
          </a>
        )}
      </search>
      <div className="table-scroll">
        <table className="table" aria-label="Cities by recommendation">
          <thead>
            <tr>
              <th scope="col">City</th>
              {RECOMMENDATIONS.map((r) => (
                <th key={r.n} scope="col" title={r.title}>
                  {r.n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.city} data-city={c.city}>
                <th scope="row">{c.name}</th>
                {RECOMMENDATIONS.map((r) => {
                  const cell = c.cells.get(r.n);
                  return (
                    <td
                      key={r.n}
                      data-recommendation={r.n}
                      className={`score score-${cell?.status ?? 'missing'}`}
                      title={cell?.reason ? `${cell.reason}. Next: ${cell.next}` : undefined}
                    >
                      {STATUS_LABEL[cell?.status ?? 'missing']}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Done</th>
              {RECOMMENDATIONS.map((r) => (
                <td key={r.n}>
                  {count(r.n, 'done')}/{cities.length}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted">
        {shown.length} of {cities.length} cities shown.
      </p>
      <Suspense fallback={<p className="muted">Loading the trend…</p>}>
        <TrendChart days={grid.data?.trend ?? []} />
      </Suspense>
    </div>
  );
}

/** Who to call in each city (hub officials only), from the cities' liaison objects. */
export function LiaisonsScreen() {
  const trpc = useTRPC();
  const list = useQuery(trpc.preparedness.liaisons.queryOptions());
  return (
    <div className="stack">
      <h1 id="page-title" tabIndex={-1}>
        Liaison directory
      </h1>
      <p className="lead">Cybersecurity liaisons across cities, as each city recorded them for the hub.</p>
      {list.isError && <Notice kind="error">{apiError(list.error).message}</Notice>}
      <div className="table-scroll">
        <table className="table" aria-label="Liaisons">
          <thead>
            <tr>
              <th scope="col">City</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Agency</th>
              <th scope="col">Work contact</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((l) => (
              <tr key={l.id}>
                <td>{l.cityName}</td>
                <th scope="row">{l.name}</th>
                <td>{l.role}</td>
                <td>{l.agency}</td>
                <td>{l.workContact}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
