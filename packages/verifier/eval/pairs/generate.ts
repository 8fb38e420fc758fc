/**
 * Claim–evidence training pairs generated deterministically from real text, for fitting the support model:
 *
 * - `news`: sentences of FNSPID articles (`../shared/data/news`, CC BY-NC 4.0 — read at run time, never copied
 *   into the repository; a file of pairs made from them stays out of it too);
 * - `tatqa`: TAT-QA annual-report tables and paragraphs (`../shared/data/tatqa`, CC BY 4.0 — Zhu et al., ACL 2021;
 *   keep the attribution with any file derived from it); the dev file by default, the test file stays held out;
 * - `market`: the market-data documents the repository builds (eval/dataset/market.json, eval/market/build.ts).
 *
 * Labels: `supported` for meaning-preserving rewrites (verbatim, rounded, verbal figures, reordered clauses,
 * synonyms, an extracted clause, a table cell stated as a sentence); `contradicted` where the evidence states
 * another value for the claim's slot (another value, scale, unit, direction, table cell, period of the table or
 * market window); `unsupported` where the evidence says nothing about the claim (another company or ticker, a
 * shifted year or quarter in prose, a sentence from another document).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, type EvidenceDocumentInput, type Rng, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { splitSentences } from '../../src/index.ts';
import { loadNewsCorpus, usableSentence } from '../news/build.ts';
import { asScale, contextDocuments } from '../tatqa/cases.ts';
import { columnUnit, parseTable, readTatqa, TATQA_FILES, type TatContext, writeFigure } from '../tatqa/read.ts';
import {
  changeValue,
  extractClause,
  flipDirection,
  reorderClauses,
  roundFigure,
  shiftPeriod,
  swapEntity,
  swapScale,
  swapUnit,
  synonyms,
  verbalFigure,
} from './rewrites.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MARKET_FILE = join(here, '../dataset/market.json');

/** Where a pair comes from. */
export const PAIR_SOURCES = ['news', 'tatqa', 'market'] as const;
/** A pair's label. */
export type PairLabel = 'supported' | 'contradicted' | 'unsupported';

/** One claim with the evidence it is judged against. */
export interface SupportPair {
  claim: string;
  /** The document the claim was made from (first) and a distractor. */
  evidenceDocuments: EvidenceDocumentInput[];
  label: PairLabel;
  /** How the claim was made (`verbatim`, `rounded`, `value`, `other-row`…). */
  rewrite: string;
  source: (typeof PAIR_SOURCES)[number];
  /** The source document's id: split train/validation by it, so that no document is on both sides. */
  group: string;
}

/** Options of {@link generateSupportPairs}. */
export const supportPairOptionsSchema = z.strictObject({
  /** Seed of every random choice. */
  seed: z.number().int(),
  /** Most pairs returned (a seeded sample, in generation order); all when absent. */
  limit: z.number().int().positive().optional(),
  /** Sources to read. @default all */
  sources: z
    .array(z.enum(PAIR_SOURCES))
    .min(1)
    .default([...PAIR_SOURCES]),
  /** TAT-QA file. @default 'dev' (the test file is held out for evaluation) */
  tatqa: z.enum(['dev', 'test']).default('dev'),
  /** Most news articles read. @default 300 */
  newsArticles: z.number().int().positive().default(300),
  /** Most market documents read. @default 300 */
  marketDocuments: z.number().int().positive().default(300),
});
/** Options of {@link generateSupportPairs}. */
export type SupportPairOptions = z.input<typeof supportPairOptionsSchema>;

/** The pairs, with what the limit dropped and the counts by label, rewrite and source. */
export interface SupportPairSet {
  pairs: SupportPair[];
  /** Pairs generated before the limit. */
  generated: number;
  /** Pairs dropped by the limit. */
  dropped: number;
  /** Sources that were asked for but whose files are absent. */
  missingSources: string[];
  counts: { label: Record<string, number>; rewrite: Record<string, number>; source: Record<string, number> };
}

type Emit = (claim: string, label: PairLabel, rewrite: string) => void;

function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng.next() * items.length)];
}

