import type { NodeConfig } from '../config.js';
import type { RosterIntake } from '../membership/roster-intake.js';
import type { RosterState } from '../membership/roster-state.js';
import type { CatchUp } from './catch-up.js';

/** Which peers to pull from and reconcile with; nothing while the roster is not confirmed. */
export class PullSchedule {
  constructor(
    private readonly deps: {
      self: string;
      role: NodeConfig['role'];
      roster: RosterState;
      intake: RosterIntake;
      catchUp: CatchUp;
    },
  ) {}

  async pullFromHub(): Promise<number> {
    const { intake, role, catchUp, roster } = this.deps;
    if (intake.state() === 'closed') return 0;
    return role === 'city' ? catchUp.pull(roster.hubNode) : 0;
  }

  /** Pulls from every other active member (the hub pulls from every city). */
  async pullFromPeers(): Promise<number> {
    const { intake, catchUp, roster, self } = this.deps;
    if (intake.state() === 'closed') return 0;
    let n = 0;
    for (const node of roster.activeNodes()) {
      if (node !== self && node !== roster.hubNode) n += await catchUp.pull(node);
    }
    return n;
  }

  async reconcileAll(): Promise<number> {
    const { intake, catchUp, roster, self } = this.deps;
    if (intake.state() === 'closed') return 0;
    let n = 0;
    for (const node of roster.activeNodes()) if (node !== self) n += await catchUp.reconcile(node);
    return n;
  }
}
