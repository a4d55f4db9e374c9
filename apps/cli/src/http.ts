import { CliError, NodeUnreachableError } from './errors.js';
import { networkReason } from './remote-errors.js';

/** GET a JSON document; every failure is a one-line CliError naming the URL. */
export async function fetchJson(url: string, timeoutMs = 10_000): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    throw new NodeUnreachableError(url, networkReason(err) ?? (err as Error).message);
  }
  if (!res.ok) throw new CliError(`GET ${url} answered HTTP ${res.status}`);
  try {
    return await res.json();
  } catch {
    throw new CliError(`GET ${url} did not answer JSON; is this a CityLink node?`);
  }
}
