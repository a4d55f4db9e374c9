import type { PeerApi, PeerLink } from './peer-api.js';

/** tRPC codes that are the peer's answer, not a failure of the address: no reason to try another one. */
const ANSWERS = new Set(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE']);

const isAnswer = (err: unknown): boolean => {
  const code = (err as { data?: { code?: unknown } } | undefined)?.data?.code;
  return typeof code === 'string' && ANSWERS.has(code);
};

/** Where a node starts among `n` endpoints: spread by its id, so cities divide over the hub's processes. */
export function startIndex(self: string, n: number): number {
  let h = 0;
  for (const ch of self) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return n > 0 ? h % n : 0;
}

/**
 * One peer reached at several endpoints (the hub's processes): every call goes to the
 * current one; a call that fails for the address's sake (unreachable, 503, timeout)
 * fails as before, so the caller's backoff and circuit breaker apply unchanged, and
 * moves this node on to the next endpoint for the next call.
 */
export function failoverLink(links: readonly PeerLink[], start: number, onMove?: (to: number) => void): PeerLink {
  let current = start % links.length;
  const call =
    (proc: string, method: string) =>
    (...args: unknown[]): Promise<unknown> => {
      const at = current;
      const procedures = links[at]!.api.federation as unknown as Record<
        string,
        Record<string, (...a: unknown[]) => Promise<unknown>>
      >;
      return procedures[proc]![method]!(...args).catch((err: unknown) => {
        if (!isAnswer(err) && current === at && links.length > 1) {
          current = (at + 1) % links.length;
          onMove?.(current);
        }
        throw err;
      });
    };
  const federation = new Proxy(
    {},
    {
      get: (_t, proc) =>
        typeof proc === 'string'
          ? new Proxy({}, { get: (_u, method) => (typeof method === 'string' ? call(proc, method) : undefined) })
          : undefined,
    },
  );
  return {
    api: { federation } as PeerApi,
    isOpen: () => links.some((l) => l.isOpen()),
    close: async () => {
      await Promise.allSettled(links.map((l) => l.close()));
    },
  };
}
