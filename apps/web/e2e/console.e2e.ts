import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '@citylink/store';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, CHROMIUM, call, type Desk, HAVE_CHROMIUM, launchChromium, openDesk, signIn } from './browser';
import { HUB, SHELBYVILLE, SPRINGFIELD } from './fixtures';
import { WebNetwork } from './network';

// The README's screenshots are rewritten only on request (UPDATE_SCREENSHOTS=1); other runs keep theirs in test-results/.
const SCREENSHOTS = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS ? '../../../docs/screenshots/' : '../test-results/screenshots/',
    import.meta.url,
  ),
);

// In CI a missing browser is a failure, never a silent skip.
if (!HAVE_CHROMIUM && process.env.CI) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
}

const run = Date.now().toString(36);
const GREEN_TITLE = `Phishing e-mails posing as the county clerk ${run}`;
const RED_TITLE = `Clerk credentials offered for sale ${run}`;
const CLEAR_TITLE = `Polling places open 7 am to 8 pm as usual ${run}`;
const HOSTILE_TITLE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> ${run}`;
const HOSTILE_NARRATIVE =
  '<a href="javascript:window.__pwned=3">click me</a> <svg onload="window.__pwned=4"></svg> <iframe src="javascript:alert(5)"></iframe>';
const HOSTILE_INDICATOR = 'javascript:alert(document.domain)//';
const STATEMENT_TITLE = `Joint statement on poll-worker training ${run}`;

async function fillReport(
  page: Page,
  r: {
    title: string;
    narrative: string;
    category: string;
    sub: RegExp;
    severity: RegExp;
    indicator?: [string, string];
  },
) {
  await page.getByLabel('Title', { exact: true }).fill(r.title);
  await page.getByLabel('Category', { exact: true }).selectOption(r.category);
  await page.getByRole('radio', { name: r.sub }).check();
  await page.getByRole('radio', { name: r.severity }).check();
  await page.getByLabel('Location', { exact: true }).fill('City Clerk’s office, 100 Main St');
  await page.getByLabel('What happened', { exact: true }).fill(r.narrative);
  if (r.indicator) {
    await page.getByRole('button', { name: 'Add an indicator' }).click();
    await page.getByLabel('Type').selectOption(r.indicator[0]);
    await page.getByLabel('Value').fill(r.indicator[1]);
  }
}

/** Waits until `desk`'s node lists (or no longer lists) `person` in its directory of RED recipients. */
async function untilDirectory(desk: Desk, person: string, listed: boolean) {
  await expect
    .poll(
      async () => {
        const { data } = await call<{ people?: { node: string; user: string }[] }>(desk, 'staff.redDirectory');
        return (data.people ?? []).some((p) => `${p.node}/${p.user}` === person);
      },
      { timeout: 30_000, interval: 200 },
    )
    .toBe(listed);
}

async function submitReport(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Sign and send the report' }).click();
  await page.waitForURL(/\/objects\/[A-Za-z0-9_-]{43}$/);
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** Nothing injected ran, and nothing executable was added to the DOM. */
async function expectInert(desk: Desk) {
  const state = await desk.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    inlineScripts: [...document.scripts].filter((s) => !s.src).length,
    scripts: document.scripts.length,
    handlers: document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover]').length,
    jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href')!))
      .length,
    injected: document.querySelectorAll('img[src="x"], iframe, main svg[onload]').length,
  }));
  expect(state).toEqual({ pwned: undefined, inlineScripts: 0, scripts: 1, handlers: 0, jsLinks: 0, injected: 0 });
  expect(desk.dialogs).toEqual([]);
}

describe.skipIf(!HAVE_CHROMIUM)('the web console in Chromium, against a network of node processes', () => {
  let net: WebNetwork;
  let browser: Browser;
  const desks: Desk[] = [];
  let ana: Desk; // staff, Springfield
  let ben: Desk; // staff, Shelbyville (his WebSocket can be cut by the test)
  let olivia: Desk; // hub official
  let greenId = '';
  let redId = '';
  let hostileId = '';
  let statementId = '';

  // Ben's console talks to its node through a WebSocket the test can drop and hold down.
  let wsBlocked = false;
  const benSockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];

  const desk = async (node: WebNetwork['hub'], opts?: Parameters<typeof openDesk>[2]) => {
    const d = await openDesk(browser, node, opts);
    desks.push(d);
    return d;
  };

  beforeAll(async () => {
    [net, browser] = await Promise.all([
      WebNetwork.start({ hub: HUB, cities: [SPRINGFIELD, SHELBYVILLE] }),
      launchChromium(),
    ]);
    ana = await desk(net.node('springfield'));
    olivia = await desk(net.hub);
    ben = await desk(net.node('shelbyville'), {
      beforeLoad: (page) =>
        page.routeWebSocket(/\/trpc$/, (ws) => {
          if (wsBlocked) {
            // Accept the socket, answer nothing, drop it: the console keeps retrying.
            setTimeout(
              () => ws.close({ code: 1011, reason: 'test: connection held down' }).catch(() => undefined),
              100,
            );
            return;
          }
          benSockets.push({ page: ws, server: ws.connectToServer() });
        }),
    });
  });

  afterAll(async () => {
    for (const d of desks) await d.context.close().catch(() => undefined);
    await browser?.close();
    if (net) {
      await net.close();
    }
  });

  it('every node serves the console under a strict CSP, compressed: first-load JavaScript under 300 KB', async () => {
    for (const node of [net.hub, ...net.cities]) {
      const res = await fetch(`${node.url}/objects/some-client-route`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=/);
      let compressed = 0;
      for (const [, path] of html.matchAll(/<script[^>]+src="([^"]+)"/g)) {
        const js = await fetch(`${node.url}${path}`, { headers: { 'accept-encoding': 'br, gzip' } });
        expect(js.headers.get('content-encoding')).toBe('br');
        compressed += Number(js.headers.get('content-length'));
      }
      expect(compressed).toBeGreaterThan(10_000);
      expect(compressed).toBeLessThan(300 * 1024);
    }
  });

  it('signs in with a cookie session that survives a reload, and says so when the password is wrong', async () => {
    const { page } = ana;
    await page.goto(`${ana.node.url}/`);
    await page.getByRole('heading', { name: 'Sign in to City of Springfield' }).waitFor();
    await page.getByLabel('User name').fill('ana');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong user name or password').waitFor();

    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Live feed' }).waitFor();
    // The token is in an HttpOnly cookie only: nothing a script could read.
    const cookies = await ana.context.cookies();
    expect(cookies.find((c) => c.name === 'citylink_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual([
      '',
      0,
      0,
    ]);

    await page.reload();
    await page.getByRole('heading', { name: 'Live feed' }).waitFor();
    await page.getByText('Ana Alvarez').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to City of Springfield' }).waitFor();

    await signIn(ana, 'ana');
    await signIn(olivia, 'olivia', '/hub');
    await signIn(ben, 'ben');
  });

  it('a GREEN report appears live in another city and on the hub board; the hub acknowledges; the author sees it', async () => {
    await olivia.page.getByRole('heading', { name: 'Statewide situation' }).waitFor();
    await ben.page.getByText('Live', { exact: true }).waitFor();
    await olivia.page.getByText('Live', { exact: true }).waitFor();

    await ana.page.getByRole('link', { name: 'Report', exact: true }).click();
    await fillReport(ana.page, {
      title: GREEN_TITLE,
      narrative: 'Three poll workers received e-mails asking them to “re-confirm” their training login.',
      category: 'cyber',
      sub: /^phishing —/,
      severity: /^medium —/,
      indicator: ['domain', 'springfield-clerk-elections.example'],
    });
    // The preview names exactly the nodes that will receive it.
    const preview = ana.page.getByRole('region', { name: 'Who will receive it' });
    await preview.getByText('State Election Office').waitFor();
    await preview.getByText('City of Shelbyville').waitFor();
    greenId = await submitReport(ana.page);
    await ana.page.getByRole('heading', { name: GREEN_TITLE }).waitFor();
    await ana.page.getByText('Signature verified by this node on receipt').waitFor();

    // No reload anywhere: the subscription brings it.
    await ben.page.getByRole('link', { name: GREEN_TITLE }).waitFor();
    const unacknowledged = olivia.page.getByRole('region', { name: /Not yet acknowledged/ });
    await unacknowledged.getByRole('link', { name: GREEN_TITLE }).waitFor();

    await unacknowledged.getByRole('button', { name: `Mark acknowledged “${GREEN_TITLE}”` }).click();
    await olivia.page
      .getByRole('region', { name: /In progress and closed/ })
      .getByRole('link', { name: GREEN_TITLE })
      .waitFor();

    // The author's open detail page updates itself.
    await ana.page.getByText('Acknowledged by the hub').first().waitFor();
    // For the whole network the author's node delivers to the hub, which relays it to every city.
    await ana.page.locator('tr[data-recipient="state-hub"] .delivery-delivered').waitFor();
    await ana.page.getByText('the hub passes it on to every member').waitFor();
    // And Ben's feed shows the new status in words.
    await ben.page.locator('li', { hasText: GREEN_TITLE }).getByText('acknowledged', { exact: true }).waitFor();
  });

  it('the live feed resumes after a dropped connection, without gaps or duplicates', async () => {
    const shelbyville = net.node('shelbyville');
    expect(benSockets.length).toBeGreaterThan(0);
    wsBlocked = true;
    for (const s of benSockets.splice(0)) {
      await s.server.close().catch(() => undefined);
      await s.page.close().catch(() => undefined);
    }
    await ben.page.getByText('Reconnecting…').waitFor();

    // Two reports reach Shelbyville's node while Ben's console is cut off.
    const before = (await shelbyville.health()).logHead;
    const missed = [`Missed while offline A ${run}`, `Missed while offline B ${run}`];
    for (const title of missed) {
      const res = await call(
        ana,
        'staff.postBulletin',
        {
          tlp: 'GREEN',
          audience: ['*'],
          body: { title, narrative: 'Sent during the outage.', category: 'cyber.scanning', severity: 'low' },
        },
        'mutation',
      );
      expect(res.status).toBe(200);
    }
    await expect
      .poll(async () => (await shelbyville.health()).logHead, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(before + 2);
    for (const title of missed) expect(await ben.page.getByRole('link', { name: title }).count()).toBe(0);

    wsBlocked = false;
    await ben.page.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
    for (const title of missed) await ben.page.getByRole('link', { name: title }).waitFor();
    const after = `After the outage ${run}`;
    await call(
      ana,
      'staff.postBulletin',
      {
        tlp: 'GREEN',
        audience: ['*'],
        body: { title: after, narrative: 'Sent after reconnecting.', category: 'cyber.scanning', severity: 'low' },
      },
      'mutation',
    );
    await ben.page.getByRole('link', { name: after }).waitFor();
    for (const title of [...missed, after, GREEN_TITLE]) {
      expect(await ben.page.getByRole('link', { name: title }).count(), title).toBe(1);
    }
  });

  it('a RED report for the hub official reaches only her, never another city or a public page', async () => {
    const clear = await call(
      ana,
      'staff.postBulletin',
      {
        tlp: 'CLEAR',
        audience: ['*'],
        body: {
          title: CLEAR_TITLE,
          narrative: 'Rumours of changed hours are false; every polling place keeps its usual hours.',
          category: 'information.misinformation',
          severity: 'low',
        },
      },
      'mutation',
    );
    expect(clear.status).toBe(200);
    await ana.page.goto(`${ana.node.url}/report`);
    await fillReport(ana.page, {
      title: RED_TITLE,
      narrative: 'A forum post offers credentials for the clerk’s election-management account.',
      category: 'cyber',
      sub: /^account compromise —/,
      severity: /^high —/,
    });
    await untilDirectory(ana, 'state-hub/olivia', true);
    await ana.page.getByRole('radio', { name: /TLP:RED/ }).check();
    // People are ticked from the RED directory, never typed.
    expect(await ana.page.getByLabel('User name', { exact: true }).count()).toBe(0);
    await ana.page.getByRole('checkbox', { name: /Olivia Official/ }).check();
    const preview = ana.page.getByRole('region', { name: 'Who will receive it' });
    await preview.getByText('Delivered to 1 node:').waitFor();
    await preview.getByText('Olivia Official (state election official, staff) at State Election Office').waitFor();
    await preview.getByText(/not your colleagues here, not your mayor/).waitFor();
    expect(await preview.locator('ul').first().textContent()).not.toContain('Shelbyville');
    redId = await submitReport(ana.page);
    await ana.page.locator('tr[data-recipient="state-hub"] .delivery-delivered').waitFor();
    expect(await ana.page.locator('tr[data-recipient="shelbyville"]').count()).toBe(0);

    await olivia.page.goto(`${olivia.node.url}/`);
    await olivia.page.getByRole('link', { name: RED_TITLE }).waitFor();

    // Another city: not in the feed, not through the API, not on the public page.
    await ben.page.getByRole('link', { name: 'Feed', exact: true }).click();
    await ben.page.getByLabel('Search', { exact: true }).fill(RED_TITLE);
    await ben.page.getByText('Nothing matches these filters yet.').waitFor();
    await ben.page.getByLabel('Search', { exact: true }).fill('');
    expect((await call(ben, 'staff.object', { id: redId })).status).toBe(404);
    // The author keeps it; her own city's mayor, not named, does not read it.
    expect((await call(ana, 'staff.object', { id: redId })).status).toBe(200);
    const quimby = await desk(net.node('springfield'));
    await signIn(quimby, 'mayor');
    await quimby.page.getByRole('link', { name: GREEN_TITLE }).waitFor();
    expect(await quimby.page.getByRole('link', { name: RED_TITLE }).count()).toBe(0);
    expect((await call(quimby, 'staff.object', { id: redId })).status).toBe(404);
    // A colleague of Olivia at the hub who is not named does not see it either.
    const sam = await desk(net.hub);
    await signIn(sam, 'sam');
    await sam.page.getByRole('link', { name: GREEN_TITLE }).waitFor();
    expect(await sam.page.getByRole('link', { name: RED_TITLE }).count()).toBe(0);
    expect((await call(sam, 'staff.object', { id: redId })).status).toBe(404);
    // The public page of every node, without signing in: the CLEAR bulletin, and nothing marked otherwise.
    for (const node of [net.hub, ...net.cities]) {
      const visitor = await desk(node);
      await visitor.page.goto(`${node.url}/public`);
      await visitor.page.getByRole('heading', { name: /Election security updates/ }).waitFor();
      await visitor.page.getByRole('link', { name: CLEAR_TITLE }).waitFor();
      const html = await visitor.page.content();
      for (const secret of [RED_TITLE, GREEN_TITLE]) expect(html, node.id).not.toContain(secret);
      await visitor.page.getByRole('link', { name: CLEAR_TITLE }).click();
      await visitor.page.getByText('Rumours of changed hours are false').waitFor();
      expect((await call(visitor, 'public.object', { id: redId })).status).toBe(404);
      expect((await call(visitor, 'staff.object', { id: redId })).status).toBe(401);
    }
  });

  it('a RED report to someone who has left the RED directory is refused, and the form says why', async () => {
    const hubDb = join(net.dir, 'state-hub.db');
    const setRoles = async (roles: ('hub-official' | 'staff' | 'red-recipient')[]) => {
      const store = await Store.open({ sqlitePath: hubDb });
      try {
        const olivia = (await store.findUser('olivia'))!;
        await store.updateUser(olivia.id, { roles });
      } finally {
        await store.close();
      }
    };
    await ana.page.goto(`${ana.node.url}/report`);
    await fillReport(ana.page, {
      title: `For someone who opted out ${run}`,
      narrative: 'A caller claimed to be from the state and asked for the clerk’s password.',
      category: 'cyber',
      sub: /^account compromise —/,
      severity: /^high —/,
    });
    await ana.page.getByRole('radio', { name: /TLP:RED/ }).check();
    await ana.page.getByRole('checkbox', { name: /Olivia Official/ }).check();
    // While the form is open, Olivia opts out at the hub; the hub republishes its directory.
    await setRoles(['hub-official', 'staff']);
    try {
      await untilDirectory(ana, 'state-hub/olivia', false);
      await ana.page.getByRole('button', { name: 'Sign and send the report' }).click();
      await ana.page
        .locator('.notice-error', {
          hasText: /unknown recipient state-hub\/olivia: not in the directory of people who may receive TLP:RED/,
        })
        .waitFor();
      expect(new URL(ana.page.url()).pathname).toBe('/report');
      // The refused report stays as a draft (RED, for Olivia); Ana drops it, so the next report starts clean.
      await ana.page.goto(`${ana.node.url}/report`);
      await ana.page.getByRole('button', { name: 'Discard the draft' }).click();
      expect(await ana.page.getByRole('radio', { name: /TLP:GREEN/ }).isChecked()).toBe(true);
    } finally {
      await setRoles(['hub-official', 'staff', 'red-recipient']);
      await untilDirectory(ana, 'state-hub/olivia', true);
    }
  });

  it('staff accounts cannot reach the hub screens', async () => {
    const sam = await desk(net.hub);
    await signIn(sam, 'sam');
    expect(await sam.page.getByRole('link', { name: 'Hub situation' }).count()).toBe(0);
    await sam.page.goto(`${net.hub.url}/hub`);
    await sam.page.getByRole('heading', { name: 'Hub screens are not available to you' }).waitFor();
    expect(await sam.page.getByText('Statewide situation').count()).toBe(0);
    expect((await call(sam, 'hub.board')).status).toBe(403);

    await ben.page.goto(`${ben.node.url}/hub/network`);
    await ben.page.getByRole('heading', { name: 'Hub screens are not available to you' }).waitFor();
    expect(await ben.page.getByRole('link', { name: 'Hub situation' }).count()).toBe(0);
    await ben.page.goto(`${ben.node.url}/`);
  });

  it('hostile markup in a bulletin is inert text in every console that receives it', async () => {
    await ana.page.goto(`${ana.node.url}/report`);
    await fillReport(ana.page, {
      title: HOSTILE_TITLE,
      narrative: HOSTILE_NARRATIVE,
      category: 'information',
      sub: /^disinformation —/,
      severity: /^low —/,
      indicator: ['url', HOSTILE_INDICATOR],
    });
    hostileId = await submitReport(ana.page);
    for (const d of [ana, ben, olivia]) {
      if (d !== ana) {
        await d.page.goto(`${d.node.url}/`);
        await d.page.getByRole('link', { name: HOSTILE_TITLE }).waitFor();
        await expectInert(d);
        await d.page.getByRole('link', { name: HOSTILE_TITLE }).click();
      }
      await d.page.getByRole('heading', { name: HOSTILE_TITLE }).waitFor();
      await d.page.getByText(HOSTILE_NARRATIVE).waitFor();
      await d.page.getByText(HOSTILE_INDICATOR).waitFor();
      expect(await d.page.getByRole('link', { name: 'click me' }).count()).toBe(0);
      await expectInert(d);
    }
    expect(hostileId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a best-practice note is shared, found by topic in another city, and endorsed', async () => {
    const { page } = ana;
    await page.getByRole('link', { name: 'Library', exact: true }).click();
    await page.getByRole('link', { name: 'Share a practice' }).click();
    await page.getByLabel('Topic').selectOption('physical-security');
    await page.getByLabel('Title', { exact: true }).fill(`Two-person rule for drop-box pickups ${run}`);
    await page.getByLabel('The problem').fill('Drop-box pickups were done by one person, with no witness.');
    await page
      .getByLabel('What worked', { exact: true })
      .fill('Two staff from different parties sign a chain-of-custody form at every pickup.');
    await page.getByLabel('Cost (optional)').fill('Free');
    await page.getByRole('radio', { name: '25,000 to 100,000' }).check();
    await page.getByRole('button', { name: 'Sign and share the note' }).click();
    await page.waitForURL(/\/objects\//);

    await ben.page.getByRole('link', { name: 'Library', exact: true }).click();
    await ben.page.getByRole('button', { name: 'Physical security' }).click();
    const row = ben.page.locator('li', { hasText: `Two-person rule for drop-box pickups ${run}` });
    await row.getByRole('button', { name: /^Endorse/ }).click();
    await row.getByText('Endorsed').waitFor();
    await page.getByText('Endorsements (1)').waitFor();
  });

  it('corrections, status changes and retractions made on the detail page reach another city live', async () => {
    const { page } = ana;
    const corrected = `${GREEN_TITLE} (corrected)`;
    await page.goto(`${ana.node.url}/objects/${greenId}`);
    await page.getByRole('link', { name: 'Publish a correction' }).click();
    await page.getByRole('heading', { name: 'Correct a report' }).waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(GREEN_TITLE);
    await page.getByLabel('Title', { exact: true }).fill(corrected);
    await page.getByRole('button', { name: 'Publish the correction' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(greenId) && url.pathname.startsWith('/objects/'));
    await page.getByText('This is a corrected version of').waitFor();

    await ben.page.goto(`${ben.node.url}/`);
    await ben.page.getByRole('link', { name: corrected }).waitFor();
    await expect.poll(() => ben.page.getByRole('link', { name: GREEN_TITLE, exact: true }).count()).toBe(0);

    await page.getByLabel('New status').selectOption('mitigated');
    await page.getByRole('button', { name: 'Set status' }).click();
    await page.getByText('Status signed and sent.').waitFor();
    await ben.page.locator('li', { hasText: corrected }).getByText('mitigated', { exact: true }).waitFor();

    await page.goto(`${ana.node.url}/objects/${hostileId}`);
    await page.getByLabel('Reason').fill('Posted by mistake during the exercise.');
    await page.getByRole('button', { name: 'Retract' }).click();
    await page.getByText('Retracted by City of Springfield').waitFor();
    await expect.poll(() => ben.page.getByRole('link', { name: HOSTILE_TITLE }).count()).toBe(0);
  });

  it('a mayor reads the frozen text and its hash, and signs a joint statement in the console', async () => {
    // Shelbyville's staff drafts a statement inviting Springfield, and opens sign-on (through the API).
    const origin = await desk(net.node('shelbyville'));
    await signIn(origin, 'ben');
    const text = `Our cities ask the legislature to fund poll-worker training. <b>${run}</b>`;
    const created = await call<{ id: string }>(
      origin,
      'statements.create',
      { title: STATEMENT_TITLE, text, addressees: ['The Legislature'], invited: ['springfield'], includeHub: true },
      'mutation',
    );
    expect(created.status).toBe(200);
    const id = created.data.id;
    statementId = id;
    const deadline = new Date(Date.now() + 86_400_000).toISOString();
    const opened = await call<{ textHash: string }>(origin, 'statements.openSignOn', { id, deadline }, 'mutation');
    expect(opened.status).toBe(200);
    const { textHash } = opened.data;

    // Springfield's mayor: the sign-on reaches her node, she opens the statement and signs.
    const mayor = await desk(net.node('springfield'));
    await signIn(mayor, 'mayor');
    await expect
      .poll(async () => (await call<{ phase?: string }>(mayor, 'statements.get', { id })).data.phase, {
        timeout: 20_000,
      })
      .toBe('sign-on open');
    const { page } = mayor;
    await page.getByRole('link', { name: 'Statements', exact: true }).click();
    await page.getByRole('link', { name: STATEMENT_TITLE }).click();
    await page.waitForURL(`**/statements/${id}`);
    const panel = page.getByRole('region', { name: 'Sign for City of Springfield' });
    await expect.poll(() => panel.getByTestId('frozen-text').textContent()).toBe(text);
    expect(await panel.getByTestId('text-hash').textContent()).toBe(textHash);
    await panel.getByLabel('Name', { exact: true }).fill('Joe Quimby');
    await panel.getByLabel('Title', { exact: true }).fill('Mayor');
    await panel.getByRole('button', { name: 'Sign' }).click();
    await panel.getByText('Your city has signed this text.').waitFor();
    const row = page.getByRole('row', { name: /springfield/ });
    await expect.poll(() => row.textContent()).toContain('Joe Quimby, Mayor');
    await expectInert(mayor);

    // The signature reaches the originating city, where it counts.
    await expect
      .poll(
        async () => {
          const s = await call<{ signers?: { node: string; status: string }[] }>(origin, 'statements.get', { id });
          return s.data.signers?.find((x) => x.node === 'springfield')?.status;
        },
        { timeout: 20_000 },
      )
      .toBe('signed');
  });

  it('an amendment starts from the current text and reaches the originator as a diff; revisions and withdrawal', async () => {
    const origin = await desk(net.node('shelbyville'));
    await signIn(origin, 'ben');
    const text = `Our cities ask the state to fund poll-worker training every year ${run}.`;
    const created = await call<{ id: string }>(
      origin,
      'statements.create',
      { title: `Amendable ${run}`, text, addressees: ['The Legislature'], invited: ['springfield'], includeHub: false },
      'mutation',
    );
    expect(created.status).toBe(200);
    const id = created.data.id;
    await origin.page.goto(`${origin.node.url}/statements/${id}`);
    await origin.page.getByRole('heading', { name: 'Comments and amendments' }).waitFor();

    // Springfield's mayor proposes an amendment: the box starts with the current text.
    const mayor = await desk(net.node('springfield'));
    await signIn(mayor, 'mayor');
    await expect.poll(async () => (await call(mayor, 'statements.get', { id })).status, { timeout: 20_000 }).toBe(200);
    await mayor.page.goto(`${mayor.node.url}/statements/${id}`);
    const proposed = mayor.page.locator('#comment-proposed');
    await expect.poll(() => proposed.inputValue()).toBe(text);
    await proposed.fill(text.replace('training', 'training and pay'));
    await mayor.page.locator('#comment-text').fill('Pay matters as much as training.');
    await mayor.page.getByRole('button', { name: 'Send the comment' }).click();
    await mayor.page.getByText('Comment signed and sent.').waitFor();

    // The originator's open page shows it live, as changes to the current revision.
    const changes = origin.page.getByRole('figure', { name: /Proposed changes to the current text \(revision 1\)/ });
    await changes.waitFor({ timeout: 20_000 });
    expect(await changes.locator('p.narrative ins').allTextContents()).toEqual([expect.stringContaining('and pay')]);
    expect(await changes.locator('p.narrative del').count()).toBe(0);

    // New revisions reach the mayor's open page, and the comparison follows them without a reload.
    for (const [n, next] of [
      [2, text.replace('every year', 'each year')],
      [3, text.replace('every year', 'each spring')],
    ] as const) {
      expect((await call(origin, 'statements.revise', { id, text: next }, 'mutation')).status).toBe(200);
      await mayor.page.getByText(`Changes from revision ${n - 1} to revision ${n}`, { exact: false }).waitFor({
        timeout: 20_000,
      });
    }

    // Withdrawing the signature given earlier asks first, saying what happens; Cancel changes nothing.
    await mayor.page.goto(`${mayor.node.url}/statements/${statementId}`);
    await mayor.page.getByRole('button', { name: 'Withdraw the signature' }).click();
    const ask = mayor.page.getByRole('alertdialog', { name: 'Withdraw the signature' });
    await ask.getByText(/signature on .* will no longer count, and every city taking part will see/).waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    const mine = async () =>
      (
        await call<{ signers?: { node: string; status: string }[] }>(mayor, 'statements.get', { id: statementId })
      ).data.signers?.find((x) => x.node === 'springfield')?.status;
    expect(await mine()).toBe('signed');
    await mayor.page.getByRole('button', { name: 'Withdraw the signature' }).click();
    await ask.getByRole('button', { name: 'Yes, withdraw our signature' }).click();
    await expect.poll(mine, { timeout: 20_000 }).toBe('withdrawn');
    expect(await mayor.page.getByText('Signed with this city’s key and sent.').count()).toBe(0);
    // Signing again: the block comes from the profile she kept when she first signed.
    const panel = mayor.page.getByRole('region', { name: 'Sign for City of Springfield' });
    await expect.poll(() => panel.getByLabel('Name', { exact: true }).inputValue()).toBe('Joe Quimby');
    expect(await panel.getByLabel('Title', { exact: true }).inputValue()).toBe('Mayor');
    await panel.getByRole('button', { name: 'Sign' }).click();
    await expect.poll(mine, { timeout: 20_000 }).toBe('signed');
  });

  it('an expired session returns to sign-in with a message', async () => {
    const d = await desk(net.node('shelbyville'));
    await signIn(d, 'ben');
    await d.page.getByText('Live', { exact: true }).waitFor();
    await d.page
      .getByText('Nothing matches these filters yet.')
      .or(d.page.getByRole('link', { name: GREEN_TITLE }))
      .waitFor();
    await d.context.clearCookies();
    await d.page.getByRole('link', { name: 'Library', exact: true }).click();
    await d.page.getByText('Your session has expired').waitFor();
    await d.page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('the main screens pass an axe-core check (no serious or critical violations), with screenshots', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // axe is injected as a script, which the console's CSP forbids: these desks bypass CSP for the check only.
    const a = await desk(net.node('springfield'), { bypassCSP: true });
    const h = await desk(net.hub, { bypassCSP: true });
    const screens: { name: string; d: Desk; path: string; ready: (p: Page) => Promise<unknown> }[] = [
      { name: 'sign-in', d: a, path: '/', ready: (p) => p.getByRole('button', { name: 'Sign in' }).waitFor() },
      {
        name: 'public',
        d: a,
        path: '/public',
        ready: (p) => p.getByRole('link', { name: CLEAR_TITLE }).waitFor(),
      },
    ];
    const signedIn: typeof screens = [
      { name: 'feed', d: a, path: '/', ready: (p) => p.getByRole('link', { name: GREEN_TITLE }).waitFor() },
      { name: 'report', d: a, path: '/report', ready: (p) => p.getByRole('radio', { name: /TLP:GREEN/ }).waitFor() },
      {
        name: 'detail',
        d: a,
        path: `/objects/${greenId}`,
        ready: (p) => p.getByText('Acknowledged by the hub').first().waitFor(),
      },
      {
        name: 'library',
        d: a,
        path: '/library',
        ready: (p) => p.getByRole('link', { name: /Two-person rule/ }).waitFor(),
      },
      {
        name: 'statement',
        d: a,
        path: `/statements/${statementId}`,
        ready: (p) => p.getByRole('row', { name: /Joe Quimby/ }).waitFor(),
      },
      { name: 'hub', d: h, path: '/hub', ready: (p) => p.getByRole('heading', { name: 'Incident board' }).waitFor() },
      {
        name: 'network',
        d: h,
        path: '/hub/network',
        ready: async (p) => {
          await p.getByRole('rowheader', { name: /City of Shelbyville/ }).waitFor();
          await p.getByRole('columnheader', { name: 'Link open' }).waitFor();
        },
      },
      {
        name: 'membership',
        d: h,
        path: '/hub/membership',
        ready: async (p) => {
          await p.getByRole('heading', { name: /Enrollment requests/ }).waitFor();
          await p.getByRole('button', { name: 'Suspend City of Shelbyville' }).waitFor();
        },
      },
    ];
    const serious: string[] = [];
    const check = async (s: (typeof screens)[number]) => {
      await s.d.page.goto(`${s.d.node.url}${s.path}`);
      await s.ready(s.d.page);
      for (const v of await axe(s.d.page)) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          serious.push(
            `${s.name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
        }
      }
      await s.d.page.screenshot({ path: `${SCREENSHOTS}${s.name}.png` });
    };
    for (const s of screens) await check(s);
    await signIn(a, 'ana');
    await signIn(h, 'olivia');
    for (const s of signedIn) await check(s);
    expect(serious).toEqual([]);
  });

  it('no page broke the Content-Security-Policy or threw', () => {
    const problems = desks.flatMap((d) => d.problems);
    expect(problems).toEqual([]);
  });
});
