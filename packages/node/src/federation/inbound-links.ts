import type { Metrics } from '../metrics.js';

/** Open, authenticated links from each peer (for the network view and the metrics). */
export class InboundLinks {
  readonly #open = new Map<string, number>();

  constructor(private readonly metrics: Metrics) {}

  count(peer: string, delta: 1 | -1): void {
    const open = (this.#open.get(peer) ?? 0) + delta;
    if (open > 0) this.#open.set(peer, open);
    else this.#open.delete(peer);
    this.metrics.peerLinks.set({ peer }, open);
  }

  isOpen(peer: string): boolean {
    return (this.#open.get(peer) ?? 0) > 0;
  }
}
