import { z } from 'zod';
import { ObjectIdSchema } from './primitives.js';
import type { Severity } from './taxonomy.js';

/**
 * Election Day operations, pure: an operational period's rules, how long each
 * severity may wait for an acknowledgement, which bulletins are overdue, which
 * cities have missed their check-ins. The hub's clock is an argument, never read.
 */

/** The guide's §8 acknowledgement targets in minutes; `null` = the next business day. */
export const DEFAULT_ACK_TARGETS = {
  emergency: 15,
  severe: 30,
  high: 60,
  medium: 240,
  low: null,
  'baseline-minor': null,
  'baseline-negligible': null,
} as const satisfies Record<Severity, number | null>;

const minutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);

export const OperationalPeriodBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    start: z.iso.datetime({ offset: false }),
    end: z.iso.datetime({ offset: false }),
    earlyVoting: z
      .array(z.strictObject({ start: z.iso.datetime({ offset: false }), end: z.iso.datetime({ offset: false }) }))
      .max(60)
      .optional(),
    checkInMinutes: minutes.default(120),
    ackTargets: z
      .strictObject({
        emergency: minutes,
        severe: minutes,
        high: minutes,
        medium: minutes,
        low: minutes.nullable(),
        'baseline-minor': minutes.nullable(),
        'baseline-negligible': minutes.nullable(),
      })
      .default({ ...DEFAULT_ACK_TARGETS }),
    /** IANA time zone of the state, for "next business day". */
    timeZone: z.string().max(64).default('America/Chicago'),
  })
  .refine((p) => Date.parse(p.end) > Date.parse(p.start), {
    message: 'the period ends before it starts',
    path: ['end'],
  });
export type OperationalPeriod = z.infer<typeof OperationalPeriodBodySchema>;

/**
 * A city's check-in during an operational period (kind `checkin`, city-signed,
 * addressed to the hub): all quiet or issues, a note, links to its open bulletins.
 */
export const CheckInBodySchema = z.strictObject({
  /** The id of the `operational-period` object this check-in answers. */
  period: ObjectIdSchema,
  state: z.enum(['quiet', 'issues']),
  note: z.string().max(2_000).optional(),
  open: z.array(ObjectIdSchema).max(100).optional(),
});
export type CheckIn = z.infer<typeof CheckInBodySchema>;

/**
 * A hub shift-log entry (kind `shift-note`, hub-only, addressed to the hub alone):
 * a handover from one shift to the next, or a decision taken during the period,
 * signed so the after-action report can show who wrote what, unaltered.
 */
export const ShiftNoteBodySchema = z.strictObject({
  period: ObjectIdSchema,
  type: z.enum(['handover', 'decision']),
  /** Who wrote it (the official's name), signed with the rest. */
  by: z.string().trim().min(1).max(200),
  text: z.string().trim().min(1).max(10_000),
  /** Handover: the officials taking over. */
  onShift: z.array(z.string().min(1).max(100)).max(50).optional(),
});
export type ShiftNote = z.infer<typeof ShiftNoteBodySchema>;

/** Whether `now` (ms) falls inside the period. */
export function isOpenAt(period: Pick<OperationalPeriod, 'start' | 'end'>, now: number): boolean {
  return now >= Date.parse(period.start) && now < Date.parse(period.end);
}

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** A local calendar date and weekday in `timeZone`. */
function localParts(t: number, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    weekday: get('weekday'),
    offsetMs:
      Date.UTC(+get('year'), +get('month') - 1, +get('day'), +get('hour'), +get('minute'), +get('second')) -
      Math.floor(t / 1000) * 1000,
    y: +get('year'),
    m: +get('month'),
    d: +get('day'),
  };
}

