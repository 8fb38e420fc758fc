/**
 * The `tatqa-dev` and `tatqa-test` splits: claims about values stated in real annual-report tables and paragraphs
 * (TAT-QA, CC BY 4.0 — see read.ts for the attribution), built deterministically for a seed.
 *
 * Evidence: each context becomes two documents of a pseudo ticker (`TQD17`, `TQT4`): the table as a markdown pipe
 * table (header rows above the rule, the scale in a caption when the headers do not state it) and the paragraphs.
 *
 * Claims come from questions whose answer is a single span with a figure:
 * - `table`: the answer is a cell of the table → "<row label> in <column period> was <value>." (currency and
 *   scale from the headers or the question), with negatives from the same table: another period's cell of the
 *   row (`other_period`), another row's cell of the period (`other_row`), the value in another scale
 *   (`scale_swap`), another value (`number_swap`);
 * - `direction`: the row has cells for two periods → "<row> rose to <later> in <P> from <earlier> in <Q>." and the
 *   opposite verb as the negative (`negation`);
 * - `text`: the answer is in the paragraphs → "The <question's subject> was <answer>." with `number_swap` and
 *   `scale_swap` negatives.
 * Each claim is one single-claim reasoning; contexts with two or more table/text claims also give one multi-claim
 * faithful reasoning (up to three claims) and the same with its last claim replaced by one of its negatives.
 * Arithmetic answers are left out (they need computation and are scored apart in TAT-QA).
 */
import { createRng, type Decision, type EvidenceDocumentInput, type Rng } from '@trade-r1/core';
import { statementOf } from '../../scripts/support-pairs.ts';
import {
  cellValue,
  columnUnit,
  parseTable,
  renderTable,
  type Scale,
  type TatContext,
  type TatTable,
  writeFigure,
} from './read.ts';

/** Negative kinds. */
export const TATQA_NEGATIVES = ['other_period', 'other_row', 'scale_swap', 'number_swap', 'negation'] as const;
/** A negative kind. */
export type TatqaNegative = (typeof TATQA_NEGATIVES)[number];
/** Where a claim comes from. */
export type TatqaOrigin = 'table' | 'direction' | 'text';

/** One case: what the verifier sees and what only the scoring sees. */
export interface TatqaCase {
  id: string;
  input: { ticker: string; asOf: string; reasoning: string; decision: Decision };
  truth: {
    kind: 'faithful' | TatqaNegative;
    factual: boolean;
    origin: TatqaOrigin;
    /** Claims in the reasoning (1, or 2–3 for multi-claim reasonings). */
    claims: number;
    /** Index of the context in its file. */
    context: number;
  };
}

/** Options of {@link buildTatqaCases}. */
export interface TatqaCaseOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Ticker prefix (`TQD`, `TQT`). */
  prefix: string;
  /** Most contexts used (a seeded sample, in file order); all when absent. */
  limit?: number;
}

/** Decision time of every case; the documents are published before it. */
export const TATQA_AS_OF = '2020-06-30';
const PUBLISHED_AT = '2020-03-31';

interface Claim {
  text: string;
  origin: TatqaOrigin;
  negatives: Array<{ kind: TatqaNegative; text: string }>;
}

const OTHER_SCALE: Record<Scale, Scale> = { thousand: 'million', million: 'billion', billion: 'million' };

/** Digits of a cell or answer ("$1,496.5" → "1,496.5"), or null when it is not one non-negative figure. */
function digitsOf(text: string): string | null {
  const value = cellValue(text);
  if (value === null || value < 0) return null;
  return /\d[\d,]*(?:\.\d+)?/.exec(text)?.[0] ?? null;
}

/** Another value with the same precision (×1.2–1.6 or ×0.45–0.8). */
function otherValue(digits: string, rng: Rng): string | null {
  const value = Number(digits.replace(/,/g, ''));
  if (!Number.isFinite(value) || value === 0) return null;
  const factor = rng.next() < 0.5 ? 1.2 + 0.4 * rng.next() : 0.45 + 0.35 * rng.next();
  const decimals = digits.includes('.') ? (digits.split('.')[1] as string).length : 0;
  const changed = (value * factor).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: digits.includes(','),
  });
  return changed === digits ? null : changed;
}

function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng.next() * items.length)];
}

/** The single non-empty span answer of a question, or null. */
function spanAnswer(answer: unknown): string | null {
  if (!Array.isArray(answer)) return null;
  const spans = answer.map((item) => String(item).trim()).filter((item) => item !== '');
  return spans.length === 1 ? (spans[0] as string) : null;
}

