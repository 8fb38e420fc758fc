/**
 * Relative-import cycles among the packages' source modules (tests excluded). Modules that import each other
 * make initialisation order matter and hide which one owns a concept; the context types moved to their own
 * module for that reason (issue 13, item 12). `findImportCycles()` returns each cycle as a list of paths.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(directory) {
  const out = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== '__fixtures__') out.push(...sources(path));
    } else if (/\.ts$/.test(name) && !/\.(test|bench)\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Every cycle of runtime (non-type) relative imports under packages/* /src, as module paths from the repo root. */
export function findImportCycles(base = root) {
  const files = readdirSync(join(base, 'packages')).flatMap((pkg) => {
    const src = join(base, 'packages', pkg, 'src');
    try {
      return sources(src);
    } catch {
      return [];
    }
  });
  const known = new Set(files);
  const edges = new Map(
    files.map((file) => {
      const text = readFileSync(file, 'utf8');
      const targets = [...text.matchAll(IMPORT)]
        .map((match) => resolve(dirname(file), match[1]))
        .filter((t) => known.has(t));
      return [file, [...new Set(targets)]];
    }),
  );
  // Tarjan's strongly connected components; a component of more than one module is a cycle.
  let index = 0;
  const stack = [];
  const state = new Map();
  const cycles = [];
  const visit = (node) => {
    state.set(node, { index, low: index, onStack: true });
    index += 1;
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!state.has(next)) {
        visit(next);
        state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
      } else if (state.get(next).onStack) state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
    }
    if (state.get(node).low === state.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(relative(base, member));
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cycles = findImportCycles();
  for (const cycle of cycles) process.stdout.write(`${cycle.join(' <-> ')}\n`);
  process.exitCode = cycles.length > 0 ? 1 : 0;
}
