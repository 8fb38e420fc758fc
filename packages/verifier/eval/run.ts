/**
 * Evaluation of the verifier on the labelled set in eval/dataset (`pnpm eval:verifier`).
 *
 * - Hand-written cases (cases.json): faithful reasoning, faithful paraphrases in other words, and perturbations
 *   written as exact edits, independently of perturb().
 * - Generated cases: perturb() applied to every faithful and paraphrase case, for each type and several seeds.
 * - Splits: train (AAPL, NVDA, MSFT) was used to develop and fit the support model; dev (AMZN, JPM, XOM) was
 *   inspected for error analysis; test (test-cases.json: other tickers) was written before the verifier was ever
 *   run on it and is never tuned on. Results are reported per split and origin.
 *
 * Prints AUROC of each score per perturbation type (faithful + paraphrases as the positive class), catch rates
 * (the perturbed claim not `supported`; for flips, deduction below its threshold), and the false-alarm rate on
 * faithful paraphrases; writes JSON to eval-results/verifier-eval.json.
 *
 * Flags: --splits=own,verifier-b,tatqa (default all; see external.ts for the splits written by others); --write
 * rewrites the committed eval-results/verifier-eval.json (otherwise results go to the temp folder); --fit prints a
 * support model fitted on the train split; --no-test leaves the test split out; --options '<json>' overrides
 * verifier options (ablations).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Decision, type EvidenceDocumentInput, isAvailableAt } from '@trade-r1/core';
import { createDefaultEmbedder } from '../src/embedders/static/default-embedder.ts';
import { PERTURBATION_TYPES, type PerturbationType, perturb } from '../src/perturb/perturb.ts';
import { auroc, fitLogistic } from '../src/scoring/metrics.ts';
import { SUPPORT_FEATURES, type SupportFeatures } from '../src/scoring/support.ts';
import { splitSentences } from '../src/scoring/text.ts';
import { openEvidenceStore } from '../src/store/evidence-store.ts';
import { createVerifier, type VerificationReport } from '../src/verify/verifier.ts';
import { buildTatqaSplit, evaluateExternal, loadVerifierB } from './external.ts';
import { loadNewsCorpus, NEWS_FILE } from './news/build.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** Console output (eval/ is not covered by the lint override for scripts). */
const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const SEEDS = [1, 2, 3];
const FLAG_KEYS = ['contradicted-claim', 'low-factuality', 'high-hallucination-rate'];

type Split = 'train' | 'dev' | 'test' | 'market-dev' | 'market-test' | 'news-dev' | 'news-test';
const SPLITS: readonly Split[] = ['train', 'dev', 'test', 'market-dev', 'market-test', 'news-dev', 'news-test'];
const HELD_OUT: readonly Split[] = ['test', 'market-test', 'news-test'];

interface RawCase {
  id: string;
  split?: Split;
  label: string;
  ticker?: string;
  asOf?: string;
  decision?: Decision;
  reasoning?: string;
  base?: string;
  replace?: Array<[string, string]>;
  target?: string | null;
}

interface EvalCase {
  id: string;
  split: Split;
  origin: 'hand' | 'generated';
  label: 'faithful' | 'paraphrase' | PerturbationType;
  ticker: string;
  asOf: string;
  decision: Decision;
  reasoning: string;
  /** Span of the perturbed text, to find the perturbed claim. */
  span: { start: number; end: number } | null;
  /** The faithful or paraphrase case it perturbs. */
  base: string | null;
}

