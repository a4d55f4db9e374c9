import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Tests run against the TypeScript sources of sibling packages, so `npm test`
 * never depends on a stale `dist/`. Every vitest project resolves with these.
 */
export const SOURCE_ALIASES = [
  { find: /^@citylink\/store\/testing$/, replacement: `${root}packages/store/src/testing.ts` },
  { find: /^@citylink\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

export function citylinkProject(name: string, options: { timeoutMs?: number } = {}) {
  return defineProject({
    resolve: { alias: SOURCE_ALIASES },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.timeoutMs ?? 20_000,
      hookTimeout: options.timeoutMs ?? 20_000,
    },
  });
}
