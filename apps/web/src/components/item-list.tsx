import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ItemView } from '../lib/api';
import { categoryLabel, formatAgo, formatTime, humanize, KIND_LABELS, topicLabel } from '../lib/format';
import { Link } from '../lib/router';
import { TlpLabel } from './tlp';

export interface ItemListProps {
  items: ItemView[];
  nodeName: (node: string) => string;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** Rendered in each row after the summary (e.g. an Endorse button). */
  extra?: (item: ItemView) => ReactNode;
  label: string;
}

const ESTIMATE = 104;

/**
 * A virtualised list: only the rows near the viewport are in the DOM, so a feed of
 * tens of thousands of items scrolls as smoothly as one of ten. The next page is
 * requested when the last rows come into view (and by a button, for keyboards).
 */
export function ItemList({ items, nodeName, hasMore, loadingMore, onLoadMore, extra, label }: ItemListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    setOffset(listRef.current?.offsetTop ?? 0);
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => ESTIMATE,
    overscan: 6,
    scrollMargin: offset,
    getItemKey: (i) => items[i]?.id ?? i,
    // Layout engines without boxes (tests) report 0; keep the estimate then.
    measureElement: (el) => el.getBoundingClientRect().height || ESTIMATE,
  });
  const virtual = virtualizer.getVirtualItems();
  const last = virtual[virtual.length - 1];
  useEffect(() => {
    if (last && last.index >= items.length - 8 && hasMore && !loadingMore) onLoadMore();
  }, [last, items.length, hasMore, loadingMore, onLoadMore]);

  return (
    <>
      <ol ref={listRef} className="item-list" aria-label={label} style={{ height: `${virtualizer.getTotalSize()}px` }}>
        {virtual.map((v) => {
          const item = items[v.index]!;
          return (
            <li
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              className={`item${item.retracted ? ' item-retracted' : ''}`}
              aria-posinset={v.index + 1}
              aria-setsize={hasMore ? -1 : items.length}
              style={{ transform: `translateY(${v.start - virtualizer.options.scrollMargin}px)` }}
            >
              <ItemRow item={item} nodeName={nodeName} />
              {extra?.(item)}
            </li>
          );
        })}
      </ol>
      <div className="list-end">
        {hasMore ? (
          <button type="button" className="secondary" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading more…' : 'Load more'}
          </button>
        ) : (
          items.length > 0 && <p className="muted">End of the list ({items.length} shown).</p>
        )}
      </div>
    </>
  );
}

export function ItemRow({ item, nodeName }: { item: ItemView; nodeName: (node: string) => string }) {
  return (
    <div className="item-body">
      <p className="item-meta">
        <TlpLabel tlp={item.tlp} />
        <span className="tag">{KIND_LABELS[item.kind] ?? item.kind}</span>
        {item.status && <span className={`tag status status-${item.status}`}>{humanize(item.status)}</span>}
        {item.retracted && <span className="tag tag-warn">Retracted</span>}
        {item.unconfirmed && (
          <span className="tag tag-warn" title="Taken while this node could not reach the hub; not yet confirmed">
            Unconfirmed
          </span>
        )}
        <time dateTime={item.created} title={formatTime(item.created)}>
          {formatAgo(item.created)}
        </time>
      </p>
      <h2 className="item-title">
        <Link to={`/objects/${item.id}`} className="untrusted">
          {item.title}
        </Link>
      </h2>
      <p className="item-sub">
        <span>{nodeName(item.origin)}</span>
        {item.category && <span>{categoryLabel(item.category)}</span>}
        {item.severity && <span>Severity: {humanize(item.severity)}</span>}
        {item.topic && <span>{topicLabel(item.topic)}</span>}
      </p>
    </div>
  );
}
