import type { ShiftNote, SignedObject } from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { SessionUser } from '../accounts/accounts.js';
import type { Publish } from '../authoring/marking.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { decodeStored } from '../ingest/projection.js';
import { NO_OPEN_PERIOD, type Periods } from './periods.js';

export interface ShiftLogEntry {
  at: string;
  type: 'handover' | 'decision' | 'escalation';
  by: string;
  text: string;
  /** The signed note's id, or the escalated bulletin / city. */
  ref: string;
}

/**
 * The hub's shift log for the after-action report: signed handover and decision
 * notes (kind `shift-note`, addressed to the hub alone, so they never leave it)
 * and the escalations of the period, in time order, with a printable text.
 */
export class ShiftLog {
  constructor(
    private readonly deps: { self: string; role: 'hub' | 'city'; store: Store; periods: Periods; publish: Publish },
  ) {}

  async write(input: Pick<ShiftNote, 'type' | 'text' | 'onShift'>, actor: SessionUser): Promise<{ id: string }> {
    if (this.deps.role !== 'hub') throw new ConflictError('the shift log is kept at the hub');
    const period = await this.deps.periods.open();
    if (!period) throw new ConflictError(NO_OPEN_PERIOD);
    const body: ShiftNote = {
      period: period.id,
      type: input.type,
      by: actor.displayName || actor.username,
      text: input.text,
      ...(input.onShift?.length && { onShift: input.onShift }),
    };
    return this.deps.publish('shift-note', { tlp: 'AMBER', audience: [this.deps.self], body }, actor);
  }

  async read(periodId?: string) {
    const periods = await this.deps.periods.list();
    const period = periodId ? periods.find((p) => p.id === periodId) : ((await this.deps.periods.open()) ?? periods[0]);
    if (!period) throw new NotFoundError('no operational period has been announced');
    const [targeting, escalations] = await Promise.all([
      this.deps.store.objectsTargeting(period.id, ['shift-note']),
      this.deps.store.read((r) => r.operations.escalationsIn(period.id)),
    ]);
    const entries: ShiftLogEntry[] = [
      ...targeting
        .filter((s) => s.kind === 'shift-note' && s.origin === this.deps.self)
        .map((s) => {
          const o = decodeStored(s) as Extract<SignedObject, { kind: 'shift-note' }>;
          const takeover = o.body.onShift?.length ? ` (on shift: ${o.body.onShift.join(', ')})` : '';
          return {
            at: s.receivedAt.toISOString(),
            type: o.body.type,
            by: o.body.by,
            text: `${o.body.text}${takeover}`,
            ref: s.id,
          };
        }),
      ...escalations.map((e) => ({
        at: e.at.toISOString(),
        type: 'escalation' as const,
        by: 'CityLink',
        text:
          e.kind === 'ack'
            ? 'acknowledgement overdue, escalated to the on-call officials'
            : `check-ins missed, escalated to the city's liaison`,
        ref: e.subject,
      })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const text = [
      `Shift log — ${period.name} (${period.start} – ${period.end})`,
      '',
      ...entries.map((e) => `${e.at}  ${e.type.toUpperCase().padEnd(10)}  ${e.by}: ${e.text}  [${e.ref}]`),
    ].join('\n');
    return { period: { id: period.id, name: period.name, start: period.start, end: period.end }, entries, text };
  }
}
