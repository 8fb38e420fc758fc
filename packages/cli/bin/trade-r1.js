#!/usr/bin/env node
// The `trade-r1` command. Published packages run the built dist/main.js; inside the monorepo (no build yet) the
// TypeScript source runs through tsx with the workspace's source condition. This file exists before any build, so
// package managers can link the binary at install time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(new URL('../tsconfig.json', import.meta.url)))) {
  await import(dist.href);
} else {
  const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=@trade-r1/source', '--import', import.meta.resolve('tsx'), source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Forward termination to the child, and exit with its status.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
