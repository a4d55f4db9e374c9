import type { AppRouter, FeedEntry, ItemView, RouterOutputs } from '@citylink/node';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export type { FeedEntry, ItemView, RouterOutputs };
export type Me = RouterOutputs['staff']['me'];
export type SessionUser = NonNullable<Me['user']>;
export type NodeInfo = Me['node'];
export type RosterMember = RouterOutputs['staff']['roster']['members'][number];
export type RedRecipient = RouterOutputs['staff']['redDirectory']['people'][number];
export type ObjectDetail = RouterOutputs['staff']['object'];
export type CityLinkApi = TRPCClient<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export interface Issue {
  path: (string | number)[];
  message: string;
}

/** What the console needs to know about a failed call. */
export interface ApiError {
  code: string | undefined;
  message: string;
  issues: Issue[];
  retryAfterMs: number | undefined;
}

export function apiError(err: unknown): ApiError {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as { code?: string; issues?: Issue[]; retryAfterMs?: number };
    const issues = Array.isArray(data.issues) ? data.issues : [];
    // Input validation errors carry their message as JSON; the issues say it better.
    const message = issues.length > 0 ? 'Some fields need attention.' : err.message;
    return { code: data.code, message, issues, retryAfterMs: data.retryAfterMs };
  }
  return {
    code: undefined,
    message: err instanceof Error ? err.message : String(err),
    issues: [],
    retryAfterMs: undefined,
  };
}

export const isUnauthorized = (err: unknown) => apiError(err).code === 'UNAUTHORIZED';

/** 4xx answers are final: retrying will not change them. */
function shouldRetry(failures: number, err: unknown): boolean {
  const code = apiError(err).code;
  const final = ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT', 'TOO_MANY_REQUESTS'];
  return failures < 2 && !(code && final.includes(code));
}

export interface Clients {
  queryClient: QueryClient;
  trpcClient: CityLinkApi;
  close(): void;
}

/**
 * One set of clients per sign-in: the WebSocket authenticates with the session
 * cookie when it opens, so a new session gets a new socket (and an empty cache).
 */
export function createClients(opts: { onUnauthorized: () => void; origin?: string }): Clients {
  const origin = opts.origin ?? window.location.origin;
  const onError = (err: unknown) => {
    if (isUnauthorized(err)) opts.onUnauthorized();
  };
  const queryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 10_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  const ws = createWSClient({
    url: `${origin.replace(/^http/, 'ws')}/trpc`,
    // Opens with the first subscription; reconnects with backoff and resumes from the last event id.
    lazy: { enabled: true, closeMs: 5_000 },
    retryDelayMs: (attempt) => Math.min(250 * 2 ** attempt, 10_000),
  });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink<AppRouter>({ client: ws }),
        false: splitLink({
          // The node takes a sign-in only in a request of its own.
          condition: (op) => op.path === 'staff.login',
          true: httpLink({ url: `${origin}/trpc` }),
          // The node answers a batch of more than 50 calls with 400 (limits.maxBatchCalls).
          false: httpBatchLink({ url: `${origin}/trpc`, maxURLLength: 4_000, maxItems: 50 }),
        }),
      }),
    ],
  });
  return {
    queryClient,
    trpcClient,
    close() {
      queryClient.clear();
      ws.close().catch(() => undefined);
    },
  };
}
