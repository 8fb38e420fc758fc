#!/usr/bin/env node
// `trade-r1-reward-server`. A published package runs the built dist/cli.js; in the source checkout (where the
// package's tsconfig.json exists; it is not published) the TypeScript source runs through tsx with the workspace's
// source condition, so a stale or partial build is never run. This file exists before any build, so
// package managers can link the binary at install time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(new URL('../tsconfig.json', import.meta.url)))) {
  await import(dist.href);
} else {
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=@trade-r1/source', '--import', import.meta.resolve('tsx'), source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Forward termination to the child, and exit with its status.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
