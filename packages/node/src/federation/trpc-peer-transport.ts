import { createRequestToken, type NodeKey } from '@citylink/crypto';
import {
  createTRPCClient,
  createWSClient,
  httpLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { Agent } from 'undici';
import WebSocket from 'ws';
import type { AppRouter } from '../api/app-router.js';
import { LINK_SCOPE, type PeerApi, type PeerTransport } from './peer-api.js';
import { checkPeerUrlSyntax, guardedLookup, type PeerUrlPolicy, PeerUrlRefusedError } from './peer-url.js';

/** The whole tRPC client (tests and tools); a node uses it only as a `PeerApi`. */
export type PeerClient = TRPCClient<AppRouter>;

interface PeerClientArgs {
  baseUrl: string;
  self: string;
  target: string;
  key: () => NodeKey;
  timeoutMs: number;
  /**
   * Which addresses may be called, checked here and again at every connect
   * (docs/operations.md "Peer URL policy"). A node always passes its own; without
   * one (tests and tools calling a URL they chose themselves) nothing is checked.
   */
  policy?: PeerUrlPolicy | undefined;
}

/**
 * Largest answer a node takes from a peer (one WebSocket message or one HTTP
 * body); a node's own `changes` pages stop at 8 MiB. Larger is a peer error.
 */
export const PEER_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** `fetch` with a deadline and a cap on the answer's size, read before tRPC parses it. */
export async function boundedFetch(
  url: string | URL | Request,
  init: RequestInit | undefined,
  timeoutMs: number,
  maxBytes = PEER_MAX_MESSAGE_BYTES,
  doFetch: (url: string | URL | Request, init: RequestInit) => Promise<Response> = fetch,
): Promise<Response> {
  const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const tooLarge = (n: number | string) => new Error(`the peer's answer (${n} bytes) exceeds ${maxBytes} bytes`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(declared);
  }
  if (!res.body) return res;
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of res.body) {
    n += chunk.byteLength;
    if (n > maxBytes) throw tooLarge(`> ${maxBytes}`);
    chunks.push(chunk);
  }
  return new Response(Buffer.concat(chunks), { status: res.status, statusText: res.statusText, headers: res.headers });
}

const trpcUrl = (baseUrl: string) => `${baseUrl.replace(/\/$/, '')}/trpc`;

/** One agent per policy: its connections resolve names through the policy's checked lookup. */
const agents = new Map<boolean, Agent>();
/** undici is loaded on the first HTTP call to a peer (about 15 MB; nodes mostly talk over their WebSocket links). */
let undici: ReturnType<typeof importUndici> | undefined;
const importUndici = () => import('undici');
const loadUndici = () => {
  undici ??= importUndici();
  return undici;
};
function guardedFetch(
  policy: PeerUrlPolicy | undefined,
): (url: string | URL | Request, init: RequestInit) => Promise<Response> {
  if (!policy) return fetch;
  return async (url, init) => {
    const { Agent, fetch: undiciFetch } = await loadUndici();
    let dispatcher = agents.get(policy.allowInsecure);
    if (!dispatcher) {
      dispatcher = new Agent({ connect: { lookup: guardedLookup(policy) } });
      agents.set(policy.allowInsecure, dispatcher);
    }
    return undiciFetch(String(url), {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
      // A redirect would take the request to an address no check has seen (an IP
      // literal never reaches the lookup): peers answer, they do not redirect.
      redirect: 'error',
    }).catch((err: Error) => {
      // undici says only "fetch failed"; the refusal is the story worth telling.
      throw err.cause instanceof PeerUrlRefusedError ? err.cause : err;
    }) as unknown as Promise<Response>;
  };
}

function refusal(baseUrl: string, policy: PeerUrlPolicy | undefined): string | undefined {
  if (!policy) return undefined;
  const checked = checkPeerUrlSyntax(baseUrl, policy);
  return checked.ok ? undefined : checked.reason;
}

/**
 * A client whose every call fails at once: for a peer whose URL the policy refuses
 * (checking it here keeps IP literals, which never reach a `lookup`, from being called).
 */
function refusedClient(reason: string): PeerClient {
  const refuse: TRPCLink<AppRouter> = () => () =>
    observable((observer) => {
      observer.error(TRPCClientError.from(new PeerUrlRefusedError(`peer URL refused: ${reason}`)));
    });
  return createTRPCClient<AppRouter>({ links: [refuse] });
}

/**
 * A tRPC client for calling another node's `federation` procedures over HTTP. Every
 * call carries a fresh request token bound to the target node and the procedure.
 */
export function createPeerClient(args: PeerClientArgs): PeerClient {
  const refused = refusal(args.baseUrl, args.policy);
  if (refused) return refusedClient(refused);
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl(args.baseUrl),
        headers: async ({ op }) => ({
          authorization: `CityLink ${await createRequestToken({
            key: args.key(),
            issuer: args.self,
            audience: args.target,
            scope: op.path,
          })}`,
        }),
        fetch: (url, init) =>
          boundedFetch(url, init as RequestInit, args.timeoutMs, PEER_MAX_MESSAGE_BYTES, guardedFetch(args.policy)),
      }),
    ],
  });
}

/** A federation client over one persistent WebSocket, and the way to close it. */
export interface TrpcPeerLink {
  readonly api: PeerClient;
  /** Whether a socket to the peer is open now. */
  isOpen(): boolean;
  close(): Promise<void>;
}

