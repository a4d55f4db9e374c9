import { useQuery } from '@tanstack/react-query';
import { type RouterOutputs, useTRPC } from '../lib/api';
import { formatTime, humanize } from '../lib/format';
import { Link } from '../lib/router';

export type Board = RouterOutputs['operations']['board'];

/** One escalation on an object's timeline (the hub's detail page), in words. */
export function escalationLine(e: { kind: string; at: string }): string {
  const what =
    e.kind === 'ack'
      ? 'Acknowledgement overdue: escalated to the on-call officials'
      : `Escalated (${humanize(e.kind)})`;
  return `${what} · ${formatTime(e.at)}`;
}

/** The hub's escalation clocks: overdue on top, in red and in words; then cities behind on check-ins. */
export function EscalationQueue(props: { board?: Board; large?: boolean }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.operations.board.queryOptions(), enabled: !props.board, refetchInterval: 30_000 });
  const board = props.board ?? query.data;
  if (!board?.period) return null;
  return (
    <section aria-label="Escalation clocks" className={props.large ? 'escalations large' : 'escalations'}>
      <h2>Acknowledgement clocks</h2>
      {board.clocks.length === 0 ? (
        <p>Every report received in this period has been acknowledged.</p>
      ) : (
        <ol className="clock-list">
          {board.clocks.map((c) => (
            <li key={c.id} className={c.overdue ? 'clock overdue' : 'clock'}>
              <span className="clock-words">{c.overdue ? `OVERDUE — ${c.words}` : c.words}</span>{' '}
              <span className="severity">{humanize(c.severity)}</span> · TLP:{c.tlp} · {c.originName} ·{' '}
              <Link to={`/objects/${c.id}`} className="untrusted">
                {c.title ?? 'a report you may not open'}
              </Link>
              {c.escalated && <span> · escalated to the on-call officials</span>}
            </li>
          ))}
        </ol>
      )}
      <h2>Check-ins</h2>
      {board.overdue.length === 0 ? (
        <p>All {board.cities} cities have checked in on time.</p>
      ) : (
        <ul className="checkin-list">
          {board.overdue.map((o) => (
            <li key={o.city} className={o.missed >= 2 ? 'clock overdue' : 'clock'}>
              <span className="clock-words">
                {o.missed >= 2 ? 'OVERDUE — ' : 'late — '}missed {o.missed} check-in{o.missed === 1 ? '' : 's'}
              </span>{' '}
              {o.name}
              {o.escalated && <span> · liaison notified</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
