/**
 * How the console's feed holds up with 10,000 objects, in real Chromium against a
 * real node process:
 *   npm run build && npx tsx apps/web/e2e/bench-feed.ts [count]
 * Seeds `count` bulletins on one city through the API, then measures the first
 * render of the feed, the DOM size, and scrolling through 2,000 items (40 pages).
 */
import { cpus } from 'node:os';
import { launchChromium, openDesk, signIn } from './browser';
import { HUB, SPRINGFIELD } from './fixtures';
import { PASSWORD, WebNetwork } from './network';

const COUNT = Number(process.argv[2] ?? 10_000);
const net = await WebNetwork.start({ hub: HUB, cities: [SPRINGFIELD] });
const city = net.node('springfield');
try {
  const login = await fetch(`${city.url}/trpc/staff.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ana', password: PASSWORD, bearer: true }),
  });
  const token = ((await login.json()) as { result: { data: { token: string } } }).result.data.token;
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < COUNT) {
      const i = next++;
      const res = await fetch(`${city.url}/trpc/staff.postBulletin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          tlp: 'GREEN',
          audience: [],
          body: {
            title: `Seeded report ${i}`,
            narrative: 'Benchmark data.',
            category: i % 2 ? 'cyber.phishing' : 'equipment.malfunction',
            severity: 'low',
          },
        }),
      });
      if (!res.ok) throw new Error(`post ${i}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const seedS = (performance.now() - started) / 1000;

  const browser = await launchChromium();
  const desk = await openDesk(browser, city);
  await signIn(desk, 'ana', '/library');
  const { page } = desk;
  const t0 = performance.now();
  await page.getByRole('link', { name: 'Feed', exact: true }).click();
  await page.getByRole('link', { name: `Seeded report ${COUNT - 1}`, exact: true }).waitFor();
  const firstRender = performance.now() - t0;
  const rows = await page.locator('ol.item-list > li').count();

  // Scroll to the end of what is loaded, again and again, until 2,000 items are loaded.
  await page.evaluate(() => {
    (window as unknown as { __long: number[] }).__long = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) (window as unknown as { __long: number[] }).__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const t1 = performance.now();
  const target = Math.min(2_000, COUNT);
  for (;;) {
    const loaded = await page.evaluate(() =>
      Number(document.querySelector('ol.item-list li:last-child')?.getAttribute('aria-posinset') ?? 0),
    );
    if (loaded >= target) break;
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(50);
  }
  const scrollS = (performance.now() - t1) / 1000;
  const rowsAfter = await page.locator('ol.item-list > li').count();
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  await browser.close();

  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model}`);
  console.log(
    `seeded ${COUNT} bulletins through the API in ${seedS.toFixed(1)} s (${(COUNT / seedS).toFixed(0)}/s, 8 at a time)`,
  );
  console.log(`feed: first page rendered ${firstRender.toFixed(0)} ms after the click; ${rows} rows in the DOM`);
  console.log(
    `scrolled to item ${target} (${target / 50} pages) in ${scrollS.toFixed(1)} s; ${rowsAfter} rows in the DOM; ` +
      `long tasks: ${long.length}, longest ${Math.max(0, ...long).toFixed(0)} ms`,
  );
} finally {
  await net.close();
}
