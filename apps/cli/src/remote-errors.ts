import { errorMessage } from '@citylink/client';
import { CliError, NodeUnreachableError } from './errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Why a request never got an answer (refused, unknown host, timeout), or undefined if it did. */
export function networkReason(err: unknown): string | undefined {
  let fetchFailed = false;
  let innermost: string | undefined;
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const { code, name, message, cause } = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
    // undici: TypeError('fetch failed') whose cause says why (e.g. "bad port", an AggregateError).
    if (name === 'TypeError' && message === 'fetch failed') fetchFailed = true;
    else if (fetchFailed && typeof message === 'string' && message !== '') innermost = message;
    e = cause;
  }
  return fetchFailed ? (innermost ?? 'fetch failed') : undefined;
}

export interface RemoteIssue {
  path: (string | number)[];
  message: string;
}

/** Input-validation issues a node returned in `error.data.issues` (zod), if any. */
export function remoteIssues(err: unknown): RemoteIssue[] {
  const issues = (err as { data?: { issues?: unknown } } | undefined)?.data?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is RemoteIssue =>
      typeof i === 'object' && i !== null && Array.isArray(i.path) && typeof i.message === 'string',
  );
}

/** Turns anything a node call threw into a CliError with a one-line (per issue) message. */
export function remoteError(err: unknown, url: string, doing: string): CliError {
  if (err instanceof CliError) return err;
  const network = networkReason(err);
  if (network) return new NodeUnreachableError(url, network);
  const issues = remoteIssues(err);
  if (issues.length > 0) {
    const lines = issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(input)'}: ${i.message}`);
    return new CliError(`${doing} at ${url}: the node refused the input:\n${lines.join('\n')}`);
  }
  return new CliError(`${doing} at ${url}: ${errorMessage(err)}`);
}

/** Runs one call to a node; whatever it throws becomes a one-line CliError (see `remoteError`). */
export async function remoteCall<T>(url: string, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw remoteError(err, url, doing);
  }
}
