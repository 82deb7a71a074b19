import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const lib = (p: string): string => fileURLToPath(new URL(`./lib/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^rxesl$/, replacement: lib('index.ts') },
      { find: /^rxesl\/modesl$/, replacement: lib('modesl/index.ts') },
      { find: /^rxesl\/nats$/, replacement: lib('nats/index.ts') },
      { find: /^rxesl\/testing$/, replacement: lib('testing/index.ts') },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['spec/**/*.spec.ts', 'marbles/**/*.spec.ts'], exclude: ['spec/nats/**'] } },
      // The NATS tests run against a real nats-server, which the globalSetup finds or installs.
      { extends: true, test: { name: 'nats', include: ['spec/nats/**/*.spec.ts'], globalSetup: ['spec/nats/global-setup.ts'] } },
    ],
  },
});
