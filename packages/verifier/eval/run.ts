/**
 * Evaluation of the verifier (`pnpm eval:verifier`), with default options and the default embedder.
 *
 * Splits (every report line names its split and whether it was used to develop the verifier; see `SPLIT_STATUS`):
 * - own corpora (eval/own/corpora.ts): train, dev, test (hand-written), market-dev, market-test, news-dev,
 *   news-test; AUROC of each score per perturbation type, catch rates and false-alarm rates.
 * - verifier-b (eval/verifier-b/): the independent labelled set in ../shared/eval/verifier-b, validation only;
 *   aggregate figures only, never a per-case listing.
 * - tatqa-dev, tatqa-test (eval/tatqa/): claims about values of real annual-report tables and paragraphs
 *   (TAT-QA, CC BY 4.0: Zhu et al., ACL 2021), read from ../shared/data/tatqa at run time.
 *
 * Progress goes to stderr, the report to stdout. The JSON goes to a temporary folder unless `--write` (full
 * default run only) rewrites the committed eval-results/verifier-eval.json. `--help` lists the flags.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EvidenceDocumentInput, isTradeR1Error } from '@trade-r1/core';
import {
  createDefaultEmbedder,
  createVerifier,
  fitLogistic,
  openEvidenceStore,
  SUPPORT_FEATURES,
  type SupportFeatures,
  type VerificationReport,
  type VerifierOptions,
  type VerifyInput,
} from '../src/index.ts';
import { type EvalArgs, NO_LISTING, parseEvalArgs, SPLIT_STATUS, type SplitName, USAGE } from './cli.ts';
import {
  caught,
  type EvalCase,
  FLAG_KEYS,
  loadCorpora,
  SEEDS,
  SPLITS,
  summarise,
  targetClaims,
} from './own/corpora.ts';
import { buildTatqaCases } from './tatqa/cases.ts';
import { readTatqa, TATQA_ATTRIBUTION, TATQA_FILES } from './tatqa/read.ts';
import { formatTatqa, summariseTatqa } from './tatqa/summary.ts';
import { loadVerifierB, VERIFIER_B_DIR } from './verifier-b/load.ts';
import { formatVerifierB, summariseVerifierB } from './verifier-b/summary.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The report (stdout). */
const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
/** Progress (stderr), so that a long run is never silent. */
const progress = (line: string): void => {
  process.stderr.write(`[eval ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};
/** Verifications per verifyBatch call (progress is printed after each). */
const PROGRESS_CHUNK = 64;

const tag = (split: string): string => {
  const status = SPLIT_STATUS[split as SplitName]?.status;
  return `[${split} · ${status ?? 'mixed: train and dev used for development, test held out'}]`;
};

type Embedder = Awaited<ReturnType<typeof createDefaultEmbedder>>;
type Verifier = ReturnType<typeof createVerifier>;

/** A store with `documents` and a verifier on it (default options plus `options`). */
async function openCorpus(
  directory: string,
  name: string,
  embedder: Embedder,
  documents: readonly EvidenceDocumentInput[],
  options: VerifierOptions,
): Promise<{ verifier: Verifier; close(): Promise<void> }> {
  const store = await openEvidenceStore({ uri: join(directory, name), embedder });
  try {
    progress(`${name}: ingesting ${documents.length} documents`);
    await store.add([...documents]);
    const verifier = createVerifier({ store, embedder, options });
    return {
      verifier,
      close: async () => {
        await verifier.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** verifyBatch in chunks, with progress on stderr; returns the reports and the seconds spent verifying. */
async function verifyWithProgress(
  verifier: Verifier,
  name: string,
  inputs: readonly VerifyInput[],
): Promise<{ reports: VerificationReport[]; seconds: number }> {
  const reports: VerificationReport[] = [];
  const started = performance.now();
  for (let index = 0; index < inputs.length; index += PROGRESS_CHUNK) {
    reports.push(...(await verifier.verifyBatch(inputs.slice(index, index + PROGRESS_CHUNK), { concurrency: 4 })));
    progress(
      `${name}: ${reports.length}/${inputs.length} verified (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  return { reports, seconds: (performance.now() - started) / 1000 };
}

/** The own corpora: per-split tables as before, each line tagged with its split's status. */
async function runOwn(args: EvalArgs, directory: string, embedder: Embedder) {
  const corpora = await loadCorpora(args.splits, progress);
  const cases = corpora.flatMap((corpus) => corpus.cases);
  if (cases.length === 0) return null;
  const list: VerificationReport[] = [];
  let seconds = 0;
  let configHash = '';
  let threshold = 0.5;
  for (const corpus of corpora) {
    if (corpus.cases.length === 0) continue;
    const opened = await openCorpus(directory, corpus.name, embedder, corpus.documents, {
      extraTickers: ['MACRO'],
      ...(args.options ?? {}),
    });
    try {
      const result = await verifyWithProgress(
        opened.verifier,
        corpus.name,
        corpus.cases.map((item) => ({
          ticker: item.ticker,
          asOf: item.asOf,
          reasoning: item.reasoning,
          decision: item.decision,
        })),
      );
      list.push(...result.reports);
      seconds += result.seconds;
      configHash = opened.verifier.configHash;
      threshold = opened.verifier.options.thresholds.deduction;
    } finally {
      await opened.close();
    }
  }
  const reports = new Map(cases.map((item, index) => [item.id, list[index] as VerificationReport]));
  const listed = (item: EvalCase, split: SplitName | 'all' | null) =>
    split !== null && !NO_LISTING.includes(item.split) && (split === 'all' || item.split === split);
  if (args.dump) {
    for (const item of cases) {
      if (!listed(item, args.dump)) continue;
      const report = reports.get(item.id) as VerificationReport;
      print(
        `${item.id.padEnd(40)} ${item.label.padEnd(10)} F=${report.scores.factuality.toFixed(3)} H=${report.hallucinationRate.toFixed(2)}`,
      );
    }
  }
  // --misses=<split>: perturbed claims that stayed supported, with what the checks found.
  for (const item of cases) {
    if (!listed(item, args.misses) || item.label === 'flip' || item.base === null) continue;
    const report = reports.get(item.id) as VerificationReport;
    for (const claim of targetClaims(report, item.span).filter((entry) => entry.verdict === 'supported')) {
      print(`${item.id} [${item.label}] support ${claim.support}: ${claim.text.slice(0, 160)}`);
      print(
        `   numbers ${claim.checks.numbers.map((entry) => `${entry.claimed}:${entry.status}`).join(' ')} | entities ${claim.checks.entities.map((entry) => `${entry.name}:${entry.status}`).join(' ')} | periods ${claim.checks.periods.map((entry) => `${entry.period}:${entry.status}`).join(' ')}`,
      );
    }
  }
  // --why=<split>: perturbed cases that do not score below their own base, with their perturbed claims.
  for (const item of cases) {
    if (!listed(item, args.why) || item.base === null || item.label === 'flip') continue;
    const report = reports.get(item.id) as VerificationReport;
    const base = reports.get(item.base) as VerificationReport | undefined;
    if (!base || report.scores.factuality < base.scores.factuality) continue;
    print(`${item.id} F=${report.scores.factuality.toFixed(3)} base=${base.scores.factuality.toFixed(3)}`);
    for (const claim of targetClaims(report, item.span)) {
      print(
        `   [${claim.verdict} ${claim.category} ${claim.support.toFixed(2)} lex=${claim.features.lexical} sem=${claim.features.semantic}] ${claim.text.slice(0, 140)}`,
      );
    }
  }
  const isPositive = (item: EvalCase) => item.label === 'faithful' || item.label === 'paraphrase';
  // `all`: the hand-written corpus (train, dev, test), as in earlier reports; the other splits are listed apart.
  const handCases = corpora.find((corpus) => corpus.name === 'hand')?.cases ?? [];
  const groups: Record<string, EvalCase[]> = handCases.length > 0 ? { all: handCases } : {};
  for (const split of SPLITS) {
    const inSplit = cases.filter((item) => item.split === split);
    if (inSplit.length === 0) continue;
    groups[split] = inSplit;
    groups[`${split}/hand`] = inSplit.filter((item) => isPositive(item) || item.origin === 'hand');
    groups[`${split}/generated`] = inSplit.filter((item) => isPositive(item) || item.origin === 'generated');
  }
  const results: Record<string, ReturnType<typeof summarise> & { status: string; usedForDevelopment: boolean | null }> =
    {};
  for (const [name, items] of Object.entries(groups)) {
    const split = name.split('/')[0] as SplitName | 'all';
    const status = split === 'all' ? null : SPLIT_STATUS[split];
    results[name] = {
      status: status?.status ?? 'mixed: train and dev used for development, test held out',
      usedForDevelopment: status?.usedForDevelopment ?? null,
      ...summarise(items, reports, threshold),
    };
  }

  print(`own corpora: verified ${cases.length} cases in ${seconds.toFixed(2)} s (config ${configHash})\n`);
  for (const [name, result] of Object.entries(results)) {
    const t = tag(name.split('/')[0] as string);
    print(`${t} == ${name}: ${result.cases} cases, ${result.positives} faithful/paraphrase`);
    print(
      `${t}    factuality AUROC (all claim-level perturbations) ${result.factualityAurocAllClaimPerturbations}; paraphrases flagged ${result.paraphraseFalseAlarmRate} (with a contradicted claim ${result.paraphraseWithContradictedClaim}); faithful flagged ${result.faithfulFalseAlarmRate}`,
    );
    print(`${t}    type        n    AUROC fact  ded   cons  s     1-hall  caught  flagged  below-base`);
    for (const [type, value] of Object.entries(result.perType)) {
      const entry = value as {
        cases: number;
        auroc: Record<string, number | null>;
        caughtRate: number;
        flaggedRate: number;
        pairedBelowBase: number | null;
      };
      const a = entry.auroc;
      const cell = (score: number | null | undefined) =>
        score === null || score === undefined ? '  -  ' : score.toFixed(3);
      print(
        `${t}    ${type.padEnd(11)} ${String(entry.cases).padStart(3)}  ${cell(a.factuality)}  ${cell(a.deduction)} ${cell(a.consistency)} ${cell(a.s)} ${cell(a.oneMinusHallucination)}   ${cell(entry.caughtRate)}   ${cell(entry.flaggedRate)}    ${cell(entry.pairedBelowBase)}`,
      );
    }
    print();
  }

  if (args.fit) {
    // Positives: checkable claims of faithful and paraphrase cases; negatives: perturbed claims.
    const rows: number[][] = [];
    const labels: number[] = [];
    for (const item of cases.filter((entry) => entry.split === 'train')) {
      const report = reports.get(item.id) as VerificationReport;
      if (item.label === 'faithful' || item.label === 'paraphrase') {
        for (const claim of report.claims) {
          const checkable =
            claim.checks.numbers.length + claim.checks.entities.length + claim.checks.periods.length > 0;
          if (claim.opinion || !checkable || claim.checks.conflicts.length > 0) continue;
          rows.push(SUPPORT_FEATURES.map((name) => claim.features[name as keyof SupportFeatures]));
          labels.push(1);
        }
      } else if (item.label !== 'flip') {
        for (const claim of targetClaims(report, item.span)) {
          if (claim.checks.conflicts.length > 0) continue;
          rows.push(SUPPORT_FEATURES.map((name) => claim.features[name as keyof SupportFeatures]));
          labels.push(0);
        }
      }
    }
    const model = fitLogistic(rows, labels, { iterations: 6000, learningRate: 0.5, l2: 0.002 });
    print(`\nfitted on ${rows.length} train claims (${labels.filter((label) => label === 1).length} positive):`);
    print(
      JSON.stringify(
        {
          bias: Math.round(model.bias * 100) / 100,
          weights: Object.fromEntries(
            SUPPORT_FEATURES.map((name, index) => [name, Math.round((model.weights[index] ?? 0) * 100) / 100]),
          ),
        },
        null,
        2,
      ),
    );
  }

  return {
    configHash,
    casesPerSecond: Math.round(cases.length / seconds),
    definitions: {
      positives: 'faithful reasoning and faithful paraphrases of the same split',
      auroc: 'probability that a positive scores higher than a perturbed case of that type (ties 1/2)',
      caughtRate:
        'claim-level types: share of perturbed cases whose perturbed claim is not supported; flip: deduction below the deduction threshold',
      pairedBelowBase:
        'share of perturbed cases scoring strictly below their own faithful/paraphrase base (factuality; deduction for flips)',
      flaggedRate: `share of cases with any of ${FLAG_KEYS.join(', ')} (plus low-deduction for flip)`,
      paraphraseFalseAlarmRate: `share of faithful paraphrases with any of ${FLAG_KEYS.join(', ')}`,
    },
    results,
    failures: cases
      .filter((item) => caught(item, reports.get(item.id) as VerificationReport, threshold) === false)
      .map((item) => ({
        id: item.id,
        split: item.split,
        label: item.label,
        // News cases quote licensed articles (FNSPID, non-commercial): their text stays out of the results.
        target:
          item.span && !item.split.startsWith('news') ? item.reasoning.slice(item.span.start, item.span.end) : null,
      })),
  };
}

/** The verifier-b split: default options (MACRO documents reach claims through market-wide retrieval). */
async function runVerifierB(args: EvalArgs, directory: string, embedder: Embedder) {
  const set = loadVerifierB();
  if (!set) {
    progress(`verifier-b skipped: ${VERIFIER_B_DIR} not found`);
    return null;
  }
  const opened = await openCorpus(directory, 'verifier-b', embedder, set.documents, args.options ?? {});
  try {
    const { reports, seconds } = await verifyWithProgress(
      opened.verifier,
      'verifier-b',
      set.cases.map((item) => item.input),
    );
    const summary = summariseVerifierB(set.cases, reports, opened.verifier.options.thresholds.deduction);
    print(
      `verifier-b: verified ${set.cases.length} cases in ${seconds.toFixed(2)} s (config ${opened.verifier.configHash}, default options${args.options ? ' + --options' : ''})`,
    );
    for (const line of formatVerifierB(summary)) print(line);
    print();
    return {
      configHash: opened.verifier.configHash,
      options: args.options ?? {},
      casesPerSecond: Math.round(set.cases.length / seconds),
      ...summary,
    };
  } finally {
    await opened.close();
  }
}

/** Seeds of the TAT-QA case builders (fixed: the splits are the same on every run). */
const TATQA_SEEDS = { dev: 20261203, test: 20261204 } as const;

/** The TAT-QA splits (eval/tatqa/): aggregate numbers only. */
async function runTatqa(args: EvalArgs, directory: string, embedder: Embedder) {
  const results = [];
  for (const which of ['dev', 'test'] as const) {
    const name = `tatqa-${which}` as const;
    if (!args.splits.includes(name)) continue;
    const contexts = readTatqa(TATQA_FILES[which]);
    if (!contexts) {
      progress(`${name} skipped: ${TATQA_FILES[which]} not found`);
      continue;
    }
    const built = buildTatqaCases(contexts, {
      seed: TATQA_SEEDS[which],
      prefix: which === 'dev' ? 'TQD' : 'TQT',
      ...(args.tatqaLimit !== null && { limit: args.tatqaLimit }),
    });
    progress(`${name}: ${built.contexts} contexts, ${built.documents.length} documents, ${built.cases.length} cases`);
    const opened = await openCorpus(directory, name, embedder, built.documents, args.options ?? {});
    try {
      const { reports, seconds } = await verifyWithProgress(
        opened.verifier,
        name,
        built.cases.map((item) => item.input),
      );
      const summary = summariseTatqa(built.cases, reports, {
        name,
        ...SPLIT_STATUS[name],
        contexts: built.contexts,
        sampled: built.sampled,
      });
      print(
        `${name}: verified ${built.cases.length} cases in ${seconds.toFixed(2)} s (config ${opened.verifier.configHash}, default options${args.options ? ' + --options' : ''})`,
      );
      for (const line of formatTatqa(summary)) print(line);
      print();
      results.push({
        configHash: opened.verifier.configHash,
        seed: TATQA_SEEDS[which],
        casesPerSecond: Math.round(built.cases.length / seconds),
        attribution: TATQA_ATTRIBUTION,
        ...summary,
      });
    } finally {
      await opened.close();
    }
  }
  return results;
}

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  if (args.help) {
    print(USAGE);
    return;
  }
  progress(`splits: ${args.splits.join(', ')}`);
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-verifier-eval-'));
  const embedder = await createDefaultEmbedder();
  try {
    const own = await runOwn(args, directory, embedder);
    const verifierB = args.splits.includes('verifier-b') ? await runVerifierB(args, directory, embedder) : null;
    const tatqa = await runTatqa(args, directory, embedder);

    const output = args.write
      ? join(here, '../eval-results')
      : (args.out ?? join(tmpdir(), 'trade-r1-verifier-eval-results'));
    mkdirSync(output, { recursive: true });
    const file = join(output, 'verifier-eval.json');
    // Keep the records of earlier runs (`testFirstRun`, `baseline…`; see the README) across re-runs.
    let earlierRuns: Record<string, unknown> = {};
    try {
      const previous = JSON.parse(readFileSync(join(here, '../eval-results/verifier-eval.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      earlierRuns = Object.fromEntries(
        Object.entries(previous).filter(([key]) => /^(?:test\w*Run|baseline\w*)$/.test(key)),
      );
    } catch {
      earlierRuns = {};
    }
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          embedder: embedder.modelId,
          seeds: SEEDS,
          splits: Object.fromEntries(args.splits.map((split) => [split, SPLIT_STATUS[split]])),
          ...(args.options && { options: args.options }),
          ...(own ?? {}),
          ...(verifierB && { verifierB }),
          ...(tatqa.length > 0 && { tatqa }),
          ...earlierRuns,
        },
        null,
        2,
      )}\n`,
    );
    print(`results written to ${file}${args.write ? '' : ' (--write rewrites eval-results/verifier-eval.json)'}`);
  } finally {
    await embedder.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  if (isTradeR1Error(error) && error.code === 'INVALID_INPUT') {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
