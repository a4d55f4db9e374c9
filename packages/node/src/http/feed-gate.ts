/** Thrown when a gate's slots and queue are full: the caller answers 503 with `Retry-After`. */
export class FeedBusyError extends Error {
  override name = 'FeedBusyError';
  readonly retryAfterSeconds = 5;
  constructor() {
    super('busy with other feed requests; retry shortly');
  }
}

/**
 * A bound on the feed reads in flight (TAXII objects, manifest, versions; MISP):
 * each reads and maps up to a whole collection, so without one a handful of
 * concurrent requests, anonymous ones included, starved the node (the console,
 * federation, /healthz) for seconds. `running` run at once, `waiting` queue,
 * anything more is refused at once (FeedBusyError).
 */
export class FeedGate {
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(private readonly limits: { running: number; waiting: number }) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limits.running) {
      if (this.#queue.length >= this.limits.waiting) throw new FeedBusyError();
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line, or frees up.
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

/** One gate for requests without credentials and one for feed-reader tokens, so an anonymous flood never locks accounts out. */
export interface FeedGates {
  anonymous: FeedGate;
  account: FeedGate;
}

export const createFeedGates = (): FeedGates => ({
  anonymous: new FeedGate({ running: 1, waiting: 2 }),
  account: new FeedGate({ running: 1, waiting: 8 }),
});
