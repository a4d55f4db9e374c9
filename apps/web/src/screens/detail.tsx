import { BULLETIN_STATUSES, type SignedObject } from '@citylink/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { NotAvailable, Notice } from '../components/fields';
import { ExportButtons, usePrintMarking } from '../components/print';
import { TlpLabel } from '../components/tlp';
import { escalationLine } from '../election/escalation-queue';
import { apiError, type ObjectDetail, useTRPC } from '../lib/api';
import {
  categoryHelp,
  categoryLabel,
  formatAgo,
  formatTime,
  functionalHelp,
  humanize,
  informationHelp,
  KIND_LABELS,
  STATUS_HELP,
  severityHelp,
  sizeLabel,
  topicLabel,
  vectorHelp,
} from '../lib/format';
import { bulletinDocument } from '../lib/pdf-content';
import { Link } from '../lib/router';
import { type Session, useSession } from '../lib/session';

type Related = ObjectDetail['related'][number];
type Delivery = ObjectDetail['deliveries'][number];

export function DetailScreen({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.staff.object.queryOptions({ id }),
    // Deliveries still queued change without a log event here; look again while any is pending.
    refetchInterval: (query) => (query.state.data?.deliveries.some((d) => d.outcome === 'pending') ? 3_000 : false),
  });
  if (q.isPending) return <p role="status">Loading…</p>;
  if (q.isError) {
    const e = apiError(q.error);
    return (
      <NotAvailable
        message={e.code === 'NOT_FOUND' ? 'This object does not exist here, or it is not shared with you.' : e.message}
      />
    );
  }
  return <ObjectView detail={q.data} />;
}

