/** Calendar arithmetic of the scorecard: UTC, whole months, the boundary day fresh. */

export const time = (iso: string) => Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);

/** `iso` plus `months` calendar months (UTC), clamped to the month's last day. */
export function addMonths(iso: string, months: number): number {
  const d = new Date(time(iso));
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** Fresh while `now` is at most `months` calendar months after `iso` (the boundary day counts). */
export const within = (iso: string, months: number, now: Date) => now.getTime() <= addMonths(iso, months) + 86_399_999;

/** Whole calendar months from `iso` to `now`. */
export function monthsSince(iso: string, now: Date): number {
  const from = new Date(time(iso));
  let months = (now.getUTCFullYear() - from.getUTCFullYear()) * 12 + now.getUTCMonth() - from.getUTCMonth();
  if (now.getUTCDate() < from.getUTCDate()) months -= 1;
  return Math.max(0, months);
}

export const ago = (iso: string, now: Date) => {
  const m = monthsSince(iso, now);
  if (m >= 1) return `${m} month${m === 1 ? '' : 's'} ago`;
  const days = Math.floor((now.getTime() - time(iso)) / 86_400_000);
  return days <= 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`;
};

/** The US federal election cycle: two years from January 1 of the odd year. */
export function electionCycleStart(now: Date): string {
  const y = now.getUTCFullYear();
  return `${y % 2 === 1 ? y : y - 1}-01-01`;
}

export const latest = <T>(items: T[], at: (t: T) => string | undefined): T | undefined =>
  items.reduce<T | undefined>((best, t) => {
    const v = at(t);
    if (v === undefined) return best;
    const b = best === undefined ? undefined : at(best);
    return b === undefined || time(v) > time(b) ? t : best;
  }, undefined);
