import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background.js';
import type { Appended, FeedBus } from '../ingest/pipeline.js';
import type { Metrics } from '../metrics.js';

/** The most log entries turned into one live event when another process tells of its appends. */
const PAGE = 500;

/**
 * One hub process among several on one PostgreSQL database (docs/architecture.md
 * "Several hub processes"). It turns the others' wake-ups into this process's own
 * events: their appends reach this process's live feeds and statement list and wake
 * its delivery worker; their roster versions are adopted here. And it keeps asking
 * for leadership: the leader alone runs the jobs that must run once (roster offers,
 * pulls from the cities, manifest reconciliation). A wake-up is a hint only: a lost
 * one delays a live event, never loses data (the log and the outbox are the truth).
 * On a node without sharing (a city, a hub on SQLite or alone) it leads always.
 */
export class HubCluster {
  #started = false;

  constructor(
    private readonly d: {
      store: Store;
      bus: FeedBus;
      tasks: BackgroundTasks;
      log: Logger;
      metrics: Metrics;
      leaderPollMs: number;
      /** Another process appended: there may be deliveries for this one to share. */
      wakeDelivery: () => void;
      /** Another process published a roster version: adopt it from the database. */
      reloadRoster: () => Promise<void>;
      /** After a roster reload: sign with the key another process rotated to, if the roster now names it. */
      reloadKey: () => Promise<unknown>;
      /** This process became the leader, or a roster was published while it leads: offer the roster. */
      offerRoster: () => Promise<void>;
    },
  ) {}

  /** Whether this process runs the run-once jobs now. */
  get leading(): boolean {
    return this.d.store.coordinator ? this.d.store.coordinator.leading : true;
  }

  get shared(): boolean {
    return this.d.store.coordinator !== undefined;
  }

  /** The leader alone runs `fn` (a scheduled job); the others skip this turn. */
  runOnce<T>(fn: () => Promise<T>): Promise<T | undefined> {
    return this.leading ? fn() : Promise.resolve(undefined);
  }

  async start(): Promise<void> {
    const coordinator = this.d.store.coordinator;
    if (!coordinator || this.#started) return;
    this.#started = true;
    const { tasks, log } = this.d;
    coordinator.on('log', (n) => tasks.run(() => this.#relay(n.firstSeq, n.head)));
    coordinator.on('roster', () =>
      tasks.run(async () => {
        await this.d.reloadRoster();
        await this.d.reloadKey();
        if (this.leading) await this.d.offerRoster();
      }),
    );
    coordinator.on('reconnected', () => {
      log.info('cluster: listening again; looking for what was missed');
      tasks.run(async () => {
        await this.d.reloadRoster();
        await this.d.reloadKey();
        this.d.wakeDelivery();
        this.d.bus.emit('appended', []);
      });
    });
    coordinator.on('leader', (leading) => {
      this.d.metrics.clusterLeader.set(leading ? 1 : 0);
      log.info({ leading }, leading ? 'cluster: this process leads' : 'cluster: this process no longer leads');
      if (leading) tasks.run(() => this.d.offerRoster());
    });
    await coordinator.tryLead();
    tasks.every(this.d.leaderPollMs, () => coordinator.tryLead());
  }

  /** Turns another process's appends `firstSeq..head` into this process's live events. */
  async #relay(firstSeq: number, head: number): Promise<void> {
    this.d.wakeDelivery();
    for (let after = firstSeq - 1; after < head; ) {
      const rows = await this.d.store.logAfter(after, Math.min(PAGE, head - after));
      if (rows.length === 0) break;
      const events: Appended[] = rows.map((r) => ({ seq: r.seq, id: r.object.id, kind: r.object.kind }));
      this.d.bus.emit('appended', events);
      after = rows[rows.length - 1]!.seq;
    }
  }
}
