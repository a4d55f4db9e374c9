import { type BodyOf, JURISDICTION_SIZES, NOTE_TOPICS, NoteBodySchema } from '@citylink/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useDeferredValue, useMemo, useState } from 'react';
import {
  ErrorSummary,
  FieldError,
  type FieldErrors,
  Help,
  inputProps,
  issuesToErrors,
  Notice,
} from '../components/fields';
import { DEFAULT_MARKING, fromWire, type MarkingValue, toWire } from '../components/marking';
import { focusErrorSummary, PublishActions, SharingSection, usePublishCallbacks } from '../components/publish';
import { apiError, type ItemView, useTRPC } from '../lib/api';
import { feedInput, NO_FILTERS } from '../lib/feed';
import { Link, useLocation } from '../lib/router';
import { useSession } from '../lib/session';
import { FeedResults } from './feed';
import { markingErrors } from './report';

type NoteBody = BodyOf<'note'>;

/** "Worked for us too", from the list. Notes from one's own node are not endorsed by it. */
function EndorseButton({ item }: { item: ItemView }) {
  const session = useSession();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const m = useMutation(
    trpc.staff.endorse.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.staff.object.queryKey({ id: item.id }) }),
    }),
  );
  if (item.origin === session.node.node || item.retracted) return null;
  return (
    <div className="item-actions">
      {m.isSuccess ? (
        <span role="status">Endorsed: “worked for us too”.</span>
      ) : (
        <button
          type="button"
          className="secondary small"
          disabled={m.isPending}
          onClick={() => m.mutate({ target: item.id })}
        >
          Endorse<span className="sr-only"> “{item.title}”</span>
        </button>
      )}
      {m.isError && <span className="field-error">⚠ {apiError(m.error).message}</span>}
    </div>
  );
}

