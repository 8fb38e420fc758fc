/**
 * BM25 over in-memory chunks, shaped like LanceDB's full-text index: a "simple" tokeniser (maximal runs of
 * letters and digits), tokens over 40 bytes dropped, lower-cased, ASCII-folded, English stop words removed and
 * a light suffix stemmer; scores with k1 = 1.2, b = 0.75 and idf = ln(1 + (N − n + 0.5) / (n + 0.5)). The stop
 * list and stemmer are the package's own (`scoring/text.ts`), not tantivy's Snowball ones, so term statistics
 * can differ slightly from LanceDB's on inflected words. Pure functions.
 */
import { STOP_WORDS, stem } from '../scoring/text.ts';

/** BM25 term-frequency saturation. */
export const BM25_K1 = 1.2;
/** BM25 length normalisation. */
export const BM25_B = 0.75;
/** Longest token kept, in UTF-8 bytes (LanceDB's default `maxTokenLength`). */
export const MAX_TOKEN_BYTES = 40;

const TOKEN = /[\p{L}\p{N}]+/gu;
const encoder = new TextEncoder();

/** The BM25 terms of a text, in order (duplicates kept). Any string is accepted; nothing in it is syntax. */
export function bm25Terms(text: string): string[] {
  const terms: string[] = [];
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  for (const match of folded.matchAll(TOKEN)) {
    const token = match[0];
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only tokens over 13 units can exceed 40 bytes.
    if (token.length > MAX_TOKEN_BYTES || (token.length > 13 && encoder.encode(token).length > MAX_TOKEN_BYTES))
      continue;
    if (STOP_WORDS.has(token)) continue;
    terms.push(termOf(token));
  }
  return terms;
}

const TERMS = new Map<string, string>();

/** The stemmed term of a kept token (memoised: a pure function of the token). */
function termOf(token: string): string {
  let term = TERMS.get(token);
  if (term === undefined) {
    term = /^\p{N}+$/u.test(token) ? token : stem(token);
    if (TERMS.size >= 100_000) TERMS.clear();
    TERMS.set(token, term);
  }
  return term;
}

/** Term statistics of one chunk. */
export interface Bm25Document {
  /** Term → frequency. */
  frequencies: Map<string, number>;
  /** Number of terms. */
  length: number;
}

/** Corpus statistics (document frequencies over every indexed chunk). */
export interface Bm25Corpus {
  documents: number;
  averageLength: number;
  documentFrequency: Map<string, number>;
}

/** Term statistics of a text. */
export function bm25Document(text: string): Bm25Document {
  const frequencies = new Map<string, number>();
  const terms = bm25Terms(text);
  for (const term of terms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  return { frequencies, length: terms.length };
}

/** Corpus statistics of a set of documents. */
export function bm25Corpus(documents: readonly Bm25Document[]): Bm25Corpus {
  const documentFrequency = new Map<string, number>();
  let total = 0;
  for (const document of documents) {
    total += document.length;
    for (const term of document.frequencies.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  return {
    documents: documents.length,
    averageLength: documents.length === 0 ? 0 : total / documents.length,
    documentFrequency,
  };
}

/** BM25 of a document for distinct query terms; 0 when no term occurs in it. */
export function bm25Score(queryTerms: readonly string[], document: Bm25Document, corpus: Bm25Corpus): number {
  let score = 0;
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * document.length) / (corpus.averageLength || 1));
  for (const term of queryTerms) {
    const frequency = document.frequencies.get(term);
    if (frequency === undefined) continue;
    const containing = corpus.documentFrequency.get(term) ?? 0;
    const idf = Math.log(1 + (corpus.documents - containing + 0.5) / (containing + 0.5));
    score += (idf * frequency * (BM25_K1 + 1)) / (frequency + norm);
  }
  return score;
}
