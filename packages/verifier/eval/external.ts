/**
 * Evaluation splits written by others, for `pnpm eval:verifier` (verifier-b: eval/verifier-b/):
 *
 * - `tatqa-dev` / `tatqa-test` — real annual-report tables and paragraphs (TAT-QA, CC BY 4.0; Zhu et al., ACL 2021)
 *   from `../shared/data/tatqa`: each context becomes one evidence document (its table as a pipe table, its
 *   paragraphs), each span answer with a figure a faithful claim ("The amount of total sales in 2019 was $1,496.5
 *   million."), and controlled negatives: another cell of the table, another scale, another value. Single-claim
 *   reasonings and three-claim reasonings with one claim replaced. `tatqa-dev` is the file the support model was
 *   fitted on (`scripts/fit-support-model.ts`); `tatqa-test` was never used for development.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, type Decision, type EvidenceDocumentInput } from '@trade-r1/core';
import { renderTatTable, statementOf, TATQA_FILES } from '../scripts/support-pairs.ts';
import type { Embedder } from '../src/embedders/types.ts';
import { auroc } from '../src/scoring/metrics.ts';
import { openEvidenceStore } from '../src/store/evidence-store.ts';
import { createVerifier, type VerificationReport } from '../src/verify/verifier.ts';

const FLAG_KEYS = ['contradicted-claim', 'low-factuality', 'high-hallucination-rate'];
/** Faithful kinds: their false-alarm rate is reported. */
const POSITIVE = new Set(['none', 'paraphrase', 'hedged_hold', 'faithful']);

/** One labelled case of an external split. */
export interface ExternalCase {
  id: string;
  ticker: string;
  asOf: string;
  reasoning: string;
  decision: Decision;
  /** Perturbation type (`none`, `paraphrase`, … for verifier-b; `faithful`, `other_cell`, … for TAT-QA). */
  perturbation: string;
  labels: { factual: boolean; deductive: boolean; consistent: boolean };
}

/** An external split: documents, cases, and whether it was used for development. */
export interface ExternalSplit {
  name: string;
  developedOn: string | false;
  documents: EvidenceDocumentInput[];
  cases: ExternalCase[];
}

interface TatContext {
  table: { uid: string; table: string[][] };
  paragraphs: Array<{ text: string }>;
  questions: Array<{ question: string; answer: unknown; answer_type: string; scale: string }>;
}

/** A TAT-QA split (deterministic for a seed), or `null` when the file is absent. */
export function buildTatqaSplit(
  which: 'dev' | 'test',
  options: { seed: number; contexts: number },
): ExternalSplit | null {
  const file = TATQA_FILES[which];
  if (!existsSync(file)) return null;
  const rng = createRng(options.seed);
  const contexts = (JSON.parse(readFileSync(file, 'utf8')) as TatContext[]).slice(0, options.contexts);
  const documents: EvidenceDocumentInput[] = [];
  const cases: ExternalCase[] = [];
  const base = { decision: 'HOLD' as Decision, asOf: '2020-06-30' };
  contexts.forEach((context, index) => {
    const ticker = `TQ${which === 'dev' ? 'D' : 'T'}${index}`;
    const scale = context.questions.find((question) => question.scale)?.scale ?? '';
    documents.push({
      id: `tatqa-${context.table.uid}`,
      tickers: [ticker],
      publishedAt: '2020-03-01T00:00:00Z',
      sourceKind: 'filing',
      title: 'Annual report excerpt',
      text: `${renderTatTable(context.table.table, scale)}\n\n${context.paragraphs.map((paragraph) => paragraph.text).join('\n\n')}`,
    });
    const cells = context.table.table.flat().filter((cell) => /\d/.test(cell) && !/^(?:19|20)\d{2}$/.test(cell.trim()));
    const faithful: string[] = [];
    const negatives: Array<{ claim: string; type: string }> = [];
    for (const question of context.questions) {
      if (question.answer_type !== 'span' || !Array.isArray(question.answer)) continue;
      const answer = String(question.answer[0] ?? '').trim();
      const statement = statementOf(question.question);
      if (!statement || !/\d/.test(answer)) continue;
      const unit =
        question.scale && question.scale !== 'percent'
          ? ` ${question.scale}`
          : question.scale === 'percent' && !answer.includes('%')
            ? '%'
            : '';
      faithful.push(`${statement} ${answer}${unit}.`);
      const other = cells.filter((cell) => cell.replace(/[^\d.]/g, '') !== answer.replace(/[^\d.]/g, ''));
      if (other.length > 0) {
        const wrong = (other[Math.floor(rng.next() * other.length)] as string).trim();
        // Another cell keeps the answer's currency sign, as a writer copying the wrong cell would.
        const signed = answer.includes('$') && !wrong.includes('$') ? `$${wrong.replace(/^\s+/, '')}` : wrong;
        negatives.push({ claim: `${statement} ${signed}${unit}.`, type: 'other_cell' });
      }
      if (unit === ' million' || unit === ' thousand') {
        negatives.push({
          claim: `${statement} ${answer}${unit === ' million' ? ' billion' : ' million'}.`,
          type: 'scale_swap',
        });
      }
      const number = /\d[\d,]*(?:\.\d+)?/.exec(answer)?.[0];
      if (number) {
        const value = Number(number.replace(/,/g, ''));
        const factor = rng.next() < 0.5 ? 1.2 + 0.4 * rng.next() : 0.45 + 0.35 * rng.next();
        const decimals = number.includes('.') ? (number.split('.')[1] as string).length : 0;
        const changed = (value * factor).toLocaleString('en-US', {
          minimumFractionDigits: decimals,
          maximumFractionDigits: decimals,
        });
        negatives.push({ claim: `${statement} ${answer.replace(number, changed)}${unit}.`, type: 'number_swap' });
      }
    }
    const add = (id: string, reasoning: string, perturbation: string, factual: boolean): void => {
      cases.push({
        id,
        ticker,
        reasoning,
        perturbation,
        labels: { factual, deductive: true, consistent: true },
        ...base,
      });
    };
    for (const [position, claim] of faithful.entries()) add(`${ticker}-f${position}`, claim, 'faithful', true);
    for (const [position, negative] of negatives.entries()) {
      add(`${ticker}-n${position}`, negative.claim, negative.type, false);
    }
    // Three-claim reasonings: the faithful claims, and the same with one claim replaced by a negative.
    if (faithful.length >= 3) {
      const three = faithful.slice(0, 3);
      add(`${ticker}-m`, three.join(' '), 'faithful', true);
      const negative = negatives[Math.floor(rng.next() * negatives.length)];
      if (negative) add(`${ticker}-m~`, [three[0], three[1], negative.claim].join(' '), negative.type, false);
    }
  });
  return {
    name: `tatqa-${which}`,
    developedOn: which === 'dev' ? 'support-model fit (scripts/fit-support-model.ts)' : false,
    documents,
    cases,
  };
}