function loadCases(documents: EvidenceDocumentInput[], raw: RawCase[]): EvalCase[] {
  const byId = new Map(raw.map((item) => [item.id, item]));
  const cases: EvalCase[] = [];
  for (const item of raw) {
    const base = item.base ? byId.get(item.base) : item;
    if (!base?.reasoning || !base.ticker || !base.asOf || !base.decision || !base.split) {
      throw new Error(`case ${item.id}: incomplete (base ${item.base ?? 'none'})`);
    }
    let reasoning = base.reasoning;
    for (const [from, to] of item.replace ?? []) {
      if (!reasoning.includes(from)) throw new Error(`case ${item.id}: "${from}" not found in ${base.id}`);
      reasoning = reasoning.replace(from, to);
    }
    const targetAt = item.target ? reasoning.indexOf(item.target) : -1;
    cases.push({
      id: item.id,
      split: base.split,
      origin: 'hand',
      label: item.label as EvalCase['label'],
      ticker: base.ticker,
      asOf: base.asOf,
      decision: item.decision ?? base.decision,
      reasoning,
      span: targetAt >= 0 && item.target ? { start: targetAt, end: targetAt + item.target.length } : null,
      base: item.base ?? null,
    });
  }
  // Generated perturbations of every faithful and paraphrase case.
  for (const item of cases.filter((entry) => entry.label === 'faithful' || entry.label === 'paraphrase')) {
    const about = documents.filter((document) => (document.tickers ?? []).includes(item.ticker));
    // A sentence also published before asOf (syndicated or repeated news) is not a future-only fact.
    const known = about.filter((document) => isAvailableAt(document.publishedAt, item.asOf));
    const futureSentences = about
      .filter((document) => !isAvailableAt(document.publishedAt, item.asOf))
      .flatMap((document) => splitSentences(document.text).map((span) => span.text))
      .filter((sentence) => sentence.split(/\s+/).length >= 6)
      .filter((sentence) => !known.some((document) => document.text.includes(sentence)));
    // A future-only *fact*: sentences with a figure when there are any (a later article's opinion is not a fact).
    const withFigures = futureSentences.filter((sentence) => /\d/.test(sentence));
    const futureFacts = withFigures.length > 0 ? withFigures : futureSentences;
    for (const type of PERTURBATION_TYPES) {
      for (const seed of SEEDS) {
        const result = perturb({
          reasoning: item.reasoning,
          decision: item.decision,
          type,
          seed,
          ticker: item.ticker,
          futureFacts,
        });
        if (!result) continue;
        cases.push({
          id: `${item.id}~${type}~${seed}`,
          split: item.split,
          origin: 'generated',
          label: type,
          ticker: item.ticker,
          asOf: item.asOf,
          decision: result.decision,
          reasoning: result.reasoning,
          span: result.span,
          base: item.id,
        });
      }
    }
  }
  return cases;
}

function targetClaims(report: VerificationReport, span: EvalCase['span']): VerificationReport['claims'] {
  if (!span) return [];
  return report.claims.filter((claim) => claim.start < span.end && claim.end > span.start);
}

function caught(item: EvalCase, report: VerificationReport, deductionThreshold: number): boolean | null {
  if (item.label === 'faithful' || item.label === 'paraphrase') return null;
  if (item.label === 'flip') return report.scores.deduction < deductionThreshold;
  const targets = targetClaims(report, item.span);
  if (targets.length === 0) return true; // the inserted text produced no claim (e.g. a keyword list below minWords)
  return targets.some((claim) => claim.verdict !== 'supported');
}

const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000) / 1000);

function summarise(cases: EvalCase[], reports: Map<string, VerificationReport>, deductionThreshold: number) {
  const positives = cases.filter((item) => item.label === 'faithful' || item.label === 'paraphrase');
  const scoreOf: Record<string, (report: VerificationReport) => number> = {
    factuality: (report) => report.scores.factuality,
    deduction: (report) => report.scores.deduction,
    consistency: (report) => report.scores.consistency,
    s: (report) => report.scores.s,
    oneMinusHallucination: (report) => 1 - report.hallucinationRate,
  };
  const perType: Record<string, unknown> = {};
  for (const type of PERTURBATION_TYPES) {
    const negatives = cases.filter((item) => item.label === type);
    if (negatives.length === 0) continue;
    const aurocs: Record<string, number | null> = {};
    for (const [name, score] of Object.entries(scoreOf)) {
      aurocs[name] = round(
        auroc(
          positives.map((item) => score(reports.get(item.id) as VerificationReport)),
          negatives.map((item) => score(reports.get(item.id) as VerificationReport)),
        ),
      );
    }
    const caughtCount = negatives.filter((item) =>
      caught(item, reports.get(item.id) as VerificationReport, deductionThreshold),
    ).length;
    const flagged = negatives.filter((item) =>
      (reports.get(item.id) as VerificationReport).flags.some(
        (flag) => FLAG_KEYS.includes(flag) || (type === 'flip' && flag === 'low-deduction'),
      ),
    ).length;
    // Paired: the perturbed case scores strictly below its own faithful base (removes between-base variance).
    const paired = negatives.filter((item) => item.base !== null && reports.has(item.base));
    const pairedBelow = paired.filter(
      (item) =>
        ((type === 'flip' ? scoreOf.deduction : scoreOf.factuality)?.(
          reports.get(item.id) as VerificationReport,
        ) as number) <
        ((type === 'flip' ? scoreOf.deduction : scoreOf.factuality)?.(
          reports.get(item.base as string) as VerificationReport,
        ) as number),
    ).length;
    perType[type] = {
      cases: negatives.length,
      auroc: aurocs,
      caughtRate: round(caughtCount / negatives.length),
      flaggedRate: round(flagged / negatives.length),
      pairedBelowBase: paired.length === 0 ? null : round(pairedBelow / paired.length),
    };
  }
  const allNegatives = cases.filter(
    (item) => item.label !== 'faithful' && item.label !== 'paraphrase' && item.label !== 'flip',
  );
  const paraphrases = cases.filter((item) => item.label === 'paraphrase');
  const faithful = cases.filter((item) => item.label === 'faithful');
  const flaggedShare = (items: EvalCase[]) =>
    items.length === 0
      ? null
      : round(
          items.filter((item) =>
            (reports.get(item.id) as VerificationReport).flags.some((flag) => FLAG_KEYS.includes(flag)),
          ).length / items.length,
        );
  const contradictedShare = (items: EvalCase[]) =>
    items.length === 0
      ? null
      : round(
          items.filter((item) => (reports.get(item.id) as VerificationReport).counts.contradicted > 0).length /
            items.length,
        );
  return {
    cases: cases.length,
    positives: positives.length,
    factualityAurocAllClaimPerturbations: round(
      auroc(
        positives.map((item) => (reports.get(item.id) as VerificationReport).scores.factuality),
        allNegatives.map((item) => (reports.get(item.id) as VerificationReport).scores.factuality),
      ),
    ),
    paraphraseFalseAlarmRate: flaggedShare(paraphrases),
    paraphraseWithContradictedClaim: contradictedShare(paraphrases),
    faithfulFalseAlarmRate: flaggedShare(faithful),
    perType,
  };
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(join(here, 'dataset', file), 'utf8')) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return fallback;
    throw error;
  }
}

