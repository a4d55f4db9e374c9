import { useEffect, useState } from 'react';
import { chooseTheme, storedTheme, systemTheme, type Theme } from '../lib/theme';

/** One button: says which theme a click gives, and whether dark is on (aria-pressed). */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => storedTheme() ?? systemTheme());
  useEffect(() => {
    if (storedTheme() || typeof matchMedia !== 'function') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const follow = () => setTheme(mq.matches ? 'dark' : 'light');
    mq.addEventListener('change', follow);
    return () => mq.removeEventListener('change', follow);
  }, []);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="inverse small"
      aria-pressed={theme === 'dark'}
      onClick={() => {
        chooseTheme(next);
        setTheme(next);
      }}
    >
      Dark theme
    </button>
  );
}
