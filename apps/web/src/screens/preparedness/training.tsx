import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Notice } from '../../components/fields';
import { apiError, useTRPC } from '../../lib/api';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The city's own training records (names stay in this node's database, never sent)
 * and the summary it signs from them: counts only, for the hub.
 */
export function TrainingPanel({ onSigned }: { onSigned: (id: string) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const records = useQuery(trpc.preparedness.trainingRecords.queryOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.preparedness.pathKey() });
  const add = useMutation(trpc.preparedness.addTrainingRecord.mutationOptions({ onSuccess: refresh }));
  const summarize = useMutation(
    trpc.preparedness.summarizeTraining.mutationOptions({
      onSuccess: (r) => {
        void refresh();
        onSigned(r.id);
      },
    }),
  );
  const [person, setPerson] = useState('');
  const [course, setCourse] = useState('');
  const [completed, setCompleted] = useState(today());
  const [hasAccess, setHasAccess] = useState(true);
  const [from, setFrom] = useState(`${today().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today());
  const [staff, setStaff] = useState('');
  const [phishing, setPhishing] = useState(true);
  const addRecord = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ person, course, completed, hasAccess }, { onSuccess: () => setPerson('') });
  };
  const sign = (e: FormEvent) => {
    e.preventDefault();
    summarize.mutate({ from, to, course, coversSpearPhishing: phishing, staffWithAccess: Number(staff) });
  };
  return (
    <section className="card stack-tight" aria-labelledby="training-title">
      <h2 id="training-title">Training records</h2>
      <p>
        Who completed which course stays in this city’s database and is never sent to anyone. The hub receives only the
        signed summary: how many of the staff with access to voter-registration records were trained.
      </p>
      <form onSubmit={addRecord} className="stack-tight" aria-label="Add a training record">
        <label>
          Person <input value={person} onChange={(e) => setPerson(e.target.value)} maxLength={200} />
        </label>
        <label>
          Course <input value={course} onChange={(e) => setCourse(e.target.value)} maxLength={200} />
        </label>
        <label>
          Completed on <input type="date" value={completed} onChange={(e) => setCompleted(e.target.value)} />
        </label>
        <label className="choice">
          <input type="checkbox" checked={hasAccess} onChange={(e) => setHasAccess(e.target.checked)} /> Has access to
          voter-registration records
        </label>
        <p>
          <button type="submit" className="secondary" disabled={add.isPending}>
            Add the record
          </button>
        </p>
        {add.isError && <Notice kind="error">{apiError(add.error).message}</Notice>}
      </form>
      <p>{records.data?.length ?? 0} records kept here.</p>
      <form onSubmit={sign} className="stack-tight" aria-label="Sign a training summary">
        <label>
          From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Staff with voter-registration access{' '}
          <input type="number" min={0} value={staff} onChange={(e) => setStaff(e.target.value)} />
        </label>
        <label className="choice">
          <input type="checkbox" checked={phishing} onChange={(e) => setPhishing(e.target.checked)} /> The course covers
          spear-phishing
        </label>
        <p>
          <button type="submit" disabled={summarize.isPending || !course || staff === ''}>
            Sign the summary of {course || 'the course'} for the hub
          </button>
        </p>
        {summarize.isError && <Notice kind="error">{apiError(summarize.error).message}</Notice>}
      </form>
    </section>
  );
}
