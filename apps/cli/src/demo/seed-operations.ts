import type { CityLinkClient } from '@citylink/client';

const DAY = 86_400_000;

/**
 * The demo's Election Day: an operational period covering its first seven days,
 * announced by the hub, and check-ins from two of the three cities (Green Bay has
 * not checked in yet, so the situation room shows it due).
 */
export async function seedOperations(
  as: (node: string, user: string) => Promise<CityLinkClient>,
  poll: (what: string, check: () => Promise<boolean>) => Promise<void>,
  now: number,
): Promise<void> {
  await (await as('wi-hub', 'official')).operations.announcePeriod.mutate({
    name: 'Demo week: early voting and Election Day',
    start: new Date(now - 60_000).toISOString(),
    end: new Date(now + 7 * DAY).toISOString(),
  });
  const checkIns = [
    { node: 'wi-madison', state: 'quiet' as const, note: 'All early-voting sites open; lines under ten minutes.' },
    { node: 'wi-milwaukee', state: 'issues' as const, note: 'One ballot scanner jammed at the Central Library site.' },
  ];
  for (const c of checkIns) {
    const staff = await as(c.node, 'staff');
    await poll(`the operational period at ${c.node}`, async () => (await staff.operations.period.query()) !== null);
    await staff.operations.checkIn.mutate({ state: c.state, note: c.note });
  }
}
