import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'apps/*/vitest.e2e.config.ts',
      'packages/*/vitest.attack.config.ts',
    ],
    // CI must not pass because a focused test hid the rest.
    allowOnly: false,
  },
});
