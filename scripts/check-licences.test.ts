import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { licenceProblem, packageDirs } from './check-licences.mjs';

const root = resolve(import.meta.dirname, '..');
const temp = mkdtempSync(join(tmpdir(), 'trade-r1-licence-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('check-licences', () => {
  it('passes every publishable package of the workspace', () => {
    const dirs = packageDirs(root);
    expect(dirs.length).toBeGreaterThanOrEqual(6);
    expect(dirs.map(licenceProblem).filter(Boolean)).toEqual([]);
  });

  it('catches a tarball without a licence, and one whose licence file sits only in a subfolder', () => {
    writeFileSync(
      join(temp, 'package.json'),
      JSON.stringify({ name: 'no-licence', version: '1.0.0', license: 'Apache-2.0', files: ['assets'] }),
    );
    expect(licenceProblem(temp)).toMatch(/no top-level LICENSE/);
    mkdirSync(join(temp, 'assets'));
    writeFileSync(join(temp, 'assets', 'LICENSE-model.md'), 'Apache License, for the weights');
    expect(licenceProblem(temp)).toMatch(/no top-level LICENSE/);
    copyFileSync(join(root, 'LICENSE'), join(temp, 'LICENSE'));
    expect(licenceProblem(temp)).toBeUndefined();
    writeFileSync(join(temp, 'LICENSE'), 'MIT License');
    expect(licenceProblem(temp)).toMatch(/not the Apache License/);
  });
});
