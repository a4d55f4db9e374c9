import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, type Desk, HAVE_CHROMIUM, launchChromium, openDesk, signIn } from './browser';
import { HUB, SHELBYVILLE, SPRINGFIELD } from './fixtures';
import { WebNetwork } from './network';

// The console's look (issue 18 B): routing, print and PDF, dark theme, drafts, wording.
if (!HAVE_CHROMIUM && process.env.CI) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
}

const run = Date.now().toString(36);
const TITLE = `Look-alike clerk domain registered ${run}`;

async function postReport(page: Page, title: string, severity: RegExp): Promise<string> {
  await page.getByRole('link', { name: 'Report', exact: true }).click();
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Category', { exact: true }).selectOption('cyber');
  await page.getByRole('radio', { name: /^phishing —/ }).check();
  await page.getByRole('radio', { name: severity }).check();
  await page.getByLabel('Location', { exact: true }).fill('City Clerk’s office, 100 Main St');
  await page.getByLabel('What happened', { exact: true }).fill('A domain one letter away from ours was registered.');
  await page.getByRole('button', { name: 'Sign and send the report' }).click();
  await page.waitForURL(/\/objects\/[A-Za-z0-9_-]{43}$/);
  return new URL(page.url()).pathname.split('/').pop()!;
}

describe.skipIf(!HAVE_CHROMIUM)('the console as people see it: routes, print, theme, drafts, wording', () => {
  let net: WebNetwork;
  let browser: Browser;
  const desks: Desk[] = [];
  let ana: Desk;
  let bulletinId = '';

  beforeAll(async () => {
    [net, browser] = await Promise.all([
      WebNetwork.start({ hub: HUB, cities: [SPRINGFIELD, SHELBYVILLE] }),
      launchChromium(),
    ]);
    ana = await openDesk(browser, net.node('springfield'));
    desks.push(ana);
    await signIn(ana, 'ana');
    bulletinId = await postReport(ana.page, TITLE, /^high —/);
  });

  afterAll(async () => {
    for (const d of desks) await d.context.close().catch(() => undefined);
    await browser?.close();
    if (net) await net.close();
  });

  it('feed filters live in the URL and come back with Back and Forward', async () => {
    const { page } = ana;
    await page.goto(`${ana.node.url}/`);
    await page.getByRole('link', { name: TITLE }).waitFor();
    await page.getByLabel('Severity').selectOption('low');
    await page.waitForURL(/\?severity=low$/);
    await page.getByText('Nothing matches these filters yet.').waitFor();
    await page.getByLabel('Severity').selectOption('high');
    await page.waitForURL(/\?severity=high$/);
    await page.getByRole('link', { name: TITLE }).click();
    await page.waitForURL(/\/objects\//);
    await page.goBack();
    await page.waitForURL(/\?severity=high$/);
    expect(await page.getByLabel('Severity').inputValue()).toBe('high');
    await page.getByRole('link', { name: TITLE }).waitFor();
    await page.goBack();
    await page.waitForURL(/\?severity=low$/);
    expect(await page.getByLabel('Severity').inputValue()).toBe('low');
    await page.goForward();
    await page.waitForURL(/\?severity=high$/);
    // A link to a filtered feed opens filtered; a nonsense value is "no filter", not an error.
    await page.goto(`${ana.node.url}/?tlp=AMBER&includeRetracted=true&kind=spaceship`);
    expect(await page.getByLabel('TLP').inputValue()).toBe('AMBER');
    expect(await page.getByLabel('Kind').inputValue()).toBe('');
    expect(await page.getByLabel('Include retracted').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(`${ana.node.url}/`);
    await page.goto(`${ana.node.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  });

  it('no page broke the Content-Security-Policy or threw', () => {
    expect(desks.flatMap((d) => d.problems)).toEqual([]);
  });
});
