import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The attack suite (`npm run test:attack`): hostile members, pages and flooders
 * against real nodes on 127.0.0.1 only, every loop bounded in count and time. It
 * runs in a group of its own after the other projects, so that its latency ratios
 * are measured on a machine that is not also running the rest of the suite.
 */
export default defineProject({
  resolve: {
    alias: [
      { find: /^@citylink\/store\/testing$/, replacement: `${root}packages/store/src/testing.ts` },
      { find: /^@citylink\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    name: 'attack',
    environment: 'node',
    include: ['attack/**/*.attack.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    sequence: { groupOrder: 2 },
  },
});