/** Rewrites of one prose sentence: up to two positives and two negatives chosen among those that apply. */
export function sentencePairs(sentence: string, evidence: string, rng: Rng, emit: Emit): void {
  const positives: Array<[string, string | null]> = [
    ['rounded', roundFigure(sentence)],
    ['verbal', verbalFigure(sentence)],
    ['reordered', reorderClauses(sentence)],
    ['synonyms', synonyms(sentence)],
    ['clause', extractClause(sentence)],
  ];
  const negatives: Array<[string, PairLabel, string | null]> = [
    ['value', 'contradicted', changeValue(sentence, rng)],
    ['scale', 'contradicted', swapScale(sentence)],
    ['unit', 'contradicted', swapUnit(sentence)],
    ['direction', 'contradicted', flipDirection(sentence)],
    ['entity', 'unsupported', swapEntity(sentence, evidence, rng)],
    ['period', 'unsupported', shiftPeriod(sentence)],
  ];
  if (rng.next() < 0.3) emit(sentence, 'supported', 'verbatim');
  const applicable = <T extends unknown[]>(items: T[], at: number) =>
    items.filter((item) => typeof item[at] === 'string' && item[at] !== sentence);
  const upTo = <T>(items: readonly T[], count: number) => rng.sample(items, Math.min(count, items.length));
  for (const [rewrite, claim] of upTo(applicable(positives, 1), 2)) emit(claim as string, 'supported', rewrite);
  for (const [rewrite, label, claim] of upTo(applicable(negatives, 2), 2)) emit(claim as string, label, rewrite);
}

/** Sentences of a document usable as claims (prose with a figure, no boilerplate). */
function claimSentences(text: string): string[] {
  return splitSentences(text)
    .map((span) => text.slice(span.start, span.end).trim())
    .filter(usableSentence);
}

function documentPairs(
  documents: readonly EvidenceDocumentInput[],
  source: SupportPair['source'],
  rng: Rng,
  extra: (sentence: string, evidence: readonly EvidenceDocumentInput[], emit: Emit) => void,
  options: { foreign: boolean },
): SupportPair[] {
  const pairs: SupportPair[] = [];
  documents.forEach((document, index) => {
    const distractor = documents[(index + 1 + Math.floor(rng.next() * (documents.length - 1))) % documents.length];
    const evidence = distractor && distractor !== document ? [document, distractor] : [document];
    const evidenceText = evidence.map((item) => item.text).join('\n');
    const emit: Emit = (claim, label, rewrite) => {
      pairs.push({ claim, evidenceDocuments: evidence, label, rewrite, source, group: document.id });
    };
    const sentences = claimSentences(document.text);
    for (const sentence of sentences) {
      sentencePairs(sentence, evidenceText, rng, emit);
      extra(sentence, evidence, emit);
    }
    // A sentence of a document outside the evidence: nothing here supports it (not for templated documents, whose
    // sentences state the same slots as the evidence with other values).
    if (!options.foreign) return;
    const other =
      documents[(index + 2 + Math.floor(rng.next() * Math.max(1, documents.length - 2))) % documents.length];
    if (other && !evidence.includes(other)) {
      const foreign = pick(
        rng,
        claimSentences(other.text).filter((sentence) => !evidenceText.includes(sentence)),
      );
      if (foreign) emit(foreign, 'unsupported', 'foreign');
    }
  });
  return pairs;
}

/** Market documents: the windows (5 ↔ 20 sessions, 20-day ↔ 50-day) swapped, and the ticker replaced. */
function marketExtra(tickers: readonly string[], rng: Rng) {
  return (sentence: string, evidence: readonly EvidenceDocumentInput[], emit: Emit): void => {
    const windows = sentence.replace(/\b(5|20) sessions\b/, (_, days) => `${days === '5' ? 20 : 5} sessions`);
    if (windows !== sentence) emit(windows, 'contradicted', 'period');
    const averages = sentence.replace(
      /\b(20|50)-day (simple moving )?average\b/,
      (_, days, simple = '') => `${days === '20' ? 50 : 20}-day ${simple}average`,
    );
    if (averages !== sentence) emit(averages, 'contradicted', 'period');
    const own = (evidence[0]?.tickers ?? [])[0];
    const named = new Set(evidence.flatMap((document) => document.tickers ?? []));
    const other = pick(
      rng,
      tickers.filter((ticker) => !named.has(ticker)),
    );
    if (own && other && new RegExp(`\\b${own}\\b`).test(sentence)) {
      emit(sentence.replace(new RegExp(`\\b${own}\\b`, 'g'), other), 'unsupported', 'entity');
    }
  };
}