/**
 * The two corpora, each verified against its own store: the hand-written set (train/dev/test) and the market
 * set (analyst-template theses against market-data documents; see eval/market/build.ts).
 */
async function loadCorpora(): Promise<Array<{ name: string; documents: EvidenceDocumentInput[]; cases: EvalCase[] }>> {
  const documents = readJson<EvidenceDocumentInput[]>('documents.json', []);
  const hand = ['cases.json', 'test-cases.json'].flatMap(
    (file) => readJson<{ cases: RawCase[] }>(file, { cases: [] }).cases,
  );
  const market = readJson<{ documents: EvidenceDocumentInput[]; cases: RawCase[] }>('market.json', {
    documents: [],
    cases: [],
  });
  const marketCases = market.cases.map((item) => ({ ...item, split: `market-${item.split}` as Split }));
  // Real FNSPID articles, read at evaluation time (never copied into the repository); skipped when absent.
  const news = await loadNewsCorpus();
  if (!news) print(`news split skipped: ${NEWS_FILE} not found`);
  return [
    { name: 'hand', documents, cases: loadCases(documents, hand) },
    { name: 'market', documents: market.documents, cases: loadCases(market.documents, marketCases) },
    ...(news ? [{ name: 'news', documents: news.documents, cases: loadCases(news.documents, news.cases) }] : []),
  ];
}

/** `--splits=own,verifier-b,tatqa` (default: all). */
function requestedSplits(): Set<string> {
  const value = process.argv.find((arg) => arg.startsWith('--splits='))?.slice('--splits='.length);
  return new Set((value ?? 'own,verifier-b,tatqa').split(',').map((name) => name.trim()));
}

