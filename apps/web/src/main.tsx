import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app';
import './styles.css';
import './print.css';

// The CSP has no 'unsafe-eval': tell zod not to probe for `new Function` (it would log a violation).
z.config({ jitless: true });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
