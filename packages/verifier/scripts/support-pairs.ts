/**
 * Claim–evidence pairs for fitting the support model, generated deterministically from real text written by
 * others: TAT-QA annual-report tables and paragraphs (`../shared/data/tatqa`, CC BY 4.0 — Zhu et al., "TAT-QA: A
 * Question Answering Benchmark on a Hybrid of Tabular and Textual Content in Finance", ACL 2021) and FNSPID news
 * articles (`../shared/data/news`, CC BY-NC 4.0; read at fit time, never copied into the repository).
 *
 * Positives (meaning-preserving): a sentence's clause as written, with its figures rounded ("about $1.5 billion"),
 * with synonyms and reordered clauses; a table cell stated as a sentence ("Total sales in 2019 were $1,496.5
 * million"). Negatives (meaning-changing): another value (±15–60%), another scale (million ↔ billion), the opposite
 * direction, another company, another cell of the table (row or period), a keyword list, and a sentence about
 * another company (nothing in the evidence supports it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@trade-r1/core';
import { readNewsCsvFile } from '../../data/src/index.ts';
import { splitSentences } from '../src/scoring/text.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = join(here, '../../../../shared/data');
export const TATQA_FILES = {
  dev: join(SHARED, 'tatqa/tatqa_dataset_dev.json'),
  test: join(SHARED, 'tatqa/tatqa_dataset_test_gold.json'),
} as const;
export const NEWS_FILE = join(SHARED, 'news/fnspid_sample_aapl_news_contents.csv');

/** One evidence document of a pair. */
export interface PairDocument {
  id: string;
  title: string;
  text: string;
  publishedAt: string;
}

/** A claim with the evidence it is judged against and its label. */
export interface SupportPair {
  claim: string;
  /** The document the claim is about (first) and distractors. */
  documents: PairDocument[];
  label: 0 | 1;
  /** How the claim was made. */
  rewrite: string;
  source: 'tatqa' | 'news';
}

type Rng = { next(): number };

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)] as T;
}

const SYNONYMS: Array<[RegExp, string]> = [
  [/\bincreased\b/g, 'rose'],
  [/\bdecreased\b/g, 'fell'],
  [/\brevenues?\b/g, 'sales'],
  [/\bnet income\b/g, 'net profit'],
  [/\bcompany\b/g, 'firm'],
  [/\bapproximately\b/g, 'about'],
  [/\bprimarily\b/g, 'mainly'],
  [/\bshares\b/g, 'stock'],
  [/\bpurchased\b/g, 'bought'],
  [/\breported\b/g, 'posted'],
  [/\bexpects\b/g, 'anticipates'],
  [/\bsignificant\b/g, 'large'],
];
const DIRECTIONS: Array<[RegExp, string]> = [
  [/\bincreased\b/, 'decreased'],
  [/\bdecreased\b/, 'increased'],
  [/\brose\b/, 'fell'],
  [/\bfell\b/, 'rose'],
  [/\bgrew\b/, 'shrank'],
  [/\bhigher\b/, 'lower'],
  [/\blower\b/, 'higher'],
  [/\bup\b/, 'down'],
  [/\bdown\b/, 'up'],
  [/\bgains?\b/, 'losses'],
  [/\bincrease\b/, 'decrease'],
  [/\bdecrease\b/, 'increase'],
];
const FIGURE = /(\$\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?(?:%|percent|million|billion|thousand))?/;

/** The figure with another value (×1.15–1.6 or ×0.4–0.85), written with the same precision. */
function changeFigure(text: string, rng: Rng): string | null {
  const match = FIGURE.exec(text);
  if (!match || (match[2] ?? '').length === 4) return null;
  const value = Number(`${(match[2] ?? '').replace(/,/g, '')}${match[3] ?? ''}`);
  if (!Number.isFinite(value) || value === 0) return null;
  const factor = rng.next() < 0.5 ? 1.15 + 0.45 * rng.next() : 0.4 + 0.45 * rng.next();
  const decimals = (match[3] ?? '').length > 0 ? (match[3] as string).length - 1 : 0;
  const changed = (value * factor).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return `${text.slice(0, match.index)}${match[1] ?? ''}${changed}${match[4] ?? ''}${text.slice(match.index + match[0].length)}`;
}

/** Round the first decimal figure and say so ("about"). */
function roundFigure(text: string): string | null {
  const match = /(\$\s?)?(\d+)\.(\d+)(\s?(?:%|percent|million|billion))/.exec(text);
  if (!match) return null;
  const rounded = Math.round(Number(`${match[2]}.${match[3]}`));
  return `${text.slice(0, match.index)}about ${match[1] ?? ''}${rounded}${match[4]}${text.slice(match.index + match[0].length)}`;
}

