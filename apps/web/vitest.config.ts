import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';
import { SOURCE_ALIASES } from '../../vitest.shared.js';

/** Component tests of the console, in happy-dom, against the protocol's TypeScript sources. */
export default defineProject({
  plugins: [react()],
  resolve: { alias: SOURCE_ALIASES },
  test: {
    name: 'web',
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
  },
});
