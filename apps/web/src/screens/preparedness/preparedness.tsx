import { PREPAREDNESS_KINDS, type PreparednessKind, RECOMMENDATIONS } from '@citylink/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Notice } from '../../components/fields';
import { TlpLabel } from '../../components/tlp';
import { apiError, type RouterOutputs, useTRPC } from '../../lib/api';
import { useSession } from '../../lib/session';
import { EvidenceForm } from './evidence-form';
import { FORMS, type Values } from './forms';
import { TrainingPanel } from './training';

type Card = RouterOutputs['preparedness']['scorecard'];
type Entry = Card['evidence'][number];

export const STATUS_LABEL: Record<string, string> = {
  done: 'Done',
  partial: 'Partial',
  stale: 'Stale',
  missing: 'Missing',
};

/** The city's Preparedness screen: the ten rows, the evidence behind them, and a form for each kind. */
export function PreparednessScreen() {
  const session = useSession();
  const trpc = useTRPC();
  const card = useQuery(trpc.preparedness.scorecard.queryOptions());
  const [kind, setKind] = useState<PreparednessKind | ''>('');
  const [exercise, setExercise] = useState<Entry | undefined>();
  const [recorded, setRecorded] = useState<string | undefined>();
  const done = (id: string) => {
    setRecorded(id);
    setKind('');
    setExercise(undefined);
  };
  return (
    <div className="stack">
      <h1 id="page-title" tabIndex={-1}>
        Preparedness of {session.node.name}
      </h1>
      <p className="lead">
        Where the city stands on the ten recommendations to mayors, from the evidence it has signed and what this node
        knows. Evidence goes to the state hub alone (TLP:AMBER+STRICT) unless you choose otherwise.
      </p>
      {recorded && <Notice kind="success">Recorded and signed; the hub receives it now.</Notice>}
      {card.isError && <Notice kind="error">{apiError(card.error).message}</Notice>}
      {card.data && <Rows rows={card.data.rows} />}
      <section className="card stack-tight" aria-labelledby="record-title">
        <h2 id="record-title">Record evidence</h2>
        <label>
          What to record{' '}
          <select
            value={kind}
            onChange={(e) => {
              setExercise(undefined);
              setKind(e.target.value as PreparednessKind | '');
            }}
          >
            <option value="">Choose…</option>
            {PREPAREDNESS_KINDS.map((k) => (
              <option key={k} value={k}>
                {FORMS[k].title} (recommendation {FORMS[k].serves})
              </option>
            ))}
          </select>
        </label>
        {kind && <EvidenceForm key={kind} kind={kind} onDone={done} />}
        {exercise && (
          <EvidenceForm
            key={exercise.id}
            kind="contingency-plan"
            initial={planValues(exercise)}
            onDone={done}
            submitLabel="Sign and record the tabletop exercise"
          />
        )}
      </section>
      {session.node.role === 'city' && <TrainingPanel onSigned={done} />}
      {card.data && (
        <EvidenceList
          entries={card.data.evidence}
          onExercise={(e) => {
            setKind('');
            setExercise(e);
          }}
        />
      )}
    </div>
  );
}

function Rows({ rows }: { rows: Card['rows'] }) {
  return (
    <div className="table-scroll">
      <table className="table" aria-label="The ten recommendations">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Recommendation</th>
            <th scope="col">Status</th>
            <th scope="col">Why</th>
            <th scope="col">Next step</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <td>{r.recommendation}</td>
              <th scope="row">{RECOMMENDATIONS.find((x) => x.n === r.recommendation)?.title}</th>
              <td className={`score score-${r.status}`}>{STATUS_LABEL[r.status] ?? r.status}</td>
              <td>{r.reason}</td>
              <td>{r.next}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EvidenceList({ entries, onExercise }: { entries: Entry[]; onExercise: (e: Entry) => void }) {
  if (entries.length === 0) return <p>No evidence recorded yet.</p>;
  return (
    <section className="stack-tight" aria-labelledby="evidence-title">
      <h2 id="evidence-title">Evidence on record</h2>
      <ul className="plain stack-tight">
        {[...entries].reverse().map((e) => (
          <li key={e.id} className="card">
            <strong>{FORMS[e.kind].title}</strong> · <TlpLabel tlp={e.tlp} /> · signed {e.created.slice(0, 10)}
            <div>{summary(e)}</div>
            {e.kind === 'contingency-plan' && (
              <button type="button" className="secondary small" onClick={() => onExercise(e)}>
                Record a tabletop exercise<span className="sr-only"> of {summary(e)}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function summary(e: Entry): string {
  const b = e.body as Record<string, unknown>;
  return String(b.title ?? b.course ?? b.name ?? b.item ?? b.with ?? b.kind ?? b.chartered ?? b.proclamation ?? '');
}

/** The plan's fields, to record a new version of it with its exercise (it supersedes the old one). */
function planValues(e: Entry): Values {
  const b = e.body as {
    scenario: string;
    title: string;
    coversElectionDay: boolean;
    coversEarlyVoting: boolean;
    ownerRole: string;
    lastReviewed: string;
    plan: { text?: string };
  };
  return {
    scenario: b.scenario,
    title: b.title,
    coversElectionDay: b.coversElectionDay,
    coversEarlyVoting: b.coversEarlyVoting,
    ownerRole: b.ownerRole,
    lastReviewed: b.lastReviewed,
    'plan.text': b.plan.text ?? '',
    'lastExercised.date': new Date().toISOString().slice(0, 10),
    supersedes: e.id,
  };
}
