#!/usr/bin/env node
// Packs @trade-r1/core and @trade-r1/verifier as they would be published, and installs the tarballs with plain npm
// into a fresh project outside the monorepo, the second time with `npm install --offline` (npm may not touch the
// network: every package must come from its cache, and no install script may download anything). Then it runs a
// consumer script (ingest, verify a faithful and a wrong claim) and reports what the install weighs.
//
//   node scripts/offline-install.mjs [--cache <dir>] [--keep]
//
// The npm cache is filled by a first, online install (the npm registry only) and kept between runs
// (default: ~/.cache/trade-r1/npm-offline), so later runs download nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const PACKAGES = ['core', 'verifier'];
/** Optional peers the default verifier path must not pull in (each hundreds of MB with native or wasm binaries). */
export const MUST_BE_ABSENT = ['onnxruntime-node', 'onnxruntime-web', '@huggingface/transformers'];

const CONSUMER = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEmbedder, createVerifier, openEvidenceStore } from '@trade-r1/verifier';
const embedder = await createDefaultEmbedder();
const store = await openEvidenceStore({ uri: mkdtempSync(join(tmpdir(), 'evidence-')), embedder });
await store.add([{ id: 'aapl-q1', tickers: ['AAPL'], publishedAt: '2024-02-01T21:30:00Z', sourceKind: 'filing',
  title: 'Apple reports first quarter results',
  text: 'Apple reported quarterly revenue of $119.6 billion, up 2 percent year over year.' }]);
const verifier = createVerifier({ store, embedder });
const verify = (reasoning) => verifier.verify({ ticker: 'AAPL', asOf: '2024-02-05', reasoning, decision: 'BUY' });
const faithful = await verify('Apple grew quarterly revenue 2% to $119.6 billion. [[BUY]]');
const wrong = await verify('Apple grew quarterly revenue 2% to $139.6 billion. [[BUY]]');
console.log(JSON.stringify({ faithful: faithful.scores.factuality, wrong: wrong.scores.factuality,
  verdicts: [faithful.claims[0].verdict, wrong.claims[0].verdict] }));
await store.close();
`;

function run(command, args, options) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** Bytes under a folder (files only; links not followed). */
export function folderBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

function project(dir, name) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }));
  return dir;
}

/**
 * Build, pack, install online (to fill the cache) and offline, run the consumer. Returns the measurements.
 * @param {{ cache?: string, keep?: boolean }} options
 */
export function offlineInstall(options = {}) {
  const cache = options.cache ?? join(homedir(), '.cache', 'trade-r1', 'npm-offline');
  const work = mkdtempSync(join(tmpdir(), 'trade-r1-offline-'));
  try {
    run('pnpm', [...PACKAGES.flatMap((name) => ['--filter', `@trade-r1/${name}`]), 'build'], { cwd: root });
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const name of PACKAGES) {
      run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name) });
    }
    const files = readdirSync(tarballs).map((file) => join(tarballs, file));
    const npm = ['install', '--cache', cache, '--no-audit', '--no-fund', '--loglevel=error'];
    // Online once: only the npm registry, to fill the cache (a no-op when it is already filled).
    run('npm', [...npm, '--prefer-offline', ...files], { cwd: project(join(work, 'warm'), 'warm') });
    // Offline: npm serves everything from the cache or fails (ENOTCACHED); install scripts run as for any user.
    const consumer = project(join(work, 'consumer'), 'consumer');
    const started = performance.now();
    run('npm', [...npm, '--offline', ...files], { cwd: consumer });
    const installSeconds = (performance.now() - started) / 1000;
    writeFileSync(join(consumer, 'consumer.mjs'), CONSUMER);
    const result = JSON.parse(run('node', ['consumer.mjs'], { cwd: consumer }).trim().split('\n').at(-1));
    const modules = join(consumer, 'node_modules');
    const largest = readdirSync(modules, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .flatMap((entry) =>
        entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry],
      )
      .map((name) => ({ name, megabytes: folderBytes(join(modules, name)) / 1e6 }))
      .sort((left, right) => right.megabytes - left.megabytes)
      .slice(0, 5)
      .map((item) => ({ ...item, megabytes: Math.round(item.megabytes) }));
    return {
      packages: PACKAGES.map((name) => `@trade-r1/${name}`),
      installSeconds: Math.round(installSeconds * 10) / 10,
      nodeModulesMegabytes: Math.round(folderBytes(modules) / 1e6),
      largest,
      present: MUST_BE_ABSENT.filter((name) => {
        try {
          return statSync(join(modules, name)).isDirectory();
        } catch {
          return false;
        }
      }),
      consumer: result,
    };
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const cacheIndex = args.indexOf('--cache');
  const unknown = args.filter((arg, index) => !['--cache', '--keep'].includes(arg) && index !== cacheIndex + 1);
  if (unknown.length > 0 || (cacheIndex >= 0 && !args[cacheIndex + 1])) {
    console.error('usage: node scripts/offline-install.mjs [--cache <dir>] [--keep]');
    process.exit(2);
  }
  const report = offlineInstall({
    ...(cacheIndex >= 0 && { cache: args[cacheIndex + 1] }),
    keep: args.includes('--keep'),
  });
  console.log(JSON.stringify(report, null, 2));
}