export function ObjectView({ detail }: { detail: ObjectDetail }) {
  const session = useSession();
  const o = detail.object;
  const own = detail.origin === session.node.node;
  const related = [...detail.related].sort((a, b) => a.created.localeCompare(b.created));
  const statuses = related.filter((r) => r.kind === 'bulletin-status');
  const retraction = related.find((r) => r.kind === 'retraction' && r.origin === detail.origin);
  const acks = related.filter((r) => r.kind === 'acknowledgement');
  const endorsements = related.filter((r) => r.kind === 'endorsement');
  const newer = detail.item?.supersededBy ?? null;
  const title = 'title' in o.body ? String(o.body.title) : (KIND_LABELS[o.kind] ?? o.kind);
  usePrintMarking(detail.tlp);

  return (
    <article className="stack detail" aria-labelledby="page-title">
      <header className="stack-tight">
        <p className="kicker">
          <TlpLabel tlp={detail.tlp} /> <span className="tag">{KIND_LABELS[o.kind] ?? o.kind}</span>
          {detail.item?.status && <StatusBadge status={detail.item.status} />}
          {detail.item?.retracted && <span className="tag tag-warn">Retracted</span>}
        </p>
        <h1 id="page-title" tabIndex={-1} className="untrusted">
          {title}
        </h1>
        <p className="muted">
          From <strong>{session.nodeName(detail.origin)}</strong> ({detail.origin}) · {formatTime(detail.created)}
        </p>
        {(o.kind === 'bulletin' || o.kind === 'note') && (
          <ExportButtons
            document={() => bulletinDocument(detail, session.nodeName)}
            filename={`citylink-${o.kind}-${detail.id.slice(0, 12)}.pdf`}
          />
        )}
      </header>

      {retraction && (
        <Notice kind="error">
          Retracted by {session.nodeName(retraction.origin)} on {formatTime(retraction.created)}:{' '}
          <span className="untrusted">{bodyField(retraction.object, 'reason')}</span>
        </Notice>
      )}
      {newer && (
        <Notice>
          A newer version replaces this one: <Link to={`/objects/${newer}`}>open the current version</Link>.
        </Notice>
      )}
      {'supersedes' in o.body && o.body.supersedes && (
        <p>
          This is a corrected version of <Link to={`/objects/${o.body.supersedes}`}>an earlier report</Link>.
        </p>
      )}

      <StatusSummary statuses={statuses} session={session} />

      <Body object={o} />

      <Provenance detail={detail} session={session} />

      {(o.kind === 'bulletin' || statuses.length > 0) && (
        <section className="card" aria-labelledby="status-history">
          <h2 id="status-history">Status history</h2>
          <ol className="timeline">
            <li>
              Published by {session.nodeName(detail.origin)} · {formatTime(detail.created)}
            </li>
            {statuses.map((s) => (
              <li key={s.id}>
                <StatusLine r={s} session={session} />
              </li>
            ))}
            {detail.escalations?.map((e) => (
              <li key={`${e.kind}-${e.at}`}>{escalationLine(e)}</li>
            ))}
          </ol>
        </section>
      )}

      {o.kind === 'bulletin' && (
        <section className="card" aria-labelledby="acks-title">
          <h2 id="acks-title">Acknowledgements from other cities</h2>
          {acks.length === 0 ? (
            <p className="muted">No acknowledgements yet.</p>
          ) : (
            <ul className="plain">
              {acks.map((a) => (
                <li key={a.id}>
                  <strong>{session.nodeName(a.origin)}</strong>:{' '}
                  {bodyField(a.object, 'seenHere') === 'true' ? '“Seen it here too”' : 'acknowledged'} ·{' '}
                  {formatTime(a.created)}
                  {bodyField(a.object, 'comment') && (
                    <span className="untrusted"> — {bodyField(a.object, 'comment')}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {o.kind === 'note' && (
        <section className="card" aria-labelledby="endorse-title">
          <h2 id="endorse-title">Endorsements ({endorsements.length})</h2>
          {endorsements.length === 0 ? (
            <p className="muted">Nobody has endorsed this note yet.</p>
          ) : (
            <ul className="plain">
              {endorsements.map((a) => (
                <li key={a.id}>
                  <strong>{session.nodeName(a.origin)}</strong>: “worked for us too” · {formatTime(a.created)}
                  {bodyField(a.object, 'comment') && (
                    <span className="untrusted"> — {bodyField(a.object, 'comment')}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {own && detail.deliveries.length > 0 && (
        <Deliveries
          deliveries={detail.deliveries}
          session={session}
          wholeNetwork={detail.audience.includes('*')}
          relayReportAvailable={detail.relayReportAvailable}
        />
      )}
      {own && detail.deliveries.length === 0 && (o.kind === 'bulletin' || o.kind === 'note') && (
        <section className="card">
          <h2>Delivery</h2>
          <p className="muted">This object was not addressed to any other node.</p>
        </section>
      )}

      <Actions detail={detail} />
    </article>
  );
}

function bodyField(o: SignedObject, key: string): string {
  const v = (o.body as Record<string, unknown>)[key];
  return v === undefined || v === null ? '' : String(v);
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`tag status status-${status}`} title={STATUS_HELP[status as keyof typeof STATUS_HELP]}>
      Status: {humanize(status)}
    </span>
  );
}

function by(session: Session, node: string) {
  return node === session.node.hub ? `the hub (${session.nodeName(node)})` : session.nodeName(node);
}

function StatusLine({ r, session }: { r: Related; session: Session }) {
  const status = bodyField(r.object, 'status');
  const note = bodyField(r.object, 'note');
  const dup = bodyField(r.object, 'duplicateOf');
  return (
    <>
      <strong>{capitalize(humanize(status))}</strong> by {by(session, r.origin)} · {formatTime(r.created)}
      {dup && (
        <>
          {' '}
          — duplicate of <Link to={`/objects/${dup}`}>another report</Link>
        </>
      )}
      {note && <span className="untrusted"> — {note}</span>}
    </>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function StatusSummary({ statuses, session }: { statuses: Related[]; session: Session }) {
  const latest = statuses[statuses.length - 1];
  const hubAck = statuses.filter((s) => s.origin === session.node.hub).pop();
  if (!latest) return null;
  return (
    <p className="status-summary" role="status">
      {hubAck && (
        <>
          <strong>{capitalize(humanize(bodyField(hubAck.object, 'status')))} by the hub</strong> (
          {formatAgo(hubAck.created)}).{' '}
        </>
      )}
      Latest: {humanize(bodyField(latest.object, 'status'))} by {by(session, latest.origin)}.
    </p>
  );
}

function Body({ object: o }: { object: SignedObject }) {
  if (o.kind === 'bulletin') {
    const b = o.body;
    return (
      <>
        <section className="card" aria-labelledby="narrative-title">
          <h2 id="narrative-title">What happened</h2>
          <p className="narrative untrusted">{b.narrative}</p>
        </section>
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Facts</h2>
          <dl className="facts">
            <dt>Category</dt>
            <dd>
              {categoryLabel(b.category)}
              {categoryHelp(b.category) && <span className="muted"> — {categoryHelp(b.category)}</span>}
            </dd>
            <dt>Severity</dt>
            <dd>
              {humanize(b.severity)} <span className="muted">— {severityHelp(b.severity)}</span>
            </dd>
            {b.observedAt && (
              <>
                <dt>Observed</dt>
                <dd>{formatTime(b.observedAt)}</dd>
              </>
            )}
            {b.detectedAt && (
              <>
                <dt>Detected</dt>
                <dd>{formatTime(b.detectedAt)}</dd>
              </>
            )}
            {b.location && (
              <>
                <dt>Location</dt>
                <dd className="untrusted">
                  {b.location.description}
                  {b.location.county && `, ${b.location.county} County`}
                  {b.location.precinct && `, precinct ${b.location.precinct}`}
                </dd>
              </>
            )}
            {b.attackVector && (
              <>
                <dt>Attack vector</dt>
                <dd>
                  {humanize(b.attackVector)} <span className="muted">— {vectorHelp(b.attackVector)}</span>
                </dd>
              </>
            )}
            {b.affectedAsset && (
              <>
                <dt>Affected asset</dt>
                <dd className="untrusted">{b.affectedAsset}</dd>
              </>
            )}
            {b.functionalImpact && (
              <>
                <dt>Functional impact</dt>
                <dd>
                  {humanize(b.functionalImpact)} <span className="muted">— {functionalHelp(b.functionalImpact)}</span>
                </dd>
              </>
            )}
            {b.informationImpact && (
              <>
                <dt>Information impact</dt>
                <dd>
                  {humanize(b.informationImpact)}{' '}
                  <span className="muted">— {informationHelp(b.informationImpact)}</span>
                </dd>
              </>
            )}
            {b.affected && (
              <>
                <dt>Affected</dt>
                <dd>
                  {[
                    b.affected.voters !== undefined && `${b.affected.voters} voters`,
                    b.affected.staff !== undefined && `${b.affected.staff} staff`,
                    b.affected.devices !== undefined && `${b.affected.devices} devices`,
                  ]
                    .filter(Boolean)
                    .join(', ')}
                </dd>
              </>
            )}
            {b.contact && (
              <>
                <dt>Point of contact</dt>
                <dd className="untrusted">
                  {[b.contact.name, b.contact.role, b.contact.email, b.contact.phone].filter(Boolean).join(' · ')}
                </dd>
              </>
            )}
            {b.informed && b.informed.length > 0 && (
              <>
                <dt>Also informed</dt>
                <dd className="untrusted">{b.informed.join(', ')}</dd>
              </>
            )}
          </dl>
          {b.related && b.related.length > 0 && (
            <>
              <h3>Related reports</h3>
              <ul className="plain">
                {b.related.map((r) => (
                  <li key={r}>
                    <Link to={`/objects/${r}`}>
                      <code>{r.slice(0, 12)}…</code>
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        {b.indicators && b.indicators.length > 0 && (
          <section className="card" aria-labelledby="ind-title">
            <h2 id="ind-title">Indicators</h2>
            <p className="help">Shown as inert text. Copy them into your tools; do not open them in a browser.</p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Value</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {b.indicators.map((i, n) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: indicators may repeat; order is their identity
                  <tr key={n}>
                    <td>{humanize(i.type)}</td>
                    <td>
                      <code className="indicator untrusted">{i.value}</code>
                    </td>
                    <td className="untrusted">{i.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </>
    );
  }
  if (o.kind === 'note') {
    const b = o.body;
    return (
      <section className="card stack-tight" aria-labelledby="note-title">
        <h2 id="note-title">The practice</h2>
        <dl className="facts">
          <dt>Topic</dt>
          <dd>{topicLabel(b.topic)}</dd>
          <dt>Jurisdiction size</dt>
          <dd>{sizeLabel(b.jurisdictionSize)}</dd>
          {b.cost && (
            <>
              <dt>Cost</dt>
              <dd className="untrusted">{b.cost}</dd>
            </>
          )}
          {b.staff && (
            <>
              <dt>Staff</dt>
              <dd className="untrusted">{b.staff}</dd>
            </>
          )}
        </dl>
        <h3>The problem</h3>
        <p className="narrative untrusted">{b.problem}</p>
        <h3>What worked</h3>
        <p className="narrative untrusted">{b.whatWorked}</p>
        {b.whatDidNot && (
          <>
            <h3>What did not work</h3>
            <p className="narrative untrusted">{b.whatDidNot}</p>
          </>
        )}
      </section>
    );
  }
  if (o.kind === 'posture') {
    return (
      <section className="card">
        <h2>Statewide posture: {humanize(o.body.level)}</h2>
        {o.body.advisory && (
          <>
            <h3 className="untrusted">{o.body.advisory.title}</h3>
            <p className="narrative untrusted">{o.body.advisory.text}</p>
          </>
        )}
      </section>
    );
  }
  const target = bodyField(o, 'target');
  return (
    <section className="card">
      <h2>{KIND_LABELS[o.kind] ?? o.kind}</h2>
      {target && (
        <p>
          About <Link to={`/objects/${target}`}>this object</Link>.
        </p>
      )}
      <dl className="facts">
        {Object.entries(o.body as Record<string, unknown>)
          .filter(([k]) => k !== 'target')
          .map(([k, v]) => (
            <div key={k} className="fact-row">
              <dt>{humanize(k)}</dt>
              <dd className="untrusted">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}

function Provenance({ detail, session }: { detail: ObjectDetail; session: Session }) {
  const local = detail.receivedFrom === 'local';
  return (
    <section className="card" aria-labelledby="prov-title">
      <h2 id="prov-title">Signature and origin</h2>
      <p className="verified">
        <span aria-hidden="true">✔ </span>
        <strong>Signature verified by this node on receipt</strong> with the key of {session.nodeName(detail.origin)}.
      </p>
      {detail.unconfirmed && (
        <p className="notice notice-info" role="status">
          <strong>Not yet confirmed:</strong> this node took it after a restart while it could not reach the hub, so the
          sender's key is checked again when the hub's roster arrives.
        </p>
      )}
      <dl className="facts">
        <dt>Origin</dt>
        <dd>
          {session.nodeName(detail.origin)} ({detail.origin})
        </dd>
        <dt>Key fingerprint (kid)</dt>
        <dd>
          <code className="break">{detail.kid}</code>
        </dd>
        <dt>Signed at</dt>
        <dd>{formatTime(detail.created)}</dd>
        <dt>{local ? 'Stored' : 'Received'}</dt>
        <dd>
          {formatTime(detail.receivedAt)}
          {local ? ' (written here)' : ` from ${session.nodeName(detail.receivedFrom)}`}
        </dd>
        <dt>Object id</dt>
        <dd>
          <code className="break">{detail.id}</code>
        </dd>
        <dt>Shared with</dt>
        <dd>
          <TlpLabel tlp={detail.tlp} />{' '}
          {detail.audience.includes('*')
            ? 'the whole network'
            : detail.audience.map((n) => session.nodeName(n)).join(', ') || 'nobody else'}
          {detail.recipients && (
            <> — only {detail.recipients.map((r) => `${r.user} at ${session.nodeName(r.node)}`).join(', ')}</>
          )}
        </dd>
      </dl>
      <details>
        <summary>Signed object (JWS)</summary>
        <pre className="jws">{detail.jws}</pre>
      </details>
    </section>
  );
}

export function deliveryState(d: Delivery): { label: string; detail: string } {
  switch (d.outcome) {
    case 'accepted':
      return { label: 'Delivered', detail: d.deliveredAt ? `at ${formatTime(d.deliveredAt)}` : '' };
    case 'duplicate':
      return { label: 'Delivered', detail: 'it already had it (received through another node)' };
    case 'rejected':
      return { label: 'Rejected', detail: `reason: ${d.reason ?? 'not given'}` };
    default:
      return {
        label: 'Queued',
        detail: `next retry ${d.nextAttemptAt ? formatAgo(d.nextAttemptAt) : 'soon'}${d.attempts ? `, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'} so far` : ''}${d.lastError ? `; last error: ${d.lastError}` : ''}`,
      };
  }
}

function Deliveries(props: {
  deliveries: Delivery[];
  session: Session;
  wholeNetwork: boolean;
  relayReportAvailable: boolean;
}) {
  const { deliveries, session } = props;
  return (
    <section className="card" aria-labelledby="deliv-title">
      <h2 id="deliv-title">Delivery to each recipient</h2>
      {props.wholeNetwork && session.node.role === 'hub' && (
        <p className="help">Shared with the whole network: the state hub (this node) delivers it to every member.</p>
      )}
      {props.wholeNetwork && session.node.role !== 'hub' && (
        <p className="help">
          Shared with the whole network: this node delivers it to the state hub, and the hub passes it on to every
          member (rows marked “via the state hub”).
        </p>
      )}
      {props.wholeNetwork && !props.relayReportAvailable && (
        <p className="help">The state hub could not be asked just now how its onward delivery went.</p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">State</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => {
            const s = deliveryState(d);
            return (
              <tr key={`${d.via ?? 'direct'}:${d.recipient}`} data-recipient={d.recipient}>
                <td>
                  {session.nodeName(d.recipient)}
                  {d.via === 'hub' && <span className="help"> (via the state hub)</span>}
                </td>
                <td>
                  <span className={`tag delivery-${s.label.toLowerCase()}`}>{s.label}</span>
                </td>
                <td className="untrusted">{s.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The actions the node says this person may take (`can`); the console does not re-derive them. */
function Actions({ detail }: { detail: ObjectDetail }) {
  const kind = detail.kind;
  const {
    setStatus: canStatus,
    acknowledge: canAck,
    endorse: canEndorse,
    retract: canRetract,
    correct: canCorrect,
  } = detail.can;
  if (!canStatus && !canAck && !canEndorse && !canRetract && !canCorrect) return null;
  return (
    <section className="card stack" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      {canAck && <AcknowledgeForm target={detail.id} />}
      {canEndorse && <EndorseForm target={detail.id} />}
      {canStatus && <StatusForm target={detail.id} current={detail.item?.status ?? 'published'} />}
      {canCorrect && (
        <p>
          <Link
            className="button secondary"
            to={kind === 'bulletin' ? `/report?supersedes=${detail.id}` : `/library/new?supersedes=${detail.id}`}
          >
            Publish a correction
          </Link>
        </p>
      )}
      {canRetract && <RetractForm target={detail.id} />}
    </section>
  );
}

function useInvalidateObject(id: string) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: trpc.staff.object.queryKey({ id }) });
    void qc.invalidateQueries({ queryKey: trpc.staff.feed.pathKey() });
  };
}

function AcknowledgeForm({ target }: { target: string }) {
  const trpc = useTRPC();
  const done = useInvalidateObject(target);
  const [seenHere, setSeenHere] = useState(true);
  const [comment, setComment] = useState('');
  const m = useMutation(trpc.staff.acknowledge.mutationOptions({ onSuccess: done }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate({ target, seenHere, ...(comment.trim() && { comment: comment.trim() }) });
  };
  return (
    <form className="subform" onSubmit={submit} aria-labelledby="ack-title">
      <h3 id="ack-title">Seen it here too</h3>
      <p className="help">
        Tells the author (and everyone who may read the report) that your city has read it; once per city.
      </p>
      <label className="choice">
        <input type="checkbox" checked={seenHere} onChange={(e) => setSeenHere(e.target.checked)} />
        We saw the same thing here
      </label>
      <label>
        Comment (optional)
        <textarea rows={2} value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
      </label>
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Send “seen it here too”
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Signed and sent: your city has acknowledged this report.</Notice>}
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

function EndorseForm({ target }: { target: string }) {
  const trpc = useTRPC();
  const done = useInvalidateObject(target);
  const [comment, setComment] = useState('');
  const m = useMutation(trpc.staff.endorse.mutationOptions({ onSuccess: done }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate({ target, ...(comment.trim() && { comment: comment.trim() }) });
  };
  return (
    <form className="subform" onSubmit={submit} aria-labelledby="endorse-form-title">
      <h3 id="endorse-form-title">Endorse: “worked for us too”</h3>
      <label>
        Notes (optional)
        <textarea rows={2} value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} />
      </label>
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Endorse
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Endorsement signed and sent.</Notice>}
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

const SETTABLE = BULLETIN_STATUSES.filter((s) => s !== 'published');
type Settable = (typeof SETTABLE)[number];

export function StatusForm({ target, current, hub }: { target: string; current: string; hub?: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const done = useInvalidateObject(target);
  const [status, setStatus] = useState<Settable>(current === 'published' ? 'acknowledged' : 'investigating');
  const [note, setNote] = useState('');
  const [duplicateOf, setDuplicateOf] = useState('');
  const onSuccess = () => {
    done();
    void qc.invalidateQueries({ queryKey: trpc.hub.pathKey() });
  };
  const staff = useMutation(trpc.staff.updateStatus.mutationOptions({ onSuccess }));
  const triage = useMutation(trpc.hub.triage.mutationOptions({ onSuccess }));
  const m = hub ? triage : staff;
  const formId = `status-${target.slice(0, 8)}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = {
      target,
      status,
      ...(note.trim() && { note: note.trim() }),
      ...(status === 'duplicate' && { duplicateOf: duplicateOf.trim() }),
    };
    if (hub) triage.mutate(input);
    else staff.mutate(input);
  };
  const dupError = m.isError
    ? apiError(m.error).issues.find((i) => i.path.includes('duplicateOf'))?.message
    : undefined;
  return (
    <form className="subform" onSubmit={submit} aria-labelledby={`${formId}-title`}>
      <h3 id={`${formId}-title`}>Change the status</h3>
      <p className="muted">Now: {humanize(current)}</p>
      <label htmlFor={`${formId}-select`}>New status</label>
      <select id={`${formId}-select`} value={status} onChange={(e) => setStatus(e.target.value as Settable)}>
        {SETTABLE.map((s) => (
          <option key={s} value={s}>
            {humanize(s)} — {STATUS_HELP[s]}
          </option>
        ))}
      </select>
      {status === 'duplicate' && (
        <>
          <label htmlFor={`${formId}-dup`}>Duplicate of (object id of the original report)</label>
          <input
            id={`${formId}-dup`}
            value={duplicateOf}
            spellCheck={false}
            aria-invalid={dupError ? true : undefined}
            onChange={(e) => setDuplicateOf(e.target.value)}
          />
          {dupError && <p className="field-error">⚠ {dupError}</p>}
        </>
      )}
      <label htmlFor={`${formId}-note`}>Note (optional)</label>
      <textarea
        id={`${formId}-note`}
        rows={2}
        value={note}
        maxLength={5000}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={m.isPending}>
          Set status
        </button>
      </div>
      {m.isSuccess && <Notice kind="success">Status signed and sent.</Notice>}
      {m.isError && !dupError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}

function RetractForm({ target }: { target: string }) {
  const trpc = useTRPC();
  const done = useInvalidateObject(target);
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const m = useMutation(trpc.staff.retract.mutationOptions({ onSuccess: done }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('Say why you retract it; everyone who received it will see the reason.');
      return;
    }
    setError('');
    m.mutate({ target, reason: reason.trim() });
  };
  return (
    <form className="subform danger" onSubmit={submit} aria-labelledby="retract-title" noValidate>
      <h3 id="retract-title">Retract</h3>
      <p className="help">A signed retraction goes to everyone who received this. It cannot be undone.</p>
      <label htmlFor="retract-reason">Reason</label>
      <textarea
        id="retract-reason"
        rows={2}
        value={reason}
        maxLength={2000}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'retract-reason-error' : undefined}
        onChange={(e) => setReason(e.target.value)}
      />
      {error && (
        <p className="field-error" id="retract-reason-error">
          ⚠ {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="danger" disabled={m.isPending}>
          Retract
        </button>
      </div>
      {m.isError && <Notice kind="error">{apiError(m.error).message}</Notice>}
    </form>
  );
}
