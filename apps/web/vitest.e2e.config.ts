import { defineProject } from 'vitest/config';
import { SOURCE_ALIASES } from '../../vitest.shared.js';

/**
 * End-to-end tests: real Chromium against a real network of node processes. They
 * run after the other projects (groupOrder), so that they do not compete for the
 * machine's two cores with the server suites.
 */
export default defineProject({
  resolve: { alias: SOURCE_ALIASES },
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
