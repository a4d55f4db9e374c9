import { describe, expect, it } from 'vitest';
import { NotificationPrefsSchema, sendAt } from '../src/notifications/prefs.js';

const prefs = (quietHours?: { start: string; end: string; timeZone: string }) =>
  NotificationPrefsSchema.parse({ email: 'clerk@example.gov', ...(quietHours && { quietHours }) });
// 23:30 in Chicago on Election Day (UTC−6 in November).
const lateEvening = Date.parse('2026-11-04T05:30:00Z');

describe('quiet hours', () => {
  it('hold an e-mail until they end, across midnight, in the account’s time zone', () => {
    const p = prefs({ start: '22:00', end: '06:00', timeZone: 'America/Chicago' });
    expect(new Date(sendAt(p, lateEvening, false)).toISOString()).toBe('2026-11-04T12:00:00.000Z');
  });

  it('never hold an emergency', () => {
    const p = prefs({ start: '22:00', end: '06:00', timeZone: 'America/Chicago' });
    expect(sendAt(p, lateEvening, true)).toBe(lateEvening);
  });

  it('send at once outside quiet hours, or without any', () => {
    const p = prefs({ start: '01:00', end: '05:00', timeZone: 'America/Chicago' });
    expect(sendAt(p, lateEvening, false)).toBe(lateEvening);
    expect(sendAt(prefs(), lateEvening, false)).toBe(lateEvening);
  });

  it('refuse a malformed time', () => {
    expect(
      NotificationPrefsSchema.safeParse({ quietHours: { start: '25:00', end: '06:00', timeZone: 'UTC' } }).success,
    ).toBe(false);
  });
});
