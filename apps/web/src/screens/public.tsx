import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { NotAvailable, Notice } from '../components/fields';
import { TlpLabel } from '../components/tlp';
import { apiError, type ItemView, useTRPC } from '../lib/api';
import { categoryHelp, categoryLabel, formatTime, humanize, KIND_LABELS, sizeLabel, topicLabel } from '../lib/format';
import { Link } from '../lib/router';
import { PublicPreparedness } from './public-preparedness';

/**
 * The public page: TLP:CLEAR only, no sign-in. The node's `public.*` procedures
 * only ever return CLEAR objects; the page checks the label again and drops
 * anything else, so a bug on either side alone cannot publish a marked object.
 */
const isClear = (o: { tlp: string }) => o.tlp === 'CLEAR';

export function PublicScreen() {
  const trpc = useTRPC();
  const me = useQuery(trpc.staff.me.queryOptions());
  const [text, setText] = useState('');
  const deferred = useDeferredValue(text.trim());
  const feed = useInfiniteQuery(
    trpc.public.feed.infiniteQueryOptions(
      { limit: 50, ...(deferred && { text: deferred }) },
      { getNextPageParam: (p) => p.nextCursor ?? undefined, refetchInterval: 60_000 },
    ),
  );
  const items = (feed.data?.pages.flatMap((p) => p.items) ?? []).filter(isClear);
  const name = me.data?.node.name ?? 'this city';
  return (
    <div className="stack public">
      <h1 id="page-title" tabIndex={-1}>
        Election security updates from {name}
      </h1>
      <p className="lead">
        Public information shared by election offices in this state network. Only items their authors marked{' '}
        <TlpLabel tlp="CLEAR" /> (“anyone may see this”) ever appear here.
      </p>
      <search className="filters card">
        <label htmlFor="public-search">Search the public updates</label>
        <input
          id="public-search"
          type="search"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
        />
      </search>
      {feed.isPending && <p role="status">Loading…</p>}
      {feed.isError && (
        <Notice kind="error">
          {apiError(feed.error).code === 'NOT_FOUND'
            ? 'The public page is not available on this node.'
            : 'The public updates could not be loaded. Try again later.'}
        </Notice>
      )}
      {feed.isSuccess && items.length === 0 && <p className="empty">No public updates yet.</p>}
      {items.length > 0 && (
        <ul className="board-list" aria-label="Public updates">
          {items.map((i) => (
            <PublicRow key={i.id} item={i} />
          ))}
        </ul>
      )}
      {feed.hasNextPage && (
        <div className="list-end">
          <button
            type="button"
            className="secondary"
            disabled={feed.isFetchingNextPage}
            onClick={() => void feed.fetchNextPage()}
          >
            {feed.isFetchingNextPage ? 'Loading more…' : 'Load more'}
          </button>
        </div>
      )}
      <PublicPreparedness />
    </div>
  );
}

/** A member's name from the network's roster ("City of Green Bay"), or its id until that loads. */
function useCityName(): (node: string) => string {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.public.cities.queryOptions(), staleTime: 5 * 60_000 });
  return (node) => q.data?.members.find((m) => m.node === node)?.name ?? node;
}

function PublicRow({ item: i }: { item: ItemView }) {
  const cityName = useCityName();
  return (
    <li className="card">
      <p className="item-meta">
        <TlpLabel tlp={i.tlp} />
        <span className="tag">{KIND_LABELS[i.kind] ?? i.kind}</span>
        <time dateTime={i.created}>{formatTime(i.created)}</time>
      </p>
      <h2 className="item-title">
        <Link to={`/public/objects/${i.id}`} className="untrusted">
          {i.title}
        </Link>
      </h2>
      <p className="item-sub">
        <span>From {cityName(i.origin)}</span>
        {i.category && <span>{categoryLabel(i.category)}</span>}
        {i.topic && <span>{topicLabel(i.topic)}</span>}
        {i.status && <span>Status: {humanize(i.status)}</span>}
      </p>
    </li>
  );
}

export function PublicObjectScreen({ id }: { id: string }) {
  const trpc = useTRPC();
  const cityName = useCityName();
  const q = useQuery(trpc.public.object.queryOptions({ id }));
  if (q.isPending) return <p role="status">Loading…</p>;
  if (q.isError || !isClear(q.data.object)) {
    return (
      <NotAvailable
        message="This update does not exist or is not public."
        back={<Link to="/public">All public updates</Link>}
      />
    );
  }
  const o = q.data.object;
  const b = o.body as Record<string, unknown>;
  const text = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
  return (
    <article className="stack" aria-labelledby="page-title">
      <p className="kicker">
        <TlpLabel tlp={o.tlp} /> <span className="tag">{KIND_LABELS[o.kind] ?? o.kind}</span>
      </p>
      <h1 id="page-title" tabIndex={-1} className="untrusted">
        {text('title') || KIND_LABELS[o.kind] || o.kind}
      </h1>
      <p className="muted">
        From {cityName(o.origin)} · {formatTime(o.created)} · signed by its author and verified by this node
      </p>
      {o.kind === 'bulletin' && (
        <section className="card stack-tight">
          <p>
            <strong>{categoryLabel(text('category'))}</strong>
            {categoryHelp(text('category')) && <span className="muted"> — {categoryHelp(text('category'))}</span>}
          </p>
          <p className="narrative untrusted">{text('narrative')}</p>
        </section>
      )}
      {o.kind === 'note' && (
        <section className="card stack-tight">
          <p>
            {topicLabel(text('topic'))} · jurisdiction of {sizeLabel(text('jurisdictionSize'))}
          </p>
          <h2>The problem</h2>
          <p className="narrative untrusted">{text('problem')}</p>
          <h2>What worked</h2>
          <p className="narrative untrusted">{text('whatWorked')}</p>
          {text('whatDidNot') && (
            <>
              <h2>What did not work</h2>
              <p className="narrative untrusted">{text('whatDidNot')}</p>
            </>
          )}
        </section>
      )}
      <p>
        <Link to="/public">All public updates</Link>
      </p>
    </article>
  );
}