/** 9:00 local time on the first business day (Mon–Fri) after the day of `t`. */
export function nextBusinessMorning(t: number, timeZone: string): number {
  let day = localParts(t, timeZone);
  let probe = Date.UTC(day.y, day.m - 1, day.d, 12) + 86_400_000;
  for (;;) {
    day = localParts(probe, timeZone);
    if (day.weekday !== 'Sat' && day.weekday !== 'Sun') break;
    probe += 86_400_000;
  }
  const nineLocal = Date.UTC(day.y, day.m - 1, day.d, 9);
  return nineLocal - localParts(nineLocal, timeZone).offsetMs;
}

/** When a bulletin of this severity, received at `receivedAt`, must have been acknowledged. */
export function ackDeadline(
  receivedAt: number,
  severity: Severity,
  period: Pick<OperationalPeriod, 'ackTargets' | 'timeZone'>,
): number {
  const target = period.ackTargets[severity];
  return target === null ? nextBusinessMorning(receivedAt, period.timeZone) : receivedAt + target * 60_000;
}

export interface OpenBulletin {
  id: string;
  origin: string;
  title: string;
  severity: Severity;
  /** When the hub received it (ms). */
  receivedAt: number;
  /** When the hub acknowledged it (status set past `published`), if it has. */
  acknowledgedAt?: number;
}

export interface ClockEntry {
  id: string;
  origin: string;
  title: string;
  severity: Severity;
  deadline: number;
  /** Negative once overdue. */
  remainingMs: number;
  overdue: boolean;
  /** The clock in words, for the board and for screen readers: "12 min left", "overdue by 1 h 5 min". */
  words: string;
}

export function durationWords(ms: number): string {
  const total = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  const parts = [d && `${d} d`, h && `${h} h`, (m || total === 0) && `${m} min`].filter(Boolean);
  return parts.join(' ');
}

/**
 * The escalation queue: every unacknowledged bulletin with the time left to its
 * target, overdue ones first (most overdue on top), then by time left.
 */
export function escalationClocks(
  bulletins: readonly OpenBulletin[],
  period: Pick<OperationalPeriod, 'ackTargets' | 'timeZone'>,
  now: number,
): ClockEntry[] {
  const out: ClockEntry[] = [];
  for (const b of bulletins) {
    if (b.acknowledgedAt !== undefined) continue;
    const deadline = ackDeadline(b.receivedAt, b.severity, period);
    const remainingMs = deadline - now;
    const overdue = remainingMs < 0;
    out.push({
      id: b.id,
      origin: b.origin,
      title: b.title,
      severity: b.severity,
      deadline,
      remainingMs,
      overdue,
      words: overdue ? `overdue by ${durationWords(-remainingMs)}` : `${durationWords(remainingMs)} left`,
    });
  }
  return out.sort((a, b) => a.remainingMs - b.remainingMs || a.id.localeCompare(b.id));
}

export interface CheckInState {
  city: string;
  /** The city's last check-in in this period (ms), if any. */
  lastCheckIn?: number;
}

export interface OverdueCheckIn {
  city: string;
  /** Check-ins missed since the last one (or since the period started). */
  missed: number;
  since: number;
}

/**
 * Cities that have missed at least one check-in: a city is due every
 * `checkInMinutes` from the period's start or its last check-in, whichever is later.
 * Outside the period nobody is overdue.
 */
export function overdueCheckIns(
  cities: readonly CheckInState[],
  period: Pick<OperationalPeriod, 'start' | 'end' | 'checkInMinutes'>,
  now: number,
): OverdueCheckIn[] {
  const start = Date.parse(period.start);
  if (now < start || now > Date.parse(period.end)) return [];
  const every = period.checkInMinutes * 60_000;
  const out: OverdueCheckIn[] = [];
  for (const c of cities) {
    const since = c.lastCheckIn !== undefined && c.lastCheckIn >= start ? c.lastCheckIn : start;
    const missed = Math.floor((now - since) / every);
    if (missed > 0) out.push({ city: c.city, missed, since });
  }
  return out.sort((a, b) => b.missed - a.missed || a.city.localeCompare(b.city));
}
