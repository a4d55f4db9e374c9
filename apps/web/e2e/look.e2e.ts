import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, CHROMIUM, call, type Desk, HAVE_CHROMIUM, launchChromium, openDesk, signIn, VIEWPORT } from './browser';
import { HUB, SHELBYVILLE, SPRINGFIELD } from './fixtures';
import { WebNetwork } from './network';
import { markedTopAndBottom, readPdf } from './pdf';

// The console's look (issue 18 B): routing, print and PDF, dark theme, drafts, wording.
if (!HAVE_CHROMIUM && process.env.CI) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
}

const run = Date.now().toString(36);
const TITLE = `Look-alike clerk domain registered ${run}`;
const STATEMENT = `Joint statement on ballot drop-box security ${run}`;
// Long enough to print on more than one sheet.
const NARRATIVE = Array.from(
  { length: 60 },
  (_, i) =>
    `Paragraph ${i + 1}: a domain one letter away from ours was registered and used in e-mails to poll workers.`,
).join('\n\n');

/** A desk whose browser is in Chicago: dates in exports must be in the reader's local time. */
async function chicagoDesk(
  browser: Browser,
  node: WebNetwork['hub'],
  opts: { colorScheme?: 'dark' | 'light'; bypassCSP?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<Desk> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? VIEWPORT,
    timezoneId: 'America/Chicago',
    acceptDownloads: true,
    colorScheme: opts.colorScheme ?? 'light',
    bypassCSP: opts.bypassCSP ?? false,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const d: Desk = { context, page, node, dialogs: [], problems: [] };
  page.on('pageerror', (e) => d.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) d.problems.push(`csp: ${m.text()}`);
    else if (m.type() === 'error') d.problems.push(`console: ${m.text()}`);
  });
  return d;
}

async function downloadPdf(page: Page): Promise<Uint8Array> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download PDF' }).click(),
  ]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

