import { z } from 'zod';

/** What a notification is about: the "needs you" markers and the escalations. */
export const NOTIFICATION_KINDS = [
  'signature-awaited',
  'ack-overdue',
  'checkin-overdue',
  'advisory',
  'statement-invitation',
  'comment',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');

/** One account's preferences: where to, which kinds by e-mail, quiet hours (never for emergencies). */
export const NotificationPrefsSchema = z.strictObject({
  email: z.email().max(320).optional(),
  /** Kinds sent by e-mail too (all of them are always in the notification centre). */
  emailKinds: z
    .array(z.enum(NOTIFICATION_KINDS))
    .max(NOTIFICATION_KINDS.length)
    .default([...NOTIFICATION_KINDS]),
  /** Quiet hours in `timeZone`: e-mails wait until they end, unless the matter is an emergency. */
  quietHours: z.strictObject({ start: hhmm, end: hhmm, timeZone: z.string().max(64) }).optional(),
  /**
   * Opt in to titles in e-mails, for TLP:CLEAR and TLP:GREEN matters only; an AMBER
   * or RED matter is never described beyond its marking, severity and city.
   */
  includeTitles: z.boolean().default(false),
});
export type NotificationPrefs = z.infer<typeof NotificationPrefsSchema>;

export const DEFAULT_PREFS: NotificationPrefs = NotificationPrefsSchema.parse({});

export function parsePrefs(stored: string | null): NotificationPrefs {
  if (!stored) return DEFAULT_PREFS;
  const parsed = NotificationPrefsSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : DEFAULT_PREFS;
}

const minutesOf = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3));

function localMinutes(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/**
 * When an e-mail may go out: now, or (inside quiet hours, not an emergency) at
 * the end of them. Quiet hours may wrap midnight (22:00–06:00).
 */
export function sendAt(prefs: NotificationPrefs, now: number, emergency: boolean): number {
  const q = prefs.quietHours;
  if (!q || emergency) return now;
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  const local = localMinutes(now, q.timeZone);
  const inside = start <= end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return now;
  const wait = (end - local + 1440) % 1440;
  return now + wait * 60_000 - (now % 60_000);
}
