import {
  type ClockEntry,
  escalationClocks,
  type LiaisonBody,
  type OverdueCheckIn,
  overdueCheckIns,
  type Severity,
} from '@citylink/protocol';
import type { Store } from '@citylink/store';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { RosterState } from '../membership/roster-state.js';
import type { Matter, Notifier, Recipient } from '../notifications/notifier.js';
import type { CheckInModel } from './checkin-model.js';
import { liaisonsOf } from './liaisons.js';
import type { OnCall } from './on-call.js';
import type { HeldPeriod, Periods } from './periods.js';

/** A city that has missed this many check-ins is escalated to its liaison (once per lapse). */
export const ESCALATE_AFTER_MISSED = 2;

/** `county`: the roster's county of the city (null when the roster does not say). */
export type BoardClock = ClockEntry & { tlp: string; originName: string; escalated: boolean; county: string | null };
export type BoardOverdue = OverdueCheckIn & { name: string; escalated: boolean; county: string | null };

export interface SituationSnapshot {
  now: number;
  period: HeldPeriod | null;
  /** Unacknowledged bulletins received during the period: overdue first, then by time left. */
  clocks: BoardClock[];
  /** Cities behind on check-ins, most missed first. */
  overdue: BoardOverdue[];
  /** Active cities in the roster. */
  cities: number;
}

const severityWord = (s: Severity) => s.toUpperCase();

/**
 * The hub's Election Day read model, computed per tick from the check-in model (in
 * memory, kept up to date as check-ins arrive), two indexed queries (open bulletins,
 * escalations already sent) and the pure rules of
 * protocol/operations.ts; then every new overdue matter is escalated exactly once
 * (the `escalations` row, the audit event and the notifications commit together).
 */
export class Situation {
  constructor(
    private readonly deps: {
      self: string;
      store: Store;
      clock: Clock;
      periods: Periods;
      checkIns: CheckInModel;
      roster: RosterState;
      onCall: OnCall;
      notifier: Notifier;
      /** The liaison records the hub holds for a city (preparedness evidence, retracted ones left out). */
      liaisons: (city: string) => Promise<readonly LiaisonBody[]>;
      log: Logger;
    },
  ) {}

  /** The situation now (the console's board and wall screen: cheap enough to compute per call). */
  board(): Promise<SituationSnapshot> {
    return this.compute();
  }

  async compute(): Promise<SituationSnapshot> {
    const { store, clock, periods, roster, self } = this.deps;
    const now = clock();
    const period = await periods.open(now);
    const cities = roster.members().filter((m) => m.role === 'city' && m.status === 'active');
    if (!period) return { now, period: null, clocks: [], overdue: [], cities: cities.length };
    const start = Date.parse(period.start);
    const last = await this.deps.checkIns.lastCheckIns(period.id);
    const [open, escalated] = await store.read((r) =>
      Promise.all([r.operations.openBulletins(), r.operations.escalationKeys(period.id)]),
    );
    const inPeriod = open.filter((b) => b.origin !== self && b.receivedAt.getTime() >= start);
    const byId = new Map(inPeriod.map((b) => [b.id, b]));
    const nameOf = (node: string) => roster.member(node)?.name ?? node;
    const countyOf = (node: string) => roster.member(node)?.county ?? null;
    const clocks = escalationClocks(
      inPeriod.map((b) => ({
        id: b.id,
        origin: b.origin,
        title: b.title,
        severity: b.severity as Severity,
        receivedAt: b.receivedAt.getTime(),
      })),
      period,
      now,
    ).map((c) => ({
      ...c,
      tlp: byId.get(c.id)!.tlp,
      originName: nameOf(c.origin),
      escalated: escalated.has(ackKey(c.id)),
      county: countyOf(c.origin),
    }));
    const overdue = overdueCheckIns(
      cities.map((c) => {
        const at = last.get(c.node);
        return at === undefined ? { city: c.node } : { city: c.node, lastCheckIn: at };
      }),
      period,
      now,
    ).map((o) => ({
      ...o,
      name: nameOf(o.city),
      county: countyOf(o.city),
      escalated: escalated.has(checkInKey(period.id, o)),
    }));
    return { now, period, clocks, overdue, cities: cities.length };
  }

  /** One tick: compute, then escalate what became overdue since the last one. Answers the new escalation keys. */
  async tick(): Promise<string[]> {
    const snap = await this.compute();
    if (!snap.period) return [];
    const period = snap.period;
    const done: string[] = [];
    const officials = snap.clocks.some((c) => c.overdue && !c.escalated) ? await this.deps.onCall.recipients() : [];
    for (const c of snap.clocks) {
      if (!c.overdue || c.escalated) continue;
      const matter: Matter = {
        kind: 'ack-overdue',
        subject: c.id,
        emergency: c.severity === 'emergency',
        text: `Acknowledgement overdue: a ${severityWord(c.severity)} TLP:${c.tlp} report from ${c.originName} is ${c.words} — open CityLink`,
        title: { text: c.title, tlp: c.tlp },
      };
      if (await this.#escalate(ackKey(c.id), 'ack', c.id, period, officials, matter, { severity: c.severity }))
        done.push(ackKey(c.id));
    }
    for (const o of snap.overdue) {
      if (o.missed < ESCALATE_AFTER_MISSED || o.escalated) continue;
      const key = checkInKey(period.id, o);
      const matter: Matter = {
        kind: 'checkin-overdue',
        subject: o.city,
        emergency: false,
        text: `Check-in overdue: ${o.name} has missed ${o.missed} check-ins in “${period.name}” — check in on CityLink`,
      };
      const to = liaisonsOf(await this.deps.liaisons(o.city), this.deps.roster.member(o.city));
      if (await this.#escalate(key, 'checkin', o.city, period, to, matter, { missed: o.missed })) done.push(key);
    }
    return done;
  }

  async #escalate(
    key: string,
    kind: 'ack' | 'checkin',
    subject: string,
    period: HeldPeriod,
    to: readonly Recipient[],
    matter: Matter,
    detail: Record<string, unknown>,
  ): Promise<boolean> {
    const { store, clock, notifier, log } = this.deps;
    const now = clock();
    const recorded = await store.transact(async (tx) => {
      if (!(await tx.operations.recordEscalation({ key, kind, subject, period: period.id, at: new Date(now) })))
        return false;
      await tx.audit.add({
        actor: 'system:escalation',
        action: `escalation.${kind}`,
        subject,
        detail: {
          ...detail,
          period: period.id,
          to: to.map((r) => ('username' in r ? `user:${r.username}` : `email:${r.email}`)),
        },
        at: new Date(now),
      });
      await notifier.addIn(tx, to, matter, now);
      return true;
    });
    if (recorded) log.info({ key, recipients: to.length }, 'escalated');
    return recorded;
  }
}

const ackKey = (bulletin: string) => `ack:${bulletin}`;
const checkInKey = (period: string, o: Pick<OverdueCheckIn, 'city' | 'since'>) =>
  `checkin:${period}:${o.city}:${o.since}`;
