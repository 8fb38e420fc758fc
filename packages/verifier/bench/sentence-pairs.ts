/**
 * Sentence pairs from real text for the sentence-encoder benchmark: anchor sentences with a figure (FNSPID news,
 * TAT-QA annual-report paragraphs), meaning-preserving rewrites of them (positives), and other sentences or
 * meaning-changing rewrites made by the package's `perturb()` (negatives). Deterministic for a seed.
 */
import { readFileSync } from 'node:fs';
import { createRng, deriveSeed, type Rng } from '@trade-r1/core';
import { readNewsCsvFile } from '../../data/src/index.ts';
import { splitSentences } from '../src/chunking/sentences.ts';
import { tokenizeWords } from '../src/embedders/static/tokenize.ts';
import { perturb } from '../src/perturb/perturb.ts';

/** Where the text comes from and how much of it is used. */
export interface CorpusOptions {
  newsFile: string;
  tatqaFile: string;
  seed: number;
  /** Anchors drawn per source. */
  anchorsPerSource: number;
  /** Most anchors taken from one news article. */
  newsPerArticle: number;
  /** Most anchors taken from one TAT-QA context. */
  tatqaPerContext: number;
}

export type Source = 'news' | 'tatqa';
export const POSITIVE_TYPES = ['synonym', 'reorder', 'clause', 'rounded', 'combined'] as const;
export const NEGATIVE_TYPES = [
  'same-document',
  'same-ticker',
  'same-document-closest',
  'same-ticker-closest',
  'number',
  'entity',
  'direction',
  'period',
] as const;
export type PairType = (typeof POSITIVE_TYPES)[number] | (typeof NEGATIVE_TYPES)[number];

