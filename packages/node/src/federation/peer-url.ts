import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Which base URLs this node calls (docs/operations.md "Peer URL policy"). A member's
 * URL comes from an enrollment anyone may send, so without a policy the hub would
 * POST and GET, with request tokens, wherever a request points: its own loopback
 * services, a cloud metadata endpoint, the office network.
 */
export interface PeerUrlPolicy {
  /** Development (`allowInsecurePeers`): http, loopback and private addresses are allowed too. */
  allowInsecure: boolean;
}

export type PeerUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Ranges a development network may use; everything else but public unicast is refused always. */
const DEVELOPMENT_RANGES = new Set(['loopback', 'private', 'uniqueLocal']);

/** The raised error when a connection is refused by the policy (its message says why). */
export class PeerUrlRefusedError extends Error {
  override name = 'PeerUrlRefusedError';
  readonly code = 'ECITYLINK_PEER_URL_REFUSED';
}

/** Why `address` (an IP literal) may not be called, or undefined if it may. */
export function refusedAddress(address: string, policy: PeerUrlPolicy): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return `${address} is not an IP address`;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is.
  const ip = ipaddr.process(bare);
  const range = ip.range();
  if (range === 'unicast') return undefined;
  if (policy.allowInsecure && DEVELOPMENT_RANGES.has(range)) return undefined;
  return `${ip.toString()} is a ${range} address${DEVELOPMENT_RANGES.has(range) ? ' (allowed only with allowInsecurePeers)' : ''}`;
}

/** The checks that need no DNS: scheme, no userinfo, query or fragment, and an IP literal's range. */
export function checkPeerUrlSyntax(raw: string, policy: PeerUrlPolicy): PeerUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${JSON.stringify(raw)} is not a URL` };
  }
  const schemes = policy.allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return {
      ok: false,
      reason: `${url.protocol.replace(/:$/, '')} is not allowed (https only${policy.allowInsecure ? ' or http' : ''})`,
    };
  }
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw)) {
    return { ok: false, reason: 'a base URL carries no user name or password' };
  }
  if (url.search || url.hash || /[?#]/.test(raw)) return { ok: false, reason: 'a base URL has no query or fragment' };
  if (!url.hostname) return { ok: false, reason: 'a base URL names a host' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const refused = refusedAddress(host, policy);
    if (refused) return { ok: false, reason: refused };
  }
  return { ok: true, url };
}

/**
 * The full check (enrollment, set-url): the syntax, then every address the host
 * resolves to. Connections are checked again when they are made (`guardedLookup`),
 * so a name that resolves elsewhere later (DNS rebinding) is still refused.
 */
export async function checkPeerUrl(raw: string, policy: PeerUrlPolicy): Promise<PeerUrlCheck> {
  const syntax = checkPeerUrlSyntax(raw, policy);
  if (!syntax.ok) return syntax;
  const host = syntax.url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return syntax;
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookupAsync(host, { all: true, verbatim: true });
  } catch (err) {
    return { ok: false, reason: `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve` };
  for (const a of addresses) {
    const refused = refusedAddress(a.address, policy);
    if (refused) return { ok: false, reason: `${host} resolves to ${refused}` };
  }
  return syntax;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net`/`tls` connections (the WebSocket and HTTP agents): resolves
 * the name, refuses the connection if any address is refused, and otherwise hands
 * the checked addresses to the socket, which connects to one of exactly those.
 */
export function guardedLookup(policy: PeerUrlPolicy) {
  return (hostname: string, options: LookupOptions | number | undefined, callback: LookupCallback): void => {
    const opts: LookupOptions = typeof options === 'number' ? { family: options } : (options ?? {});
    dnsLookup(hostname, { ...opts, all: true } as LookupAllOptions, (err, addresses) => {
      if (err) return callback(err, []);
      for (const a of addresses) {
        const refused = refusedAddress(a.address, policy);
        if (refused)
          return callback(new PeerUrlRefusedError(`peer URL refused: ${hostname} resolves to ${refused}`), []);
      }
      if (opts.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
