import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import type { RosterState } from '../membership/roster-state.js';
import type { SigningKey } from '../signing-key.js';
import { failoverLink, startIndex } from './failover-link.js';
import type { PeerApi, PeerLink, PeerTransport } from './peer-api.js';
import { checkPeerUrlSyntax, type PeerUrlPolicy } from './peer-url.js';

/**
 * Federation clients by peer node; a URL change or a key change replaces them. A
 * member listing several `endpoints` (the hub's processes) is called at one of them,
 * chosen by this node's id, and at the next one after a failure (failover-link.ts).
 */
export class PeerPool {
  #clients = new Map<string, { url: string; link: PeerLink }>();
  #closed = false;

  constructor(
    private readonly deps: {
      self: string;
      hub: NodeConfig['hub'];
      roster: RosterState;
      key: SigningKey;
      transport: PeerTransport;
      policy: PeerUrlPolicy;
      timeoutMs: number;
      log: Logger;
    },
  ) {
    // Links were authenticated with the old key: they reopen, freshly authenticated, on the next call.
    deps.key.onReplace(() => void this.closeAll());
  }

  /** A federation client for `node`, or undefined if it is not a member with a URL. */
  peer(node: string): PeerApi | undefined {
    const member = this.deps.roster.member(node);
    if (!member || node === this.deps.self) return undefined;
    return this.#client(node, member.endpoints?.length ? member.endpoints : [member.baseUrl]);
  }

  /** A federation client for the hub (cities); before the roster lists it, at its configured URL. */
  hub(): PeerApi {
    const hub = this.deps.hub!;
    return this.peer(hub.node) ?? this.#client(hub.node, [hub.url]);
  }

  /** An unauthenticated client for the hub's enrollment procedures. */
  publicHub(): PeerApi {
    return this.deps.transport.publicClient(this.deps.hub!.url, this.deps.timeoutMs);
  }

  /** Whether this node's persistent link to `node` is open now. */
  isOpen(node: string): boolean {
    return this.#clients.get(node)?.link.isOpen() ?? false;
  }

  #client(node: string, urls: readonly string[]): PeerApi {
    if (this.#closed) throw new Error('the node is shutting down');
    const key = urls.join(' ');
    const cached = this.#clients.get(node);
    if (cached?.url === key) return cached.link.api;
    void cached?.link.close();
    const links = urls.map((url) => {
      const checked = checkPeerUrlSyntax(url, this.deps.policy);
      if (!checked.ok)
        this.deps.log.warn({ peer: node, url, reason: checked.reason }, 'peer URL refused; it is not called');
      return this.deps.transport.link({
        baseUrl: url,
        self: this.deps.self,
        target: node,
        key: () => this.deps.key.current(),
        timeoutMs: this.deps.timeoutMs,
      });
    });
    const link =
      links.length === 1
        ? links[0]!
        : failoverLink(links, startIndex(this.deps.self, links.length), (to) =>
            this.deps.log.info({ peer: node, url: urls[to] }, 'peer endpoint failed; moving to the next one'),
          );
    this.#clients.set(node, { url: key, link });
    return link.api;
  }

  /** Closes every link to a peer. */
  closeAll(): Promise<unknown> {
    const links = [...this.#clients.values()].map((c) => c.link.close());
    this.#clients.clear();
    return Promise.allSettled(links);
  }

  /** Shutdown: no new links from now on. */
  refuseNew(): void {
    this.#closed = true;
  }

  /** Closes every link and refuses new ones. */
  close(): Promise<unknown> {
    this.#closed = true;
    return this.closeAll();
  }
}
