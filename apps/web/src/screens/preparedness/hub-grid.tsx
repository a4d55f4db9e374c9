import { RECOMMENDATIONS, SCORE_STATUSES } from '@citylink/protocol';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Notice } from '../../components/fields';
import { apiError, type RouterOutputs, useTRPC } from '../../lib/api';
import { Link } from '../../lib/router';
import { STATUS_LABEL } from './preparedness';

type Cell = RouterOutputs['preparedness']['stateGrid'][number];

/** One CSV field, quoted when it needs to be (RFC 4180). */
const csvField = (s: string | number) => (/[",\n]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));

export function gridCsv(cells: readonly Cell[]): string {
  const head = ['city', 'name', 'recommendation', 'key', 'status', 'reason', 'next'];
  const rows = cells.map((c) =>
    [c.city, c.name, c.recommendation, c.key, c.status, c.reason ?? '', c.next ?? ''].map(csvField),
  );
  return `${[head, ...rows].map((r) => r.join(',')).join('\n')}\n`;
}

/** The hub's statewide roll-up: cities × recommendations, with filters, counts, stale plans and a CSV export. */
export function HubPreparednessScreen() {
  const trpc = useTRPC();
  const grid = useQuery(trpc.preparedness.stateGrid.queryOptions({ reasons: true }));
  const [status, setStatus] = useState('');
  const [recommendation, setRecommendation] = useState('');
  const [text, setText] = useState('');
  const cells = grid.data ?? [];
  const cities = useMemo(() => {
    const by = new Map<string, { city: string; name: string; cells: Map<number, Cell> }>();
    for (const c of cells) {
      const row = by.get(c.city) ?? { city: c.city, name: c.name, cells: new Map() };
      row.cells.set(c.recommendation, c);
      by.set(c.city, row);
    }
    return [...by.values()];
  }, [cells]);
  const shown = cities.filter((c) => {
    if (text && !`${c.city} ${c.name}`.toLowerCase().includes(text.toLowerCase())) return false;
    if (!status) return true;
    return recommendation
      ? c.cells.get(Number(recommendation))?.status === status
      : [...c.cells.values()].some((x) => x.status === status);
  });
  const count = (n: number, s: string) => cells.filter((c) => c.recommendation === n && c.status === s).length;
  const stalePlans = cities.filter((c) => c.cells.get(2)?.status === 'stale');
  const csvHref = useMemo(
    () => (cells.length > 0 ? URL.createObjectURL(new Blob([gridCsv(cells)], { type: 'text/csv' })) : undefined),
    [cells],
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
      {stalePlans.length > 0 && (
        <Notice kind="error">
          Stale contingency plans before the election: {stalePlans.map((c) => c.name).join(', ')}.
        </Notice>
      )}
      <search className="filters card">
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
