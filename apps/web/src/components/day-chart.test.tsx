import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DayChart, dayTable } from './day-chart';

afterEach(cleanup);

const rows = [
  { day: '2026-11-01', category: 'cyber.phishing', severity: 'medium', n: 2 },
  { day: '2026-11-01', category: 'physical.theft', severity: 'high', n: 1 },
  { day: '2026-11-03', category: 'cyber.phishing', severity: 'medium', n: 3 },
  { day: '2026-11-03', category: 'information.rumor', severity: 'medium', n: 1 },
];

describe('reports per day', () => {
  it('fills in empty days and sums categories by severity, most severe first', () => {
    const t = dayTable(rows, { from: '2026-10-31', to: '2026-11-03' });
    expect(t.days).toEqual(['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03']);
    expect(t.severities).toEqual(['high', 'medium']);
    expect(t.counts['2026-11-03']).toEqual({ medium: 4 });
    expect(t.totals).toEqual({ '2026-10-31': 0, '2026-11-01': 3, '2026-11-02': 0, '2026-11-03': 4 });
  });

  it('has a data table with every number in text, and a legend that names each severity', () => {
    render(<DayChart rows={rows} from="2026-11-01" />);
    expect(screen.getByText(/7 reports over/)).toBeTruthy();
    const table = screen.getByRole('table', { name: /Reports per day by severity/ });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(['Day', 'high', 'medium', 'Total']);
    const first = within(table).getAllByRole('row')[1]!;
    expect(within(first).getByRole('rowheader').querySelector('time')!.getAttribute('datetime')).toBe('2026-11-01');
    expect(
      within(first)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['1', '2', '3']);
    const empty = within(table).getAllByRole('row')[2]!;
    expect(
      within(empty)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['0', '0', '0']);
    const legend = screen.getByRole('list', { name: 'Severity patterns' });
    expect(
      within(legend)
        .getAllByRole('listitem')
        .map((li) => li.textContent?.trim()),
    ).toEqual(['high', 'medium']);
    // The graphic points to the table; its segments differ by pattern, not by colour only.
    expect(screen.getByRole('img').getAttribute('aria-label')).toMatch(/numbers are in the table/);
    expect(document.querySelectorAll('pattern').length).toBe(2);
    // Each day has a pointer tooltip with its numbers in words.
    const tips = [...document.querySelectorAll('svg g > title')].map((t) => t.textContent);
    expect(tips).toHaveLength(within(table).getAllByRole('row').length - 1);
    expect(tips[0]).toMatch(/: 3 reports \(1 high, 2 medium\)$/);
    expect(tips[1]).toMatch(/: 0 reports$/);
    expect(screen.getByText('tallest bar: 4 reports')).toBeTruthy();
  });

  it('says so when there is nothing in the period', () => {
    render(<DayChart rows={[]} from="2026-11-01" />);
    expect(screen.getByText('No reports in this period.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
