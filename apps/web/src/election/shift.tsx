import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Notice } from '../components/fields';
import { usePrintMarking } from '../components/print';
import { apiError, useTRPC } from '../lib/api';
import { formatTime } from '../lib/format';
import { HubNav } from '../screens/hub-nav';

const TYPE_LABEL: Record<string, string> = {
  handover: 'Handover',
  decision: 'Decision',
  escalation: 'Escalation',
};

/**
 * The hub's on-call and shift log for the operational period: who is on shift (escalations
 * go to them; nobody on shift means every official), signed handover and decision notes,
 * the period's escalations, and a printable log for the after-action report.
 */
export function ShiftScreen() {
  return (
    <div className="stack">
      <h1 id="page-title" tabIndex={-1}>
        On call and shift log
      </h1>
      <div className="no-print">
        <HubNav />
      </div>
      <OnCall />
      <ShiftLog />
    </div>
  );
}

function OnCall() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const shift = useQuery(trpc.operations.shift.queryOptions());
  const [chosen, setChosen] = useState<string[] | undefined>(undefined);
  const save = useMutation(
    trpc.operations.setShift.mutationOptions({
      onSuccess: () => {
        setChosen(undefined);
        return qc.invalidateQueries({ queryKey: trpc.operations.shift.queryKey() });
      },
    }),
  );
  if (shift.isPending) return <p role="status">Loading…</p>;
  if (shift.isError) return <Notice kind="error">{apiError(shift.error).message}</Notice>;
  const { onShift, officials } = shift.data;
  const picked = chosen ?? onShift;
  return (
    <section className="card stack no-print" aria-labelledby="on-call">
      <h2 id="on-call">On call</h2>
      <p data-testid="on-shift">
        {onShift.length > 0
          ? `On shift: ${onShift.join(', ')}. Escalations go to them.`
          : 'Nobody is on shift: escalations go to every hub official.'}
      </p>
      <form
        className="stack"
        aria-label="Who is on shift"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ usernames: picked });
        }}
      >
        <fieldset>
          <legend>Hub officials on shift</legend>
          {officials.map((u) => (
            <label key={u} className="choice">
              <input
                type="checkbox"
                checked={picked.includes(u)}
                onChange={(e) => setChosen(e.target.checked ? [...picked, u] : picked.filter((x) => x !== u))}
              />{' '}
              {u}
            </label>
          ))}
        </fieldset>
        <p>
          <button type="submit" disabled={save.isPending}>
            Save who is on shift
          </button>
        </p>
        {save.isError && <Notice kind="error">{apiError(save.error).message}</Notice>}
      </form>
    </section>
  );
}

function ShiftLog() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const log = useQuery(trpc.operations.shiftLog.queryOptions());
  const [type, setType] = useState<'handover' | 'decision'>('decision');
  const [text, setText] = useState('');
  const write = useMutation(
    trpc.operations.writeShiftNote.mutationOptions({
      onSuccess: () => {
        setText('');
        return qc.invalidateQueries({ queryKey: trpc.operations.shiftLog.queryKey() });
      },
    }),
  );
  // Shift notes are AMBER, kept at the hub: the printed log says so on every sheet.
  usePrintMarking('AMBER');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    write.mutate({ type, text });
  };
  if (log.isPending) return <p role="status">Loading the shift log…</p>;
  if (log.isError) return <Notice kind="error">{apiError(log.error).message}</Notice>;
  const { period, entries } = log.data;
  return (
    <section className="card stack" aria-labelledby="shift-log">
      <h2 id="shift-log">
        Shift log — {period.name} ({formatTime(period.start)} – {formatTime(period.end)})
      </h2>
      {entries.length === 0 ? (
        <p>Nothing logged in this period yet.</p>
      ) : (
        <ol className="shift-log" aria-label="Shift log entries">
          {entries.map((e) => (
            <li key={`${e.at}-${e.ref}-${e.type}`}>
              <time dateTime={e.at}>{formatTime(e.at)}</time> · <strong>{TYPE_LABEL[e.type] ?? e.type}</strong> by{' '}
              <span className="untrusted">{e.by}</span>: <span className="untrusted">{e.text}</span>
            </li>
          ))}
        </ol>
      )}
      <p className="no-print">
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print the shift log
        </button>
      </p>
      <form className="stack no-print" aria-label="Write in the shift log" onSubmit={submit}>
        <fieldset>
          <legend>Kind of note</legend>
          <label className="choice">
            <input type="radio" checked={type === 'decision'} onChange={() => setType('decision')} /> A decision
          </label>
          <label className="choice">
            <input type="radio" checked={type === 'handover'} onChange={() => setType('handover')} /> A handover to the
            next shift
          </label>
        </fieldset>
        <label htmlFor="shift-note-text">Note (signed by the hub; it never leaves the hub)</label>
        <textarea
          id="shift-note-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={10_000}
          rows={4}
        />
        <p>
          <button type="submit" disabled={write.isPending || text.trim() === ''}>
            Sign and add to the log
          </button>
        </p>
        {write.isError && <Notice kind="error">{apiError(write.error).message}</Notice>}
      </form>
    </section>
  );
}
