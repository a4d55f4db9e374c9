import { BULLETIN_STATUSES, INCIDENT_TAXONOMY, POSTURE_LEVELS, SEVERITIES } from '@citylink/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { BarChart } from '../components/bar-chart';
import { DayChart } from '../components/day-chart';
import { Notice } from '../components/fields';
import { ItemRow } from '../components/item-list';
import { EscalationQueue } from '../election/escalation-queue';
import { apiError, type ItemView, useTRPC } from '../lib/api';
import { categoryLabel, formatAgo, formatTime, humanize, plural, STATUS_HELP, severityHelp } from '../lib/format';
import { useSession } from '../lib/session';
import { StatusForm } from './detail';
import { HubNav } from './hub-nav';

type PostureLevel = keyof typeof POSTURE_LEVELS;

const WINDOWS = {
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
  all: { label: 'All time', ms: 0 },
} as const;

export function HubScreen() {
  return (
    <div className="stack">
      <h1 id="page-title" tabIndex={-1}>
        Statewide situation
      </h1>
      <HubNav />
      <Posture />
      <EscalationQueue />
      <div className="hub-grid">
        <Board />
        <Overview />
      </div>
    </div>
  );
}

function Posture() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const overview = useQuery(trpc.hub.overview.queryOptions());
  const current = overview.data?.posture as
    | { level: PostureLevel; created: string; advisory?: { title: string; text: string } }
    | null
    | undefined;
  const [level, setLevel] = useState<PostureLevel | ''>('');
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const m = useMutation(
    trpc.hub.setPosture.mutationOptions({
      onSuccess: () => {
        setTitle('');
        setText('');
        void qc.invalidateQueries({ queryKey: trpc.hub.pathKey() });
      },
    }),
  );
  const chosen = level || current?.level || 'low';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!!title.trim() !== !!text.trim()) {
      setError('An advisory needs both a title and a text (or leave both empty).');
      return;
    }
    setError('');
    m.mutate({
      level: chosen,
      ...(title.trim() && { advisory: { title: title.trim(), text: text.trim() } }),
    });
  };
  return (
    <section className="card stack-tight" aria-labelledby="posture-title">
      <h2 id="posture-title">Statewide posture</h2>
      {current ? (
        <p className={`posture posture-${current.level}`}>
          Current level: <strong>{humanize(current.level)}</strong> — {POSTURE_LEVELS[current.level]} (set{' '}
          {formatAgo(current.created)})
          {current.advisory && (
            <>
              <br />
              Advisory: <span className="untrusted">{current.advisory.title}</span>
            </>
          )}
        </p>
      ) : (
        <p className="muted">No posture has been set yet.</p>
      )}
      <details>
        <summary>Change the posture or send an advisory to every city</summary>
        <form className="stack-tight" onSubmit={submit} noValidate>
          <fieldset>
            <legend>Alert level (CIS)</legend>
            {Object.entries(POSTURE_LEVELS).map(([k, help]) => (
              <label key={k} className="choice">
                <input
                  type="radio"
                  name="posture-level"
                  checked={chosen === k}
                  onChange={() => setLevel(k as PostureLevel)}
                />
                <span>
                  <strong>{humanize(k)}</strong> — {help}
                </span>
              </label>
            ))}
          </fieldset>
          <label htmlFor="adv-title">Advisory title (optional)</label>
          <input id="adv-title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          <label htmlFor="adv-text">Advisory text (optional)</label>
          <textarea
            id="adv-text"
            rows={3}
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'adv-error' : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          {error && (
            <p className="field-error" id="adv-error">
              ⚠ {error}
            </p>
          )}
          <div className="actions">
            <button type="submit" disabled={m.isPending}>
              Sign and broadcast (TLP:GREEN, whole network)
            </button>
          </div>
          {m.isSuccess && <Notice kind="success">Posture signed and sent to every city.</Notice>}
          {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
        </form>
      </details>
    </section>
  );
}