/** Claims of one context (deduplicated by text). */
export function contextClaims(context: TatContext, table: TatTable, rng: Rng): Claim[] {
  const claims = new Map<string, Claim>();
  const labelCount = new Map<string, number>();
  for (const row of table.body)
    labelCount.set(row.label.toLowerCase(), (labelCount.get(row.label.toLowerCase()) ?? 0) + 1);
  const usable = (label: string) => /[A-Za-z]{3}/.test(label) && labelCount.get(label.toLowerCase()) === 1;
  const periodColumns = table.columns.flatMap((column, index) => (column.period ? [index] : []));

  for (const question of context.questions) {
    if (question.answer_type !== 'span') continue;
    const answer = spanAnswer(question.answer);
    if (!answer) continue;
    // The answer's figure (a cell, or a figure inside a text span such as "$2.3 billion").
    const digits = /\d[\d,]*(?:\.\d+)?/.exec(answer)?.[0] ?? null;
    if (!digits || /^(?:19|20)\d{2}$/.test(digits)) continue;
    const value = cellValue(answer);
    if (value === 0 || (value !== null && value < 0) || Number(digits.replace(/,/g, '')) === 0) continue;
    const percentAnswer = answer.includes('%');
    const answerCurrency = /^((?:US|NT|HK|S|A)?\$|€|£)/.exec(answer)?.[1] ?? null;
    /** The unit of a figure of `column`, from the column's headers, else from the question. */
    const unitOf = (column: number) =>
      columnUnit(table, column, table.body.find((row) => row.values[column] === value)?.cells[column] ?? '', {
        scale: asScale(question.scale),
        currency: answerCurrency,
        percent: percentAnswer || question.scale === 'percent',
      });

    // The answer as a cell of a usable row and a period column (exactly one such cell).
    const cells = table.body.flatMap((row) =>
      periodColumns
        .filter((column) => row.values[column] === value && usable(row.label))
        .map((column) => ({ row, column })),
    );
    if (question.answer_from !== 'text' && cells.length === 1) {
      const { row, column } = cells[0] as (typeof cells)[number];
      const period = table.columns[column]?.period as string;
      const measure = table.columns[column]?.measure;
      const unit = unitOf(column);
      const percent = unit.percent;
      const scale = unit.scale;
      const cellDigits = digitsOf(row.cells[column] ?? '') ?? digits;
      const claim = `${row.label} in ${period} was ${writeFigure(cellDigits, unit)}.`;
      if (claims.has(claim)) continue;
      const negatives: Claim['negatives'] = [];
      const otherPeriods = periodColumns.filter(
        (other) =>
          other !== column &&
          row.values[other] !== null &&
          row.values[other] !== value &&
          (row.values[other] as number) >= 0,
      );
      const otherPeriod = pick(rng, otherPeriods);
      if (otherPeriod !== undefined) {
        negatives.push({
          kind: 'other_period',
          text: `${row.label} in ${period} was ${writeFigure(digitsOf(row.cells[otherPeriod] ?? '') as string, unit)}.`,
        });
      }
      const otherRows = table.body.filter(
        (other) =>
          other !== row &&
          usable(other.label) &&
          other.values[column] !== null &&
          other.values[column] !== value &&
          (other.values[column] as number) >= 0,
      );
      const otherRow = pick(rng, otherRows);
      if (otherRow) {
        negatives.push({
          kind: 'other_row',
          text: `${row.label} in ${period} was ${writeFigure(digitsOf(otherRow.cells[column] ?? '') as string, unit)}.`,
        });
      }
      if (scale) {
        negatives.push({
          kind: 'scale_swap',
          text: `${row.label} in ${period} was ${writeFigure(cellDigits, { ...unit, scale: OTHER_SCALE[scale] })}.`,
        });
      }
      const changed = otherValue(cellDigits, rng);
      if (changed)
        negatives.push({ kind: 'number_swap', text: `${row.label} in ${period} was ${writeFigure(changed, unit)}.` });
      claims.set(claim, { text: claim, origin: 'table', negatives });

      // Direction between this period and another one of the row.
      const year = table.columns[column]?.year as number;
      const earlier = periodColumns.find(
        (other) =>
          (table.columns[other]?.year as number) < year &&
          table.columns[other]?.measure === measure &&
          row.values[other] !== null &&
          (row.values[other] as number) >= 0 &&
          row.values[other] !== value,
      );
      if (earlier !== undefined && !percent) {
        const rose = (value as number) > (row.values[earlier] as number);
        const from = `${writeFigure(digitsOf(row.cells[earlier] ?? '') as string, unit)} in ${table.columns[earlier]?.period}`;
        const sentence = (verb: string) =>
          `${row.label} ${verb} to ${writeFigure(cellDigits, unit)} in ${period} from ${from}.`;
        const faithful = sentence(rose ? 'rose' : 'fell');
        if (!claims.has(faithful)) {
          claims.set(faithful, {
            text: faithful,
            origin: 'direction',
            negatives: [{ kind: 'negation', text: sentence(rose ? 'fell' : 'rose') }],
          });
        }
      }
      continue;
    }
    if (question.answer_from !== 'text') continue;
    // A figure stated in the paragraphs, restated in the question's words.
    const statement = statementOf(question.question);
    if (!statement) continue;
    const percent = percentAnswer || question.scale === 'percent';
    const textScale = percent ? null : asScale(question.scale);
    const textUnit = {
      scale: /\b(?:thousand|million|billion)\b/i.test(answer) ? null : textScale,
      percent: percent && !answer.includes('%'),
    };
    const written = textUnit.percent
      ? `${answer}%`
      : `${answer}${textUnit.scale && !/[A-Za-z]$/.test(answer) ? ` ${textUnit.scale}` : ''}`;
    const claim = `${statement} ${written}.`;
    if (claims.has(claim)) continue;
    const negatives: Claim['negatives'] = [];
    const changed = otherValue(digits, rng);
    if (changed) negatives.push({ kind: 'number_swap', text: `${statement} ${written.replace(digits, changed)}.` });
    const stated = textUnit.scale ?? asScale(/\b(thousand|million|billion)\b/i.exec(answer)?.[1]?.toLowerCase() ?? '');
    if (stated && !percent) {
      const swapped = written.includes(stated)
        ? written.replace(stated, OTHER_SCALE[stated])
        : `${written} ${OTHER_SCALE[stated]}`;
      negatives.push({ kind: 'scale_swap', text: `${statement} ${swapped}.` });
    }
    claims.set(claim, { text: claim, origin: 'text', negatives });
  }
  return [...claims.values()];
}

