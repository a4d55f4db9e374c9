import { createBrowserHistory, createMemoryHistory, type RouterHistory } from '@tanstack/react-router';
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/**
 * The one place screens import routing from. The routes themselves (paths, typed search
 * params, guards) are in `routes.tsx`, matched by TanStack Router; this adapter keeps the
 * small API the screens were written against (`Link`, `useLocation`, `navigate`, `match`)
 * on the same history object the router uses, so a screen needs no router context and its
 * component tests render it bare.
 */
export const history: RouterHistory =
  typeof window === 'undefined' ? createMemoryHistory({ initialEntries: ['/'] }) : createBrowserHistory();

const subscribe = (listener: () => void) => history.subscribe(listener);
const snapshot = () => history.location.href;

export function useLocation(): { path: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot, () => '/');
  const url = new URL(href, 'http://x');
  return { path: url.pathname, search: url.searchParams };
}

export function navigate(to: string, opts: { replace?: boolean; keepScroll?: boolean } = {}): void {
  const target = safeAppPath(to);
  if (opts.replace) history.replace(target);
  else history.push(target);
  if (!opts.keepScroll && typeof window !== 'undefined') window.scrollTo(0, 0);
}

/** Matches `/objects/:id` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    const seg = s[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An ordinary link (open in new tab works) that navigates in place on a plain click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  // `to` is always an app path built by the console, never text from another city.
  return <a href={safeAppPath(to)} onClick={handle} {...rest} />;
}

/** Only same-origin absolute paths; anything else (a `javascript:` URL, another host) becomes `/`. */
export function safeAppPath(to: string): string {
  return /^\/(?!\/)[^\s\\]*$/.test(to) ? to : '/';
}

/** A URL's query built from the values that differ from their defaults (in a stable order). */
export function searchString<T extends object>(values: T, defaults: T): string {
  const q = new URLSearchParams();
  for (const k of Object.keys(defaults).sort() as (keyof T)[]) {
    const v = values[k];
    if (v !== undefined && v !== defaults[k]) q.set(String(k), String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
