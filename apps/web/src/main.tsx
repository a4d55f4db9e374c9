import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app';
import { applyTheme, storedTheme } from './lib/theme';
import './styles.css';
import './print.css';

// The CSP has no 'unsafe-eval': tell zod not to probe for `new Function` (it would log a violation).
z.config({ jitless: true });

// Before the first paint, so a dark choice does not flash light.
applyTheme(storedTheme());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
