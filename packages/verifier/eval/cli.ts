/**
 * Command-line options of `pnpm eval:verifier` (pure parsing; unknown or misspelled flags are rejected).
 */
import { TradeR1Error } from '@trade-r1/core';

/** Every split the harness reports, in report order. */
export const ALL_SPLITS = [
  'train',
  'dev',
  'test',
  'market-dev',
  'market-test',
  'news-dev',
  'news-test',
  'verifier-b',
  'tatqa-dev',
  'tatqa-test',
] as const;
/** A split name. */
export type SplitName = (typeof ALL_SPLITS)[number];

/** Names that select several splits at once. */
export const SPLIT_GROUPS: Record<string, readonly SplitName[]> = {
  own: ['train', 'dev', 'test', 'market-dev', 'market-test', 'news-dev', 'news-test'],
  hand: ['train', 'dev', 'test'],
  market: ['market-dev', 'market-test'],
  news: ['news-dev', 'news-test'],
  tatqa: ['tatqa-dev', 'tatqa-test'],
};

/** Whether a split was used to develop the verifier, in words, as every report line states it. */
export const SPLIT_STATUS: Record<SplitName, { usedForDevelopment: boolean; status: string }> = {
  train: { usedForDevelopment: true, status: 'used for development (rules written and support model fitted on it)' },
  dev: { usedForDevelopment: true, status: 'used for development (error analysis)' },
  test: { usedForDevelopment: false, status: 'held out (not used for development)' },
  'market-dev': { usedForDevelopment: true, status: 'used for development (error analysis)' },
  'market-test': { usedForDevelopment: false, status: 'held out (not used for development)' },
  'news-dev': { usedForDevelopment: true, status: 'used for development (error analysis)' },
  'news-test': { usedForDevelopment: false, status: 'held out (not used for development)' },
  'verifier-b': { usedForDevelopment: false, status: 'validation only (not used for development)' },
  'tatqa-dev': {
    usedForDevelopment: true,
    status: 'used for development (the support model is fitted on pairs from the same TAT-QA dev contexts)',
  },
  'tatqa-test': { usedForDevelopment: false, status: 'held out (not used for development)' },
};

/** Splits whose cases are never listed one by one (`--misses`, `--why`, `--dump` refuse them). */
export const NO_LISTING: readonly SplitName[] = ['verifier-b', 'tatqa-test'];

/** Parsed options. */
export interface EvalArgs {
  splits: SplitName[];
  /** Rewrite the committed eval-results/verifier-eval.json (only for a full default run). */
  write: boolean;
  /** Folder for the JSON when not `write` (default: a folder under the OS temp directory). */
  out: string | null;
  /** Cap on generated TAT-QA claims per split (deterministic subsample), or null for the default. */
  tatqaLimit: number | null;
  fit: boolean;
  options: Record<string, unknown> | null;
  dump: SplitName | 'all' | null;
  misses: SplitName | null;
  why: SplitName | null;
  help: boolean;
}

export const USAGE = `pnpm eval:verifier [flags]
  --splits=a,b,...   only these splits (${ALL_SPLITS.join(', ')}; groups: ${Object.keys(SPLIT_GROUPS).join(', ')})
  --no-test          leave the held-out splits out (test, market-test, news-test, verifier-b, tatqa-test)
  --write            rewrite the committed eval-results/verifier-eval.json (full default run only)
  --out=<dir>        write the JSON there instead of a temporary folder
  --tatqa-limit=<n>  TAT-QA questions per split (deterministic subsample; default in eval/tatqa/cases.ts)
  --options '<json>' verifier option overrides (ablations; never written with --write)
  --fit              print a support model fitted on the train split
  --dump[=split]     per-case scores (development splits only)
  --misses=<split>   perturbed claims that stayed supported (development splits only)
  --why=<split>      perturbed cases not below their base (development splits only)`;

function fail(message: string, field: string): never {
  throw new TradeR1Error('INVALID_INPUT', `${message}\n\n${USAGE}`, { details: { field } });
}

function splitName(value: string, flag: string): SplitName {
  if (!(ALL_SPLITS as readonly string[]).includes(value)) fail(`${flag}: unknown split "${value}"`, flag);
  return value as SplitName;
}

function listable(value: string, flag: string): SplitName {
  const name = splitName(value, flag);
  if (NO_LISTING.includes(name)) {
    fail(`${flag}: ${name} is ${SPLIT_STATUS[name].status}; only its aggregate numbers are printed`, flag);
  }
  return name;
}

/**
 * Parse the flags after `eval/run.ts`.
 * @throws {TradeR1Error} `INVALID_INPUT` for an unknown flag, split or malformed value.
 */
export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  const args: EvalArgs = {
    splits: [...ALL_SPLITS],
    write: false,
    out: null,
    tatqaLimit: null,
    fit: false,
    options: null,
    dump: null,
    misses: null,
    why: null,
    help: false,
  };
  let noTest = false;
  let selected: SplitName[] | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg];
    switch (flag) {
      case '--':
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--splits': {
        if (!value) fail('--splits needs a comma-separated list', flag);
        const names = value.split(',').map((name) => name.trim());
        selected = [...new Set(names.flatMap((name) => SPLIT_GROUPS[name] ?? [splitName(name, flag)]))] as SplitName[];
        break;
      }
      case '--no-test':
        noTest = true;
        break;
      case '--write':
        args.write = true;
        break;
      case '--out':
        if (!value) fail('--out needs a folder', flag);
        args.out = value;
        break;
      case '--tatqa-limit': {
        const limit = Number(value);
        if (!Number.isInteger(limit) || limit < 1)
          fail(`--tatqa-limit must be a positive integer, got "${value}"`, flag);
        args.tatqaLimit = limit;
        break;
      }
      case '--fit':
        args.fit = true;
        break;
      case '--options': {
        const text = value ?? argv[index + 1];
        if (value === undefined) index += 1;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text ?? '');
        } catch {
          fail(`--options needs a JSON object, got ${JSON.stringify(text ?? null)}`, flag);
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          fail('--options needs a JSON object', flag);
        }
        args.options = parsed as Record<string, unknown>;
        break;
      }
      case '--dump':
        args.dump = value === undefined ? 'all' : listable(value, flag);
        break;
      case '--misses':
        args.misses = listable(value ?? '', flag);
        break;
      case '--why':
        args.why = listable(value ?? '', flag);
        break;
      default:
        fail(`unknown flag "${arg}"`, arg);
    }
  }
  args.splits = (selected ?? [...ALL_SPLITS]).filter((name) => !noTest || SPLIT_STATUS[name].usedForDevelopment);
  if (args.splits.length === 0) fail('no split selected', '--splits');
  if (args.write && (args.splits.length !== ALL_SPLITS.length || args.options || args.tatqaLimit !== null)) {
    fail('--write records only the full default run (all splits, no --options, no --tatqa-limit)', '--write');
  }
  return args;
}
