import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { NodeProcess } from './network';
import { PASSWORD } from './network';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const VIEWPORT = { width: 1280, height: 800 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A person at a browser: their page, and everything the page did that a test may want to refuse. */
export interface Desk {
  context: BrowserContext;
  page: Page;
  node: NodeProcess;
  /** Dialogs (alert, confirm…) that opened: hostile content must never open one. */
  dialogs: string[];
  /** CSP violations and page errors reported by the browser. */
  problems: string[];
}

export async function openDesk(
  browser: Browser,
  node: NodeProcess,
  opts: { bypassCSP?: boolean; beforeLoad?: (page: Page) => Promise<void> } = {},
): Promise<Desk> {
  const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: opts.bypassCSP ?? false });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const desk: Desk = { context, page, node, dialogs: [], problems: [] };
  page.on('dialog', (d) => {
    desk.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => desk.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) desk.problems.push(`csp: ${m.text()}`);
  });
  await opts.beforeLoad?.(page);
  return desk;
}

export async function signIn(desk: Desk, username: string, path = '/'): Promise<void> {
  const { page } = desk;
  await page.goto(`${desk.node.url}${path}`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Calls a tRPC procedure with the desk's session cookie, like a script in that browser would. */
export async function call<T = unknown>(
  desk: Desk,
  path: string,
  input?: unknown,
  type: 'query' | 'mutation' = 'query',
): Promise<{ status: number; data: T }> {
  const url = `${desk.node.url}/trpc/${path}`;
  const res =
    type === 'query'
      ? await desk.context.request.get(
          input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`,
        )
      : await desk.context.request.post(url, { data: input ?? {} });
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  return { status: res.status(), data: (body.result?.data ?? body.error) as T };
}

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (the desk must bypass CSP: axe is injected as a script). */
export async function axe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> };
    };
    const r = await w.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}
