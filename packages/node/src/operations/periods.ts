import {
  type CheckIn,
  isOpenAt,
  type OperationalPeriod,
  OperationalPeriodBodySchema,
  type SignedObject,
} from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { SessionUser } from '../accounts/accounts.js';
import type { Publish } from '../authoring/marking.js';
import type { Clock } from '../clock.js';
import { ConflictError, InvalidInputError } from '../errors.js';
import { decodeStored } from '../ingest/projection.js';

export const NO_OPEN_PERIOD = 'no operational period is open';

/** An operational period as announced by the hub, with its object id. */
export type HeldPeriod = OperationalPeriod & { id: string; created: string };

/** How many announced periods are looked at (newest first) to find the open one. */
const RECENT_PERIODS = 200;

/**
 * Operational periods (hub-signed, announced to every city) and the check-ins
 * cities post during one. The open period is the most recently announced one
 * whose window holds the node's clock.
 */
export class Periods {
  constructor(
    private readonly deps: {
      role: 'hub' | 'city';
      hubNode: string;
      store: Store;
      clock: Clock;
      publish: Publish;
    },
  ) {}

  async list(): Promise<HeldPeriod[]> {
    const held = await this.deps.store.read((r) => r.objects.ofKind('operational-period', RECENT_PERIODS));
    return held.map((s) => {
      const o = decodeStored(s) as Extract<SignedObject, { kind: 'operational-period' }>;
      return { ...OperationalPeriodBodySchema.parse(o.body), id: s.id, created: o.created };
    });
  }

  /** The period open now, or null. */
  async open(now = this.deps.clock()): Promise<HeldPeriod | null> {
    return (await this.list()).find((p) => isOpenAt(p, now)) ?? null;
  }

  /** The open period, with the time left until it ends, for the console's banner. */
  async current() {
    const now = this.deps.clock();
    const p = await this.open(now);
    return p ? { ...p, now, endsInMs: Date.parse(p.end) - now } : null;
  }

  /** Hub: announce a period to every city (TLP:GREEN, whole network). */
  async announce(input: unknown, actor: SessionUser): Promise<{ id: string }> {
    if (this.deps.role !== 'hub') throw new ConflictError('only the hub announces operational periods');
    const parsed = OperationalPeriodBodySchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    return this.deps.publish('operational-period', { tlp: 'GREEN', audience: ['*'], body: parsed.data }, actor);
  }

  /** City: check in for the open period, addressed to the hub only (TLP:AMBER). */
  async checkIn(input: Omit<CheckIn, 'period'>, actor: SessionUser): Promise<{ id: string; period: string }> {
    if (this.deps.role !== 'city') throw new ConflictError('the hub does not check in; cities do');
    const period = await this.open();
    if (!period) throw new ConflictError(NO_OPEN_PERIOD);
    const body: CheckIn = {
      period: period.id,
      state: input.state,
      ...(input.note && { note: input.note }),
      ...(input.open?.length && { open: input.open }),
    };
    const { id } = await this.deps.publish('checkin', { tlp: 'AMBER', audience: [this.deps.hubNode], body }, actor);
    return { id, period: period.id };
  }
}
