/**
 * Light or dark. With no choice made the console follows the system setting
 * (prefers-color-scheme, through CSS `color-scheme: light dark` and `light-dark()`);
 * the toggle pins one on <html data-theme> and remembers it in this browser. The
 * choice is not sensitive, and nothing is stored until someone makes it.
 */
export type Theme = 'light' | 'dark';
const KEY = 'citylink-theme';

export function storedTheme(): Theme | null {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch {
    return null;
  }
}

export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme | null): void {
  const root = document.documentElement;
  if (theme) root.dataset.theme = theme;
  else delete root.dataset.theme;
}

export function chooseTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  applyTheme(theme);
}
