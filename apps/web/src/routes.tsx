import {
  createRootRoute,
  createRoute,
  createRouter,
  getRouteApi,
  Outlet,
  RouterProvider,
} from '@tanstack/react-router';
import { type ReactNode, useEffect, useState } from 'react';
import { Notice } from './components/fields';
import { NotificationsScreen } from './election/notifications';
import { ShiftScreen } from './election/shift';
import { SituationRoomScreen } from './election/situation-room';
import { history, Link, useLocation } from './lib/router';
import { feedSearch, supersedesSearch } from './lib/search';
import { useSession } from './lib/session';
import { DetailScreen } from './screens/detail';
import { FeedScreen } from './screens/feed';
import { HubScreen, NetworkScreen } from './screens/hub';
import { LibraryScreen, NoteFormScreen } from './screens/library';
import { MembershipScreen } from './screens/membership';
import { HubPreparednessScreen, LiaisonsScreen } from './screens/preparedness/hub-grid';
import { PreparednessScreen } from './screens/preparedness/preparedness';
import { PublicObjectScreen, PublicScreen } from './screens/public';
import { ReportScreen } from './screens/report';
import { StatementScreen, StatementsScreen } from './screens/statements';

/**
 * The console's route table, matched by TanStack Router (typed params and search params).
 * A new screen is one line here; screens themselves import routing only from lib/router.
 */
const root = createRootRoute({ component: Root, notFoundComponent: NotFound });
type Screen = () => ReactNode;
const route = <P extends string>(path: P, component: Screen) =>
  createRoute({ getParentRoute: () => root, path, component });

const routeTree = root.addChildren([
  createRoute({ getParentRoute: () => root, path: '/', component: FeedScreen, validateSearch: feedSearch }),
  createRoute({
    getParentRoute: () => root,
    path: '/report',
    component: ReportScreen,
    validateSearch: supersedesSearch,
  }),
  route('/library', LibraryScreen),
  createRoute({
    getParentRoute: () => root,
    path: '/library/new',
    component: NoteFormScreen,
    validateSearch: supersedesSearch,
  }),
  route('/objects/$id', ObjectPage),
  route('/notifications', NotificationsScreen),
  route('/situation-room', hubOnly(SituationRoomScreen)),
  route('/statements', StatementsScreen),
  route('/statements/$id', StatementPage),
  route('/hub', hubOnly(HubScreen)),
  route('/hub/network', hubOnly(NetworkScreen)),
  route('/hub/membership', hubOnly(MembershipScreen)),
  route('/hub/shift', hubOnly(ShiftScreen)),
  route('/preparedness', PreparednessScreen),
  route('/hub/preparedness', hubOnly(HubPreparednessScreen)),
  route('/hub/liaisons', hubOnly(LiaisonsScreen)),
  route('/public', PublicScreen),
  route('/public/objects/$id', PublicObjectPage),
]);

const objectRoute = getRouteApi('/objects/$id');
const statementRoute = getRouteApi('/statements/$id');
const publicRoute = getRouteApi('/public/objects/$id');
function ObjectPage() {
  const { id } = objectRoute.useParams();
  return <DetailScreen key={id} id={id} />;
}
function StatementPage() {
  const { id } = statementRoute.useParams();
  return <StatementScreen key={id} id={id} />;
}
function PublicObjectPage() {
  const { id } = publicRoute.useParams();
  return <PublicObjectScreen key={id} id={id} />;
}

export const createAppRouter = () => createRouter({ routeTree, history, defaultPendingMinMs: 0 });

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}

/** The routed part of the page. One router per mount: a new session starts a fresh one. */
export function AppRoutes() {
  const [router] = useState(createAppRouter);
  return <RouterProvider router={router} />;
}

function Root() {
  const { path } = useLocation();
  // Move focus to the new page's heading, so keyboard and screen-reader users start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation, by design
  useEffect(() => {
    const h = document.getElementById('page-title');
    if (h && document.activeElement?.id !== 'page-title') h.focus({ preventScroll: true });
  }, [path]);
  return <Outlet />;
}

function hubOnly(Screen: Screen): Screen {
  return function HubOnly() {
    const session = useSession();
    if (session.isHubOfficial) return <Screen />;
    return (
      <>
        <h1 id="page-title" tabIndex={-1}>
          Hub screens are not available to you
        </h1>
        <Notice kind="error">
          {session.node.role === 'hub'
            ? 'The situation view needs the hub-official role. Ask an administrator of the state hub if you need it.'
            : 'The situation view is part of the state hub’s console; this is a city node.'}
        </Notice>
        <p>
          <Link to="/">Back to the feed</Link>
        </p>
      </>
    );
  };
}

function NotFound() {
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Page not found
      </h1>
      <p>
        <Link to="/">Back to the feed</Link>
      </p>
    </>
  );
}
