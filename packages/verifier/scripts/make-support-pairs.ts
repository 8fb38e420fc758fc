/**
 * Writes claim–evidence training pairs generated from real text (eval/pairs/generate.ts) as JSONL, one
 * `{ claim, evidenceDocuments, label, rewrite, source, group }` per line, and a notes file beside it naming the
 * sources and their licences. Deterministic for a seed. The output goes to a temporary folder unless `--out` is
 * given; it quotes FNSPID news (CC BY-NC 4.0), so it must not be committed.
 *
 *   pnpm --filter @trade-r1/verifier pairs:support -- --seed=7 --limit=5000 [--sources=tatqa,market] [--tatqa=dev]
 *     [--out=/path/pairs.jsonl]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TradeR1Error } from '@trade-r1/core';
import { generateSupportPairs, PAIR_SOURCES, type SupportPairOptions } from '../eval/pairs/generate.ts';
import { TATQA_ATTRIBUTION } from '../eval/tatqa/read.ts';

const USAGE =
  'make-support-pairs --seed=<int> [--limit=<n>] [--sources=news,tatqa,market] [--tatqa=dev|test] [--out=<file.jsonl>]';

/** Parse the flags (unknown flags are rejected). */
export function parseArgs(argv: readonly string[]): { options: SupportPairOptions; out: string | null } {
  const options: Record<string, unknown> = { seed: 20261203 };
  let out: string | null = null;
  for (const arg of argv) {
    if (arg === '--') continue;
    const match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (!match)
      throw new TradeR1Error('INVALID_INPUT', `unknown argument "${arg}"\n${USAGE}`, { details: { field: arg } });
    const [, flag, value = ''] = match;
    if (flag === 'seed' || flag === 'limit') options[flag] = Number(value);
    else if (flag === 'sources') options.sources = value.split(',').map((name) => name.trim());
    else if (flag === 'tatqa') options.tatqa = value;
    else if (flag === 'out') out = value;
    else throw new TradeR1Error('INVALID_INPUT', `unknown flag "--${flag}"\n${USAGE}`, { details: { field: flag } });
  }
  return { options: options as SupportPairOptions, out };
}

async function main(): Promise<void> {
  const { options, out } = parseArgs(process.argv.slice(2));
  const set = await generateSupportPairs(options);
  const file = out ?? join(tmpdir(), 'trade-r1-support-pairs', `support-pairs-seed${options.seed}.jsonl`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, set.pairs.map((pair) => JSON.stringify(pair)).join('\n') + (set.pairs.length > 0 ? '\n' : ''));
  writeFileSync(
    `${file}.md`,
    [
      `# Support pairs (seed ${options.seed})`,
      '',
      `${set.pairs.length} pairs of ${set.generated} generated${set.dropped > 0 ? ` (${set.dropped} dropped by --limit, a seeded sample)` : ''}; generator: packages/verifier/eval/pairs/generate.ts.`,
      '',
      'Sources and licences:',
      '- news: FNSPID sample (Zdong104/FNSPID_Financial_News_Dataset), CC BY-NC 4.0 — non-commercial; do not commit or redistribute this file.',
      `- tatqa: ${TATQA_ATTRIBUTION}.`,
      '- market: market-data documents built by the repository (eval/market/build.ts) from daily bars.',
      '',
    ].join('\n'),
  );
  process.stdout.write(
    `${JSON.stringify({ file, pairs: set.pairs.length, generated: set.generated, dropped: set.dropped, missingSources: set.missingSources, sources: PAIR_SOURCES, counts: set.counts }, null, 2)}\n`,
  );
}

if (process.argv[1]?.endsWith('make-support-pairs.ts')) {
  try {
    await main();
  } catch (error) {
    if (error instanceof TradeR1Error && error.code === 'INVALID_INPUT') {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else throw error;
  }
}
