import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findImportCycles } from './import-cycles.mjs';

describe('import cycles', () => {
  it('no package source module imports itself through others', () => {
    expect(findImportCycles()).toEqual([]);
  });

  it('finds a cycle, and ignores type-only imports and tests', () => {
    const base = mkdtempSync(join(tmpdir(), 'cycles-'));
    try {
      const src = join(base, 'packages', 'x', 'src');
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'a.ts'), "import { b } from './b.ts';\nexport const a = b;\n");
      writeFileSync(join(src, 'b.ts'), "import { c } from './c.ts';\nexport const b = c;\n");
      writeFileSync(
        join(src, 'c.ts'),
        "import type { A } from './a.ts';\nexport { a } from './a.ts';\nexport const c = 1;\n",
      );
      writeFileSync(join(src, 'd.ts'), "import type { A } from './e.ts';\nexport const d = 1;\n");
      writeFileSync(join(src, 'e.ts'), "import { d } from './d.ts';\nexport type A = number;\n");
      writeFileSync(join(src, 'a.test.ts'), "import { a } from './a.ts';\n");
      expect(findImportCycles(base)).toEqual([['packages/x/src/a.ts', 'packages/x/src/b.ts', 'packages/x/src/c.ts']]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
