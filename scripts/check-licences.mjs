#!/usr/bin/env node
// Fails when the tarball of a publishable package would ship without its licence file: `pnpm pack --dry-run`
// lists exactly what `pnpm publish` uploads, and an Apache-2.0 package must carry the Apache License text.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LICENCE_FILE = /^licen[cs]e(\.(md|txt))?$/i;

/**
 * Check one package folder. Returns a problem description, or undefined when the tarball carries the licence.
 * @param {string} dir
 * @returns {string | undefined}
 */
export function licenceProblem(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) return undefined;
  const out = execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8' });
  const packed = JSON.parse(out.slice(out.indexOf('{')));
  const licence = packed.files.map((file) => file.path).find((path) => LICENCE_FILE.test(path));
  if (licence === undefined) return `${manifest.name}: the tarball has no top-level LICENSE file`;
  if (manifest.license === 'Apache-2.0' && !readFileSync(join(dir, licence), 'utf8').includes('Apache License')) {
    return `${manifest.name}: ${licence} is not the Apache License 2.0 text`;
  }
  return undefined;
}

/** The publishable package folders of the workspace. */
export function packageDirs(root) {
  const packages = join(root, 'packages');
  return readdirSync(packages)
    .map((name) => join(packages, name))
    .filter((dir) => existsSync(join(dir, 'package.json')));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '../..');
  const problems = packageDirs(root)
    .map(licenceProblem)
    .filter((problem) => problem !== undefined);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log('every tarball carries its licence');
}