function keywordList(text: string, rng: Rng): string {
  const words = text
    .split(/\s+/)
    .map((word) => word.replace(/[^A-Za-z0-9$%.,-]/g, ''))
    .filter((word) => word.length > 3);
  for (let index = words.length - 1; index > 0; index -= 1) {
    const other = Math.floor(rng.next() * (index + 1));
    [words[index], words[other]] = [words[other] as string, words[index] as string];
  }
  return words.slice(0, 10).join(' ');
}

interface TatContext {
  table: { uid: string; table: string[][] };
  paragraphs: Array<{ text: string }>;
  questions: Array<{ question: string; answer: unknown; answer_type: string; answer_from: string; scale: string }>;
}

/** A TAT-QA table as a pipe table under a caption carrying the scale the questions use. */
export function renderTatTable(table: readonly string[][], scale: string): string {
  const caption = scale === 'thousand' || scale === 'million' || scale === 'billion' ? ` (in ${scale}s)` : '';
  return [
    `Table${caption}`,
    ...table.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '/')).join(' | ')} |`),
  ].join('\n');
}

/** "What is the amount of total sales in 2019?" → "The amount of total sales in 2019 was". */
export function statementOf(question: string): string | null {
  const match = /^(?:what|how much)\s+(?:is|was|were|are)\s+(?:the\s+)?(.+?)\??$/i.exec(question.trim());
  if (!match) return null;
  return `The ${match[1]} was`;
}

function tatPairs(file: string, rng: Rng, distractors: PairDocument[]): SupportPair[] {
  const contexts = JSON.parse(readFileSync(file, 'utf8')) as TatContext[];
  const pairs: SupportPair[] = [];
  for (const context of contexts) {
    const scale = context.questions.find((question) => question.scale)?.scale ?? '';
    const document: PairDocument = {
      id: `tatqa-${context.table.uid}`,
      title: 'Annual report excerpt',
      text: `${renderTatTable(context.table.table, scale)}\n\n${context.paragraphs.map((paragraph) => paragraph.text).join('\n\n')}`,
      publishedAt: '2020-03-01T00:00:00.000Z',
    };
    const documents = [document, pick(rng, distractors)];
    const cells = context.table.table.flat().filter((cell) => /\d/.test(cell) && !/^(?:19|20)\d{2}$/.test(cell.trim()));
    for (const question of context.questions) {
      if (question.answer_type !== 'span' || !Array.isArray(question.answer)) continue;
      const answer = String(question.answer[0] ?? '').trim();
      const statement = statementOf(question.question);
      if (!statement) continue;
      if (!/\d/.test(answer)) {
        // A textual answer restated in the question's words (another writer's paraphrase of the paragraph).
        if (answer.split(/\s+/).length >= 3 && answer.length <= 200) {
          pairs.push({
            claim: `${statement} ${answer}.`,
            documents,
            label: 1,
            rewrite: 'text-answer',
            source: 'tatqa',
          });
        }
        continue;
      }
      const unit =
        question.scale && question.scale !== 'percent'
          ? ` ${question.scale}`
          : question.scale === 'percent' && !answer.includes('%')
            ? '%'
            : '';
      pairs.push({ claim: `${statement} ${answer}${unit}.`, documents, label: 1, rewrite: 'cell', source: 'tatqa' });
      // The same value rounded into the next scale: "$1,496.5 million" → "about $1.5 billion".
      const amount = Number(answer.replace(/[^\d.]/g, ''));
      if ((unit === ' million' || unit === ' thousand') && amount >= 1000) {
        const next = unit === ' million' ? 'billion' : 'million';
        const rounded = (amount / 1000).toFixed(1);
        const currency = answer.includes('$') ? '$' : '';
        pairs.push({
          claim: `${statement} about ${currency}${rounded} ${next}.`,
          documents,
          label: 1,
          rewrite: 'rescaled',
          source: 'tatqa',
        });
      }
      const other = cells.filter((cell) => cell.replace(/[^\d.]/g, '') !== answer.replace(/[^\d.]/g, ''));
      if (other.length > 0) {
        const wrong = pick(rng, other).trim();
        pairs.push({
          claim: `${statement} ${wrong}${unit}.`,
          documents,
          label: 0,
          rewrite: 'other-cell',
          source: 'tatqa',
        });
      }
      if (unit === ' million' || unit === ' thousand') {
        const swapped = unit === ' million' ? ' billion' : ' million';
        pairs.push({
          claim: `${statement} ${answer}${swapped}.`,
          documents,
          label: 0,
          rewrite: 'scale',
          source: 'tatqa',
        });
      }
      const changed = changeFigure(answer, rng);
      if (changed)
        pairs.push({
          claim: `${statement} ${changed}${unit}.`,
          documents,
          label: 0,
          rewrite: 'value',
          source: 'tatqa',
        });
    }
  }
  return pairs;
}

function sentencePairs(
  document: PairDocument,
  others: PairDocument[],
  rng: Rng,
  source: SupportPair['source'],
): SupportPair[] {
  const pairs: SupportPair[] = [];
  const documents = [document, ...others];
  const sentences = splitSentences(document.text)
    .map((span) => span.text.trim())
    .filter((text) => text.split(/\s+/).length >= 8 && text.length <= 300 && !/https?:|click here/i.test(text));
  for (const sentence of sentences) {
    const roll = rng.next();
    const positive = (claim: string, rewrite: string) => pairs.push({ claim, documents, label: 1, rewrite, source });
    const negative = (claim: string, rewrite: string) => pairs.push({ claim, documents, label: 0, rewrite, source });
    if (roll < 0.35) positive(sentence, 'verbatim');
    const clauses = sentence.split(/,\s+(?:and|but|while|as)\s+|;\s+/);
    if (clauses.length > 1 && (clauses[0] ?? '').split(/\s+/).length >= 6) positive(`${clauses[0]}.`, 'clause');
    let synonyms = sentence;
    for (const [pattern, replacement] of SYNONYMS) synonyms = synonyms.replace(pattern, replacement);
    if (synonyms !== sentence) positive(synonyms, 'synonyms');
    const rounded = roundFigure(sentence);
    if (rounded) positive(rounded, 'rounded');
    const changed = changeFigure(sentence, rng);
    if (changed && roll < 0.6) negative(changed, 'value');
    const direction = DIRECTIONS.find(([pattern]) => pattern.test(sentence));
    if (direction && roll >= 0.3) negative(sentence.replace(direction[0], direction[1]), 'direction');
    if (/\bmillion\b/.test(sentence) && roll < 0.3) negative(sentence.replace(/\bmillion\b/, 'billion'), 'scale');
    if (roll < 0.15) negative(keywordList(sentence, rng), 'keywords');
  }
  // A sentence about something else: nothing in this evidence supports it.
  for (const other of others.slice(0, 1)) {
    const foreign = splitSentences(other.text)
      .map((span) => span.text.trim())
      .filter((text) => text.split(/\s+/).length >= 8 && text.length <= 300);
    for (const sentence of foreign.slice(0, 3)) {
      pairs.push({ claim: sentence, documents: [document, ...others.slice(1)], label: 0, rewrite: 'foreign', source });
    }
  }
  return pairs;
}

/** Options of {@link generateSupportPairs}. */
export interface SupportPairOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Which TAT-QA file (the fit uses `dev`; `test` is held out). @default 'dev' */
  tatqa?: 'dev' | 'test';
  /** Most news articles read. @default 300 */
  newsArticles?: number;
}

/** Generate the pairs (deterministic for a seed; sources absent from `../shared` are skipped). */
export async function generateSupportPairs(options: SupportPairOptions): Promise<SupportPair[]> {
  const rng = createRng(options.seed);
  const news: PairDocument[] = [];
  if (existsSync(NEWS_FILE)) {
    const { items } = await readNewsCsvFile(NEWS_FILE, { tickers: ['AAPL'] });
    const seen = new Set<string>();
    for (const item of [...items].sort(
      (a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id),
    )) {
      if (item.summary.length < 400 || seen.has(item.id)) continue;
      seen.add(item.id);
      news.push({
        id: `fnspid-${item.id}`,
        title: item.headline,
        text: item.summary.slice(0, 4000),
        publishedAt: item.publishedAt,
      });
      if (news.length >= (options.newsArticles ?? 300)) break;
    }
  }
  const pairs: SupportPair[] = [];
  news.forEach((document, index) => {
    const others = [news[(index + 7) % news.length], news[(index + 13) % news.length]].filter(
      (other): other is PairDocument => other !== undefined && other !== document,
    );
    pairs.push(...sentencePairs(document, others, rng, 'news'));
  });
  const file = TATQA_FILES[options.tatqa ?? 'dev'];
  if (existsSync(file))
    pairs.push(
      ...tatPairs(
        file,
        rng,
        news.length > 0 ? news : [{ id: 'none', title: '', text: '', publishedAt: '2020-01-01T00:00:00.000Z' }],
      ),
    );
  return pairs;
}