export interface Anchor {
  id: string;
  source: Source;
  document: string;
  text: string;
}
export interface Pair {
  anchor: string;
  source: Source;
  type: PairType;
  positive: boolean;
  left: string;
  right: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Anchor sentences from real text

/** Prose of 10–45 words with a figure, ending with a period, without links, tables or boilerplate. */
function usable(sentence: string, needFigure = true): boolean {
  const words = sentence.split(/\s+/).length;
  if (words < (needFigure ? 10 : 8) || words > 45) return false;
  if (needFigure && !/\d/.test(sentence)) return false;
  if (!/\.$/.test(sentence) || !/^[A-Z"“]/.test(sentence) || /\n/.test(sentence)) return false;
  return !/https?:|www\.|@|\||©|click|subscribe|disclosure|newsletter|free report|zacks rank|motley fool|:$/i.test(
    sentence,
  );
}

function sentencesOf(text: string): string[] {
  return splitSentences(text).map((span) => text.slice(span.start, span.end).trim());
}

export interface Corpus {
  anchors: Anchor[];
  /** Usable sentences of each document (for same-document negatives). */
  byDocument: Map<string, string[]>;
  /** Documents in order per source (for same-ticker negatives). */
  documents: Map<Source, string[]>;
  counts: Record<string, number>;
}

export async function loadCorpus(options: CorpusOptions): Promise<Corpus> {
  const anchors: Anchor[] = [];
  const byDocument = new Map<string, string[]>();
  const documents = new Map<Source, string[]>();
  const seen = new Set<string>();
  const counts: Record<string, number> = {};

  const { items } = await readNewsCsvFile(options.newsFile, { tickers: ['AAPL'] });
  const articles = items
    .filter((item) => item.summary.length >= 400)
    .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));
  counts.newsArticles = articles.length;
  const newsAnchors: Anchor[] = [];
  for (const article of articles) {
    const id = `news:${article.id}`;
    if (byDocument.has(id)) continue;
    const sentences = sentencesOf(article.summary).filter((sentence) => usable(sentence, false));
    const fresh = sentences.filter((sentence) => !seen.has(sentence));
    for (const sentence of fresh) seen.add(sentence);
    byDocument.set(id, fresh);
    documents.set('news', [...(documents.get('news') ?? []), id]);
    for (const text of fresh.filter((sentence) => usable(sentence)).slice(0, options.newsPerArticle))
      newsAnchors.push({ id: `${id}#${newsAnchors.length}`, source: 'news', document: id, text });
  }

  const contexts = JSON.parse(readFileSync(options.tatqaFile, 'utf8')) as Array<{
    table: { uid: string };
    paragraphs: Array<{ text: string }>;
  }>;
  counts.tatqaContexts = contexts.length;
  const tatqaAnchors: Anchor[] = [];
  for (const context of contexts) {
    const id = `tatqa:${context.table.uid}`;
    const sentences = context.paragraphs.flatMap((paragraph) => sentencesOf(paragraph.text));
    const fresh = sentences.filter((sentence) => usable(sentence, false) && !seen.has(sentence));
    for (const sentence of fresh) seen.add(sentence);
    byDocument.set(id, fresh);
    documents.set('tatqa', [...(documents.get('tatqa') ?? []), id]);
    for (const text of fresh.filter((sentence) => usable(sentence)).slice(0, options.tatqaPerContext))
      tatqaAnchors.push({ id: `${id}#${tatqaAnchors.length}`, source: 'tatqa', document: id, text });
  }
  const rng = createRng(deriveSeed(options.seed, 'anchors'));
  counts.newsCandidates = newsAnchors.length;
  counts.tatqaCandidates = tatqaAnchors.length;
  anchors.push(...rng.sample(newsAnchors, Math.min(options.anchorsPerSource, newsAnchors.length)));
  anchors.push(...rng.sample(tatqaAnchors, Math.min(options.anchorsPerSource, tatqaAnchors.length)));
  return { anchors, byDocument, documents, counts };
}

// ---------------------------------------------------------------------------------------------------------------
// Meaning-preserving rewrites

/** Substitutions that keep the meaning of a financial sentence (whole words, case kept). */
const SYNONYMS: Array<[string, string]> = [
  ['increased', 'rose'],
  ['rose', 'increased'],
  ['decreased', 'fell'],
  ['fell', 'decreased'],
  ['declined', 'dropped'],
  ['grew', 'expanded'],
  ['revenue', 'sales'],
  ['revenues', 'sales'],
  ['net sales', 'revenue'],
  ['company', 'firm'],
  ['approximately', 'about'],
  ['roughly', 'around'],
  ['about', 'approximately'],
  ['said', 'stated'],
  ['stated', 'said'],
  ['reported', 'posted'],
  ['expects', 'anticipates'],
  ['purchase', 'buy'],
  ['purchased', 'bought'],
  ['acquired', 'bought'],
  ['biggest', 'largest'],
  ['largest', 'biggest'],
  ['significant', 'substantial'],
  ['primarily', 'mainly'],
  ['mainly', 'primarily'],
  ['due to', 'because of'],
  ['as a result of', 'because of'],
  ['compared to', 'versus'],
  ['compared with', 'versus'],
  ['percent', '%'],
  ['per cent', '%'],
  ['customers', 'clients'],
  ['fiscal year', 'financial year'],
  ['expenses', 'costs'],
  ['income', 'earnings'],
  ['amounted to', 'totalled'],
  ['was', 'stood at'],
];

function keepCase(original: string, replacement: string): string {
  return /^[A-Z]/.test(original) ? replacement.charAt(0).toUpperCase() + replacement.slice(1) : replacement;
}

function synonymRewrite(text: string): string | null {
  let rewritten = text;
  let changes = 0;
  const used = new Set<string>();
  for (const [from, to] of SYNONYMS) {
    if (used.has(from) || used.has(to)) continue;
    const pattern = new RegExp(`(?<![\\w-])${from.replace(/[-%]/g, (c) => `\\${c}`)}(?![\\w-])`, 'gi');
    if (!pattern.test(rewritten)) continue;
    // "was" only before a figure ("was $4.2 million"), so a passive ("was acquired") never changes.
    // Never after "there" ("there was 1 transfer").
    const wasBeforeFigure = /(?<![Tt]here )\bwas(?= \$?\d)/g;
    if (from === 'was' && !wasBeforeFigure.test(rewritten)) continue;
    const scoped = from === 'was' ? wasBeforeFigure : pattern;
    rewritten = rewritten.replace(scoped, (match) => keepCase(match, to));
    used.add(from);
    used.add(to);
    changes += 1;
    if (changes >= 3) break;
  }
  rewritten = rewritten.replace(/(\d) %/g, '$1%');
  return changes > 0 && rewritten !== text ? rewritten : null;
}

const FUNCTION_WORDS = /^(The|A|An|This|These|That|Those|Its|Our|We|It|They|Their|Total|Net|Revenue|Sales|Shares)\b/;
function lowerFirst(text: string): string {
  return FUNCTION_WORDS.test(text) && !/^[A-Z]{2}/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function reorderRewrite(text: string): string | null {
  const body = text.replace(/\.$/, '');
  // "In 2019, revenue rose 5%." → "Revenue rose 5% in 2019."
  // Only when the rest has no comma, so the phrase cannot end up attached to a subordinate clause.
  const leading =
    /^((?:In|During|For|As of|At|On|Over|Through|Since|By the end of|At the end of) [^,]{2,40}(?:, (?:19|20)\d{2})?), ([^,]{15,})$/.exec(
      body,
    );
  if (leading?.[1] && leading[2])
    return `${upperFirst(leading[2])} ${lowerFirst(leading[1]).replace(/^([A-Z])/, (c) => c.toLowerCase())}.`;
  // "A, according to B." → "According to B, A."
  const according = /^(.{15,}), according to (.{3,60})$/.exec(body);
  if (according?.[1] && according[2]) return `According to ${according[2]}, ${lowerFirst(according[1])}.`;
  // "A, said B." → "B said A."
  const said = /^(.{15,}), (said|says|noted|wrote) ([^,]{3,60})$/.exec(body);
  if (said?.[1] && said[2] && said[3]) return `${upperFirst(said[3])} ${said[2]} ${lowerFirst(said[1])}.`;
  // "A, while B." → "While B, A."
  const whileClause = /^(.{15,}), while (.{15,})$/.exec(body);
  if (whileClause?.[1] && whileClause[2]) return `While ${whileClause[2]}, ${lowerFirst(whileClause[1])}.`;
  // "X rose 5% to $10 million" → "X rose to $10 million, up 5%"
  const change =
    /^(.+?) (rose|increased|grew|fell|decreased|declined|dropped) (\d[\d.,]*%) to (\$?[\d.,]+(?: (?:million|billion|thousand))?)(.*)$/.exec(
      body,
    );
  if (change?.[1] && change[2] && change[3] && change[4]) {
    const up = /rose|increased|grew/.test(change[2]);
    return `${change[1]} ${change[2]} to ${change[4]}${change[5] ?? ''}, ${up ? 'up' : 'down'} ${change[3]}.`;
  }
  return null;
}

/** One clause that stands on its own (a subject and a verb), from a compound sentence. */
function clauseRewrite(text: string): string | null {
  const body = text.replace(/\.$/, '');
  // Not ", and": in filings it mostly joins list items, and a list cut short is not the same statement.
  const parts = body.split(/;\s+|,\s+(?:while|but|whereas|which|as)\s+|\s+—\s+/);
  if (parts.length < 2) return null;
  const first = parts[0]?.trim() ?? '';
  const words = first.split(/\s+/).length;
  if (words < 5 || words >= body.split(/\s+/).length - 2) return null;
  if (
    !/\b(is|are|was|were|has|have|had|rose|fell|grew|increased|decreased|declined|reported|said|expects|will|reached|totaled|totalled|amounted|represented|recorded|saw|posted|[a-z]+ed)\b/.test(
      first,
    )
  )
    return null;
  return `${first}.`;
}

const FIGURE = /([$£€]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%| percent| million| billion| thousand)?/g;

/** Round one figure (not a year) and hedge it: "12.47%" → "about 12.5%", "$1,496.5 million" → "about $1.5 billion". */
function roundedRewrite(text: string): string | null {
  for (const match of text.matchAll(FIGURE)) {
    const [raw, dollar = '', integer = '', fraction = '', unit = ''] = match;
    const value = Number(`${integer.replace(/,/g, '')}${fraction}`);
    if (!Number.isFinite(value) || value === 0) continue;
    if (!dollar && !unit && !fraction && value >= 1900 && value <= 2100) continue; // a year
    if (/^\s?[-–]\s?\d/.test(text.slice((match.index ?? 0) + raw.length))) continue; // part of a range
    const before = text.slice(Math.max(0, (match.index ?? 0) - 12), match.index ?? 0);
    if (/(about|approximately|roughly|nearly|around|almost|over|under)\s$/i.test(before)) continue;
    let replacement: string | null = null;
    if (unit.trim() === 'million' && value >= 1000) {
      replacement = `${dollar}${(value / 1000).toFixed(1)} billion`;
    } else if (fraction.length > 2) {
      const digits = fraction.length - 2;
      const grouped = integer.includes(',');
      const shown = value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
        useGrouping: grouped,
      });
      replacement = `${dollar}${shown}${unit}`;
    } else if (fraction.length === 2 && value >= 10) {
      replacement = `${dollar}${Math.round(value)}${unit}`;
    } else if (!fraction && value >= 1000) {
      const magnitude = 10 ** (Math.floor(Math.log10(value)) - 1);
      const rounded = Math.round(value / magnitude) * magnitude;
      replacement = `${dollar}${rounded.toLocaleString('en-US')}${unit}`;
    }
    if (replacement === null || replacement === raw.trim()) continue;
    const start = match.index ?? 0;
    const trailing = raw.endsWith(' ') ? ' ' : '';
    return `${text.slice(0, start)}about ${replacement}${trailing}${text.slice(start + raw.length)}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Pairs

function otherSentence(pool: readonly string[] | undefined, anchor: string, rng: Rng): string | null {
  const candidates = (pool ?? []).filter((sentence) => sentence !== anchor);
  return candidates.length === 0 ? null : (candidates[rng.int(0, candidates.length - 1)] as string);
}

/**
 * Word-set Jaccard above which another article's sentence is a near-copy of the anchor (syndicated text, a daily
 * report's repeated opening) rather than another statement.
 */
const NEAR_COPY = 0.6;

/** The sentence of `pool` with the most words in common with `anchor` (Jaccard) short of a near-copy: a hard negative. */
function closestSentence(pool: readonly string[], anchor: string): string | null {
  let best: string | null = null;
  let bestScore = -1;
  for (const sentence of pool) {
    if (sentence === anchor) continue;
    const score = jaccard(anchor, sentence);
    if (score > bestScore && score < NEAR_COPY) {
      best = sentence;
      bestScore = score;
    }
  }
  return best;
}

/** All rewrites that apply, in sequence (figure rounded, words substituted, phrases moved); at least two. */
function combinedRewrite(text: string): string | null {
  let rewritten = text;
  let applied = 0;
  for (const rewrite of [roundedRewrite, synonymRewrite, reorderRewrite]) {
    const next = rewrite(rewritten);
    if (next !== null) {
      rewritten = next;
      applied += 1;
    }
  }
  return applied >= 2 ? rewritten : null;
}

export function buildPairs(corpus: Corpus, seed: number): Pair[] {
  const pairs: Pair[] = [];
  const newsDocuments = corpus.documents.get('news') ?? [];
  for (const anchor of corpus.anchors) {
    const rng = createRng(deriveSeed(seed, anchor.id));
    const add = (type: PairType, positive: boolean, right: string | null | undefined) => {
      if (right && right.trim() !== anchor.text.trim())
        pairs.push({ anchor: anchor.id, source: anchor.source, type, positive, left: anchor.text, right });
    };
    add('synonym', true, synonymRewrite(anchor.text));
    add('reorder', true, reorderRewrite(anchor.text));
    add('clause', true, clauseRewrite(anchor.text));
    add('rounded', true, roundedRewrite(anchor.text));
    add('combined', true, combinedRewrite(anchor.text));
    const sameDocument = corpus.byDocument.get(anchor.document) ?? [];
    add('same-document', false, otherSentence(sameDocument, anchor.text, rng));
    add('same-document-closest', false, closestSentence(sameDocument, anchor.text));
    if (anchor.source === 'news') {
      const others = newsDocuments.filter((document) => document !== anchor.document);
      const document = others[rng.int(0, others.length - 1)];
      add('same-ticker', false, otherSentence(document ? corpus.byDocument.get(document) : [], anchor.text, rng));
      const pool = others.flatMap((other) => corpus.byDocument.get(other) ?? []);
      add('same-ticker-closest', false, closestSentence(pool, anchor.text));
    }
    for (const [type, kind] of [
      ['number', 'number'],
      ['entity', 'entity'],
      ['direction', 'negation'],
      ['period', 'period'],
    ] as const) {
      const changed = perturb({
        reasoning: anchor.text,
        decision: 'HOLD',
        type: kind,
        seed: deriveSeed(seed, `${anchor.id}:${type}`),
        ...(anchor.source === 'news' ? { ticker: 'AAPL' } : {}),
      });
      add(type, false, changed?.reasoning);
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------------------------
// Scores and statistics

export function jaccard(left: string, right: string): number {
  const a = new Set(tokenizeWords(left));
  const b = new Set(tokenizeWords(right));
  let shared = 0;
  for (const token of a) if (b.has(token)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}