/**
 * A federation client over one persistent WebSocket to the peer, authenticated once
 * per connection: the first message carries a request token with scope
 * `federation.link` (fresh at every connect), and every call on the socket counts
 * as the caller's. This spares each push an HTTP exchange and a token, which
 * dominated the cost of small batches.
 *
 * The socket opens on the first call and closes after `idleMs` without traffic. A
 * call fails (and is retried by its caller, like any transport error) when the
 * peer cannot be reached, when the socket drops, or after `timeoutMs`. A call that
 * times out, and a refused link token, also drop the socket: it may be dead
 * without TCP noticing (the next call connects afresh), or need a fresh token.
 */
export function createPeerLink(args: PeerClientArgs & { idleMs?: number }): TrpcPeerLink {
  const refused = refusal(args.baseUrl, args.policy);
  if (refused) return { api: refusedClient(refused), isOpen: () => false, close: async () => {} };
  const lookup = args.policy && guardedLookup(args.policy);
  const sockets = new Set<WebSocket>();
  /** Why the current socket failed or closed, for the errors of the calls it fails. */
  let trouble: string | undefined;
  const dropSockets = () => {
    for (const socket of sockets) socket.terminate();
  };
  /** `ws` with a bound on the opening handshake (a peer may accept TCP and never answer). */
  class PeerSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, {
        handshakeTimeout: args.timeoutMs,
        maxPayload: PEER_MAX_MESSAGE_BYTES,
        ...(lookup && { lookup: lookup as never }),
      });
      sockets.add(this);
      this.once('close', () => sockets.delete(this));
    }
  }
  const ws = createWSClient({
    url: trpcUrl(args.baseUrl).replace(/^http/, 'ws'),
    WebSocket: PeerSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: async () => ({
      peer: await createRequestToken({ key: args.key(), issuer: args.self, audience: args.target, scope: LINK_SCOPE }),
    }),
    // No keep-alive of our own: a call that gets no answer times out (below), and an idle link closes.
    lazy: { enabled: true, closeMs: args.idleMs ?? 20_000 },
    onOpen: () => {
      trouble = undefined;
    },
    onError: (event) => {
      trouble = `cannot reach ${args.target}: ${(event as { message?: string } | undefined)?.message ?? 'WebSocket error'}`;
      // A peer that cannot be reached fails the calls waiting for it now, instead of
      // holding them through tRPC's reconnect loop: delivery has its own backoff.
      void ws.close();
    },
    onClose: (event) => {
      const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
      trouble ??= `link to ${args.target} closed (code ${code ?? '?'}${reason ? `: ${reason}` : ''})`;
    },
  });
  const guard: TRPCLink<AppRouter> =
    () =>
    ({ op, next }) =>
      observable((observer) => {
        const timeout = new AbortController();
        const timer = setTimeout(() => {
          observer.error(TRPCClientError.from(new Error(`no answer from ${args.target} within ${args.timeoutMs} ms`)));
          timeout.abort();
          dropSockets();
        }, args.timeoutMs);
        const signal = op.signal ? AbortSignal.any([op.signal, timeout.signal]) : timeout.signal;
        const sub = next({ ...op, signal }).subscribe({
          next: (value) => observer.next(value),
          error: (err) => {
            clearTimeout(timer);
            if (err.data?.code === 'UNAUTHORIZED' && err.message.startsWith('link token')) dropSockets();
            // Transport failures (no answer from the server) get the socket's story.
            observer.error(err.data || !trouble ? err : TRPCClientError.from(new Error(trouble)));
          },
          complete: () => {
            clearTimeout(timer);
            observer.complete();
          },
        });
        return () => {
          clearTimeout(timer);
          sub.unsubscribe();
        };
      });
  const api = createTRPCClient<AppRouter>({ links: [guard, wsLink({ client: ws })] });
  return {
    api,
    isOpen: () => [...sockets].some((socket) => socket.readyState === WebSocket.OPEN),
    // tRPC's close waits for a connection attempt in progress; a peer that never
    // answers must not hold a node's shutdown, so the sockets go after timeoutMs.
    close: async () => {
      const closed = ws.close();
      const timer = setTimeout(dropSockets, args.timeoutMs);
      await closed;
      clearTimeout(timer);
      dropSockets();
    },
  };
}

/** A client for the few federation procedures open to nodes that are not members yet (enrollment). */
export function createPublicPeerClient(baseUrl: string, timeoutMs: number, policy?: PeerUrlPolicy): PeerClient {
  const refused = refusal(baseUrl, policy);
  if (refused) return refusedClient(refused);
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl(baseUrl),
        fetch: (url, init) =>
          boundedFetch(url, init as RequestInit, timeoutMs, PEER_MAX_MESSAGE_BYTES, guardedFetch(policy)),
      }),
    ],
  });
}

/**
 * The tRPC implementation of `PeerTransport`, under this node's URL policy. The
 * `satisfies` below is the compile-time proof that the router answers `PeerApi`.
 */
export function trpcPeerTransport(opts: {
  policy: PeerUrlPolicy;
  transport: 'http' | 'websocket';
  linkIdleMs: number;
}): PeerTransport {
  return {
    link: (args) => {
      const withPolicy = { ...args, policy: opts.policy };
      if (opts.transport === 'websocket') return createPeerLink({ ...withPolicy, idleMs: opts.linkIdleMs });
      const api: PeerApi = createPeerClient(withPolicy) satisfies PeerApi;
      return { api, isOpen: () => false, close: async () => {} };
    },
    publicClient: (baseUrl, timeoutMs) => createPublicPeerClient(baseUrl, timeoutMs, opts.policy) satisfies PeerApi,
  };
}