/** Pairs of one TAT-QA context: table cells as sentences and their negatives, and its paragraphs' sentences. */
export function tatqaContextPairs(context: TatContext, index: number, rng: Rng, foreign: string | null): SupportPair[] {
  const table = parseTable(context.table.table);
  const ticker = `TQP${index}`;
  const documents = contextDocuments(context, table, ticker);
  const pairs: SupportPair[] = [];
  const emit: Emit = (claim, label, rewrite) => {
    pairs.push({
      claim,
      evidenceDocuments: documents,
      label,
      rewrite,
      source: 'tatqa',
      group: `tatqa-${context.table.uid}`,
    });
  };
  const fallbackScale =
    context.questions.map((question) => asScale(question.scale)).find((scale) => scale !== null) ?? null;
  const labels = table.body.map((row) => row.label.toLowerCase());
  const usable = table.body.filter(
    (row) => /[A-Za-z]{3}/.test(row.label) && labels.filter((label) => label === row.label.toLowerCase()).length === 1,
  );
  const periods = table.columns.flatMap((column, at) => (column.period ? [at] : []));
  const cells = usable.flatMap((row) =>
    periods.filter((column) => (row.values[column] ?? -1) > 0).map((column) => ({ row, column })),
  );
  for (const { row, column } of rng.sample(cells, Math.min(cells.length, 6))) {
    const cell = row.cells[column] as string;
    const digits = /\d[\d,]*(?:\.\d+)?/.exec(cell)?.[0] as string;
    const unit = columnUnit(table, column, cell, { scale: fallbackScale, currency: null, percent: false });
    const period = table.columns[column]?.period as string;
    const measure = table.columns[column]?.measure;
    const statement = (figure: string) => `${row.label} in ${period} was ${figure}.`;
    const figure = writeFigure(digits, unit);
    emit(statement(figure), 'supported', 'cell');
    if (rng.next() < 0.5) emit(`In ${period}, ${row.label} was ${figure}.`, 'supported', 'reordered');
    const rounded = roundFigure(statement(figure));
    if (rounded) emit(rounded, 'supported', 'rounded');
    const value = row.values[column] as number;
    const otherPeriod = pick(
      rng,
      periods.filter(
        (other) =>
          other !== column &&
          table.columns[other]?.measure === measure &&
          (row.values[other] ?? -1) > 0 &&
          row.values[other] !== value,
      ),
    );
    if (otherPeriod !== undefined) {
      const otherDigits = /\d[\d,]*(?:\.\d+)?/.exec(row.cells[otherPeriod] as string)?.[0] as string;
      emit(statement(writeFigure(otherDigits, unit)), 'contradicted', 'other-period');
      const earlier = (table.columns[otherPeriod]?.year ?? 0) < (table.columns[column]?.year ?? 0);
      if (earlier && !unit.percent) {
        const before = row.values[otherPeriod] as number;
        const from = `${writeFigure(otherDigits, unit)} in ${table.columns[otherPeriod]?.period}`;
        const verb = value > before ? 'rose' : 'fell';
        const moved = (word: string) => `${row.label} ${word} to ${figure} in ${period} from ${from}.`;
        emit(moved(verb), 'supported', 'direction');
        emit(moved(verb === 'rose' ? 'fell' : 'rose'), 'contradicted', 'direction');
        const ratio = value / before;
        if (ratio >= 1.9 && ratio <= 2.1) {
          emit(
            `${row.label} ${ratio < 2 ? 'nearly' : 'roughly'} doubled in ${period} from ${table.columns[otherPeriod]?.period}.`,
            'supported',
            'verbal',
          );
        }
      }
    }
    const otherRow = pick(
      rng,
      usable.filter((other) => other !== row && (other.values[column] ?? -1) > 0 && other.values[column] !== value),
    );
    if (otherRow) {
      const otherDigits = /\d[\d,]*(?:\.\d+)?/.exec(otherRow.cells[column] as string)?.[0] as string;
      emit(statement(writeFigure(otherDigits, unit)), 'contradicted', 'other-row');
    }
    if (unit.scale)
      emit(
        statement(
          writeFigure(digits, {
            ...unit,
            scale: unit.scale === 'billion' ? 'million' : unit.scale === 'million' ? 'billion' : 'million',
          }),
        ),
        'contradicted',
        'scale',
      );
    if (!unit.percent && rng.next() < 0.3) emit(statement(`${digits}%`), 'contradicted', 'unit');
    const changed = changeValue(statement(figure), rng);
    if (changed) emit(changed, 'contradicted', 'value');
  }
  const paragraphs = documents.find((document) => document.id.endsWith('-text'));
  if (paragraphs) {
    for (const sentence of claimSentences(paragraphs.text)) sentencePairs(sentence, paragraphs.text, rng, emit);
  }
  // A cell of another context's table: nothing here states it.
  if (foreign) emit(foreign, 'unsupported', 'foreign');
  return pairs;
}

