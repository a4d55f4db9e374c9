import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, type Desk, HAVE_CHROMIUM, launchChromium, openDesk, signIn } from './browser';
import { HUB, SHELBYVILLE, SPRINGFIELD } from './fixtures';
import { WebNetwork } from './network';

// Issue 15 in the browser: a city's staff records its contingency plans and a tabletop
// exercise; the city's row for recommendation 2 turns done; the hub's grid shows it live.

if (!HAVE_CHROMIUM) throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install chromium)`);

const today = new Date().toISOString().slice(0, 10);

async function recordPlanFromTemplate(page: Page, template: 'cyberattack' | 'machine-malfunction', exercised: boolean) {
  await page.getByLabel('What to record').selectOption('contingency-plan');
  await page.getByLabel('Start from a template').selectOption(template);
  await page.getByLabel('Last reviewed on', { exact: true }).fill(today);
  if (exercised) {
    await page.getByLabel('Last tabletop exercise on (optional)').fill(today);
    await page.getByLabel('After-action note (optional)').fill('Paper pollbooks reached every site in 40 minutes.');
  }
  await page.getByRole('button', { name: 'Sign and record the contingency plan' }).click();
  await page.getByText('Recorded and signed').waitFor();
}

const planRow = (page: Page, status: string) =>
  page.locator('tr[data-key="contingency-plans"] td.score', { hasText: status }).waitFor();
const hubCell = (page: Page, status: string) =>
  page.locator('tr[data-city="springfield"] td[data-recommendation="2"]', { hasText: status }).waitFor();

describe('preparedness in the console, against a network of node processes', () => {
  let net: WebNetwork;
  let browser: Browser;
  const desks: Desk[] = [];
  let ana: Desk;
  let olivia: Desk;

  beforeAll(async () => {
    [net, browser] = await Promise.all([
      WebNetwork.start({ hub: HUB, cities: [SPRINGFIELD, SHELBYVILLE] }),
      launchChromium(),
    ]);
    ana = await openDesk(browser, net.node('springfield'));
    olivia = await openDesk(browser, net.hub);
    desks.push(ana, olivia);
  });

  afterAll(async () => {
    for (const d of desks) await d.context.close().catch(() => undefined);
    await browser?.close();
    await net?.close();
  });

  it('staff records two plans and a tabletop exercise; row 2 turns done; the hub grid shows it live', async () => {
    await signIn(olivia, 'olivia', '/hub/preparedness');
    await olivia.page.getByRole('heading', { name: 'Statewide preparedness' }).waitFor();
    await hubCell(olivia.page, 'Missing');

    await signIn(ana, 'ana', '/preparedness');
    await ana.page.getByRole('heading', { name: /Preparedness of City of Springfield/ }).waitFor();
    await planRow(ana.page, 'Missing');

    await recordPlanFromTemplate(ana.page, 'cyberattack', true);
    await planRow(ana.page, 'Partial');
    await recordPlanFromTemplate(ana.page, 'machine-malfunction', false);
    await planRow(ana.page, 'Partial');
    await ana.page
      .locator('tr[data-key="contingency-plans"]', { hasText: 'machine-malfunction plan never exercised' })
      .waitFor();

    // The tabletop exercise: a new version of the plan, superseding the old one.
    await ana.page.getByRole('button', { name: /Record a tabletop exercise of Widespread pollbook/ }).click();
    await ana.page.getByLabel('After-action note (optional)').fill('Rovers brought spare units within the hour.');
    await ana.page.getByRole('button', { name: 'Sign and record the tabletop exercise' }).click();
    await planRow(ana.page, 'Done');

    // The hub's grid follows without a reload (the live feed tells it new evidence arrived).
    await hubCell(olivia.page, 'Done');
    expect(ana.problems).toEqual([]);
    expect(olivia.problems).toEqual([]);
  });

  it('warns before a marking wider than the default, and signs nothing until confirmed', async () => {
    const page = ana.page;
    await page.getByLabel('What to record').selectOption('funding-need');
    await page.getByLabel('Item', { exact: true }).fill('Backup pollbook kits');
    await page.getByLabel('Amount (US dollars)').fill('42000');
    await page.getByLabel('What it buys').fill('Paper kits for every site');
    await page.getByLabel('Recommendation it serves').selectOption('2');
    await page.getByLabel('Share it more widely').check();
    await page.getByRole('radio', { name: /GREEN/ }).check();
    await page.getByText('This shares more than the default').waitFor();
    const submit = page.getByRole('button', { name: 'Sign and record the funding need' });
    expect(await submit.isDisabled()).toBe(true);
    await page.getByLabel('I understand, share it anyway').check();
    await submit.click();
    await page.getByText('Recorded and signed').waitFor();
  });

  it('training records stay in the city; the signed summary turns row 4 done, at the hub too', async () => {
    const page = ana.page;
    const records = page.getByRole('form', { name: 'Add a training record' });
    for (const person of ['Pat Quinn', 'Robin Diaz']) {
      await records.getByLabel('Person').fill(person);
      await records.getByLabel('Course').fill('Phishing 101');
      await records.getByRole('button', { name: 'Add the record' }).click();
      await records.getByLabel('Person').and(page.locator('[value=""]')).waitFor();
    }
    await page.getByText('2 records kept here.').waitFor();
    const summary = page.getByRole('form', { name: 'Sign a training summary' });
    await summary.getByLabel('Staff with voter-registration access').fill('2');
    await summary.getByRole('button', { name: 'Sign the summary of Phishing 101 for the hub' }).click();
    await page.locator('tr[data-key="training"] td.score', { hasText: 'Done' }).waitFor();
    await olivia.page.locator('tr[data-city="springfield"] td[data-recommendation="4"]', { hasText: 'Done' }).waitFor();
  });

  it('a security day published CLEAR shows on the public page; the GREEN funding need never does', async () => {
    const page = ana.page;
    await page.getByLabel('What to record').selectOption('security-day');
    await page.getByLabel('Proclamation on').fill(today);
    await page.getByLabel('Town hall on').fill(today);
    await page.getByLabel('Town hall place').fill('Springfield Town Hall');
    await page.getByLabel('Share it more widely').check();
    await page.getByRole('radio', { name: /CLEAR/ }).check();
    await page.getByLabel('I understand, share it anyway').check();
    await page.getByRole('button', { name: 'Sign and record the election-security day' }).click();
    await page.getByText('Recorded and signed').waitFor();
    const visitor = await openDesk(browser, net.node('springfield'));
    desks.push(visitor);
    await visitor.page.goto(`${net.node('springfield').url}/public`);
    const section = visitor.page.getByRole('region', { name: 'Election-security preparedness' });
    await section.getByText(/town hall .*, Springfield Town Hall/).waitFor();
    expect(await section.textContent()).not.toContain('Backup pollbook kits');
    expect(await visitor.page.textContent('body')).not.toContain('Backup pollbook kits');
    expect(visitor.problems).toEqual([]);
  });

  it('the hub grid filters by county and size, and draws the trend', async () => {
    const page = olivia.page;
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Preparedness' });
    expect(await nav.getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('link', { name: 'Hub situation' }).getAttribute('aria-current')).toBeNull();
    const rows = page.locator('table[aria-label="Cities by recommendation"] tbody tr');
    await page.getByLabel('County').selectOption('Shelby');
    await page.locator('tr[data-city="springfield"]').waitFor({ state: 'detached' });
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-city')))).toEqual(['shelbyville']);
    await page.getByLabel('County').selectOption('');
    await page.getByLabel('Size').selectOption('medium');
    await page.locator('tr[data-city="shelbyville"]').waitFor({ state: 'detached' });
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-city')))).toEqual(['springfield']);
    await page.getByLabel('Size').selectOption('');
    await page.locator('tr[data-city="shelbyville"]').waitFor();
    const trend = page.locator('figure.trend-chart');
    await trend.getByText(/Statewide trend/).waitFor();
    expect(await trend.locator('path[data-status]').count()).toBe(4);
  });

  it('the hub screens and the liaison directory are closed to city staff', async () => {
    await ana.page.goto(`${net.node('springfield').url}/hub/liaisons`);
    await ana.page.getByRole('heading', { name: 'Hub screens are not available to you' }).waitFor();
  });
});