export function LibraryScreen() {
  const [topic, setTopic] = useState('');
  const [text, setText] = useState('');
  const deferred = useDeferredValue(text);
  const input = useMemo(
    () => feedInput({ ...NO_FILTERS, kind: 'note', topic, text: deferred }, () => []),
    [topic, deferred],
  );
  return (
    <div className="stack">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Best-practice library
        </h1>
        <Link className="button" to="/library/new">
          Share a practice
        </Link>
      </div>
      <p className="lead">
        What worked for other election offices: the problem, what they did, what it cost, and how big they are. Endorse
        a note when it worked for you too.
      </p>
      <div className="library">
        <nav aria-label="Topics" className="topics card">
          <h2>Topics</h2>
          <ul className="plain">
            <li>
              <button type="button" className="link" aria-pressed={topic === ''} onClick={() => setTopic('')}>
                All topics
              </button>
            </li>
            {Object.entries(NOTE_TOPICS).map(([k, label]) => (
              <li key={k}>
                <button type="button" className="link" aria-pressed={topic === k} onClick={() => setTopic(k)}>
                  {label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="stack-tight">
          <search className="filters card">
            <label htmlFor="lib-search">Search the library</label>
            <input
              id="lib-search"
              type="search"
              value={text}
              maxLength={200}
              onChange={(e) => setText(e.target.value)}
            />
          </search>
          <FeedResults
            input={input}
            label={topic ? `Notes on ${NOTE_TOPICS[topic as keyof typeof NOTE_TOPICS]}` : 'All notes'}
            extra={(item) => <EndorseButton item={item} />}
          />
        </div>
      </div>
    </div>
  );
}

interface NoteDraft {
  topic: string;
  title: string;
  problem: string;
  whatWorked: string;
  whatDidNot: string;
  cost: string;
  staff: string;
  jurisdictionSize: string;
}

const EMPTY_NOTE: NoteDraft = {
  topic: '',
  title: '',
  problem: '',
  whatWorked: '',
  whatDidNot: '',
  cost: '',
  staff: '',
  jurisdictionSize: '',
};

const NOTE_LABELS: Record<string, string> = {
  topic: 'Topic',
  title: 'Title',
  problem: 'The problem',
  whatWorked: 'What worked',
  whatDidNot: 'What did not work',
  cost: 'Cost',
  staff: 'Staff',
  jurisdictionSize: 'Size of your jurisdiction',
  audience: 'Organizations',
  recipients: 'Named people',
};

export function noteToBody(d: NoteDraft, supersedes?: string): Record<string, unknown> {
  const opt = (s: string) => (s.trim() ? s.trim() : undefined);
  return {
    topic: d.topic,
    title: d.title.trim(),
    problem: d.problem.trim(),
    whatWorked: d.whatWorked.trim(),
    ...(opt(d.whatDidNot) && { whatDidNot: d.whatDidNot.trim() }),
    ...(opt(d.cost) && { cost: d.cost.trim() }),
    ...(opt(d.staff) && { staff: d.staff.trim() }),
    jurisdictionSize: d.jurisdictionSize,
    ...(supersedes && { supersedes }),
  };
}

const NOTE_MESSAGES: Record<string, string> = {
  topic: 'Choose a topic.',
  title: 'Give the note a short title.',
  problem: 'Describe the problem you faced.',
  whatWorked: 'Say what worked.',
  jurisdictionSize: 'Choose the size of your jurisdiction.',
};

export function NoteFormScreen() {
  const { search } = useLocation();
  const supersedes = search.get('supersedes') ?? undefined;
  const trpc = useTRPC();
  const original = useQuery({ ...trpc.staff.object.queryOptions({ id: supersedes ?? '' }), enabled: !!supersedes });
  if (supersedes) {
    if (original.isPending) return <p role="status">Loading the note to correct…</p>;
    if (original.isError) return <Notice kind="error">{apiError(original.error).message}</Notice>;
    const o = original.data.object;
    if (o.kind !== 'note') return <Notice kind="error">Only notes can be corrected here.</Notice>;
    const b: NoteBody = o.body;
    return (
      <NoteForm
        supersedes={supersedes}
        initial={{ ...EMPTY_NOTE, ...b, whatDidNot: b.whatDidNot ?? '', cost: b.cost ?? '', staff: b.staff ?? '' }}
        initialMarking={fromWire({ ...o, recipients: o.recipients ?? null })}
      />
    );
  }
  return <NoteForm initial={EMPTY_NOTE} initialMarking={DEFAULT_MARKING} />;
}

function NoteForm(props: { initial: NoteDraft; initialMarking: MarkingValue; supersedes?: string }) {
  const trpc = useTRPC();
  const [d, setD] = useState(props.initial);
  const [marking, setMarking] = useState(props.initialMarking);
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = 'note';
  const set = (patch: Partial<NoteDraft>) => setD((x) => ({ ...x, ...patch }));
  const ip = (k: string, help?: boolean) => inputProps(form, k, errors, help);
  const publish = usePublishCallbacks(setErrors);
  const post = useMutation(trpc.staff.postNote.mutationOptions(publish));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: FieldErrors = { ...markingErrors(marking) };
    const parsed = NoteBodySchema.safeParse(noteToBody(d, props.supersedes));
    if (!parsed.success) {
      for (const [k, v] of Object.entries(issuesToErrors(parsed.error.issues as never)))
        found[k] ??= NOTE_MESSAGES[k] ?? v;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusErrorSummary();
      return;
    }
    post.mutate({ ...toWire(marking), body: noteToBody(d, props.supersedes) as NoteBody });
  };
  const area = (k: keyof NoteDraft, label: string, help: string, rows = 4) => (
    <div className="field">
      <label htmlFor={ip(k).id}>{label}</label>
      <textarea {...ip(k, true)} rows={rows} value={d[k]} onChange={(e) => set({ [k]: e.target.value })} />
      <Help form={form} name={k}>
        {help}
      </Help>
      <FieldError form={form} name={k} errors={errors} />
    </div>
  );
  return (
    <form className="stack" onSubmit={submit} noValidate aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {props.supersedes ? 'Correct a note' : 'Share a practice that worked'}
      </h1>
      <ErrorSummary form={form} errors={errors} labels={NOTE_LABELS} />
      <section className="card stack">
        <div className="field">
          <label htmlFor={ip('topic').id}>Topic</label>
          <select {...ip('topic')} value={d.topic} onChange={(e) => set({ topic: e.target.value })}>
            <option value="">Choose a topic…</option>
            {Object.entries(NOTE_TOPICS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
          <FieldError form={form} name="topic" errors={errors} />
        </div>
        <div className="field">
          <label htmlFor={ip('title').id}>Title</label>
          <input {...ip('title')} value={d.title} maxLength={200} onChange={(e) => set({ title: e.target.value })} />
          <FieldError form={form} name="title" errors={errors} />
        </div>
        {area('problem', 'The problem', 'What you were up against.')}
        {area('whatWorked', 'What worked', 'What you did, step by step, so another office can repeat it.', 6)}
        {area('whatDidNot', 'What did not work (optional)', 'Saves others from the same dead ends.')}
        <div className="grid-2">
          <div className="field">
            <label htmlFor={ip('cost').id}>Cost (optional)</label>
            <input {...ip('cost', true)} value={d.cost} onChange={(e) => set({ cost: e.target.value })} />
            <Help form={form} name="cost">
              e.g. “$4,000 a year” or “free”.
            </Help>
          </div>
          <div className="field">
            <label htmlFor={ip('staff').id}>Staff (optional)</label>
            <input {...ip('staff', true)} value={d.staff} onChange={(e) => set({ staff: e.target.value })} />
            <Help form={form} name="staff">
              e.g. “one part-time clerk for two weeks”.
            </Help>
          </div>
        </div>
        <fieldset className="field" {...ip('jurisdictionSize')} tabIndex={-1}>
          <legend>Size of your jurisdiction (registered voters)</legend>
          {Object.entries(JURISDICTION_SIZES).map(([k, label]) => (
            <label key={k} className="choice">
              <input
                type="radio"
                name={`${form}-size`}
                checked={d.jurisdictionSize === k}
                onChange={() => set({ jurisdictionSize: k })}
              />
              {label}
            </label>
          ))}
          <FieldError form={form} name="jurisdictionSize" errors={errors} />
        </fieldset>
      </section>
      <SharingSection form={form} value={marking} onChange={setMarking} errors={errors} />
      <PublishActions errors={errors} pending={post.isPending} label="Sign and share the note" cancelTo="/library" />
    </form>
  );
}