function Board() {
  const trpc = useTRPC();
  const session = useSession();
  const board = useQuery(trpc.hub.board.queryOptions());
  if (board.isPending) return <p role="status">Loading the incident board…</p>;
  if (board.isError) return <Notice kind="error">{apiError(board.error).message}</Notice>;
  return (
    <section className="stack-tight" aria-labelledby="board-title">
      <h2 id="board-title">Incident board</h2>
      <section className="card" aria-labelledby="unack-title">
        <h3 id="unack-title">Not yet acknowledged ({board.data.unacknowledged.length})</h3>
        {board.data.unacknowledged.length === 0 ? (
          <p className="muted">Every report has been acknowledged.</p>
        ) : (
          <ul className="board-list">
            {board.data.unacknowledged.map((item) => (
              <BoardItem key={item.id} item={item} nodeName={session.nodeName} fresh />
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="others-title">
        <h3 id="others-title">In progress and closed ({board.data.others.length})</h3>
        {board.data.others.length === 0 ? (
          <p className="muted">Nothing yet.</p>
        ) : (
          <ul className="board-list">
            {board.data.others.map((item) => (
              <BoardItem key={item.id} item={item} nodeName={session.nodeName} />
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}

function BoardItem({ item, nodeName, fresh }: { item: ItemView; nodeName: (n: string) => string; fresh?: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const ack = useMutation(
    trpc.hub.triage.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.hub.pathKey() }),
    }),
  );
  return (
    <li className="board-item" data-id={item.id}>
      <ItemRow item={item} nodeName={nodeName} />
      <div className="item-actions">
        {fresh && (
          <button
            type="button"
            disabled={ack.isPending}
            onClick={() => ack.mutate({ target: item.id, status: 'acknowledged' })}
          >
            Mark acknowledged<span className="sr-only"> “{item.title}”</span>
          </button>
        )}
        <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
          Triage…<span className="sr-only"> “{item.title}”</span>
        </button>
        {ack.isError && <span className="field-error">⚠ {apiError(ack.error).message}</span>}
      </div>
      {open && <StatusForm target={item.id} current={item.status ?? 'published'} hub />}
    </li>
  );
}

function Overview() {
  const trpc = useTRPC();
  const session = useSession();
  const [windowKey, setWindowKey] = useState<keyof typeof WINDOWS>('all');
  const [since] = useState(() => Date.now());
  const ms = WINDOWS[windowKey].ms;
  const sinceIso = ms ? new Date(since - ms).toISOString() : undefined;
  const overview = useQuery(trpc.hub.overview.queryOptions(sinceIso ? { since: sinceIso } : undefined));
  const data = overview.data;
  const byTop = new Map<string, number>();
  for (const [code, n] of Object.entries(data?.byCategory ?? {})) {
    const top = code.split('.')[0]!;
    byTop.set(top, (byTop.get(top) ?? 0) + n);
  }
  return (
    <section className="stack-tight" aria-labelledby="overview-title">
      <div className="page-head">
        <h2 id="overview-title">Reports across the state</h2>
        <label className="inline">
          Period{' '}
          <select value={windowKey} onChange={(e) => setWindowKey(e.target.value as keyof typeof WINDOWS)}>
            {Object.entries(WINDOWS).map(([k, w]) => (
              <option key={k} value={k}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {overview.isError && <Notice kind="error">{apiError(overview.error).message}</Notice>}
      {data && (
        <div className="charts">
          <div className="card chart-wide">
            <DayChart
              rows={data.byDay}
              from={(sinceIso ?? new Date(since - 30 * 86_400_000).toISOString()).slice(0, 10)}
              title={ms ? 'Reports per day' : 'Reports per day (last 30 days)'}
            />
          </div>
          <div className="card">
            <BarChart
              title="By category"
              bars={Object.entries(INCIDENT_TAXONOMY).map(([k, def]) => ({
                key: k,
                label: def.label,
                value: byTop.get(k) ?? 0,
              }))}
            />
            <details>
              <summary>By subcategory</summary>
              <table className="table">
                <tbody>
                  {Object.entries(data.byCategory)
                    .sort((a, b) => b[1] - a[1])
                    .map(([code, n]) => (
                      <tr key={code}>
                        <th scope="row">{categoryLabel(code)}</th>
                        <td className="num">{n}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </details>
          </div>
          <div className="card">
            <BarChart
              title="By severity"
              bars={Object.keys(SEVERITIES).map((k) => ({
                key: k,
                label: humanize(k),
                value: data.bySeverity[k] ?? 0,
                help: severityHelp(k),
              }))}
            />
          </div>
          <div className="card">
            <BarChart
              title="By status"
              bars={BULLETIN_STATUSES.map((k) => ({
                key: k,
                label: humanize(k),
                value: data.byStatus[k] ?? 0,
                help: STATUS_HELP[k],
              }))}
            />
          </div>
          <div className="card">
            <h3 className="chart-title">By city</h3>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">City</th>
                  <th scope="col" className="num">
                    Reports
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(data.byOrigin)
                  .sort((a, b) => b[1] - a[1])
                  .map(([node, n]) => (
                    <tr key={node}>
                      <th scope="row">{session.nodeName(node)}</th>
                      <td className="num">{n}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
            {Object.keys(data.byOrigin).length === 0 && <p className="muted">No reports in this period.</p>}
          </div>
        </div>
      )}
    </section>
  );
}

export function NetworkScreen() {
  const trpc = useTRPC();
  const net = useQuery({ ...trpc.hub.network.queryOptions(), refetchInterval: 10_000 });
  return (
    <div className="stack">
      <h1 id="page-title" tabIndex={-1}>
        Network health
      </h1>
      <HubNav />
      {net.isPending && <p role="status">Loading…</p>}
      {net.isError && <Notice kind="error">{apiError(net.error).message}</Notice>}
      {net.data && (
        <div className="table-scroll card">
          <table className="table">
            <caption>
              Every member of the network: when it last called the hub, which persistent links are open now, how
              deliveries to it are going and what is waiting for it, how many log entries its catch-up is behind (— when
              not known yet) and the cursor it is at, how old its key is, and the error of its last failed contact
              unless one has worked since. Refreshes every 10 seconds.
            </caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Last seen</th>
                <th scope="col">Link open</th>
                <th scope="col">Deliveries</th>
                <th scope="col" className="num">
                  Backlog
                </th>
                <th scope="col" className="num">
                  Catch-up
                </th>
                <th scope="col" className="num">
                  Key age
                </th>
                <th scope="col">Failing with</th>
              </tr>
            </thead>
            <tbody>
              {net.data.map((m) => (
                <tr key={m.node}>
                  <th scope="row">
                    {m.name} <span className="muted">({m.node})</span>
                    {m.role === 'hub' && <span className="tag">hub</span>}
                    {m.status !== 'active' && <span className="tag tag-warn">{humanize(m.status)}</span>}
                  </th>
                  <td title={formatTime(m.lastSeen)}>{formatAgo(m.lastSeen)}</td>
                  <td>{linkLabel(m.link)}</td>
                  <td>
                    {deliveriesLabel(m.breaker)}
                    <span className="muted block">last {formatAgo(m.lastPushOk)}</span>
                  </td>
                  <td className="num">{m.backlog}</td>
                  <td className="num">
                    {m.catchUpLag === null || m.catchUpLag === undefined
                      ? '—'
                      : plural(m.catchUpLag, 'entry', 'entries')}
                    <span className="muted block">at {m.pullCursor}</span>
                  </td>
                  <td className="num">{plural(m.keyAgeDays, 'day')}</td>
                  <td className="untrusted">{m.lastError ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The delivery circuit breaker in words: "closed" would read as broken to most people. */
export function deliveriesLabel(breaker: string): string {
  if (breaker === 'closed') return 'Normal';
  if (breaker === 'open') return 'Paused after failures';
  if (breaker === 'half-open') return 'Trying again';
  return humanize(breaker);
}

/** Which persistent links are open between the hub and a member (they close after 20 idle seconds). */
function linkLabel(link: { in: boolean; out: boolean }): string {
  if (link.in && link.out) return 'both ways';
  if (link.in) return 'to the hub';
  if (link.out) return 'from the hub';
  return '—';
}
