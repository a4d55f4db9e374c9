import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ItemView } from '../lib/api';
import { ItemList } from './item-list';

afterEach(cleanup);

const items: ItemView[] = Array.from({ length: 10_000 }, (_, i) => ({
  id: `${String(i).padStart(5, '0')}${'x'.repeat(38)}`,
  kind: 'bulletin',
  origin: 'springfield',
  created: new Date(Date.UTC(2026, 10, 3) - i * 60_000).toISOString(),
  tlp: i % 2 ? 'GREEN' : 'AMBER',
  title: `Report number ${i}`,
  category: 'cyber.phishing',
  severity: 'low',
  topic: null,
  status: 'published',
  retracted: false,
  supersededBy: null,
}));

describe('ItemList', () => {
  it('keeps only the rows near the viewport in the DOM, even for 10,000 items', () => {
    const started = performance.now();
    render(
      <ItemList
        items={items}
        nodeName={(n) => n}
        hasMore={false}
        loadingMore={false}
        onLoadMore={() => undefined}
        label="Feed"
      />,
    );
    const elapsed = performance.now() - started;
    const rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.length).toBeLessThan(40);
    expect(screen.getByText('Report number 0')).toBeTruthy();
    expect(screen.queryByText('Report number 9999')).toBeNull();
    // Each row says its TLP in words, and where it sits in the whole list.
    expect(rows[0]!.textContent).toContain('TLP:AMBER');
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('10000');
    expect(elapsed).toBeLessThan(2_000);
  });

  it('marks an item taken before the roster was confirmed', () => {
    render(
      <ItemList
        items={[{ ...items[0]!, unconfirmed: true }, items[1]!]}
        nodeName={(n) => n}
        hasMore={false}
        loadingMore={false}
        onLoadMore={() => undefined}
        label="Feed"
      />,
    );
    const rows = screen.getAllByRole('listitem');
    expect(rows[0]!.textContent).toContain('Unconfirmed');
    expect(rows[1]!.textContent).not.toContain('Unconfirmed');
  });

  it('asks for the next page when the end of what is loaded comes into view', () => {
    let asked = 0;
    render(
      <ItemList
        items={items.slice(0, 5)}
        nodeName={(n) => n}
        hasMore
        loadingMore={false}
        onLoadMore={() => asked++}
        label="Feed"
      />,
    );
    expect(asked).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Load more' })).toBeTruthy();
  });
});