async function postReport(page: Page, title: string, severity: RegExp, narrative: string): Promise<string> {
  await page.getByRole('link', { name: 'Report', exact: true }).click();
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Category', { exact: true }).selectOption('cyber');
  await page.getByRole('radio', { name: /^phishing —/ }).check();
  await page.getByRole('radio', { name: severity }).check();
  await page.getByLabel('Location', { exact: true }).fill('City Clerk’s office, 100 Main St');
  await page.getByLabel('What happened', { exact: true }).fill(narrative);
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
    ana = await chicagoDesk(browser, net.node('springfield'));
    desks.push(ana);
    await signIn(ana, 'ana');
    bulletinId = await postReport(ana.page, TITLE, /^high —/, NARRATIVE);
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

  it('prints a report as a document: no navigation or forms, its TLP label at the top and bottom of every sheet', async () => {
    const { page } = ana;
    await page.goto(`${ana.node.url}/objects/${bulletinId}`);
    await page.getByRole('heading', { name: TITLE }).waitFor();
    const tlp = (await page.locator('.kicker .tlp').textContent())!;
    expect(tlp).toMatch(/^TLP:[A-Z+]+$/);
    await page.emulateMedia({ media: 'print' });
    for (const hidden of ['.topbar', 'nav', 'form', 'button', '.footer']) {
      expect(await page.locator(hidden).first().isVisible(), hidden).toBe(false);
    }
    expect(await page.getByRole('heading', { name: TITLE }).isVisible()).toBe(true);
    const pages = await readPdf(await page.pdf({ format: 'Letter' }));
    expect(pages.length).toBeGreaterThan(1);
    expect(markedTopAndBottom(pages, tlp)).toEqual(pages.map(() => true));
    expect(pages.map((p) => p.text).join(' ')).not.toContain('Sign out');
    await page.emulateMedia({ media: 'screen' });
    // Pages that show no marked object print without a label.
    await page.goto(`${ana.node.url}/report`);
    await page.getByLabel('Title', { exact: true }).waitFor();
    expect(await page.evaluate(() => document.body.dataset.printTlp)).toBeUndefined();
  });

  it('exports a report as a PDF: marked on every page, signed origin and fingerprint, dated in local time', async () => {
    const { page } = ana;
    await page.goto(`${ana.node.url}/objects/${bulletinId}`);
    await page.getByRole('heading', { name: TITLE }).waitFor();
    const tlp = (await page.locator('.kicker .tlp').textContent())!;
    const kid = (await page.locator('dt:text-is("Key fingerprint (kid)") + dd').textContent())!.trim();
    const pages = await readPdf(await downloadPdf(page));
    expect(pages.length).toBeGreaterThan(1);
    expect(markedTopAndBottom(pages, tlp)).toEqual(pages.map(() => true));
    const text = pages.map((p) => p.text).join(' ');
    expect(text).toContain(TITLE);
    expect(text).toContain('Paragraph 60:');
    expect(text).toContain('City of Springfield');
    expect(text).toContain(kid.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 '));
    expect(text).toContain(bulletinId.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 '));
    expect(text).toMatch(/\b(CST|CDT)\b/);
    expect(text).toMatch(/Page 1 of \d/);
  });

  it('exports a final joint statement as a PDF with its signature blocks and verification fingerprint', async () => {
    const ben = await chicagoDesk(browser, net.node('shelbyville'));
    desks.push(ben);
    await signIn(ben, 'ben');
    const created = await call<{ id: string }>(
      ben,
      'statements.create',
      {
        title: STATEMENT,
        text: 'We ask for funding.\n\nOur cities agree.',
        addressees: ['The Legislature'],
        invited: ['springfield'],
        includeHub: false,
      },
      'mutation',
    );
    expect(created.status).toBe(200);
    const id = created.data.id;
    const deadline = new Date(Date.now() + 86_400_000).toISOString();
    const opened = await call<{ textHash: string }>(ben, 'statements.openSignOn', { id, deadline }, 'mutation');
    expect(opened.status).toBe(200);
    const mayor = await openDesk(browser, net.node('springfield'));
    desks.push(mayor);
    await signIn(mayor, 'mayor');
    await expect
      .poll(async () => (await call<{ phase?: string }>(mayor, 'statements.get', { id })).data.phase, {
        timeout: 20_000,
      })
      .toBe('sign-on open');
    const signed = await call(mayor, 'statements.sign', { id, name: 'Joe Quimby', title: 'Mayor' }, 'mutation');
    expect(signed.status).toBe(200);
    await expect
      .poll(
        async () => {
          const s = await call<{ signers?: { node: string; status: string }[] }>(ben, 'statements.get', { id });
          return s.data.signers?.find((x) => x.node === 'springfield')?.status;
        },
        { timeout: 20_000 },
      )
      .toBe('signed');
    const final = await call(ben, 'statements.finalize', { id }, 'mutation');
    expect(final.status).toBe(200);

    const { page } = ben;
    await page.goto(`${ben.node.url}/statements/${id}`);
    await page.getByRole('heading', { name: 'Final document' }).waitFor();
    const tlp = (await page.locator('.kicker .tlp').first().textContent())!;
    const pages = await readPdf(await downloadPdf(page));
    expect(markedTopAndBottom(pages, tlp)).toEqual(pages.map(() => true));
    const text = pages.map((p) => p.text).join(' ');
    expect(text).toContain(STATEMENT);
    expect(text).toContain('Our cities agree.');
    expect(text).toContain('Joe Quimby, Mayor');
    expect(text).toContain(
      `Verification fingerprint ${opened.data.textHash.slice(0, 16).replace(/(.{4})(?=.)/g, '$1 ')}`,
    );
    expect(text).toContain(opened.data.textHash);
    expect(text).toMatch(/\b(CST|CDT)\b/);
  });

  it('dark theme: follows the system, a toggle pins it, and the screens pass axe contrast in dark', async () => {
    const CLEAR_TITLE = `Polling places keep their usual hours ${run}`;
    const clear = await call(
      ana,
      'staff.postBulletin',
      {
        tlp: 'CLEAR',
        audience: ['*'],
        body: {
          title: CLEAR_TITLE,
          narrative: 'Rumours of changed hours are false.',
          category: 'information.misinformation',
          severity: 'low',
        },
      },
      'mutation',
    );
    expect(clear.status).toBe(200);
    // axe is injected as a script, which the CSP forbids: these desks bypass CSP for the check only.
    const a = await chicagoDesk(browser, net.node('springfield'), { colorScheme: 'dark', bypassCSP: true });
    const h = await chicagoDesk(browser, net.hub, { colorScheme: 'dark', bypassCSP: true });
    desks.push(a, h);
    const background = (d: Desk) => d.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await a.page.goto(`${a.node.url}/public`);
    await a.page.getByRole('link', { name: CLEAR_TITLE }).waitFor();
    expect(await background(a)).toBe('rgb(15, 22, 32)');
    const serious: string[] = [];
    const check = async (d: Desk, name: string) => {
      for (const v of await axe(d.page)) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          serious.push(`${name}: ${v.id} ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        }
      }
    };
    await check(a, 'public');
    await signIn(a, 'ana');
    await signIn(h, 'olivia', '/hub');
    const screens: [Desk, string, string, (p: Page) => Promise<unknown>][] = [
      [a, 'feed', '/', (p) => p.getByRole('link', { name: TITLE }).waitFor()],
      [a, 'report', '/report', (p) => p.getByRole('radio', { name: /TLP:GREEN/ }).waitFor()],
      [
        a,
        'detail',
        `/objects/${bulletinId}`,
        (p) => p.getByRole('heading', { name: 'Signature and origin' }).waitFor(),
      ],
      [
        a,
        'library',
        '/library',
        (p) =>
          p
            .getByRole('heading', { name: /library/i })
            .first()
            .waitFor(),
      ],
      [h, 'hub', '/hub', (p) => p.getByRole('heading', { name: 'Incident board' }).waitFor()],
      [h, 'network', '/hub/network', (p) => p.getByRole('rowheader', { name: /City of Shelbyville/ }).waitFor()],
    ];
    for (const [d, name, path, ready] of screens) {
      await d.page.goto(`${d.node.url}${path}`);
      await ready(d.page);
      expect(await background(d)).toBe('rgb(15, 22, 32)');
      await check(d, name);
    }
    expect(serious).toEqual([]);

    // The toggle pins light over the system's dark, and the choice survives a reload.
    const toggle = a.page.getByRole('button', { name: 'Dark theme' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await background(a)).toBe('rgb(244, 246, 249)');
    await a.page.reload();
    await a.page.getByRole('button', { name: 'Dark theme', pressed: false }).waitFor();
    expect(await background(a)).toBe('rgb(244, 246, 249)');
    await check(a, 'network-light');
    expect(serious).toEqual([]);
  });

  it('a half-written report survives moving to other screens and a reload, and is gone after sign-out', async () => {
    const d = await chicagoDesk(browser, net.node('springfield'));
    desks.push(d);
    await signIn(d, 'ana');
    const { page } = d;
    await page.getByRole('link', { name: 'Report', exact: true }).click();
    await page.getByLabel('Title', { exact: true }).fill('Half-written: odd calls to the clerk');
    await page.getByLabel('What happened', { exact: true }).fill('Three calls this morning asking for');
    await page.getByRole('link', { name: 'Library', exact: true }).click();
    await page.getByRole('link', { name: 'Feed', exact: true }).click();
    await page.getByRole('link', { name: 'Report', exact: true }).click();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Half-written: odd calls to the clerk');
    expect(await page.getByLabel('What happened', { exact: true }).inputValue()).toBe(
      'Three calls this morning asking for',
    );
    await page.getByText('Your unsent draft from').waitFor();
    await page.reload();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Half-written: odd calls to the clerk');
    // Another account on the same tab never sees it; sign-out wipes it.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    expect(
      await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('citylink-draft:'))),
    ).toEqual([]);
    await signIn(d, 'ana', '/report');
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('');
    // Discard empties the form.
    await page.getByLabel('Title', { exact: true }).fill('Another draft');
    await page.getByRole('link', { name: 'Feed', exact: true }).click();
    await page.getByRole('link', { name: 'Report', exact: true }).click();
    await page.getByRole('button', { name: 'Discard the draft' }).click();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('');
  });

  it('says things in words: the city in the top bar and on public pages, plurals, deliveries, a table that fits 820 px', async () => {
    const { page } = ana;
    await page.goto(`${ana.node.url}/`);
    expect(await page.locator('.topbar .brand').textContent()).toContain('City of Springfield');
    await page.goto(`${ana.node.url}/public`);
    const row = page.getByRole('listitem').filter({ hasText: 'Polling places keep their usual hours' });
    await row.getByText('From City of Springfield').waitFor();
    expect(await page.getByText('From springfield', { exact: true }).count()).toBe(0);

    const h = await chicagoDesk(browser, net.hub, { viewport: { width: 820, height: 900 } });
    desks.push(h);
    await signIn(h, 'olivia', '/hub');
    await h.page.getByRole('heading', { name: 'Incident board' }).waitFor();
    const text = (await h.page.locator('main').textContent())!;
    expect(text).not.toMatch(/\b1 reports\b/);
    expect(text).toMatch(/\(\d+ reports?\)/);
    await h.page.goto(`${net.hub.url}/hub/network`);
    const shelby = h.page.getByRole('row', { name: /City of Shelbyville/ });
    await shelby.waitFor();
    await h.page.getByRole('columnheader', { name: 'Deliveries' }).waitFor();
    expect(await h.page.getByRole('columnheader', { name: 'Circuit' }).count()).toBe(0);
    await expect.poll(() => shelby.textContent()).toMatch(/Normal|Paused after failures|Trying again/);
    const fit = await h.page.evaluate(() => {
      const t = document.querySelector('main table')!;
      const box = t.parentElement!;
      return { table: t.scrollWidth, box: box.clientWidth, page: document.documentElement.scrollWidth };
    });
    expect(fit.table).toBeLessThanOrEqual(fit.box);
    expect(fit.page).toBeLessThanOrEqual(820);
  });

  it('a suspended city’s console says what happened and whom to call', async () => {
    const olivia = await chicagoDesk(browser, net.hub);
    const ben = await chicagoDesk(browser, net.node('shelbyville'));
    desks.push(olivia, ben);
    await signIn(olivia, 'olivia', '/hub');
    await signIn(ben, 'ben');
    expect(await ben.page.getByRole('alert', { name: 'Membership' }).count()).toBe(0);
    const r = await call(olivia, 'hub.setMemberStatus', { node: 'shelbyville', status: 'suspended' }, 'mutation');
    expect(r.status).toBe(200);
    await expect
      .poll(
        async () => {
          await ben.page.reload();
          await ben.page.getByRole('button', { name: 'Sign out' }).waitFor();
          return ben.page.getByRole('alert', { name: 'Membership' }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    const banner = (await ben.page.getByRole('alert', { name: 'Membership' }).textContent())!;
    expect(banner).toContain('State Election Office has suspended City of Shelbyville from the network.');
    expect(banner).toContain('call State Election Office');
    const back = await call(olivia, 'hub.setMemberStatus', { node: 'shelbyville', status: 'active' }, 'mutation');
    expect(back.status).toBe(200);
  });

  it('no page broke the Content-Security-Policy or threw', () => {
    expect(desks.flatMap((d) => d.problems)).toEqual([]);
  });
});
