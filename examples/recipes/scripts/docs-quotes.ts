// Keeps the code quoted in docs/ identical to the files the tests run.
// `tsx scripts/docs-quotes.ts --write` rewrites every quoted block from its file; tests call `findStaleQuotes()`.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const QUOTE = /<!-- include: (\S+) -->\n```(\w*)\n([\s\S]*?)```/g;

/** One quoted block whose text differs from its file. */
export interface StaleQuote {
  doc: string;
  file: string;
}

async function docs(): Promise<string[]> {
  const names = await readdir(`${root}docs`);
  return names.filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
}

async function rewrite(doc: string, write: boolean): Promise<StaleQuote[]> {
  const text = await readFile(`${root}${doc}`, 'utf8');
  const stale: StaleQuote[] = [];
  let result = '';
  let last = 0;
  for (const match of text.matchAll(QUOTE)) {
    const [whole, file = '', language = '', body = ''] = match;
    const source = await readFile(`${root}${file}`, 'utf8');
    if (body !== source) stale.push({ doc, file });
    result += `${text.slice(last, match.index)}<!-- include: ${file} -->\n\`\`\`${language}\n${source}\`\`\``;
    last = match.index + whole.length;
  }
  result += text.slice(last);
  if (write && result !== text) await writeFile(`${root}${doc}`, result);
  return stale;
}

/** Quoted blocks in docs/ that no longer match their source files. */
export async function findStaleQuotes(): Promise<StaleQuote[]> {
  const stale: StaleQuote[] = [];
  for (const doc of await docs()) stale.push(...(await rewrite(doc, false)));
  return stale;
}

/** Number of include markers across docs/ (so a test can tell that quotes exist at all). */
export async function countQuotes(): Promise<number> {
  let count = 0;
  for (const doc of await docs()) count += [...(await readFile(`${root}${doc}`, 'utf8')).matchAll(QUOTE)].length;
  return count;
}

if (process.argv.includes('--write')) {
  for (const doc of await docs()) await rewrite(doc, true);
  console.log('docs quotes synced');
}
