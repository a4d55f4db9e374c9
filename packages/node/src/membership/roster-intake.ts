import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background.js';
import type { NodeConfig } from '../config.js';
import { UnavailableError } from '../errors.js';
import type { RemoteIntake } from '../ingest/pipeline.js';
import type { Metrics } from '../metrics.js';
import type { RosterState } from './roster-state.js';

/**
 * Whether objects from other nodes are taken now. A city that (re)started answers
 * from its stored roster, which may predate a revocation: it takes nothing from
 * other nodes until a roster from the hub confirms the keys, or, with the hub
 * unreachable for `limits.rosterGraceMs`, takes them marked unconfirmed.
 */
export class RosterIntake {
  readonly #startedAt = Date.now();
  #graceWarned = false;

  constructor(
    private readonly deps: {
      role: NodeConfig['role'];
      limits: NodeConfig['limits'];
      rosterMs: number;
      roster: RosterState;
      tasks: BackgroundTasks;
      metrics: Metrics;
      log: Logger;
    },
  ) {}

  state(): RemoteIntake {
    const { role, roster, limits, log } = this.deps;
    if (role === 'hub' || roster.confirmedAt >= this.#startedAt) return 'open';
    if (Date.now() - this.#startedAt < limits.rosterGraceMs) return 'closed';
    if (!this.#graceWarned) {
      this.#graceWarned = true;
      log.warn(
        { graceMs: limits.rosterGraceMs },
        'roster still not confirmed by the hub: taking objects from other nodes as unconfirmed',
      );
    }
    return 'unconfirmed';
  }

  /**
   * Serving objects to a peer on a roster not confirmed since the start could hand them
   * to a member revoked meanwhile, and what was handed out cannot be taken back (what
   * came in can be quarantined): refused until confirmed, even past the grace.
   */
  requireConfirmed(peer: string): void {
    if (this.state() === 'open') return;
    this.deps.metrics.rejects.inc({ reason: 'roster_unconfirmed' });
    this.deps.log.warn({ peer }, 'catch-up refused: roster not confirmed yet');
    throw new UnavailableError('roster not confirmed yet: this node restarted and has not reached the hub; retry');
  }

  /**
   * Until a roster is confirmed after a start, other nodes' objects wait: retry the
   * fetch sooner than `intervals.rosterMs`, doubling the wait.
   */
  retryUntilConfirmed(delayMs: number): void {
    const { roster, tasks, log, rosterMs } = this.deps;
    if (tasks.closed || roster.confirmedAt >= this.#startedAt) return;
    tasks.after(delayMs, () =>
      roster.refresh().catch((err) => {
        log.debug({ err: String(err), delayMs }, 'roster fetch failed again');
        this.retryUntilConfirmed(Math.min(delayMs * 2, rosterMs));
      }),
    );
  }
}
