import type { Store } from '@citylink/store';
import type { FeedBus } from '../ingest/pipeline.js';

/**
 * Each city's last check-in of the open period, in memory: loaded once per period
 * with one grouped query, then kept up to date from the check-ins appended since
 * (read by id at the next tick), so a tick over thousands of cities reads only
 * what is new.
 */
export class CheckInModel {
  #period: string | undefined;
  #last = new Map<string, number>();
  #pending: string[] = [];

  constructor(private readonly deps: { store: Store; bus: FeedBus }) {
    deps.bus.on('appended', (entries) => {
      for (const e of entries) if (e.kind === 'checkin') this.#pending.push(e.id);
    });
  }

  async lastCheckIns(period: string): Promise<ReadonlyMap<string, number>> {
    if (period !== this.#period) {
      this.#pending = [];
      this.#last = await this.deps.store.read((r) => r.operations.lastCheckIns(period));
      this.#period = period;
      return this.#last;
    }
    if (this.#pending.length > 0) {
      const ids = this.#pending.splice(0);
      for (const o of await this.deps.store.getObjects(ids)) {
        if (o.target !== period || o.hold === 'quarantined') continue;
        const at = o.receivedAt.getTime();
        if (at > (this.#last.get(o.origin) ?? Number.NEGATIVE_INFINITY)) this.#last.set(o.origin, at);
      }
    }
    return this.#last;
  }

  /** Forget everything (a roster change may have quarantined check-ins): the next tick reloads. */
  reset(): void {
    this.#period = undefined;
  }
}
