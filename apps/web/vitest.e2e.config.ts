import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * End-to-end tests: real Chromium against a real network of node processes. They
 * run after the other projects (groupOrder), so that they do not compete for the
 * machine's two cores with the server suites.
 */
export default defineProject({
  resolve: {
    alias: [
      { find: /^@citylink\/store\/testing$/, replacement: `${root}packages/store/src/testing.ts` },
      { find: /^@citylink\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    name: 'web-e2e',
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    sequence: { groupOrder: 1 },
  },
});
