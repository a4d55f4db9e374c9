import type { AppRouter } from '@citylink/node';
import {
  createTRPCClient,
  createWSClient,
  httpLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import { WebSocket } from 'ws';

export type { AppRouter, RouterInputs, RouterOutputs } from '@citylink/node';
export type CityLinkClient = TRPCClient<AppRouter>;

/**
 * A client for a node's staff and hub procedures. Queries and mutations go over
 * HTTP; subscriptions over one lazily opened WebSocket, which reconnects and
 * resumes from the last event id.
 */
export function createClient(opts: { baseUrl: string; token?: string }): CityLinkClient {
  const base = opts.baseUrl.replace(/\/$/, '');
  const headers = () => (opts.token ? { authorization: `Bearer ${opts.token}` } : {});
  // Lazy: the socket opens on the first subscription and closes a second after the last one ends.
  const ws = createWSClient({
    url: `${base.replace(/^http/, 'ws')}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    lazy: { enabled: true, closeMs: 1000 },
    connectionParams: opts.token ? { token: opts.token } : null,
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink<AppRouter>({ client: ws }),
        false: httpLink({ url: `${base}/trpc`, headers }),
      }),
    ],
  });
  return client;
}

/** Signs in and returns a client carrying the session token. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<CityLinkClient> {
  const anon = createClient({ baseUrl });
  const { token } = await anon.staff.login.mutate({ username, password, bearer: true });
  if (!token) throw new Error('the node did not return a session token');
  return createClient({ baseUrl, token });
}

export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
