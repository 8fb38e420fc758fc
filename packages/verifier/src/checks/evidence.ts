/**
 * Evidence prepared for the checks: a retrieved chunk split into sentences, each with its facts, plus the
 * document-level context (title periods and entities, tickers) that a sentence inherits when it does not restate
 * them ("the quarter", "the company").
 */
import { splitSentences } from '../scoring/text.ts';
import { analyzeText, type TextFacts } from './facts.ts';
import type { Period } from './periods.ts';
import { readTables } from './tables.ts';

/** One evidence sentence with its facts. */
export interface EvidenceSentence {
  /** Sentence text. */
  text: string;
  /** Offset in the chunk text. */
  start: number;
  /** Facts of the sentence. */
  facts: TextFacts;
  /** Set of the sentence's content terms. */
  termSet: Set<string>;
  /** True when the sentence contains a negation cue. */
  negated: boolean;
  /** Content terms the sentence negates. */
  negatedTerms: Set<string>;
  /** For a table cell statement: its table (index in the chunk), column header and the row label's terms. */
  cell: { table: number; column: string; rowTerms: string[] } | null;
}

/** A retrieved chunk prepared for checking. */
export interface PreparedEvidence {
  /** Chunk id (`documentId#chunkIndex`). */
  chunkId: string;
  /** Document id. */
  documentId: string;
  /** Chunk index. */
  chunkIndex: number;
  /** Publication instant. */
  publishedAt: string;
  /** Document tickers. */
  tickers: string[];
  /** Title. */
  title: string;
  /** Chunk text. */
  text: string;
  /** Sentences with facts. */
  sentences: EvidenceSentence[];
  /** Periods named in the title, else in the first sentence naming one (inherited by sentences that name none). */
  documentPeriods: Period[];
  /** Periods named in the title alone (a results release's own period). */
  titlePeriods: Period[];
  /** The publication date as a period (confirms a claim's date or month of an event; never contradicts). */
  publishedPeriod: Period | null;
  /** Entity keys of the chunk, its title and its tickers. */
  entityKeys: Set<string>;
  /** Lower-case text of title and chunk, for name look-ups. */
  lowerText: string;
  /** Content terms of the whole chunk (with title). */
  termSet: Set<string>;
  /** Term frequencies of the chunk. */
  termCounts: Map<string, number>;
}

/** Initialisms of runs of two or more capitalised words (joined by "and", "of", "&" or "for"), lower-case. */
export function acronymsOf(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\b[A-Z][a-z]+(?:\s+(?:(?:and|of|for|&)\s+)?[A-Z][a-z]+)+/g)) {
    const initials = match[0]
      .split(/\s+/)
      .filter((word) => /^[A-Z]/.test(word))
      .map((word) => word[0])
      .join('');
    if (initials.length >= 2 && initials.length <= 6) found.add(initials.toLowerCase());
  }
  return [...found];
}

function publicationPeriod(publishedAt: string): Period | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(publishedAt);
  if (!match) return null;
  return {
    kind: 'date',
    year: Number(match[1]),
    quarter: null,
    half: null,
    month: Number(match[2]),
    day: Number(match[3]),
    fiscal: false,
    raw: publishedAt,
    start: 0,
    end: 0,
  };
}

const NEGATION_CUE = /\b(?:not|no|never|neither|nor|without|n't|failed to|unable to)\b|n't\b/i;

/** Split and analyse one retrieved chunk. */
export function prepareEvidence(hit: {
  chunkId: string;
  documentId: string;
  chunkIndex: number;
  publishedAt: string;
  tickers: readonly string[];
  title: string;
  text: string;
  /** Head lines of the table the chunk starts inside (SearchHit.tableHead). */
  tableHead?: string | undefined;
}): PreparedEvidence {
  // Tables are read cell by cell ("Revenue (2019): $5,000 million."); their lines are not also read as prose. A
  // chunk that starts inside a table is read under that table's head lines, kept by the store.
  const tables = readTables(hit.text, hit.tableHead ?? null);
  let prose = hit.text;
  for (const span of tables.spans) {
    prose = `${prose.slice(0, span.start)}${' '.repeat(span.end - span.start)}${prose.slice(span.end)}`;
  }
  const spans = [
    ...splitSentences(prose),
    ...tables.statements.map((statement) => ({ text: statement.text, start: statement.start, cell: statement.cell })),
  ];
  const sentences: EvidenceSentence[] = spans.map((span) => {
    const facts = analyzeText(span.text);
    const cell =
      'cell' in span && span.cell
        ? { table: span.cell.table, column: span.cell.column, rowTerms: [...new Set(analyzeText(span.cell.row).terms)] }
        : null;
    return {
      cell,
      text: span.text,
      start: span.start,
      facts,
      termSet: new Set([...facts.terms, ...acronymsOf(span.text)]),
      negated: NEGATION_CUE.test(span.text),
      negatedTerms: new Set(facts.negatedTerms),
    };
  });
  const titleFacts = analyzeText(hit.title);
  const entityKeys = new Set<string>(hit.tickers);
  for (const entity of titleFacts.entities) entityKeys.add(entity.key);
  for (const sentence of sentences) for (const entity of sentence.facts.entities) entityKeys.add(entity.key);
  const termCounts = new Map<string, number>();
  // Acronyms of capitalised names ("Federal Trade Commission" → ftc) count as terms and entities.
  for (const acronym of acronymsOf(`${hit.title}. ${hit.text}`)) {
    entityKeys.add(acronym);
    termCounts.set(acronym, (termCounts.get(acronym) ?? 0) + 1);
  }
  for (const term of titleFacts.terms) termCounts.set(term, (termCounts.get(term) ?? 0) + 1);
  for (const sentence of sentences)
    for (const term of sentence.facts.terms) termCounts.set(term, (termCounts.get(term) ?? 0) + 1);
  return {
    chunkId: hit.chunkId,
    documentId: hit.documentId,
    chunkIndex: hit.chunkIndex,
    publishedAt: hit.publishedAt,
    tickers: [...hit.tickers],
    title: hit.title,
    text: hit.text,
    sentences,
    titlePeriods: titleFacts.periods,
    documentPeriods:
      titleFacts.periods.length > 0
        ? titleFacts.periods
        : (sentences.find((sentence) => sentence.facts.periods.length > 0)?.facts.periods ?? []),
    entityKeys,
    publishedPeriod: publicationPeriod(hit.publishedAt),
    lowerText: `${hit.title}\n${hit.text}`.toLowerCase(),
    termSet: new Set(termCounts.keys()),
    termCounts,
  };
}
