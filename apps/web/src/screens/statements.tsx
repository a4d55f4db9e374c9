import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import {
  ErrorSummary,
  FieldError,
  type FieldErrors,
  inputProps,
  issuesToErrors,
  NotAvailable,
  Notice,
} from '../components/fields';
import { ExportButtons, usePrintMarking } from '../components/print';
import { TlpLabel } from '../components/tlp';
import { apiError, type RouterOutputs, useTRPC } from '../lib/api';
import { formatTime, humanize, isoToLocalInput, localInputToIso } from '../lib/format';
import { statementDocument } from '../lib/pdf-content';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';

export type StatementState = RouterOutputs['statements']['get'];
export type RevisionDiff = RouterOutputs['statements']['diff'];
export type DiffPart = RevisionDiff['parts'][number];

/** Everything a statement's mutations may have changed. */
function useInvalidateStatements() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: trpc.statements.pathKey() });
}

// ------------------------------------------------------------------ list

export function StatementsScreen() {
  const trpc = useTRPC();
  const session = useSession();
  const list = useQuery(trpc.statements.list.queryOptions());
  const [creating, setCreating] = useState(false);
  return (
    <div className="stack">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Joint statements
        </h1>
        <button
          type="button"
          aria-expanded={creating}
          aria-controls="new-statement"
          onClick={() => setCreating((c) => !c)}
        >
          New statement
        </button>
      </div>
      <p className="lead">
        Statements drafted together with other cities: comment and propose amendments, then each city’s mayor signs the
        frozen text.
      </p>
      {creating && <NewStatementForm />}
      {list.isPending ? (
        <p role="status">Loading…</p>
      ) : list.isError ? (
        <Notice kind="error">{apiError(list.error).message}</Notice>
      ) : list.data.length === 0 ? (
        <p className="empty">No statements yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption>Statements visible to you</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">From</th>
                <th scope="col">Phase</th>
                <th scope="col">Signatures</th>
                <th scope="col">Sign-on deadline</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/statements/${s.id}`} className="untrusted">
                      {s.title}
                    </Link>
                  </td>
                  <td>{session.nodeName(s.originator)}</td>
                  <td>{s.phase}</td>
                  <td>
                    {s.signed} signed of {s.cities} {s.cities === 1 ? 'city' : 'cities'}
                  </td>
                  <td>{s.deadline ? formatTime(s.deadline) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const NEW_LABELS: Record<string, string> = {
  title: 'Title',
  text: 'Text',
  addressees: 'Addressees',
  invited: 'Invited cities',
};

function NewStatementForm() {
  const trpc = useTRPC();
  const session = useSession();
  const invalidate = useInvalidateStatements();
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [addressees, setAddressees] = useState('');
  const [invited, setInvited] = useState<string[]>([]);
  const [includeHub, setIncludeHub] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const cities = session.roster.filter(
    (m) => m.role === 'city' && m.status === 'active' && m.node !== session.node.node,
  );
  const m = useMutation(
    trpc.statements.create.mutationOptions({
      onSuccess: (res) => {
        void invalidate();
        navigate(`/statements/${res.id}`);
      },
      onError: (err) => {
        const e = apiError(err);
        setErrors(e.issues.length > 0 ? issuesToErrors(e.issues) : { form: e.message });
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lines = addressees
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const problems: FieldErrors = {};
    if (!title.trim()) problems.title = 'Give the statement a title.';
    if (!text.trim()) problems.text = 'Write the text of the statement.';
    if (lines.length === 0) problems.addressees = 'Name at least one addressee.';
    if (invited.length === 0 && !includeHub) problems.invited = 'Invite at least one city, or include the state hub.';
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    m.mutate({ title: title.trim(), text: text.trim(), addressees: lines, invited, includeHub });
  };
  const toggle = (node: string, on: boolean) =>
    setInvited((cur) => (on ? [...cur, node] : cur.filter((n) => n !== node)));
  const f = 'new-statement';
  return (
    <form id={f} className="card stack-tight" onSubmit={submit} aria-labelledby={`${f}-heading`} noValidate>
      <h2 id={`${f}-heading`}>New statement</h2>
      <ErrorSummary form={f} errors={errors} labels={NEW_LABELS} />
      <label htmlFor={`${f}-title`}>Title</label>
      <input
        {...inputProps(f, 'title', errors)}
        value={title}
        maxLength={300}
        onChange={(e) => setTitle(e.target.value)}
      />
      <FieldError form={f} name="title" errors={errors} />
      <label htmlFor={`${f}-text`}>Text</label>
      <textarea
        {...inputProps(f, 'text', errors)}
        rows={10}
        value={text}
        maxLength={100_000}
        onChange={(e) => setText(e.target.value)}
      />
      <FieldError form={f} name="text" errors={errors} />
      <label htmlFor={`${f}-addressees`}>Addressees (one per line)</label>
      <textarea
        {...inputProps(f, 'addressees', errors)}
        rows={3}
        value={addressees}
        onChange={(e) => setAddressees(e.target.value)}
      />
      <FieldError form={f} name="addressees" errors={errors} />
      <fieldset className="field" id={`${f}-invited`}>
        <legend>Invited cities</legend>
        {cities.length === 0 && <p className="muted">No other active cities in the roster.</p>}
        <div className="checks">
          {cities.map((c) => (
            <label key={c.node} className="choice">
              <input
                type="checkbox"
                checked={invited.includes(c.node)}
                onChange={(e) => toggle(c.node, e.target.checked)}
              />
              {c.name}
            </label>
          ))}
        </div>
        <FieldError form={f} name="invited" errors={errors} />
      </fieldset>
      <label className="choice">
        <input type="checkbox" checked={includeHub} onChange={(e) => setIncludeHub(e.target.checked)} />
        Include the state hub
      </label>
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Create the statement
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- detail

export function StatementScreen({ id }: { id: string }) {
  const trpc = useTRPC();
  // Every object of the statement that this node stores comes over the live feed, which refreshes this query (lib/live.tsx).
  const q = useQuery(trpc.statements.get.queryOptions({ id }));
  if (q.isPending) return <p role="status">Loading…</p>;
  if (q.isError) {
    const e = apiError(q.error);
    return (
      <NotAvailable
        message={
          e.code === 'NOT_FOUND' ? 'This statement does not exist here, or it is not shared with you.' : e.message
        }
        back={<Link to="/statements">Back to the statements</Link>}
      />
    );
  }
  return <StatementView s={q.data} />;
}

export function StatementView({ s }: { s: StatementState }) {
  usePrintMarking(s.tlp);
  const session = useSession();
  // What this person may do comes from the node (`can`), computed by the rules it enforces.
  const { can } = s;
  const latest = s.revisions[s.revisions.length - 1];

  return (
    <article className="stack" aria-labelledby="page-title">
      <header className="stack-tight">
        <p className="kicker">
          <TlpLabel tlp={s.tlp} /> <span className="tag">Joint statement</span>{' '}
          <span className="tag">Phase: {s.phase}</span>
        </p>
        <h1 id="page-title" tabIndex={-1} className="untrusted">
          {s.title}
        </h1>
        <p className="muted">
          From <strong>{session.nodeName(s.originator)}</strong> ({s.originator})
          {s.signOn && <> · sign-on deadline {formatTime(s.signOn.deadline)}</>}
        </p>
        <div>
          <h2 className="sr-only">Addressees</h2>
          <p className="muted">Addressed to:</p>
          <ul className="plain">
            {s.addressees.map((a) => (
              <li key={a} className="untrusted">
                {a}
              </li>
            ))}
          </ul>
        </div>
      </header>

      {can.sign && <SigningPanel s={s} />}
      {can.withdraw && <WithdrawPanel s={s} />}

      {latest && (
        <section className="card" aria-labelledby="current-text">
          <h2 id="current-text">Current text (revision {latest.number})</h2>
          <p className="narrative untrusted">{latest.text}</p>
        </section>
      )}

      <RevisionHistory s={s} />

      <SignatureRoster s={s} />

      <Comments s={s} isOriginator={can.manage} canComment={can.comment} />

      {can.manage && <OriginatorActions s={s} />}

      {s.final && <FinalDownloads s={s} />}
    </article>
  );
}

// ------------------------------------------------------------- revisions

function RevisionHistory({ s }: { s: StatementState }) {
  const trpc = useTRPC();
  const n = s.revisions.length;
  // Until the reader picks revisions, the comparison follows the newest two, as new revisions arrive.
  const [picked, setPicked] = useState<{ from: string; to: string } | null>(null);
  const from = picked?.from ?? s.revisions[Math.max(0, n - 2)]?.id ?? '';
  const to = picked?.to ?? s.revisions[n - 1]?.id ?? '';
  const setFrom = (id: string) => setPicked({ from: id, to });
  const setTo = (id: string) => setPicked({ from, to: id });
  const diff = useQuery({
    ...trpc.statements.diff.queryOptions({ id: s.id, from, to }),
    enabled: !!from && !!to && from !== to,
  });
  const label = (id: string) => `revision ${s.revisions.find((r) => r.id === id)?.number ?? '?'}`;
  return (
    <section className="card stack-tight" aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revision history</h2>
      <ol className="timeline">
        {s.revisions.map((r) => (
          <li key={r.id}>
            Revision {r.number} · {formatTime(r.created)}
          </li>
        ))}
      </ol>
      {n > 1 && (
        <>
          <h3>Compare two revisions</h3>
          <div className="row">
            <label>
              From
              <select value={from} onChange={(e) => setFrom(e.target.value)}>
                {s.revisions.map((r) => (
                  <option key={r.id} value={r.id}>
                    Revision {r.number}
                  </option>
                ))}
              </select>
            </label>
            <label>
              To
              <select value={to} onChange={(e) => setTo(e.target.value)}>
                {s.revisions.map((r) => (
                  <option key={r.id} value={r.id}>
                    Revision {r.number}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {from === to ? (
            <p className="muted">Choose two different revisions to see what changed.</p>
          ) : diff.isPending ? (
            <p role="status">Comparing…</p>
          ) : diff.isError ? (
            <Notice kind="error">{apiError(diff.error).message}</Notice>
          ) : (
            <RevisionChanges diff={diff.data} label={`Changes from ${label(from)} to ${label(to)}`} />
          )}
        </>
      )}
    </section>
  );
}

/** The word diff, or, for revisions too different to compare word by word, both texts whole and a note saying so. */
export function RevisionChanges({ diff, label }: { diff: RevisionDiff; label: string }) {
  if (diff.wordByWord) return <DiffText parts={diff.parts} label={label} />;
  return (
    <>
      <Notice>
        These two revisions are too different to show word by word. The whole earlier text is shown as removed and the
        whole later text as added.
      </Notice>
      <DiffText parts={diff.parts} label={label} />
    </>
  );
}

/**
 * A word diff as text: additions in <ins> with a "+" marker, removals in <del> with
 * a "−" marker, and words for screen readers; colour is never the only signal.
 */
export function DiffText({ parts, label }: { parts: DiffPart[]; label: string }) {
  const added = parts.filter((p) => p.change === 'added' && p.text.trim()).length;
  const removed = parts.filter((p) => p.change === 'removed' && p.text.trim()).length;
  return (
    <figure className="diff">
      <figcaption>
        {label}: {added} added, {removed} removed. Added text is marked <ins className="diff-added">+ like this</ins>,
        removed text <del className="diff-removed">− like this</del>.
      </figcaption>
      <p className="narrative untrusted">
        {parts.map((p, i) => {
          const key = `${i}-${p.change}`;
          if (p.change === 'same' || !p.text.trim()) {
            if (p.change === 'removed') return null;
            return <span key={key}>{p.text}</span>;
          }
          return p.change === 'added' ? (
            <ins key={key} className="diff-added">
              <span className="sr-only">[added: </span>
              <span aria-hidden="true" className="diff-mark">
                +
              </span>
              {p.text}
              <span className="sr-only">]</span>
            </ins>
          ) : (
            <del key={key} className="diff-removed">
              <span className="sr-only">[removed: </span>
              <span aria-hidden="true" className="diff-mark">
                −
              </span>
              {p.text}
              <span className="sr-only">]</span>
            </del>
          );
        })}
      </p>
    </figure>
  );
}

// ------------------------------------------------------------ signatures

const STATUS_WORDS: Record<string, string> = {
  signed: 'Signed',
  'must re-sign': 'Must sign again (the text changed or the signature no longer counts)',
  withdrawn: 'Signature withdrawn',
  'not signed': 'Not signed yet',
};

function SignatureRoster({ s }: { s: StatementState }) {
  return (
    <section className="card" aria-labelledby="signers-title">
      <h2 id="signers-title">Signatures</h2>
      <div className="table-scroll">
        <table className="table">
          <caption>
            {s.signers.filter((x) => x.status === 'signed').length} of {s.signers.length} cities have signed
          </caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">City</th>
              <th scope="col">Status</th>
              <th scope="col">Signed by</th>
            </tr>
          </thead>
          <tbody>
            {s.signers.map((x) => (
              <tr key={x.node}>
                <td>
                  <code>{x.node}</code>
                </td>
                <td>{x.name}</td>
                <td>
                  {STATUS_WORDS[x.status] ?? x.status}
                  {x.problem && <span className="muted untrusted"> ({x.problem})</span>}
                </td>
                <td className="untrusted">
                  {x.block ? `${x.block.name}, ${x.block.title}` : '—'}
                  {x.signedAt && <span className="muted"> · {formatTime(x.signedAt)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The mayor's signature: the exact frozen text and its hash, then name and title, then Sign. */
export function SigningPanel({ s }: { s: StatementState }) {
  const trpc = useTRPC();
  const session = useSession();
  const invalidate = useInvalidateStatements();
  // The signature block comes from the signer's profile (full name and title), kept in step when they sign.
  const [name, setName] = useState(session.user.displayName);
  const [title, setTitle] = useState(session.user.title ?? '');
  const [remember, setRemember] = useState(!session.user.title);
  const [errors, setErrors] = useState<FieldErrors>({});
  const profile = useMutation(trpc.staff.updateProfile.mutationOptions());
  const m = useMutation(
    trpc.statements.sign.mutationOptions({
      onSuccess: (_data, v) => {
        void invalidate();
        const changed = v.name !== session.user.displayName || v.title !== (session.user.title ?? '');
        if (remember && changed) profile.mutate({ displayName: v.name, title: v.title });
      },
    }),
  );
  const text = s.signOn?.text;
  if (!s.signOn || !text) return null;
  const mine = s.signers.find((x) => x.node === session.node.node);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: FieldErrors = {};
    if (!name.trim()) problems.name = 'Your name as it appears under the statement.';
    if (!title.trim()) problems.title = 'Your title, for example Mayor.';
    setErrors(problems);
    if (Object.keys(problems).length === 0) m.mutate({ id: s.id, name: name.trim(), title: title.trim() });
  };
  const f = 'sign';
  return (
    <section className="card stack-tight signing" aria-labelledby="sign-heading">
      <h2 id="sign-heading">Sign for {session.node.name}</h2>
      <p>
        You are signing exactly this text, frozen when the sign-on opened. Sign-on closes{' '}
        {formatTime(s.signOn.deadline)}.
      </p>
      <figure className="frozen" aria-labelledby="frozen-title">
        <figcaption>
          <h3 id="frozen-title" className="frozen-title untrusted">
            {text.title}
          </h3>
          <p className="muted untrusted">Addressed to: {text.addressees.join('; ')}</p>
        </figcaption>
        <p className="narrative untrusted" data-testid="frozen-text">
          {text.text}
        </p>
      </figure>
      <p>
        Text hash (SHA-256):{' '}
        <code className="break" data-testid="text-hash">
          {s.signOn.textHash}
        </code>
      </p>
      {mine?.status === 'signed' ? (
        <Notice kind="success">Your city has signed this text.</Notice>
      ) : (
        <form className="subform" onSubmit={submit} aria-labelledby="sign-form-title" noValidate>
          <h3 id="sign-form-title">Your signature</h3>
          {mine?.status === 'must re-sign' && (
            <Notice>Your earlier signature no longer counts: please sign the current text again.</Notice>
          )}
          <label htmlFor={`${f}-name`}>Name</label>
          <input
            {...inputProps(f, 'name', errors)}
            value={name}
            maxLength={200}
            autoComplete="name"
            onChange={(e) => setName(e.target.value)}
          />
          <FieldError form={f} name="name" errors={errors} />
          <label htmlFor={`${f}-title`}>Title</label>
          <input
            {...inputProps(f, 'title', errors)}
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
          />
          <FieldError form={f} name="title" errors={errors} />
          <label className="choice">
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
            Remember them in my profile for next time
          </label>
          <div className="actions">
            <button type="submit" disabled={m.isPending}>
              Sign
            </button>
          </div>
          {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
        </form>
      )}
      {m.isSuccess && mine?.status === 'signed' && (
        <Notice kind="success">Signed with this city’s key and sent.</Notice>
      )}
    </section>
  );
}

/** An action that cannot be undone: a first click says what will happen, a second does it. */
function Confirmed({
  label,
  consequence,
  confirm,
  pending,
  danger,
  onConfirm,
}: {
  label: string;
  consequence: string;
  confirm: string;
  pending: boolean;
  danger?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <div className="actions">
        <button type="button" className={danger ? 'danger' : undefined} onClick={() => setAsking(true)}>
          {label}
        </button>
      </div>
    );
  }
  return (
    <div role="alertdialog" aria-label={label} className="notice confirm stack-tight">
      <p>{consequence}</p>
      <div className="actions">
        <button type="button" className={danger ? 'danger' : undefined} disabled={pending} onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" className="secondary" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function WithdrawPanel({ s }: { s: StatementState }) {
  const trpc = useTRPC();
  const session = useSession();
  const invalidate = useInvalidateStatements();
  const m = useMutation(trpc.statements.withdraw.mutationOptions({ onSuccess: () => invalidate() }));
  return (
    <section className="card subform danger" aria-labelledby="withdraw-title">
      <h3 id="withdraw-title">Withdraw your city’s signature</h3>
      <p className="help">Everyone taking part will see that the signature was withdrawn.</p>
      <Confirmed
        label="Withdraw the signature"
        consequence={`${session.node.name}’s signature on “${s.title}” will no longer count, and every city taking part will see it was withdrawn. To sign again, your mayor signs anew before the deadline.`}
        confirm="Yes, withdraw our signature"
        pending={m.isPending}
        danger
        onConfirm={() => m.mutate({ id: s.id })}
      />
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </section>
  );
}

// -------------------------------------------------------------- comments

function Comments({ s, isOriginator, canComment }: { s: StatementState; isOriginator: boolean; canComment: boolean }) {
  const session = useSession();
  return (
    <section className="card stack-tight" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments and amendments</h2>
      {s.comments.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ul className="plain stack-tight">
          {s.comments.map((c) => (
            <li key={c.id} className="comment">
              <p>
                <strong>{session.nodeName(c.origin)}</strong> · {formatTime(c.created)}
              </p>
              <p className="narrative untrusted">{c.comment}</p>
              {c.proposedText !== null && (
                <>
                  <ProposalChanges s={s} proposal={c.id} text={c.proposedText} />
                  {c.decision ? (
                    <p>
                      Amendment <strong>{c.decision.decision}</strong>
                      {c.decision.reason && <span className="untrusted"> — {c.decision.reason}</span>}
                    </p>
                  ) : isOriginator && !s.final ? (
                    <DecideButtons id={s.id} proposal={c.id} who={session.nodeName(c.origin)} />
                  ) : (
                    <p className="muted">Awaiting the originator’s decision.</p>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {canComment && <CommentForm id={s.id} current={s.revisions[s.revisions.length - 1]?.text ?? ''} />}
    </section>
  );
}

function DecideButtons({ id, proposal, who }: { id: string; proposal: string; who: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateStatements();
  const m = useMutation(trpc.statements.decide.mutationOptions({ onSuccess: () => invalidate() }));
  return (
    <div className="actions">
      <button type="button" disabled={m.isPending} onClick={() => m.mutate({ id, proposal, decision: 'accepted' })}>
        Accept<span className="sr-only"> the amendment from {who}</span>
      </button>
      <button
        type="button"
        className="secondary"
        disabled={m.isPending}
        onClick={() => m.mutate({ id, proposal, decision: 'declined' })}
      >
        Decline<span className="sr-only"> the amendment from {who}</span>
      </button>
      {m.isError && <span className="field-error">⚠ {apiError(m.error).message}</span>}
    </div>
  );
}

/** The amendment as changes to the current revision (what the originator decides on), the whole text on request. */
function ProposalChanges({ s, proposal, text }: { s: StatementState; proposal: string; text: string }) {
  const trpc = useTRPC();
  const current = s.revisions[s.revisions.length - 1];
  const diff = useQuery({
    ...trpc.statements.diff.queryOptions({ id: s.id, from: current?.id ?? '', to: proposal }),
    enabled: !!current,
  });
  const label = `Proposed changes to the current text (revision ${current?.number ?? '?'})`;
  return (
    <>
      {diff.isPending ? (
        <p role="status">Comparing with the current text…</p>
      ) : diff.isError ? (
        <Notice kind="error">{apiError(diff.error).message}</Notice>
      ) : (
        <RevisionChanges diff={diff.data} label={label} />
      )}
      <details>
        <summary>The whole proposed text</summary>
        <p className="narrative untrusted proposed">{text}</p>
      </details>
    </>
  );
}

function CommentForm({ id, current }: { id: string; current: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateStatements();
  const [comment, setComment] = useState('');
  // An amendment starts from the current text; left as it is, the comment proposes nothing.
  const [proposed, setProposed] = useState(current);
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited) setProposed(current);
  }, [current, edited]);
  const m = useMutation(
    trpc.statements.comment.mutationOptions({
      onSuccess: () => {
        setComment('');
        setProposed(current);
        setEdited(false);
        void invalidate();
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) return;
    const amended = proposed.trim() && proposed.trim() !== current.trim() ? proposed.trim() : undefined;
    m.mutate({ id, comment: comment.trim(), ...(amended && { proposedText: amended }) });
  };
  return (
    <form className="subform" onSubmit={submit} aria-labelledby="comment-form-title">
      <h3 id="comment-form-title">Comment</h3>
      <label htmlFor="comment-text">Comment</label>
      <textarea id="comment-text" rows={3} required value={comment} onChange={(e) => setComment(e.target.value)} />
      <label htmlFor="comment-proposed">
        Proposed text (optional: edit the current text as you would have it; left unchanged, nothing is proposed)
      </label>
      <textarea
        id="comment-proposed"
        rows={6}
        value={proposed}
        onChange={(e) => {
          setEdited(true);
          setProposed(e.target.value);
        }}
      />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Send the comment
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Comment signed and sent.</Notice>}
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

// ------------------------------------------------------ originator actions

function OriginatorActions({ s }: { s: StatementState }) {
  const latest = s.revisions[s.revisions.length - 1];
  return (
    <section className="card stack-tight" aria-labelledby="originator-title">
      <h2 id="originator-title">Your city’s actions</h2>
      {!s.final && latest && <ReviseForm id={s.id} text={latest.text} signOnOpen={!!s.signOn} />}
      {!s.final && <SignOnForm id={s.id} reopen={!!s.signOn} />}
      {!s.final && s.signOn && <FinalizeButton s={s} />}
      {s.final && <DeliveryForm id={s.id} addressees={s.addressees} />}
    </section>
  );
}

function ReviseForm({ id, text: initial, signOnOpen }: { id: string; text: string; signOnOpen: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateStatements();
  const [text, setText] = useState(initial);
  useEffect(() => setText(initial), [initial]);
  const m = useMutation(trpc.statements.revise.mutationOptions({ onSuccess: () => invalidate() }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) m.mutate({ id, text: text.trim() });
  };
  return (
    <form className="subform" onSubmit={submit} aria-labelledby="revise-title">
      <h3 id="revise-title">Revise the text</h3>
      {signOnOpen && (
        <p className="help">Sign-on is open: a new text has a new hash, and cities that signed must sign again.</p>
      )}
      <label htmlFor="revise-text">New text</label>
      <textarea id="revise-text" rows={8} required value={text} onChange={(e) => setText(e.target.value)} />
      <div className="actions">
        <button type="submit" disabled={m.isPending || text.trim() === initial.trim()}>
          Publish the revision
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Revision signed and sent.</Notice>}
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

function SignOnForm({ id, reopen }: { id: string; reopen: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateStatements();
  const [deadline, setDeadline] = useState(() => isoToLocalInput(new Date(Date.now() + 7 * 86_400_000).toISOString()));
  const [error, setError] = useState('');
  const m = useMutation(trpc.statements.openSignOn.mutationOptions({ onSuccess: () => invalidate() }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const iso = localInputToIso(deadline);
    if (!iso || Date.parse(iso) <= Date.now()) {
      setError('Choose a deadline in the future.');
      return;
    }
    setError('');
    m.mutate({ id, deadline: iso });
  };
  return (
    <form className="subform" onSubmit={submit} aria-labelledby="signon-title" noValidate>
      <h3 id="signon-title">{reopen ? 'Open a new sign-on' : 'Open sign-on'}</h3>
      <p className="help">Freezes the current text; mayors can sign it until the deadline.</p>
      <label htmlFor="signon-deadline">Deadline</label>
      <input
        id="signon-deadline"
        type="datetime-local"
        value={deadline}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'signon-deadline-error' : undefined}
        onChange={(e) => setDeadline(e.target.value)}
      />
      {error && (
        <p className="field-error" id="signon-deadline-error">
          ⚠ {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Open sign-on
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Sign-on opened.</Notice>}
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

function FinalizeButton({ s }: { s: StatementState }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateStatements();
  const m = useMutation(trpc.statements.finalize.mutationOptions({ onSuccess: () => invalidate() }));
  const signed = s.signers.filter((x) => x.status === 'signed').length;
  return (
    <div className="subform">
      <h3>Finalize</h3>
      <p className="help">Closes the sign-on and issues the final document with every counted signature.</p>
      <Confirmed
        label="Finalize the statement"
        consequence={`This closes the sign-on now and issues the final document with the ${signed} ${signed === 1 ? 'signature' : 'signatures'} counted so far, sent to every city taking part. Cities that have not signed can only be added later as an addendum; the text can no longer change.`}
        confirm="Yes, finalize it now"
        pending={m.isPending}
        onConfirm={() => m.mutate({ id: s.id })}
      />
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </div>
  );
}

const METHODS = ['email', 'mail', 'hand', 'portal', 'other'] as const;
type Method = (typeof METHODS)[number];

function DeliveryForm({ id, addressees }: { id: string; addressees: string[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateStatements();
  const [to, setTo] = useState(addressees[0] ?? '');
  const [method, setMethod] = useState<Method>('email');
  const [at, setAt] = useState(() => isoToLocalInput(new Date().toISOString()));
  const m = useMutation(trpc.statements.recordDelivery.mutationOptions({ onSuccess: () => invalidate() }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const deliveredAt = localInputToIso(at);
    if (to.trim() && deliveredAt) m.mutate({ id, to: to.trim(), method, deliveredAt });
  };
  return (
    <form className="subform" onSubmit={submit} aria-labelledby="delivery-title">
      <h3 id="delivery-title">Record a delivery</h3>
      <label htmlFor="delivery-to">Delivered to</label>
      <input id="delivery-to" required value={to} maxLength={300} onChange={(e) => setTo(e.target.value)} />
      <label htmlFor="delivery-method">Method</label>
      <select id="delivery-method" value={method} onChange={(e) => setMethod(e.target.value as Method)}>
        {METHODS.map((x) => (
          <option key={x} value={x}>
            {humanize(x)}
          </option>
        ))}
      </select>
      <label htmlFor="delivery-at">Delivered at</label>
      <input id="delivery-at" type="datetime-local" required value={at} onChange={(e) => setAt(e.target.value)} />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Record the delivery
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Delivery recorded.</Notice>}
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

// ----------------------------------------------------------------- final

/** A same-origin Blob URL for a download, revoked when the link goes away. */
function useBlobUrl(content: string | undefined, type: string): string | undefined {
  const url = useMemo(
    () => (content === undefined ? undefined : URL.createObjectURL(new Blob([content], { type }))),
    [content, type],
  );
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  return url;
}

function FinalDownloads({ s }: { s: StatementState }) {
  const session = useSession();
  const trpc = useTRPC();
  const exp = useQuery(trpc.statements.export.queryOptions({ id: s.id }));
  const jws = useBlobUrl(exp.data && JSON.stringify(exp.data.document, null, 2), 'application/jose+json');
  const bundle = useBlobUrl(exp.data && JSON.stringify(exp.data.bundle, null, 2), 'application/json');
  const html = useBlobUrl(exp.data?.html, 'text/html');
  return (
    <section className="card stack-tight" aria-labelledby="final-title">
      <h2 id="final-title">Final document</h2>
      {s.final && (
        <p>
          Issued {formatTime(s.final.created)} with {s.final.verified.length} verified signature
          {s.final.verified.length === 1 ? '' : 's'}. Text hash <code className="break">{s.final.textHash}</code>
        </p>
      )}
      {s.final && s.signOn?.text && (
        <ExportButtons
          document={() => statementDocument(s, session.nodeName)}
          filename={`citylink-statement-${s.id.slice(0, 12)}.pdf`}
        />
      )}
      {s.final && s.final.unverified.length > 0 && (
        <Notice kind="error">
          {s.final.unverified.length} entr{s.final.unverified.length === 1 ? 'y' : 'ies'} of the document do not verify
          here; they are not shown and not printed.
        </Notice>
      )}
      {exp.isPending ? (
        <p role="status">Preparing the downloads…</p>
      ) : exp.isError ? (
        <Notice kind="error">{apiError(exp.error).message}</Notice>
      ) : (
        <ul className="plain">
          <li>
            <a href={jws} download="statement.jws.json">
              Download the signed document (General JWS)
            </a>
          </li>
          <li>
            <a href={bundle} download="statement-bundle.json">
              Download the verification bundle (JSON)
            </a>
          </li>
          <li>
            <a href={html} download="statement.html">
              Download the printable page (HTML)
            </a>
          </li>
        </ul>
      )}
      {s.deliveries.length > 0 && (
        <>
          <h3>Deliveries</h3>
          <ul className="plain">
            {s.deliveries.map((d) => (
              <li key={d.id}>
                <span className="untrusted">{d.to}</span> · {humanize(d.method)} · {formatTime(d.deliveredAt)}
                {d.note && <span className="untrusted"> — {d.note}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {s.final && s.final.withdrawnAfterFinal.length > 0 && (
        <Notice>
          {s.final.withdrawnAfterFinal.length === 1
            ? '1 signature was'
            : `${s.final.withdrawnAfterFinal.length} signatures were`}{' '}
          withdrawn after the final; the delivered document stays as sent.
        </Notice>
      )}
    </section>
  );
}
