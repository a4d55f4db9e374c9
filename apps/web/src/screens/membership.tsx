import type { Member as ProtocolMember } from '@citylink/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Notice } from '../components/fields';
import { apiError, type RouterOutputs, useTRPC } from '../lib/api';
import { formatAgo, formatTime, humanize } from '../lib/format';
import { HubNav } from './hub-nav';

export type Enrollment = RouterOutputs['hub']['enrollments'][number];
type Member = RouterOutputs['hub']['network'][number];
type MemberStatus = ProtocolMember['status'];

/** Hub officials decide who is in the network: enrollment requests, then each member's status and URL. */
export function MembershipScreen() {
  return (
    <div className="stack">
      <h1 id="page-title" tabIndex={-1}>
        Membership
      </h1>
      <HubNav />
      <EnrollmentQueue />
      <MemberList />
    </div>
  );
}

/** Pending requests first; otherwise as the server sends them (newest first). */
export function sortEnrollments(list: Enrollment[]): Enrollment[] {
  return [...list].sort((a, b) => Number(b.status === 'pending') - Number(a.status === 'pending'));
}

export function EnrollmentQueue() {
  const trpc = useTRPC();
  const q = useQuery(trpc.hub.enrollments.queryOptions());
  const list = sortEnrollments(q.data ?? []);
  const pending = list.filter((e) => e.status === 'pending').length;
  return (
    <section className="card stack-tight" aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enrollment requests ({pending} waiting)</h2>
      <p className="muted">
        Before approving, compare the key fingerprint below with the one the city gave you out of band (by phone or in
        person). Approving adds the city to the signed roster.
      </p>
      {q.isPending && <p role="status">Loading enrollment requests…</p>}
      {q.isError && <Notice kind="error">{apiError(q.error).message}</Notice>}
      {q.data && list.length === 0 && <p className="muted">No enrollment requests.</p>}
      {list.length > 0 && (
        <ul className="board-list enrollments">
          {list.map((e) => (
            <EnrollmentItem key={e.id} e={e} />
          ))}
        </ul>
      )}
    </section>
  );
}