/** The splits written by others (see external.ts): aggregate numbers only. */
async function runExternal(wanted: Set<string>, overrides: Record<string, unknown>) {
  const splits = [
    ...(wanted.has('verifier-b') ? [loadVerifierB()] : []),
    ...(wanted.has('tatqa')
      ? [buildTatqaSplit('dev', { seed: 11, contexts: 120 }), buildTatqaSplit('test', { seed: 12, contexts: 120 })]
      : []),
  ].filter((split): split is NonNullable<typeof split> => split !== null);
  if (splits.length === 0) return [];
  const embedder = await createDefaultEmbedder();
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-verifier-eval-external-'));
  try {
    const results = [];
    for (const split of splits) {
      const result = await evaluateExternal(split, {
        embedder,
        directory,
        overrides,
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      results.push(result);
      print(
        `== ${result.split} (${result.usedForDevelopment ? `used for development: ${result.usedForDevelopment}` : 'not used for development'}): ${result.cases} cases, ${result.casesPerSecond} cases/s`,
      );
      print(
        `   factuality AUROC ${result.factualityAuroc}; faithful flagged ${result.faithfulFlaggedRate} (with a contradicted claim ${result.faithfulWithContradictedClaim})${'flipCaughtRate' in result ? `; deduction AUROC ${result.deductionAuroc}, flips caught ${result.flipCaughtRate}; consistency AUROC ${result.consistencyAuroc}` : ''}`,
      );
      for (const [type, entry] of Object.entries(result.perType)) {
        const value = entry as { cases: number; flaggedRate: number | null; factualityAuroc?: number | null };
        print(
          `   ${type.padEnd(20)} n=${String(value.cases).padStart(4)}  flagged ${value.flaggedRate ?? '-'}${value.factualityAuroc !== undefined ? `  factuality AUROC ${value.factualityAuroc}` : ''}`,
        );
      }
      print();
    }
    return results;
  } finally {
    await embedder.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const wanted = requestedSplits();
  const writeResults = process.argv.includes('--write');
  const externalOverridesIndex = process.argv.indexOf('--options');
  const external = await runExternal(
    wanted,
    externalOverridesIndex >= 0
      ? (JSON.parse(process.argv[externalOverridesIndex + 1] ?? '{}') as Record<string, unknown>)
      : {},
  );
  if (!wanted.has('own')) {
    const output = join(tmpdir(), 'trade-r1-verifier-eval-dev');
    mkdirSync(output, { recursive: true });
    writeFileSync(join(output, 'verifier-external.json'), `${JSON.stringify({ external }, null, 2)}\n`);
    print(`results written to ${join(output, 'verifier-external.json')}`);
    return;
  }
  const fit = process.argv.includes('--fit');
  // --no-test leaves the held-out splits out (for development on train and dev, so that they stay untuned).
  const noTest = process.argv.includes('--no-test');
  const corpora = (await loadCorpora()).map((corpus) => ({
    ...corpus,
    cases: noTest ? corpus.cases.filter((item) => !HELD_OUT.includes(item.split)) : corpus.cases,
  }));
  const cases = corpora.flatMap((corpus) => corpus.cases);
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-verifier-eval-'));
  const embedder = await createDefaultEmbedder();
  // --options '{"unsupportedWeight":5}' overrides verifier options (for ablations).
  const optionsIndex = process.argv.indexOf('--options');
  const overrides =
    optionsIndex >= 0 ? (JSON.parse(process.argv[optionsIndex + 1] ?? '{}') as Record<string, unknown>) : {};
  const stores: Array<Awaited<ReturnType<typeof openEvidenceStore>>> = [];
  try {
    let seconds = 0;
    const list: VerificationReport[] = [];
    let verifier: ReturnType<typeof createVerifier> | null = null;
    for (const corpus of corpora) {
      if (corpus.cases.length === 0) continue;
      const store = await openEvidenceStore({ uri: join(directory, corpus.name), embedder });
      stores.push(store);
      await store.add(corpus.documents);
      verifier = createVerifier({ store, embedder, options: { extraTickers: ['MACRO'], ...overrides } });
      const started = performance.now();
      list.push(
        ...(await verifier.verifyBatch(
          corpus.cases.map((item) => ({
            ticker: item.ticker,
            asOf: item.asOf,
            reasoning: item.reasoning,
            decision: item.decision,
          })),
          { concurrency: 4 },
        )),
      );
      seconds += (performance.now() - started) / 1000;
    }
    if (!verifier) throw new Error('no evaluation cases');
    if (process.argv.some((arg) => arg.startsWith('--dump'))) {
      for (const [index, item] of cases.entries()) {
        const report = list[index] as VerificationReport;
        if (!process.argv.includes(`--dump=${item.split}`) && !process.argv.includes('--dump')) continue;
        print(
          `${item.id.padEnd(40)} ${item.label.padEnd(10)} F=${report.scores.factuality.toFixed(3)} H=${report.hallucinationRate.toFixed(2)}`,
        );
      }
    }
    const reports = new Map(cases.map((item, index) => [item.id, list[index] as VerificationReport]));
    // --misses=<split>: perturbed claims that stayed supported, with what the checks found.
    const misses = process.argv.find((arg) => arg.startsWith('--misses='))?.slice('--misses='.length);
    if (misses) {
      for (const item of cases) {
        if (item.split !== misses || item.label === 'flip' || item.base === null) continue;
        const report = reports.get(item.id) as VerificationReport;
        for (const claim of targetClaims(report, item.span).filter((entry) => entry.verdict === 'supported')) {
          print(`${item.id} [${item.label}] support ${claim.support}: ${claim.text.slice(0, 160)}`);
          print(
            `   numbers ${claim.checks.numbers.map((entry) => `${entry.claimed}:${entry.status}`).join(' ')} | entities ${claim.checks.entities.map((entry) => `${entry.raw}:${entry.status}`).join(' ')} | periods ${claim.checks.periods.map((entry) => `${entry.claimed}:${entry.status}`).join(' ')}`,
          );
        }
      }
    }
    // --why=<split>: perturbed cases that do not score below their own base, with their perturbed claims.
    const why = process.argv.find((arg) => arg.startsWith('--why='))?.slice('--why='.length);
    if (why) {
      for (const item of cases) {
        if (item.split !== why || item.base === null || item.label === 'flip') continue;
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
    }
    const threshold = verifier.options.thresholds.deduction;
    const isPositive = (item: EvalCase) => item.label === 'faithful' || item.label === 'paraphrase';
    // `all`: the hand-written corpus (train, dev, test), as in earlier reports; the market splits are listed apart.
    const groups: Record<string, EvalCase[]> = { all: corpora[0]?.cases ?? [] };
    for (const split of SPLITS) {
      const inSplit = cases.filter((item) => item.split === split);
      if (inSplit.length === 0) continue;
      groups[split] = inSplit;
      groups[`${split}/hand`] = inSplit.filter((item) => isPositive(item) || item.origin === 'hand');
      groups[`${split}/generated`] = inSplit.filter((item) => isPositive(item) || item.origin === 'generated');
    }
    const results: Record<string, ReturnType<typeof summarise>> = {};
    for (const [name, items] of Object.entries(groups)) results[name] = summarise(items, reports, threshold);

    print(
      `verified ${cases.length} cases in ${seconds.toFixed(2)} s (config ${verifier.configHash}, embedder ${embedder.modelId})\n`,
    );
    for (const [name, result] of Object.entries(results)) {
      print(`== ${name}: ${result.cases} cases, ${result.positives} faithful/paraphrase`);
      print(
        `   factuality AUROC (all claim-level perturbations) ${result.factualityAurocAllClaimPerturbations}; paraphrases flagged ${result.paraphraseFalseAlarmRate} (with a contradicted claim ${result.paraphraseWithContradictedClaim}); faithful flagged ${result.faithfulFalseAlarmRate}`,
      );
      print('   type        n    AUROC fact  ded   cons  s     1-hall  caught  flagged  below-base');
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
          `   ${type.padEnd(11)} ${String(entry.cases).padStart(3)}  ${cell(a.factuality)}  ${cell(a.deduction)} ${cell(a.consistency)} ${cell(a.s)} ${cell(a.oneMinusHallucination)}   ${cell(entry.caughtRate)}   ${cell(entry.flaggedRate)}    ${cell(entry.pairedBelowBase)}`,
        );
      }
      print();
    }
    // Development runs (--no-test, --options ablations) print only: the recorded results are full runs.
    // The committed results are rewritten only when asked (--write), and only by a full run.
    const record = writeResults && !noTest && optionsIndex < 0;
    const output = record ? join(here, '../eval-results') : join(tmpdir(), 'trade-r1-verifier-eval-dev');
    mkdirSync(output, { recursive: true });
    // Keep the records of earlier test runs (`testFirstRun`, `testSecondRun`, `baseline…`; see the README) across
    // re-runs.
    let earlierRuns: Record<string, unknown> = {};
    try {
      const previous = JSON.parse(readFileSync(join(output, 'verifier-eval.json'), 'utf8')) as Record<string, unknown>;
      earlierRuns = Object.fromEntries(
        Object.entries(previous).filter(([key]) => /^(?:test\w*Run|baseline\w*)$/.test(key)),
      );
    } catch {
      earlierRuns = {};
    }
    writeFileSync(
      join(output, 'verifier-eval.json'),
      `${JSON.stringify(
        {
          embedder: embedder.modelId,
          configHash: verifier.configHash,
          external,
          seeds: SEEDS,
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
                item.span && !item.split.startsWith('news')
                  ? item.reasoning.slice(item.span.start, item.span.end)
                  : null,
            })),
          ...earlierRuns,
        },
        null,
        2,
      )}\n`,
    );
    print(`results written to ${join(output, 'verifier-eval.json')}`);

    if (fit) {
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
    await verifier.close();
  } finally {
    for (const store of stores) await store.close();
    await embedder.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
