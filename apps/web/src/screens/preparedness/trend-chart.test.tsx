import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { gridCsv } from './hub-grid';
import { TrendChart, trendShares } from './trend-chart';

afterEach(cleanup);

const counts = (done: number, partial: number, stale: number, missing: number) =>
  Array.from({ length: 10 }, (_, i) => ({ recommendation: i + 1, done, partial, stale, missing }));
const days = [
  { day: '2026-11-01', cities: 4, counts: counts(1, 1, 0, 2) },
  { day: '2026-11-02', cities: 4, counts: counts(2, 1, 1, 0) },
];

describe('the statewide trend', () => {
  it('turns each day’s counts into shares of all cells', () => {
    const [a, b] = trendShares(days);
    expect(a!.share).toEqual({ done: 25, partial: 25, stale: 0, missing: 50 });
    expect(b!.share).toEqual({ done: 50, partial: 25, stale: 25, missing: 0 });
  });

  it('draws a line per status and prints every number in a table', () => {
    const { container } = render(<TrendChart days={days} />);
    expect(container.querySelectorAll('path[data-status]')).toHaveLength(4);
    expect(container.querySelector('path[data-status="done"]')?.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L/);
    const table = screen.getByRole('table', { name: 'Trend by day' });
    const cells = within(table)
      .getAllByRole('row')
      .map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent));
    expect(cells.slice(1)).toEqual([
      ['4', '10', '10', '0', '20'],
      ['4', '20', '10', '10', '0'],
    ]);
  });

  it('says so when there is no snapshot yet', () => {
    render(<TrendChart days={[]} />);
    expect(screen.getByText(/No trend yet/)).toBeTruthy();
  });
});

describe('the grid’s CSV export', () => {
  it('carries the county, population and size class of each city', () => {
    const csv = gridCsv([
      {
        city: 'wi-madison',
        name: 'City of Madison, WI',
        county: 'Dane',
        population: 269_840,
        size: 'large',
        recommendation: 2,
        key: 'contingency-plans',
        status: 'stale',
        reason: 'plan "A", reviewed 14 months ago',
        next: 'review it',
        computedAt: '2026-11-02T00:00:00.000Z',
      },
    ]);
    expect(csv).toBe(
      'city,name,county,population,size,recommendation,key,status,reason,next\n' +
        'wi-madison,"City of Madison, WI",Dane,269840,large,2,contingency-plans,stale,"plan ""A"", reviewed 14 months ago",review it\n',
    );
  });
});
