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
//
// Two more offline installs measure what the first one hides. @lancedb/lancedb lists @huggingface/transformers
// among its optionalDependencies, so npm adds it, and the verifier's optional peer range then makes it
// transformers 4 with onnxruntime-node, onnxruntime-web and sharp. onnxruntime-node's install script downloads CUDA
// libraries on Linux x64; where that download fails (no network beyond the registry), npm drops the whole optional
// tree, which is why the plain install is small here. `withOptionalTree` runs the same install with
// ONNXRUNTIME_NODE_INSTALL=skip (the script succeeds without downloading), i.e. what an online user gets, minus the
// CUDA download. `lean` is the recipe that avoids it: `--omit=optional` plus LanceDB's native package for this
// platform as a direct dependency.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** LanceDB's native package for this machine (`@lancedb/lancedb-linux-x64-gnu`…), as npm would pick it. */
export function lancedbPlatformPackage() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `@lancedb/lancedb-linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `@lancedb/lancedb-win32-${arch}-msvc`;
  return `@lancedb/lancedb-${platform}-${arch}`;
}

/** Megabytes, the MUST_BE_ABSENT packages present, and the five largest packages of a node_modules folder. */
function weigh(modules) {
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
    nodeModulesMegabytes: Math.round(folderBytes(modules) / 1e6),
    largest,
    present: MUST_BE_ABSENT.filter((name) => {
      try {
        return statSync(join(modules, name)).isDirectory();
      } catch {
        return false;
      }
    }),
  };
}

/** The @lancedb/lancedb version npm installed in a project. */
function lancedbVersion(dir) {
  return JSON.parse(readFileSync(join(dir, 'node_modules', '@lancedb', 'lancedb', 'package.json'), 'utf8')).version;
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
    const plain = weigh(join(consumer, 'node_modules'));

    // The same install where onnxruntime-node's script succeeds (skipped), so npm keeps LanceDB's optional tree.
    const full = project(join(work, 'optional-tree'), 'optional-tree');
    run('npm', [...npm, '--offline', ...files], {
      cwd: full,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    const withOptionalTree = weigh(join(full, 'node_modules'));

    // The lean recipe: no optional dependencies, LanceDB's native package for this platform named directly.
    const lean = project(join(work, 'lean'), 'lean');
    const platformPackage = `${lancedbPlatformPackage()}@${lancedbVersion(consumer)}`;
    run('npm', [...npm, '--offline', '--omit=optional', ...files, platformPackage], { cwd: lean });
    writeFileSync(join(lean, 'consumer.mjs'), CONSUMER);
    const leanResult = JSON.parse(run('node', ['consumer.mjs'], { cwd: lean }).trim().split('\n').at(-1));

    return {
      packages: PACKAGES.map((name) => `@trade-r1/${name}`),
      installSeconds: Math.round(installSeconds * 10) / 10,
      ...plain,
      consumer: result,
      withOptionalTree,
      lean: {
        command: `npm install --omit=optional @trade-r1/core @trade-r1/verifier ${platformPackage}`,
        ...weigh(join(lean, 'node_modules')),
        consumer: leanResult,
      },
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
