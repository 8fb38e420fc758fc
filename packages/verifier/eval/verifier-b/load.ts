/**
 * The `verifier-b` split: the labelled set in `../shared/eval/verifier-b` (331 cases, 119 documents, written by
 * another hand in three formats — prose, Trading-R1 theses, bullet notes). It is a validation set: it was not
 * used to develop the verifier, and this harness prints only aggregate numbers for it (no per-case listing), so
 * that nobody tunes rules on its sentences.
 *
 * Evidence: each corpus line becomes one evidence document. `MACRO` documents (CPI, payrolls, FOMC, PBoC, tariffs,
 * oil) get source kind `macro`, so the verifier's market-wide retrieval admits them for claims about the economy
 * (default `marketWide: 'auto'`) without making them admissible for every claim; press releases, filings and
 * shareholder letters are `filing`, broker notes `analyst`, the rest `news`.
 *
 * Cases: only `ticker`, `asOf`, `reasoning` and `decision` reach the verifier; `perturbation`, `labels`, `note` and
 * `scenario` stay in the case's `truth` (the set's README forbids feeding them to the verifier). The reasoning
 * format of a case is that of its scenario's faithful (`none`) reasoning.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Decision, type EvidenceDocumentInput, type SourceKind, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
/** The set's folder (outside the repository, at `../shared/eval/verifier-b`). */
export const VERIFIER_B_DIR = join(here, '../../../../../shared/eval/verifier-b');

/** Perturbation types of the set, in the order of its README. */
export const VERIFIER_B_TYPES = [
  'none',
  'paraphrase',
  'hedged_hold',
  'number_swap',
  'unit_or_period_swap',
  'entity_swap',
  'negation',
  'fabricated_fact',
  'future_leak',
  'decision_flip',
  'irrelevant',
] as const;
/** A perturbation type of the set. */
export type VerifierBType = (typeof VERIFIER_B_TYPES)[number];

/** Reasoning formats of the set. */
export type ReasoningFormat = 'prose' | 'structured' | 'bullets';

const decisionSchema = z.enum(['STRONG_BUY', 'BUY', 'HOLD', 'SELL', 'STRONG_SELL']);
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

const corpusLineSchema = z.object({
  id: z.string().min(1),
  ticker: z.string().min(1),
  publishedAt: dateSchema,
  source: z.string(),
  title: z.string(),
  text: z.string().min(1),
});
/** One corpus line. */
export type VerifierBDocument = z.infer<typeof corpusLineSchema>;

const caseLineSchema = z.object({
  id: z.string().min(1),
  ticker: z.string().min(1),
  asOf: dateSchema,
  reasoning: z.string().min(1),
  decision: decisionSchema,
  perturbation: z.enum(VERIFIER_B_TYPES),
  labels: z.object({ factual: z.boolean(), deductive: z.boolean(), consistent: z.boolean() }),
  note: z.string().optional(),
  scenario: z.string().min(1),
});
/** One case line as written in `cases.jsonl`. */
export type VerifierBCaseLine = z.infer<typeof caseLineSchema>;

/** A case: what the verifier sees (`input`) and what only the scoring sees (`truth`). */
export interface VerifierBCase {
  id: string;
  input: { ticker: string; asOf: string; reasoning: string; decision: Decision };
  truth: {
    perturbation: VerifierBType;
    labels: { factual: boolean; deductive: boolean; consistent: boolean };
    scenario: string;
    format: ReasoningFormat;
  };
}

/** Parse JSONL text with a schema; a bad line throws `INVALID_INPUT` naming the file, line and field. */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>, file: string): T[] {
  const rows: T[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TradeR1Error('INVALID_INPUT', `${file}:${index + 1}: not JSON (${(error as Error).message})`, {
        details: { file, line: index + 1 },
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      throw new TradeR1Error('INVALID_INPUT', `${file}:${index + 1}: ${field || 'line'}: ${issue?.message}`, {
        details: { file, line: index + 1, field },
      });
    }
    rows.push(parsed.data);
  });
  return rows;
}

/** Source kind of a corpus document: `macro` for the MACRO pseudo-ticker, else from its `source` line. */
export function sourceKindOf(document: Pick<VerifierBDocument, 'ticker' | 'source'>): SourceKind {
  if (document.ticker === 'MACRO') return 'macro';
  if (/\b(?:press release|filing|shareholder letter|announcement|update letter)\b/i.test(document.source)) {
    return 'filing';
  }
  if (/\b(?:research|equity research|note)\b/i.test(document.source)) return 'analyst';
  return 'news';
}

/** The corpus as evidence documents (dates are end-of-day UTC, as the core schema reads a date-only value). */
export function toEvidenceDocuments(corpus: readonly VerifierBDocument[]): EvidenceDocumentInput[] {
  return corpus.map((document) => ({
    id: document.id,
    tickers: [document.ticker],
    publishedAt: document.publishedAt,
    sourceKind: sourceKindOf(document),
    title: document.title,
    text: document.text,
    metadata: { source: document.source },
  }));
}

/** Format of a reasoning: `<fundamentals>`-style sections, markdown bullets, or prose. */
export function formatOf(reasoning: string): ReasoningFormat {
  if (/<(?:fundamentals|technical|news|macro|conclusion)>/.test(reasoning)) return 'structured';
  if (/^\s*[-*] /m.test(reasoning)) return 'bullets';
  return 'prose';
}

/** Cases with their inputs and truth apart; the format is that of the scenario's `none` reasoning. */
export function toCases(lines: readonly VerifierBCaseLine[]): VerifierBCase[] {
  const formatByScenario = new Map<string, ReasoningFormat>();
  for (const line of lines) {
    if (line.perturbation === 'none') formatByScenario.set(line.scenario, formatOf(line.reasoning));
  }
  return lines.map((line) => ({
    id: line.id,
    input: { ticker: line.ticker, asOf: line.asOf, reasoning: line.reasoning, decision: line.decision },
    truth: {
      perturbation: line.perturbation,
      labels: { ...line.labels },
      scenario: line.scenario,
      format: formatByScenario.get(line.scenario) ?? formatOf(line.reasoning),
    },
  }));
}

/** The set read from `directory`, or null when its files are absent. */
export function loadVerifierB(
  directory: string = VERIFIER_B_DIR,
): { documents: EvidenceDocumentInput[]; cases: VerifierBCase[] } | null {
  const corpusFile = join(directory, 'corpus.jsonl');
  const casesFile = join(directory, 'cases.jsonl');
  if (!existsSync(corpusFile) || !existsSync(casesFile)) return null;
  const corpus = parseJsonl(readFileSync(corpusFile, 'utf8'), corpusLineSchema, 'corpus.jsonl');
  const lines = parseJsonl(readFileSync(casesFile, 'utf8'), caseLineSchema, 'cases.jsonl');
  return { documents: toEvidenceDocuments(corpus), cases: toCases(lines) };
}
