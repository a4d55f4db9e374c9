import { defineProject } from 'vitest/config';
import { SOURCE_ALIASES } from '../../vitest.shared.js';

/**
 * The attack suite (`npm run test:attack`): hostile members, pages and flooders
 * against real nodes on 127.0.0.1 only, every loop bounded in count and time. It
 * runs in a group of its own after the other projects, so that its latency ratios
 * are measured on a machine that is not also running the rest of the suite.
 */
export default defineProject({
  resolve: { alias: SOURCE_ALIASES },
  test: {
    name: 'attack',
    environment: 'node',
    include: ['attack/**/*.attack.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    sequence: { groupOrder: 2 },
  },
});
