import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { type RouterOutputs, useTRPC } from '../lib/api';
import { Link } from '../lib/router';

export type Centre = RouterOutputs['notifications']['list'];

const CentreContext = createContext<Centre | undefined>(undefined);
export const useCentre = () => useContext(CentreContext);

const MARKER: Record<string, string> = {
  'signature-awaited': 'Awaiting your signature',
  'ack-overdue': 'Acknowledgement overdue',
  'checkin-overdue': 'Check-in overdue',
  advisory: 'New advisory',
  'statement-invitation': 'Statement invitation',
  comment: 'Comment on your report',
};
export const markerOf = (kind: string) => MARKER[kind] ?? kind;
type EmailKind = RouterOutputs['notifications']['prefs']['emailKinds'][number];

/** Where a notification leads: the statement, the object, or the hub board. */
function hrefOf(n: Centre['items'][number]): string {
  if (n.kind === 'signature-awaited' || n.kind === 'statement-invitation') return `/statements/${n.subject}`;
  if (n.kind === 'checkin-overdue') return '/hub';
  return n.subject ? `/objects/${n.subject}` : '/notifications';
}

/**
 * The account's notification centre, live over the console's WebSocket: the unread
 * count in the tab title, a browser notification for each new entry while the
 * console is open (if the person allowed them).
 */
export function NotificationProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const [centre, setCentre] = useState<Centre | undefined>(undefined);
  const newest = useRef<number | undefined>(undefined);
  useSubscription(
    trpc.notifications.onChange.subscriptionOptions(undefined, {
      onData: (c) => {
        const latest = c.items[0]?.id;
        if (newest.current !== undefined && latest !== undefined && latest > newest.current) {
          for (const n of c.items.filter((i) => i.id > newest.current! && !i.read)) showBrowserNotification(n);
        }
        if (latest !== undefined) newest.current = Math.max(newest.current ?? 0, latest);
        else newest.current ??= 0;
        setCentre(c);
      },
    }),
  );
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = centre?.unread ? `(${centre.unread}) ${base}` : base;
  }, [centre?.unread]);
  return <CentreContext.Provider value={centre}>{children}</CentreContext.Provider>;
}

function showBrowserNotification(n: Centre['items'][number]) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  // The text is what the node wrote for this person: marking, severity and city, no content.
  new Notification(markerOf(n.kind), { body: n.text, tag: `citylink-${n.id}` });
}

/** The nav entry: "Notifications" with the unread count in words for screen readers. */
export function NotificationsNavLink(props: { current: boolean }) {
  const centre = useCentre();
  const unread = centre?.unread ?? 0;
  return (
    <Link to="/notifications" aria-current={props.current ? 'page' : undefined}>
      Notifications
      {unread > 0 && (
        <span className="badge" data-testid="unread-count">
          {' '}
          {unread}
          <span className="sr-only"> unread</span>
        </span>
      )}
    </Link>
  );
}

export function NotificationsScreen() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const live = useCentre();
  const listed = useQuery(trpc.notifications.list.queryOptions({ limit: 100 }));
  const centre = live ?? listed.data;
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() }),
    }),
  );
  const [permission, setPermission] = useState(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Notifications
      </h1>
      <p>
        {centre ? `${centre.unread} unread` : 'Loading…'}{' '}
        <button type="button" onClick={() => markRead.mutate({})} disabled={!centre?.unread}>
          Mark all read
        </button>{' '}
        {permission === 'default' && (
          <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
            Show browser notifications while CityLink is open
          </button>
        )}
      </p>
      <ul className="notifications">
        {centre?.items.map((n) => (
          <li key={n.id} className={n.read ? 'read' : 'unread'}>
            <strong className={n.emergency ? 'needs-you emergency' : 'needs-you'}>{markerOf(n.kind)}</strong>{' '}
            {!n.read && <span className="sr-only">(unread)</span>}
            <Link
              to={hrefOf(n)}
              className="untrusted"
              // Opening what it points to is reading it.
              onClick={() => {
                if (!n.read) markRead.mutate({ ids: [n.id] });
              }}
            >
              {n.text}
            </Link>{' '}
            <time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString()}</time>
          </li>
        ))}
      </ul>
      <Preferences />
    </>
  );
}

function Preferences() {
  const trpc = useTRPC();
  const prefs = useQuery(trpc.notifications.prefs.queryOptions());
  const save = useMutation(trpc.notifications.setPrefs.mutationOptions());
  const [email, setEmail] = useState<string | undefined>(undefined);
  const [quiet, setQuiet] = useState<{ start: string; end: string } | undefined>(undefined);
  const [kinds, setKinds] = useState<EmailKind[] | undefined>(undefined);
  const [titles, setTitles] = useState<boolean | undefined>(undefined);
  if (!prefs.data) return null;
  const value = email ?? prefs.data.email ?? '';
  const q = quiet ?? prefs.data.quietHours ?? { start: '', end: '' };
  const emailKinds = kinds ?? prefs.data.emailKinds;
  const includeTitles = titles ?? prefs.data.includeTitles;
  return (
    <form
      aria-label="Notification preferences"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          ...prefs.data,
          emailKinds,
          includeTitles,
          ...(value ? { email: value } : { email: undefined }),
          ...(q.start && q.end
            ? { quietHours: { ...q, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone } }
            : { quietHours: undefined }),
        });
      }}
    >
      <h2>Preferences</h2>
      <label>
        E-mail address for notifications
        <input type="email" value={value} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <fieldset>
        <legend>Also by e-mail (everything is always listed here)</legend>
        {(Object.keys(MARKER) as EmailKind[]).map((k) => (
          <label key={k} className="choice">
            <input
              type="checkbox"
              checked={emailKinds.includes(k)}
              onChange={(e) => setKinds(e.target.checked ? [...emailKinds, k] : emailKinds.filter((x) => x !== k))}
            />{' '}
            {markerOf(k)}
          </label>
        ))}
        <label className="choice">
          <input type="checkbox" checked={includeTitles} onChange={(e) => setTitles(e.target.checked)} /> Put the title
          in the e-mail for TLP:CLEAR and TLP:GREEN matters (AMBER and RED never say more than marking, severity and
          city)
        </label>
      </fieldset>
      <fieldset>
        <legend>Quiet hours (e-mails wait until they end; emergencies never wait)</legend>
        <label>
          From <input type="time" value={q.start} onChange={(e) => setQuiet({ ...q, start: e.target.value })} />
        </label>
        <label>
          to <input type="time" value={q.end} onChange={(e) => setQuiet({ ...q, end: e.target.value })} />
        </label>
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save preferences
      </button>
      {save.isSuccess && <span role="status"> Saved.</span>}
    </form>
  );
}
