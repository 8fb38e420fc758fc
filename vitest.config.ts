import { defineConfig } from 'vitest/config';

// Tests run from source: the `@trade-r1/source` export condition points every workspace package at its
// `src/index.ts`, so no build is needed before `pnpm test`.
const conditions = ['@trade-r1/source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@trade-r1/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'packages/*/eval/**/*.test.ts',
      'packages/*/scripts/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // LanceDB's native logger prints Rust warnings to stderr (e.g. "KMeans: more than 10% of clusters are empty" for
    // the deliberately tiny vector indexes the store tests build): errors only, unless a developer asks for more.
    env: { LANCEDB_LOG: process.env.LANCEDB_LOG ?? 'error' },
    reporters: ['default'],
  },
});
