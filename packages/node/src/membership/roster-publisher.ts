import type { Member } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { BackgroundTasks } from '../background.js';
import type { NodeConfig } from '../config.js';
import { ForbiddenError } from '../errors.js';
import type { PeerApi } from '../federation/peer-api.js';
import type { SigningKey } from '../signing-key.js';
import type { RosterState } from './roster-state.js';

/** The hub's roster changes: each one a new signed version, audited, and offered to every member. */
export class RosterPublisher {
  constructor(
    private readonly deps: {
      self: string;
      role: NodeConfig['role'];
      roster: RosterState;
      key: SigningKey;
      store: Store;
      tasks: BackgroundTasks;
      peer: (node: string) => PeerApi | undefined;
      log: Logger;
      /** Whether this process offers rosters (hub processes sharing a database: the leader only). */
      leading: () => boolean;
    },
  ) {}

  /**
   * Hub: publishes the next roster version with these members added or changed and
   * audits it, in one transaction with `alongside` (the decision that led to it);
   * once committed, offers the new roster to every active member right away (they
   * would also fetch it within `intervals.rosterMs`), and once to a member this very
   * version suspends or removes: it can no longer fetch rosters, and without this its
   * console could not say what happened. Hub processes sharing a database
   * take turns (the roster section), each starting from the version the last one stored,
   * so two changes never pick the same version; the leader offers what any of them published.
   */
  async publishMembers(
    members: Member[],
    actor: string,
    action = 'membership.upsert',
    alongside?: () => Promise<void>,
  ): Promise<void> {
    const { role, roster, store } = this.deps;
    if (role !== 'hub') throw new ForbiddenError('only the hub manages membership');
    await store.serializedRoster(async () => {
      // Another hub process may have published since this one last looked.
      if (store.coordinator) await roster.load();
      await this.#publish(members, actor, action, alongside);
    });
  }

  async #publish(members: Member[], actor: string, action: string, alongside?: () => Promise<void>): Promise<void> {
    const { roster, key, store, tasks } = this.deps;
    await roster.publish(members, key.current(), (jws) =>
      store.transact(async (tx) => {
        await store.audit({
          actor: actor.includes(':') ? actor : `user:${actor}`,
          action,
          subject: members.length === 1 ? members[0]!.node : null,
          detail: { members: members.map((m) => ({ node: m.node, status: m.status })), version: roster.version },
        });
        await alongside?.();
        const leaving = members.filter((m) => m.status !== 'active').map((m) => m.node);
        await store.announceRoster(roster.version);
        tx.onCommit(() => {
          if (this.deps.leading()) tasks.run(() => this.#offer(jws, leaving));
        });
      }),
    );
  }

  /** Offers the roster held now to every active member (a new leader does, in case an offer was lost with the last one). */
  async offerCurrent(): Promise<void> {
    const jws = this.deps.roster.jws;
    if (jws && this.deps.role === 'hub') await this.#offer(jws, []);
  }

  async #offer(jws: string, leaving: string[]): Promise<void> {
    const { roster, self, tasks, peer, log } = this.deps;
    const targets = [...roster.activeNodes(), ...leaving].filter((n) => n !== self);
    const worker = async () => {
      for (let node = targets.shift(); node !== undefined && !tasks.closed; node = targets.shift()) {
        await peer(node)
          ?.federation.offerRoster.mutate({ jws })
          .catch((err) => log.debug({ peer: node, err: String(err) }, 'roster offer failed; it will fetch it'));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }
}