function countBy(pairs: readonly SupportPair[], key: 'label' | 'rewrite' | 'source'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const pair of pairs) counts[pair[key]] = (counts[pair[key]] ?? 0) + 1;
  return counts;
}

/**
 * Generate the pairs (deterministic for `seed`; sources whose files are absent are listed in `missingSources`).
 * @throws {TradeR1Error} `INVALID_INPUT` for invalid or misspelled options.
 */
export async function generateSupportPairs(options: SupportPairOptions): Promise<SupportPairSet> {
  const parsed = supportPairOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || (issue && 'keys' in issue ? String(issue.keys) : '');
    throw new TradeR1Error('INVALID_INPUT', `generateSupportPairs: ${field}: ${issue?.message}`, {
      details: { field },
    });
  }
  const settings = parsed.data;
  const rng = createRng(settings.seed);
  const all: SupportPair[] = [];
  const missingSources: string[] = [];
  if (settings.sources.includes('news')) {
    const news = await loadNewsCorpus();
    if (news) {
      const documents = news.documents.slice(0, settings.newsArticles);
      all.push(...documentPairs(documents, 'news', rng.fork(), () => undefined, { foreign: true }));
    } else missingSources.push('news');
  }
  if (settings.sources.includes('tatqa')) {
    const contexts = readTatqa(TATQA_FILES[settings.tatqa]);
    if (contexts) {
      const tatRng = rng.fork();
      contexts.forEach((context, index) => {
        const other = contexts[(index + 1) % contexts.length];
        const foreignTable = other && other !== context ? parseTable(other.table.table) : null;
        const row = foreignTable?.body.find(
          (entry) => /[A-Za-z]{3}/.test(entry.label) && entry.values.some((value) => (value ?? -1) > 0),
        );
        const column = row
          ? row.values.findIndex((value, at) => (value ?? -1) > 0 && foreignTable?.columns[at]?.period)
          : -1;
        const foreign =
          row && column > 0 && foreignTable
            ? `${row.label} in ${foreignTable.columns[column]?.period} was ${row.cells[column]?.trim()}.`
            : null;
        all.push(...tatqaContextPairs(context, index, tatRng, foreign));
      });
    } else missingSources.push('tatqa');
  }
  if (settings.sources.includes('market')) {
    const market = JSON.parse(readFileSync(MARKET_FILE, 'utf8')) as { documents: EvidenceDocumentInput[] };
    const documents = [...market.documents]
      .sort((left, right) => left.id.localeCompare(right.id))
      .filter((_, index, list) => index % Math.max(1, Math.floor(list.length / settings.marketDocuments)) === 0)
      .slice(0, settings.marketDocuments);
    const tickers = [...new Set(market.documents.flatMap((document) => document.tickers ?? []))].sort();
    const marketRng = rng.fork();
    all.push(...documentPairs(documents, 'market', marketRng, marketExtra(tickers, marketRng), { foreign: false }));
  }
  const pairs =
    settings.limit !== undefined && settings.limit < all.length
      ? rng
          .sample(
            all.map((_, index) => index),
            settings.limit,
          )
          .sort((left, right) => left - right)
          .map((index) => all[index] as SupportPair)
      : all;
  return {
    pairs,
    generated: all.length,
    dropped: all.length - pairs.length,
    missingSources,
    counts: { label: countBy(pairs, 'label'), rewrite: countBy(pairs, 'rewrite'), source: countBy(pairs, 'source') },
  };
}