const share = (count: number, total: number): number | null =>
  total === 0 ? null : Math.round((count / total) * 1000) / 1000;
const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000) / 1000);

/** Aggregate numbers of one external split (no per-case output). */
export function summariseExternal(
  split: ExternalSplit,
  reports: readonly VerificationReport[],
  deductionThreshold: number,
) {
  const rows = split.cases.map((item, index) => ({ item, report: reports[index] as VerificationReport }));
  const flagged = (report: VerificationReport) => report.flags.some((flag) => FLAG_KEYS.includes(flag));
  const factualTrue = rows.filter((row) => row.item.labels.factual);
  const factualFalse = rows.filter((row) => !row.item.labels.factual);
  const fact = (row: (typeof rows)[number]) => row.report.scores.factuality;
  const perType: Record<string, unknown> = {};
  for (const type of [...new Set(split.cases.map((item) => item.perturbation))].sort()) {
    const inType = rows.filter((row) => row.item.perturbation === type);
    const negatives = inType.filter((row) => !row.item.labels.factual);
    perType[type] = {
      cases: inType.length,
      flaggedRate: share(inType.filter((row) => flagged(row.report)).length, inType.length),
      ...(negatives.length > 0 && {
        factualityAuroc: round(auroc(factualTrue.map(fact), negatives.map(fact))),
      }),
    };
  }
  const positives = rows.filter((row) => POSITIVE.has(row.item.perturbation));
  const flips = rows.filter((row) => row.item.perturbation === 'decision_flip');
  const deductive = rows.filter((row) => row.item.labels.deductive);
  const consistent = rows.filter((row) => row.item.labels.consistent);
  return {
    split: split.name,
    usedForDevelopment: split.developedOn,
    cases: rows.length,
    factualityAuroc: round(auroc(factualTrue.map(fact), factualFalse.map(fact))),
    faithfulFlaggedRate: share(positives.filter((row) => flagged(row.report)).length, positives.length),
    faithfulWithContradictedClaim: share(
      positives.filter((row) => row.report.flags.includes('contradicted-claim')).length,
      positives.length,
    ),
    perType,
    ...(flips.length > 0 && {
      deductionAuroc: round(
        auroc(
          deductive.map((row) => row.report.scores.deduction),
          flips.map((row) => row.report.scores.deduction),
        ),
      ),
      flipCaughtRate: share(
        flips.filter((row) => row.report.scores.deduction < deductionThreshold).length,
        flips.length,
      ),
      consistencyAuroc: round(
        auroc(
          consistent.map((row) => row.report.scores.consistency),
          rows.filter((row) => !row.item.labels.consistent).map((row) => row.report.scores.consistency),
        ),
      ),
    }),
  };
}

/** Run one external split on its own on-disk store and summarise it. */
export async function evaluateExternal(
  split: ExternalSplit,
  options: {
    embedder: Embedder;
    directory: string;
    overrides: Record<string, unknown>;
    onProgress?: (line: string) => void;
  },
) {
  const store = await openEvidenceStore({ uri: join(options.directory, split.name), embedder: options.embedder });
  try {
    await store.add(split.documents);
    const verifier = createVerifier({
      store,
      embedder: options.embedder,
      options: { extraTickers: ['MACRO'], ...options.overrides },
    });
    const started = performance.now();
    const reports: VerificationReport[] = [];
    for (let start = 0; start < split.cases.length; start += 200) {
      const batch = split.cases.slice(start, start + 200);
      reports.push(
        ...(await verifier.verifyBatch(
          batch.map(({ ticker, asOf, reasoning, decision }) => ({ ticker, asOf, reasoning, decision })),
        )),
      );
      options.onProgress?.(`${split.name}: ${reports.length}/${split.cases.length} verified`);
    }
    const seconds = (performance.now() - started) / 1000;
    const summary = summariseExternal(split, reports, verifier.options.thresholds.deduction);
    await verifier.close();
    return { ...summary, casesPerSecond: Math.round(split.cases.length / seconds) };
  } finally {
    await store.close();
  }
}
