import { defineConfig } from 'tsup';

export default defineConfig({
  // reward-worker-entry: the worker thread script of createRewardWorkerPool, loaded next to the bundle.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'reward-worker-entry': 'src/server/worker-entry.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