function EnrollmentItem({ e }: { e: Enrollment }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const id = useId();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.hub.pathKey() });
    void qc.invalidateQueries({ queryKey: trpc.staff.roster.queryKey() });
  };
  const approve = useMutation(trpc.hub.approveEnrollment.mutationOptions({ onSuccess: refresh }));
  const reject = useMutation(trpc.hub.rejectEnrollment.mutationOptions({ onSuccess: refresh }));
  const busy = approve.isPending || reject.isPending;
  const submitReject = (ev: FormEvent) => {
    ev.preventDefault();
    if (!reason.trim()) {
      setReasonError('Give a reason: the city is told why it was refused.');
      return;
    }
    setReasonError('');
    reject.mutate({ id: e.id, reason: reason.trim() });
  };
  return (
    <li className="board-item" data-enrollment={e.id}>
      <h3>
        <span className="untrusted">{e.name}</span> <span className="tag">{humanize(e.status)}</span>
        {e.competing > 0 && (
          <>
            {' '}
            <span className="tag tag-warn" data-testid="competing">
              {e.competing} competing {e.competing === 1 ? 'request' : 'requests'}
            </span>
          </>
        )}
      </h3>
      {e.competing > 0 && (
        <p className="muted">
          Other requests ask for the same node id <code>{e.node}</code>: approve at most one, the one whose key
          fingerprint the city confirmed.
        </p>
      )}
      <dl className="facts">
        <dt>Node id</dt>
        <dd>
          <code>{e.node}</code>
        </dd>
        <dt>URL</dt>
        <dd className="untrusted">{e.baseUrl}</dd>
        <dt>Contact</dt>
        <dd className="untrusted">{e.contact}</dd>
        <dt>Key fingerprint (kid)</dt>
        <dd>
          <code className="fingerprint" data-testid="kid">
            {e.kid}
          </code>
        </dd>
        <dt>Received</dt>
        <dd title={formatTime(e.receivedAt)}>
          {formatTime(e.receivedAt)} ({formatAgo(e.receivedAt)})
        </dd>
        {e.status === 'expired' && (
          <>
            <dt>Expired</dt>
            <dd>Not decided in time; the city must send a new request.</dd>
          </>
        )}
        {(e.status === 'approved' || e.status === 'rejected') && (
          <>
            <dt>Decided</dt>
            <dd>
              {humanize(e.status)} {e.decidedBy ? `by ${e.decidedBy}` : ''} {formatTime(e.decidedAt)}
              {e.reason && (
                <>
                  {' '}
                  — <span className="untrusted">{e.reason}</span>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      {e.status === 'pending' && (
        <div className="stack-tight">
          <div className="item-actions">
            <button type="button" disabled={busy} onClick={() => approve.mutate({ id: e.id })}>
              Approve<span className="sr-only"> {e.node}</span>
            </button>
            <button
              type="button"
              className="secondary"
              aria-expanded={rejecting}
              disabled={busy}
              onClick={() => setRejecting(!rejecting)}
            >
              Reject…<span className="sr-only"> {e.node}</span>
            </button>
          </div>
          {approve.isError && (
            <p className="field-error" role="alert">
              ⚠ Approving failed: {apiError(approve.error).message}
            </p>
          )}
          {approve.isSuccess && <Notice kind="success">Approved: {e.node} is now in the roster.</Notice>}
          {rejecting && (
            <form className="stack-tight subform" onSubmit={submitReject} noValidate>
              <label htmlFor={`${id}-reason`}>Reason for rejecting {e.node} (required)</label>
              <textarea
                id={`${id}-reason`}
                rows={2}
                maxLength={2000}
                value={reason}
                aria-invalid={reasonError ? true : undefined}
                aria-describedby={reasonError ? `${id}-reason-error` : undefined}
                onChange={(ev) => setReason(ev.target.value)}
              />
              {reasonError && (
                <p className="field-error" id={`${id}-reason-error`}>
                  ⚠ {reasonError}
                </p>
              )}
              <div className="actions">
                <button type="submit" className="danger" disabled={busy}>
                  Reject the request
                </button>
              </div>
              {reject.isError && (
                <p className="field-error" role="alert">
                  ⚠ Rejecting failed: {apiError(reject.error).message}
                </p>
              )}
            </form>
          )}
        </div>
      )}
    </li>
  );
}

function MemberList() {
  const trpc = useTRPC();
  const net = useQuery(trpc.hub.network.queryOptions());
  return (
    <section className="card stack-tight" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <p className="muted">
        Suspending is reversible. Revoking or decommissioning a member stops trusting what it signs from now on; objects
        it signed before stay valid.
      </p>
      {net.isPending && <p role="status">Loading members…</p>}
      {net.isError && <Notice kind="error">{apiError(net.error).message}</Notice>}
      {net.data && (
        <div className="table-scroll">
          <table className="table members">
            <caption>Every member of the network, its status, and what you can do.</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Key age (days)
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {net.data.map((m) => (
                <MemberRow key={m.node} m={m} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const CONFIRM: Partial<Record<MemberStatus, { verb: string; text: string }>> = {
  revoked: {
    verb: 'Revoke',
    text: 'Revoking is meant to be final. From now on the network rejects anything this member signs. Objects it signed before stay valid.',
  },
  decommissioned: {
    verb: 'Decommission',
    text: 'Decommissioning retires the member for good. It stops sending and receiving. Objects it signed before stay valid.',
  },
};

function MemberRow({ m }: { m: Member }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const id = useId();
  const [confirm, setConfirm] = useState<MemberStatus | null>(null);
  const [editUrl, setEditUrl] = useState(false);
  const [url, setUrl] = useState('');
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.hub.pathKey() });
    void qc.invalidateQueries({ queryKey: trpc.staff.roster.queryKey() });
  };
  const status = useMutation(
    trpc.hub.setMemberStatus.mutationOptions({
      onSuccess: () => {
        setConfirm(null);
        refresh();
      },
    }),
  );
  const changeUrl = useMutation(
    trpc.hub.changeMemberUrl.mutationOptions({
      onSuccess: () => {
        setEditUrl(false);
        setUrl('');
        refresh();
      },
    }),
  );
  const set = (s: MemberStatus) => {
    if (CONFIRM[s]) setConfirm(s);
    else status.mutate({ node: m.node, status: s });
  };
  const isHub = m.role === 'hub';
  const final = m.status === 'revoked' || m.status === 'decommissioned';
  const who = <span className="sr-only"> {m.name}</span>;
  return (
    <tr data-member={m.node}>
      <th scope="row">
        {m.name} <span className="muted">({m.node})</span>
        {isHub && <span className="tag">hub</span>}
      </th>
      <td>{humanize(m.status)}</td>
      <td className="num">{m.keyAgeDays}</td>
      <td>
        {isHub ? (
          <span className="muted">The hub itself</span>
        ) : final ? (
          <span className="muted">No further changes</span>
        ) : (
          <div className="stack-tight">
            <div className="item-actions">
              {m.status === 'active' && (
                <button
                  type="button"
                  className="secondary"
                  disabled={status.isPending}
                  onClick={() => set('suspended')}
                >
                  Suspend{who}
                </button>
              )}
              {m.status === 'suspended' && (
                <button type="button" className="secondary" disabled={status.isPending} onClick={() => set('active')}>
                  Reinstate{who}
                </button>
              )}
              <button type="button" className="danger" disabled={status.isPending} onClick={() => set('revoked')}>
                Revoke…{who}
              </button>
              <button
                type="button"
                className="danger"
                disabled={status.isPending}
                onClick={() => set('decommissioned')}
              >
                Decommission…{who}
              </button>
              <button type="button" className="secondary" aria-expanded={editUrl} onClick={() => setEditUrl(!editUrl)}>
                Change URL…{who}
              </button>
            </div>
            {confirm && (
              <ConfirmPanel
                title={`${CONFIRM[confirm]!.verb} ${m.name}?`}
                text={CONFIRM[confirm]!.text}
                verb={`${CONFIRM[confirm]!.verb} ${m.name}`}
                busy={status.isPending}
                onConfirm={() => status.mutate({ node: m.node, status: confirm })}
                onCancel={() => {
                  setConfirm(null);
                  status.reset();
                }}
              />
            )}
            {status.isError && (
              <p className="field-error" role="alert">
                ⚠ {apiError(status.error).message}
              </p>
            )}
            {editUrl && (
              <form
                className="stack-tight"
                noValidate
                onSubmit={(ev) => {
                  ev.preventDefault();
                  changeUrl.mutate({ node: m.node, baseUrl: url.trim() });
                }}
              >
                <label htmlFor={`${id}-url`}>New base URL for {m.name}</label>
                <input
                  id={`${id}-url`}
                  type="url"
                  placeholder="https://citylink.example.gov"
                  value={url}
                  onChange={(ev) => setUrl(ev.target.value)}
                />
                <div className="actions">
                  <button type="submit" disabled={changeUrl.isPending || !url.trim()}>
                    Save the URL
                  </button>
                </div>
                {changeUrl.isError && (
                  <p className="field-error" role="alert">
                    ⚠ {apiError(changeUrl.error).message}
                  </p>
                )}
              </form>
            )}
            {changeUrl.isSuccess && <Notice kind="success">URL changed; the roster was re-signed.</Notice>}
          </div>
        )}
      </td>
    </tr>
  );
}

/** An inline confirmation that takes focus; Escape or Cancel closes it. */
function ConfirmPanel(props: {
  title: string;
  text: string;
  verb: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="confirm subform danger"
      role="alertdialog"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-d`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onCancel();
      }}
    >
      <h3 id={`${id}-t`}>{props.title}</h3>
      <p id={`${id}-d`}>{props.text}</p>
      <div className="actions">
        <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
          {props.verb}
        </button>
        <button type="button" className="secondary" ref={cancel} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
