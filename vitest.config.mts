import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const lib = (p: string): string => fileURLToPath(new URL(`./lib/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^rxesl$/, replacement: lib('index.ts') },
      { find: /^rxesl\/modesl$/, replacement: lib('modesl/index.ts') },
      { find: /^rxesl\/testing$/, replacement: lib('testing/index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts', 'marbles/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
