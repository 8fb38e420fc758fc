import { defineConfig } from 'tsup';

export default defineConfig({
  // worker-entry: the worker thread script of createVerifierPool, loaded next to the bundle (dist/worker-entry.js).
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'worker-entry': 'src/verify/worker-entry.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