/**
 * The evidence documents of a context: its table (pipe table, the questions' scale in a caption when the headers
 * lack one) and its paragraphs, published before {@link TATQA_AS_OF}.
 */
export function contextDocuments(context: TatContext, table: TatTable, ticker: string): EvidenceDocumentInput[] {
  const questionScale = context.questions.map((question) => asScale(question.scale)).find((scale) => scale !== null);
  const metadata = { source: 'TAT-QA (CC BY 4.0)', tableUid: context.table.uid };
  const documents: EvidenceDocumentInput[] = [
    {
      id: `${ticker}-table`,
      tickers: [ticker],
      publishedAt: PUBLISHED_AT,
      sourceKind: 'filing',
      title: 'Annual report table',
      text: renderTable(table, questionScale ?? null),
      metadata,
    },
  ];
  const paragraphs = context.paragraphs.map((paragraph) => paragraph.text.trim()).filter((text) => text !== '');
  if (paragraphs.length > 0) {
    documents.push({
      id: `${ticker}-text`,
      tickers: [ticker],
      publishedAt: PUBLISHED_AT,
      sourceKind: 'filing',
      title: 'Annual report notes',
      text: paragraphs.join('\n\n'),
      metadata,
    });
  }
  return documents;
}

/** A scale word of TAT-QA's `scale` field, or null. */
export const asScale = (value: string): Scale | null =>
  (['thousand', 'million', 'billion'] as readonly string[]).includes(value) ? (value as Scale) : null;

/**
 * Documents and cases of a TAT-QA file's contexts (deterministic for `seed`; see the module comment).
 */
export function buildTatqaCases(
  contexts: readonly TatContext[],
  options: TatqaCaseOptions,
): { documents: EvidenceDocumentInput[]; cases: TatqaCase[]; contexts: number; sampled: boolean } {
  const rng = createRng(options.seed);
  const indices = contexts.map((_, index) => index);
  const chosen =
    options.limit !== undefined && options.limit < contexts.length
      ? rng.sample(indices, options.limit).sort((left, right) => left - right)
      : indices;
  const documents: EvidenceDocumentInput[] = [];
  const cases: TatqaCase[] = [];
  for (const index of chosen) {
    const context = contexts[index] as TatContext;
    const ticker = `${options.prefix}${index}`;
    const table = parseTable(context.table.table);
    documents.push(...contextDocuments(context, table, ticker));
    const add = (id: string, reasoning: string, truth: Omit<TatqaCase['truth'], 'context'>): void => {
      cases.push({
        id: `${ticker}-${id}`,
        input: { ticker, asOf: TATQA_AS_OF, reasoning, decision: 'HOLD' },
        truth: { ...truth, context: index },
      });
    };
    const claims = contextClaims(context, table, rng);
    claims.forEach((claim, position) => {
      add(`c${position}`, claim.text, { kind: 'faithful', factual: true, origin: claim.origin, claims: 1 });
      claim.negatives.forEach((negative, which) => {
        add(`c${position}~${negative.kind}${which}`, negative.text, {
          kind: negative.kind,
          factual: false,
          origin: claim.origin,
          claims: 1,
        });
      });
    });
    // One multi-claim reasoning per context (table and text claims), faithful and with its last claim replaced.
    const multi = claims.filter((claim) => claim.origin !== 'direction').slice(0, 3);
    const last = multi[multi.length - 1];
    if (multi.length >= 2 && last) {
      add('m', multi.map((claim) => claim.text).join(' '), {
        kind: 'faithful',
        factual: true,
        origin: last.origin,
        claims: multi.length,
      });
      const negative = pick(rng, last.negatives);
      if (negative) {
        add(`m~${negative.kind}`, [...multi.slice(0, -1).map((claim) => claim.text), negative.text].join(' '), {
          kind: negative.kind,
          factual: false,
          origin: last.origin,
          claims: multi.length,
        });
      }
    }
  }
  return { documents, cases, contexts: chosen.length, sampled: chosen.length < contexts.length };
}
