import { UsageError } from './errors.js';

/** Validates a node's base URL (`http(s)://host[:port][/prefix]`) and drops a trailing slash. */
export function parseNodeUrl(value: string, option = '--node'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option}: ${JSON.stringify(value)} is not a URL (expected e.g. http://127.0.0.1:4001)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${option}: ${value} must start with http:// or https://`);
  }
  if (url.search || url.hash) throw new UsageError(`${option}: ${value} must not have a query or fragment`);
  return url.toString().replace(/\/+$/, '');
}
