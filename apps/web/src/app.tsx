import type { BodyOf } from '@citylink/protocol';
import { QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Notice } from './components/fields';
import { MembershipBanner } from './components/membership-banner';
import { ThemeToggle } from './components/theme-toggle';
import { NotificationProvider, NotificationsNavLink } from './election/notifications';
import { PeriodBanner } from './election/period-banner';
import { createClients, type NodeInfo, type SessionUser, TRPCProvider, useTRPC } from './lib/api';
import { clearDrafts } from './lib/drafts';
import { humanize, postureHelp } from './lib/format';
import { LiveProvider, useLive } from './lib/live';
import { Link, useLocation } from './lib/router';
import { describeNode, hubOfficial, type Session, SessionContext } from './lib/session';
import { AppRoutes } from './routes';
import { SignInScreen } from './screens/sign-in';

const EXPIRED = 'Your session has expired or was ended. Please sign in again.';

/**
 * The console. Each sign-in gets fresh clients (query cache and WebSocket), so
 * nothing of one session leaks into the next; an UNAUTHORIZED answer anywhere
 * while signed in ends the session and returns to sign-in with a message.
 */
export function App() {
  const [epoch, setEpoch] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const signedIn = useRef(false);
  const restart = useCallback((message: string | null) => {
    signedIn.current = false;
    setNotice(message);
    setEpoch((e) => e + 1);
  }, []);
  const onUnauthorized = useCallback(() => {
    if (signedIn.current) restart(EXPIRED);
  }, [restart]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new epoch is exactly what asks for new clients
  const clients = useMemo(() => createClients({ onUnauthorized }), [epoch, onUnauthorized]);
  useEffect(() => () => clients.close(), [clients]);

  return (
    <QueryClientProvider client={clients.queryClient}>
      <TRPCProvider trpcClient={clients.trpcClient} queryClient={clients.queryClient}>
        {/* Hooks bind to the client they first saw: a new session remounts the tree. */}
        <Gate
          key={epoch}
          notice={notice}
          onSignedIn={() => restart(null)}
          onSignedOut={() => restart('You have signed out.')}
          onUnauthorized={onUnauthorized}
          markSignedIn={() => {
            signedIn.current = true;
          }}
        />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function Gate(props: {
  notice: string | null;
  onSignedIn: () => void;
  onSignedOut: () => void;
  onUnauthorized: () => void;
  markSignedIn: () => void;
}) {
  const trpc = useTRPC();
  const { path } = useLocation();
  const me = useQuery({ ...trpc.staff.me.queryOptions(), staleTime: Number.POSITIVE_INFINITY });
  const user = me.data?.user;
  useEffect(() => {
    if (user) props.markSignedIn();
  }, [user, props.markSignedIn]);

  if (path === '/public' || path.startsWith('/public/')) {
    return (
      <PublicFrame node={me.data?.node}>
        <AppRoutes />
      </PublicFrame>
    );
  }
  if (me.isPending) {
    return (
      <main id="main" className="loading">
        <p role="status">Loading CityLink…</p>
      </main>
    );
  }
  if (me.isError) {
    return (
      <main id="main" className="sign-in">
        <Notice kind="error">This node cannot be reached. Check your connection and reload the page.</Notice>
      </main>
    );
  }
  if (!user) return <SignInScreen node={me.data.node} notice={props.notice} onSignedIn={props.onSignedIn} />;
  return (
    <Shell node={me.data.node} user={user} onSignedOut={props.onSignedOut} onUnauthorized={props.onUnauthorized} />
  );
}

function PublicFrame({ children, node }: { children: ReactNode; node: NodeInfo | undefined }) {
  return (
    <>
      <header className="topbar">
        <span className="brand">{node ? node.name : 'CityLink'}</span>
        <span className="muted-inverse">Public page{node && ' · CityLink'}</span>
        <span className="who">
          <ThemeToggle />
        </span>
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </>
  );
}

function Shell(props: { node: NodeInfo; user: SessionUser; onSignedOut: () => void; onUnauthorized: () => void }) {
  const trpc = useTRPC();
  const roster = useQuery({ ...trpc.staff.roster.queryOptions(), staleTime: 60_000 });
  const logout = useMutation(trpc.staff.logout.mutationOptions({ onSettled: () => props.onSignedOut() }));
  const members = roster.data?.members ?? [];
  const session: Session = {
    node: props.node,
    user: props.user,
    roster: members,
    isHubOfficial: hubOfficial(props.node, props.user),
    nodeName: (n) => describeNode(members, n),
    signOut: () => {
      clearDrafts();
      logout.mutate();
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <LiveProvider onUnauthorized={props.onUnauthorized}>
        <NotificationProvider>
          <a className="skip" href="#main">
            Skip to content
          </a>
          <TopBar session={session} signingOut={logout.isPending} />
          <MembershipBanner />
          <PostureBanner />
          <PeriodBanner />
          <main id="main" className="content" tabIndex={-1}>
            <AppRoutes />
          </main>
          <footer className="footer">
            <span>
              {props.node.name} · {props.node.role === 'hub' ? 'state hub' : 'city node'} <code>{props.node.node}</code>
            </span>
            <a href="/public">Public page</a>
          </footer>
        </NotificationProvider>
      </LiveProvider>
    </SessionContext.Provider>
  );
}

function TopBar({ session, signingOut }: { session: Session; signingOut: boolean }) {
  const { path } = useLocation();
  const live = useLive();
  const statewide = session.node.role === 'hub' && session.user.roles.includes('hub-official');
  const links: [string, string][] = [
    ['/', 'Feed'],
    ['/report', 'Report'],
    ['/library', 'Library'],
    ['/statements', 'Statements'],
    // At the hub an official's preparedness is the statewide grid (officials only, not admins:
    // it reads every city's gaps); the hub itself is not scored.
    [statewide ? '/hub/preparedness' : '/preparedness', 'Preparedness'],
    ...(session.isHubOfficial
      ? ([
          ['/hub', 'Hub situation'],
          ['/situation-room', 'Situation room'],
        ] as [string, string][])
      : []),
  ];
  // The entry whose address is the longest prefix of this page's (/hub/preparedness is Preparedness, not Hub situation).
  const within = (to: string) => path === to || path.startsWith(`${to}/`);
  const best = links
    .map(([to]) => to)
    .filter((to) => to !== '/' && within(to))
    .sort((a, b) => b.length - a.length)[0];
  const current = (to: string) => (to === '/' ? path === '/' || path.startsWith('/objects') : to === best);
  return (
    <header className="topbar">
      <span className="brand">
        {session.node.name}
        <span className="muted-inverse"> · CityLink</span>
      </span>
      <nav aria-label="Main">
        <ul>
          {links.map(([to, label]) => (
            <li key={to}>
              <Link to={to} aria-current={current(to) ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
          <li>
            <NotificationsNavLink current={path === '/notifications'} />
          </li>
        </ul>
      </nav>
      <span className={`live live-${live.status}`} role="status">
        <span aria-hidden="true">●</span>{' '}
        <span>
          {live.status === 'live' ? 'Live' : live.status === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
        </span>
      </span>
      <span className="who">
        <span>
          {session.user.displayName}
          <span className="muted-inverse"> · {session.user.roles.map(humanize).join(', ')}</span>
        </span>
        <ThemeToggle />
        <button type="button" className="inverse" onClick={session.signOut} disabled={signingOut}>
          Sign out
        </button>
      </span>
    </header>
  );
}

/**
 * The statewide posture in force, from sign-in on (it may have been set days ago);
 * a new one arriving live refreshes it (lib/live).
 */
function PostureBanner() {
  const trpc = useTRPC();
  const posture = useQuery(trpc.staff.posture.queryOptions());
  const p = posture.data as (BodyOf<'posture'> & { id: string }) | null | undefined;
  if (!p) return null;
  return (
    <aside className={`posture-banner posture-${p.level}`} aria-label="Statewide posture">
      Statewide posture: <strong>{humanize(p.level)}</strong> — {postureHelp(p.level)}
      {p.advisory && (
        <>
          {' '}
          · Advisory:{' '}
          <Link to={`/objects/${p.id}`} className="untrusted">
            {p.advisory.title}
          </Link>
        </>
      )}
    </aside>
  );
}
