import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Component tests of the console, in happy-dom, against the protocol's TypeScript sources. */
export default defineProject({
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@citylink\/store\/testing$/, replacement: `${root}packages/store/src/testing.ts` },
      { find: /^@citylink\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    name: 'web',
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
  },
});
