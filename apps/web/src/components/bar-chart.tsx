import { plural } from '../lib/format';

export interface Bar {
  key: string;
  label: string;
  value: number;
  help?: string | undefined;
}

/**
 * A bar chart that is a table: every number is printed, the bars only repeat it
 * for the eye (no information by colour or length alone, and no chart library).
 */
export function BarChart({ title, bars, unit = 'report' }: { title: string; bars: Bar[]; unit?: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((a, b) => a + b.value, 0);
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">({plural(total, unit)})</span>
      </figcaption>
      <table className="bar-table">
        <thead className="sr-only">
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Count</th>
            <th scope="col">Bar</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.key}>
              <th scope="row" title={b.help}>
                {b.label}
              </th>
              <td className="num">{b.value}</td>
              <td className="bar-cell" aria-hidden="true">
                <svg
                  viewBox="0 0 100 10"
                  preserveAspectRatio="none"
                  className="bar"
                  aria-hidden="true"
                  focusable="false"
                >
                  <rect x="0" y="0" height="10" width={(b.value / max) * 100} />
                </svg>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
