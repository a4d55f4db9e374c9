import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, call, type Desk, HAVE_CHROMIUM, launchChromium, openDesk, signIn } from './browser';
import { type NodeSpec, WebNetwork } from './network';

if (!HAVE_CHROMIUM && process.env.CI) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
}

const HUB: NodeSpec = {
  id: 'eday-hub',
  name: 'State Election Office',
  accounts: [{ username: 'olivia', displayName: 'Olivia Official', roles: ['hub-official', 'staff'] }],
};
const LAKESIDE: NodeSpec = {
  id: 'lakeside',
  name: 'City of Lakeside',
  accounts: [{ username: 'lee', displayName: 'Mayor Lee', roles: ['signer', 'staff'] }],
};
const RIVERTON: NodeSpec = {
  id: 'riverton',
  name: 'City of Riverton',
  accounts: [{ username: 'mayor', displayName: 'Mayor Rivera', roles: ['signer', 'staff'] }],
};

describe.skipIf(!HAVE_CHROMIUM)('Election Day in the console (Chromium, node processes)', () => {
  let net: WebNetwork;
  let browser: Browser;
  const desks: Desk[] = [];
  const desk = async (id: string) => {
    const d = await openDesk(browser, id === HUB.id ? net.hub : net.node(id));
    desks.push(d);
    return d;
  };

  beforeAll(async () => {
    [net, browser] = await Promise.all([
      WebNetwork.start({ hub: HUB, cities: [LAKESIDE, RIVERTON] }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    for (const d of desks) await d.context.close().catch(() => undefined);
    await browser?.close();
    await net?.close();
  });

  it('a mayor invited to a statement sees the unread count and "awaiting your signature" in another tab, without reload', async () => {
    const mayor = await desk(RIVERTON.id);
    await signIn(mayor, 'mayor');
    const other = await mayor.context.newPage();
    await other.goto(`${mayor.node.url}/notifications`);
    await other.getByRole('heading', { name: 'Notifications' }).waitFor();
    await other.getByText('0 unread').waitFor();

    const lee = await desk(LAKESIDE.id);
    await signIn(lee, 'lee');
    const created = await call<{ id: string }>(
      lee,
      'statements.create',
      {
        title: 'Fund election security',
        text: 'We ask the Legislature to fund election security in every municipality.',
        addressees: ['Governor'],
        invited: [RIVERTON.id],
      },
      'mutation',
    );
    expect(created.status).toBe(200);
    const id = created.data.id;
    const opened = await call(
      lee,
      'statements.openSignOn',
      { id, deadline: new Date(Date.now() + 86_400_000).toISOString() },
      'mutation',
    );
    expect(opened.status).toBe(200);

    await other.getByText('Awaiting your signature', { exact: true }).waitFor();
    await expect.poll(() => other.getByTestId('unread-count').textContent()).toMatch(/^\s*2/);
    await expect.poll(() => other.title()).toMatch(/^\(2\) /);
    // The first tab, never reloaded either, shows the same count in its navigation.
    await expect.poll(() => mayor.page.getByTestId('unread-count').textContent()).toMatch(/^\s*2/);
    expect(mayor.problems).toEqual([]);
  });

  it('the wall screen shows a new emergency within 2 s', async () => {
    const olivia = await desk(HUB.id);
    await signIn(olivia, 'olivia');
    const announced = await call(
      olivia,
      'operations.announcePeriod',
      {
        name: 'General election',
        start: new Date(Date.now() - 60_000).toISOString(),
        end: new Date(Date.now() + 86_400_000).toISOString(),
      },
      'mutation',
    );
    expect(announced.status).toBe(200);
    const { page } = olivia;
    await page.goto(`${olivia.node.url}/situation-room`);
    await page.getByRole('heading', { name: /Situation room — General election/ }).waitFor();
    await page.getByRole('img', { name: /Map of counties/ }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    expect(await page.getByTestId('emergencies').textContent()).toBe('0');

    const lee = desks.find((d) => d.node.id === LAKESIDE.id)!;
    const t0 = Date.now();
    const posted = await call(
      lee,
      'staff.postBulletin',
      {
        tlp: 'GREEN',
        audience: ['*'],
        body: {
          title: 'Bomb threat at the Lakeside library polling place',
          narrative: 'Building evacuated; voters moved to the school gym.',
          category: 'physical.bomb-threat',
          severity: 'emergency',
          location: { description: 'Lakeside library', county: 'Dane' },
        },
      },
      'mutation',
    );
    expect(posted.status).toBe(200);
    await page.getByTestId('emergencies').filter({ hasText: /^1$/ }).waitFor({ timeout: 2_000 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    await page.getByText(/Bomb threat at the Lakeside library/).waitFor();
    // The map's caption names the county as the map does, not as a lookup key.
    await page.locator('figure.county-map figcaption').filter({ hasText: 'Dane County: 1' }).waitFor();
    expect(olivia.problems).toEqual([]);
  });

  it('a city sees the period banner with its countdown and checks in with one click', async () => {
    // The period announced above reaches the cities through the hub.
    const lee = desks.find((d) => d.node.id === LAKESIDE.id)!;
    const { page } = lee;
    await page.goto(`${lee.node.url}/`);
    const banner = page.getByRole('complementary', { name: 'Operational period' });
    await banner.getByText('General election').waitFor({ timeout: 15_000 });
    expect(await banner.getByTestId('period-countdown').textContent()).toMatch(/\d+ (d|h|min)/);
    await banner.getByRole('button', { name: 'Check in: all quiet' }).click();
    await banner.getByRole('status').filter({ hasText: 'Checked in.' }).waitFor();
    expect(lee.problems).toEqual([]);
  });

  it('a city console shows the statewide posture in force when it opens, not only one that arrives while it is open', async () => {
    const olivia = desks.find((d) => d.node.id === HUB.id)!;
    const set = await call(
      olivia,
      'hub.setPosture',
      {
        level: 'elevated',
        advisory: { title: 'Early voting: elevated posture', text: 'Watch for look-alike domains.' },
      },
      'mutation',
    );
    expect(set.status).toBe(200);
    const lee = desks.find((d) => d.node.id === LAKESIDE.id)!;
    await expect
      .poll(async () => (await call<{ level?: string } | null>(lee, 'staff.posture')).data?.level, { timeout: 15_000 })
      .toBe('elevated');
    // Opened after the posture arrived: nothing comes live, the banner must still say it.
    await lee.page.goto(`${lee.node.url}/library`);
    const banner = lee.page.getByRole('complementary', { name: 'Statewide posture' });
    await banner.getByText('elevated', { exact: true }).waitFor();
    await banner.getByRole('link', { name: 'Early voting: elevated posture' }).waitFor();
    expect(lee.problems).toEqual([]);
    // On the wall screen (white text on black) the banner keeps its own dark ink on its light background.
    await olivia.page.goto(`${olivia.node.url}/situation-room`);
    const wall = olivia.page.getByRole('complementary', { name: 'Statewide posture' });
    await wall.getByText('elevated', { exact: true }).waitFor();
    expect(await wall.evaluate((el) => getComputedStyle(el).color)).not.toBe('rgb(255, 255, 255)');
  });

  it("a hub official reaches the statewide preparedness grid and the liaison directory from the console's navigation", async () => {
    const olivia = desks.find((d) => d.node.id === HUB.id)!;
    const { page } = olivia;
    await page.goto(`${olivia.node.url}/hub`);
    const main = page.getByRole('navigation', { name: 'Main' });
    await main.getByRole('link', { name: 'Preparedness' }).click();
    await page.getByRole('heading', { name: 'Statewide preparedness' }).waitFor();
    expect(await main.getByRole('link', { name: 'Preparedness' }).getAttribute('aria-current')).toBe('page');
    expect(await main.getByRole('link', { name: 'Hub situation' }).getAttribute('aria-current')).toBeNull();
    await page.goto(`${olivia.node.url}/hub`);
    await page.getByRole('navigation', { name: 'Hub views' }).getByRole('link', { name: 'Liaison directory' }).click();
    await page.getByRole('heading', { name: 'Liaison directory' }).waitFor();
    expect(olivia.problems).toEqual([]);
  });

  it('notification preferences choose which kinds also go by e-mail and whether CLEAR/GREEN titles may be in them', async () => {
    const lee = desks.find((d) => d.node.id === LAKESIDE.id)!;
    const { page } = lee;
    await page.goto(`${lee.node.url}/notifications`);
    const form = page.getByRole('form', { name: 'Notification preferences' });
    await form.getByRole('checkbox', { name: 'Comment on your report' }).uncheck();
    await form.getByRole('checkbox', { name: /Put the title in the e-mail/ }).check();
    await form.getByRole('button', { name: 'Save preferences' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const prefs = await call<{ emailKinds: string[]; includeTitles: boolean }>(lee, 'notifications.prefs');
    expect(prefs.data.includeTitles).toBe(true);
    expect(prefs.data.emailKinds).not.toContain('comment');
    expect(prefs.data.emailKinds).toContain('signature-awaited');
    await page.reload();
    expect(await form.getByRole('checkbox', { name: 'Comment on your report' }).isChecked()).toBe(false);
    expect(await form.getByRole('checkbox', { name: 'Awaiting your signature' }).isChecked()).toBe(true);
    expect(lee.problems).toEqual([]);
  });

  it('a hub official puts themselves on shift and signs a decision into the shift log, from the console', async () => {
    const olivia = desks.find((d) => d.node.id === HUB.id)!;
    const { page } = olivia;
    await page.goto(`${olivia.node.url}/hub`);
    await page
      .getByRole('navigation', { name: 'Hub views' })
      .getByRole('link', { name: 'On call and shift log' })
      .click();
    await page.getByRole('heading', { name: 'On call and shift log' }).waitFor();
    await page.getByTestId('on-shift').filter({ hasText: 'Nobody is on shift' }).waitFor();
    const onCall = page.getByRole('form', { name: 'Who is on shift' });
    await onCall.getByRole('checkbox', { name: 'olivia' }).check();
    await onCall.getByRole('button', { name: 'Save who is on shift' }).click();
    await page.getByTestId('on-shift').filter({ hasText: 'On shift: olivia.' }).waitFor();
    expect((await call<{ onShift: string[] }>(olivia, 'operations.shift')).data.onShift).toEqual(['olivia']);

    const note = page.getByRole('form', { name: 'Write in the shift log' });
    await note.getByRole('radio', { name: 'A decision' }).check();
    await note.getByLabel(/^Note/).fill('Lakeside polling place moved to the school gym.');
    await note.getByRole('button', { name: 'Sign and add to the log' }).click();
    const log = page.getByRole('list', { name: 'Shift log entries' });
    await log.getByText('Lakeside polling place moved to the school gym.').waitFor();
    expect(await log.textContent()).toContain('Decision by Olivia Official');
    expect(olivia.problems).toEqual([]);
  });

  it('opening a notification marks it read: the count goes down without "Mark all read"', async () => {
    const mayor = desks.find((d) => d.node.id === RIVERTON.id)!;
    const { page } = mayor;
    await page.goto(`${mayor.node.url}/notifications`);
    const before = Number((await page.getByTestId('unread-count').textContent())?.match(/\d+/)?.[0]);
    expect(before).toBeGreaterThan(0);
    await page.getByRole('listitem').filter({ hasText: 'Awaiting your signature' }).getByRole('link').click();
    await page.waitForURL(/\/statements\//);
    await expect
      .poll(async () => Number((await page.getByTestId('unread-count').textContent())?.match(/\d+/)?.[0] ?? 0))
      .toBe(before - 1);
    expect(mayor.problems).toEqual([]);
  });
});
