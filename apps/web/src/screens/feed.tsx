import { BULLETIN_STATUSES, INCIDENT_TAXONOMY, SEVERITIES, TLP_LEVELS } from '@citylink/protocol';
import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { type ReactNode, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { Notice } from '../components/fields';
import { ItemList } from '../components/item-list';
import { apiError, type ItemView, useTRPC } from '../lib/api';
import { type Filters, feedInput, mergeFeed, NO_FILTERS } from '../lib/feed';
import { humanize } from '../lib/format';
import { useLive } from '../lib/live';
import { Link, navigate, searchString } from '../lib/router';
import { useSession } from '../lib/session';

export const categoryCodes = (cat: string) =>
  Object.keys(INCIDENT_TAXONOMY[cat as keyof typeof INCIDENT_TAXONOMY]?.subcategories ?? {}).map((s) => `${cat}.${s}`);

const feedRoute = getRouteApi('/');

/**
 * The filters live in the URL (`/?severity=high&tlp=AMBER`): a filtered feed can be
 * bookmarked or shared, and Back from a report returns to the same filters. Typing in
 * the search box replaces the current entry rather than adding one per key.
 */
export function FeedScreen() {
  const filters: Filters = feedRoute.useSearch();
  const setFilters = (f: Filters) =>
    navigate(`/${searchString(f, NO_FILTERS)}`, { replace: f.text !== filters.text, keepScroll: true });
  const text = useDeferredValue(filters.text);
  const input = useMemo(() => feedInput({ ...filters, text }, categoryCodes), [filters, text]);
  return (
    <div className="stack">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Live feed
        </h1>
        <Link className="button" to="/report">
          Report suspicious activity
        </Link>
      </div>
      <FeedFilters filters={filters} onChange={setFilters} />
      <FeedResults input={input} label="Incident reports and notes" />
    </div>
  );
}

export function FeedResults({
  input,
  label,
  extra,
}: {
  input: ReturnType<typeof feedInput>;
  label: string;
  extra?: (item: ItemView) => ReactNode;
}) {
  const trpc = useTRPC();
  const session = useSession();
  const live = useLive();
  const q = useInfiniteQuery(
    trpc.staff.feed.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const pages = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const items = useMemo(() => mergeFeed(pages, live.entries, live.overlay, input), [pages, live, input]);

  // Announce arrivals once the list has loaded; the text says how many, not only a highlight.
  const [arrived, setArrived] = useState(0);
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!q.isSuccess) return;
    if (!known.current) {
      known.current = new Set(items.map((i) => i.id));
      return;
    }
    let n = 0;
    for (const i of items) {
      if (!known.current.has(i.id)) {
        known.current.add(i.id);
        n++;
      }
    }
    if (n > 0) setArrived((a) => a + n);
  }, [items, q.isSuccess]);

  const { fetchNextPage, hasNextPage, isFetchingNextPage } = q;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [fetchNextPage, hasNextPage, isFetchingNextPage]);

  return (
    <section aria-label={label} className="stack-tight">
      <p className="sr-only" aria-live="polite">
        {arrived > 0 ? `${arrived} new ${arrived === 1 ? 'item has' : 'items have'} arrived.` : ''}
      </p>
      {q.isPending && <p role="status">Loading…</p>}
      {q.isError && <Notice kind="error">{apiError(q.error).message}</Notice>}
      {q.isSuccess && items.length === 0 && <p className="empty">Nothing matches these filters yet.</p>}
      {items.length > 0 && (
        <ItemList
          items={items}
          nodeName={session.nodeName}
          hasMore={!!hasNextPage}
          loadingMore={isFetchingNextPage}
          onLoadMore={loadMore}
          label={label}
          extra={extra}
        />
      )}
    </section>
  );
}

function FeedFilters({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  const session = useSession();
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const active = Object.entries(filters).filter(([k, v]) => v !== NO_FILTERS[k as keyof Filters]).length;
  return (
    <search className="filters card" aria-label="Filter the feed">
      <div className="filter-search">
        <label htmlFor="f-text">Search</label>
        <input
          id="f-text"
          type="search"
          value={filters.text}
          maxLength={200}
          placeholder="Words in the title, narrative, indicators…"
          onChange={(e) => set({ text: e.target.value })}
        />
      </div>
      <div className="filter-grid">
        <FilterSelect
          label="Kind"
          value={filters.kind}
          onChange={(kind) => set({ kind: kind as Filters['kind'] })}
          options={[
            ['bulletin', 'Incident reports'],
            ['note', 'Best-practice notes'],
          ]}
        />
        <FilterSelect label="Category" value={filters.category} onChange={(category) => set({ category })}>
          {Object.entries(INCIDENT_TAXONOMY).map(([cat, def]) => (
            <optgroup key={cat} label={def.label}>
              <option value={`cat:${cat}`}>All {def.label.toLowerCase()}</option>
              {Object.keys(def.subcategories).map((sub) => (
                <option key={sub} value={`code:${cat}.${sub}`}>
                  {humanize(sub)}
                </option>
              ))}
            </optgroup>
          ))}
        </FilterSelect>
        <FilterSelect
          label="Severity"
          value={filters.severity}
          onChange={(severity) => set({ severity })}
          options={Object.keys(SEVERITIES).map((s) => [s, humanize(s)])}
        />
        <FilterSelect
          label="TLP"
          value={filters.tlp}
          onChange={(tlp) => set({ tlp })}
          options={TLP_LEVELS.map((t) => [t, `TLP:${t}`])}
        />
        <FilterSelect
          label="Origin"
          all="Everyone"
          value={filters.origin}
          onChange={(origin) => set({ origin })}
          options={session.roster.map((m) => [m.node, m.name])}
        />
        <FilterSelect
          label="Status"
          value={filters.status}
          onChange={(status) => set({ status })}
          options={BULLETIN_STATUSES.map((s) => [s, humanize(s)])}
        />
        <FilterDate label="From" value={filters.since} onChange={(since) => set({ since })} />
        <FilterDate label="Until" value={filters.until} onChange={(until) => set({ until })} />
        <label className="choice">
          <input
            type="checkbox"
            checked={filters.includeRetracted}
            onChange={(e) => set({ includeRetracted: e.target.checked })}
          />
          Include retracted
        </label>
      </div>
      {active > 0 && (
        <p>
          {active} {active === 1 ? 'filter' : 'filters'} active.{' '}
          <button type="button" className="link" onClick={() => onChange(NO_FILTERS)}>
            Clear filters
          </button>
        </p>
      )}
    </search>
  );
}

/** A labelled filter select whose empty value means "no filter"; `options` are [value, label] pairs. */
function FilterSelect({
  label,
  value,
  onChange,
  all = 'All',
  options = [],
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  all?: string;
  options?: readonly (readonly [string, string])[];
  children?: ReactNode;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
        {children}
      </select>
    </label>
  );
}

function FilterDate({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <label>
      {label}
      <input type="datetime-local" value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
