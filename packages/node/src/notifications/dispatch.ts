import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { OperationsConfig } from './notifications-config.js';
import type { Sender } from './senders.js';

/**
 * Works the durable e-mail and webhook queue: every due entry is tried once per
 * pass; a failure is recorded with the next attempt (base × 2^attempts, capped).
 * An entry is marked done only after its send returned, so a crash in between
 * sends it again rather than losing it.
 */
export class NotificationDispatch {
  #running: Promise<number> | undefined;
  #again = false;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      config: Pick<OperationsConfig, 'backoffBaseMs' | 'backoffCapMs'>;
      senders: { email: Sender; webhook: Sender };
      log: Logger;
    },
  ) {}

  /** Sends everything due now; answers how many were sent. One run at a time; a call during one adds a pass. */
  flush(): Promise<number> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #loop(): Promise<number> {
    let sent = 0;
    do {
      this.#again = false;
      sent += await this.#pass();
    } while (this.#again);
    return sent;
  }

  async #pass(): Promise<number> {
    const { store, clock, config, senders, log } = this.deps;
    const due = await store.read((r) => r.notifications.due(new Date(clock()), 50));
    let sent = 0;
    for (const d of due) {
      try {
        await senders[d.channel](d.target, d.payload);
        await store.transact((tx) => tx.notifications.attempted(d.id, new Date(clock()), { ok: true }));
        sent++;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const wait = Math.min(config.backoffCapMs, config.backoffBaseMs * 2 ** d.attempts);
        log.warn({ id: d.id, channel: d.channel, attempts: d.attempts + 1, error }, 'notification delivery failed');
        await store.transact((tx) =>
          tx.notifications.attempted(d.id, new Date(clock()), { ok: false, error, retryAt: new Date(clock() + wait) }),
        );
      }
    }
    return sent;
  }
}
