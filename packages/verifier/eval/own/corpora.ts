/**
 * The verifier's own labelled corpora (eval/dataset): the hand-written set (train, dev, test), the market set
 * (market-dev, market-test; eval/market/build.ts) and the FNSPID news set (news-dev, news-test; eval/news/build.ts).
 *
 * - Hand-written cases (cases.json): faithful reasoning, faithful paraphrases in other words, and perturbations
 *   written as exact edits, independently of perturb().
 * - Generated cases: perturb() applied to every faithful and paraphrase case, for each type and several seeds.
 * - Splits: train (AAPL, NVDA, MSFT) was used to develop and fit the support model; dev (AMZN, JPM, XOM) was
 *   inspected for error analysis; test (test-cases.json: other tickers) was written before the verifier was ever
 *   run on it and is never tuned on. Results are reported per split and origin.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Decision, type EvidenceDocumentInput, isAvailableAt } from '@trade-r1/core';
import {
  auroc,
  PERTURBATION_TYPES,
  type PerturbationType,
  perturb,
  splitSentences,
  type VerificationReport,
} from '../../src/index.ts';
import type { SplitName } from '../cli.ts';
import { loadNewsCorpus, NEWS_FILE } from '../news/build.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** Seeds of the generated perturbations. */
export const SEEDS = [1, 2, 3];
/** Flags that count as a false alarm on a faithful reasoning. */
export const FLAG_KEYS = ['contradicted-claim', 'low-factuality', 'high-hallucination-rate'];

/** A split of the own corpora. */
export type Split = Extract<
  SplitName,
  'train' | 'dev' | 'test' | 'market-dev' | 'market-test' | 'news-dev' | 'news-test'
>;
/** The own splits, in report order. */
export const SPLITS: readonly Split[] = ['train', 'dev', 'test', 'market-dev', 'market-test', 'news-dev', 'news-test'];

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

export interface EvalCase {
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
      .flatMap((document) => splitSentences(document.text).map((span) => document.text.slice(span.start, span.end)))
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

export function targetClaims(report: VerificationReport, span: EvalCase['span']): VerificationReport['claims'] {
  if (!span) return [];
  return report.claims.filter((claim) => claim.start < span.end && claim.end > span.start);
}

export function caught(item: EvalCase, report: VerificationReport, deductionThreshold: number): boolean | null {
  if (item.label === 'faithful' || item.label === 'paraphrase') return null;
  if (item.label === 'flip') return report.scores.deduction < deductionThreshold;
  const targets = targetClaims(report, item.span);
  if (targets.length === 0) return true; // the inserted text produced no claim (e.g. a keyword list below minWords)
  return targets.some((claim) => claim.verdict !== 'supported');
}

const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000) / 1000);

export function summarise(cases: EvalCase[], reports: Map<string, VerificationReport>, deductionThreshold: number) {
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
    return JSON.parse(readFileSync(join(here, '../dataset', file), 'utf8')) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return fallback;
    throw error;
  }
}

/**
 * The own corpora that hold a selected split, each verified against its own store: the hand-written set
 * (train/dev/test), the market set (analyst-template theses against market-data documents; eval/market/build.ts)
 * and the news set (eval/news/build.ts). Only cases of the selected splits are kept.
 */
export async function loadCorpora(
  splits: readonly SplitName[],
  log: (line: string) => void,
): Promise<Array<{ name: string; documents: EvidenceDocumentInput[]; cases: EvalCase[] }>> {
  const wanted = (item: EvalCase) => splits.includes(item.split);
  const corpora: Array<{ name: string; documents: EvidenceDocumentInput[]; cases: EvalCase[] }> = [];
  if (splits.some((split) => split === 'train' || split === 'dev' || split === 'test')) {
    const documents = readJson<EvidenceDocumentInput[]>('documents.json', []);
    const hand = ['cases.json', 'test-cases.json'].flatMap(
      (file) => readJson<{ cases: RawCase[] }>(file, { cases: [] }).cases,
    );
    corpora.push({ name: 'hand', documents, cases: loadCases(documents, hand).filter(wanted) });
  }
  if (splits.some((split) => split.startsWith('market-'))) {
    const market = readJson<{ documents: EvidenceDocumentInput[]; cases: RawCase[] }>('market.json', {
      documents: [],
      cases: [],
    });
    const marketCases = market.cases.map((item) => ({ ...item, split: `market-${item.split}` as Split }));
    corpora.push({
      name: 'market',
      documents: market.documents,
      cases: loadCases(market.documents, marketCases).filter(wanted),
    });
  }
  if (splits.some((split) => split.startsWith('news-'))) {
    // Real FNSPID articles, read at evaluation time (never copied into the repository); skipped when absent.
    const news = await loadNewsCorpus();
    if (news)
      corpora.push({
        name: 'news',
        documents: news.documents,
        cases: loadCases(news.documents, news.cases).filter(wanted),
      });
    else log(`news splits skipped: ${NEWS_FILE} not found`);
  }
  return corpora;
}
