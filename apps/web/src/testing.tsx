/** Shared fixtures for the console's component tests (imported only by *.test.tsx). */
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createClients, type RosterMember, TRPCProvider } from './lib/api';
import { describeNode, type Session, SessionContext } from './lib/session';

/** Markup that must stay inert text wherever remote content is shown. */
export const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
export const ID = (c: string) => c.repeat(43);

export const ROSTER: RosterMember[] = [
  { node: 'state-hub', name: 'State Election Office', role: 'hub', status: 'active' },
  { node: 'springfield', name: 'City of Springfield', role: 'city', status: 'active' },
  { node: 'shelbyville', name: 'City of Shelbyville', role: 'city', status: 'active' },
];

export function testSession(node: string, user: Partial<Session['user']> = {}): Session {
  return {
    node: {
      node,
      role: 'city',
      name: node,
      network: 'n',
      baseUrl: 'http://x',
      jwksUrl: 'http://x/.well-known/jwks.json',
      hub: 'state-hub',
      protocolVersion: 1,
    },
    user: { id: 1, username: 'ana', displayName: 'Ana', roles: ['staff'], ...user } as Session['user'],
    roster: ROSTER,
    isHubOfficial: false,
    nodeName: (n) => describeNode(ROSTER, n),
    signOut: () => undefined,
  };
}

/** Renders `ui` with a session and a tRPC client pointed at an address nothing listens on. */
export function renderWithSession(ui: ReactNode, session: Session) {
  const clients = createClients({ onUnauthorized: () => undefined, origin: 'http://127.0.0.1:9' });
  return render(
    <QueryClientProvider client={clients.queryClient}>
      <TRPCProvider trpcClient={clients.trpcClient} queryClient={clients.queryClient}>
        <SessionContext.Provider value={session}>{ui}</SessionContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>,
  );
}
