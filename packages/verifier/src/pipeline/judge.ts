/**
 * Stage 4 — claim judgement: rank the pool's chunks for one claim, run the deterministic checks, and decide the
 * claim's verdict. This file is where a claim becomes `supported`, `unsupported` or `contradicted`:
 *
 * - **contradicted** only when admissible evidence states a different value (or direction, period, company) for
 *   the same metric, period and role **and** no admissible chunk of the pool states the claimed one for that slot
 *   (`checkClaim` with `admissible`: precision first — a faithful claim that restates a prior-period figure or
 *   one of several reports must not be refuted by another figure);
 * - **supported** when the calibrated support (`supportProbability` over the alignment features) reaches
 *   `supportThreshold`, or the claim is a verbatim quotation of admissible evidence;
 * - **unsupported** otherwise: anything less certain than a contradiction.
 */
import { type ClaimChecks, checkClaim, weightedCoverage, weightTerms } from '../checks/check-claim.ts';
import type { TextFacts } from '../checks/facts.ts';
import type { Claim } from '../claims/extract.ts';
import type { EntailmentScores } from '../judges/types.ts';
import { softCoverage, type TermSimilarity } from '../scoring/soft-match.ts';
import {
  checkFeatures,
  hasKeywordRun,
  isKeywordList,
  type SupportFeatures,
  type SupportModel,
  semanticFeature,
  supportProbability,
} from '../scoring/support.ts';
import type { ResolvedVerifierOptions } from '../verify/options.ts';
import type { EvidencePool, PoolEntry } from './pool.ts';
import type { ClaimVerdict } from './report.ts';

/** Weight of the recency bonus in ranking a claim's evidence (a tie-breaker, well below topical relevance). */
const RECENCY_WEIGHT = 0.05;
/** Shortest claim (in words) that counts as a verbatim quotation of the evidence. */
const MIN_QUOTE_WORDS = 6;
/** Evidence sentences (best by exact coverage) whose soft coverage of the claim is measured. */
const SOFT_SENTENCES = 8;
/** The most support a keyword list can get (below any sensible `supportThreshold`). */
const KEYWORD_LIST_CAP = 0.2;
/**
 * Below this best-sentence coverage (exact and soft) a claim is off topic: its support is capped at
 * `OFF_TOPIC_CAP`. Chosen among 0.25–0.35 on the development splits (dev, market-dev, news-dev) and verifier-b.
 */
const OFF_TOPIC_COVERAGE = 0.3;
const OFF_TOPIC_CAP = 0.2;
/** Most support for a quotation no admissible evidence contains (below any sensible `supportThreshold`). */
const MISQUOTE_CAP = 0.1;
/** Most support for a claim naming an entity no admissible evidence names. */
const ABSENT_ENTITY_CAP = 0.2;
/** Most support for a claim reporting a type of corporate event no admissible evidence mentions. */
const ABSENT_EVENT_CAP = 0.2;
/** Support of a contradicted claim, relative to its support before the contradiction. */
const CONTRADICTED_SUPPORT = 0.02;

/** A chunk ranked for one claim. */
export interface RankedEvidence {
  /** The pool entry. */
  entry: PoolEntry;
  /** IDF-weighted share of the claim's terms in the chunk. */
  lexical: number;
  /** Cosine similarity of claim and chunk vectors. */
  cosine: number;
  /** Relevance in [0, 1] (0.6 lexical + 0.4 semantic). */
  relevance: number;
}

/**
 * The claim's top-`k` chunks of the pool: 0.6 × IDF-weighted term coverage + 0.4 × embedding similarity, a small
 * recency bonus (among equally relevant daily reports the latest describes the state at asOf), then newer first
 * and chunk id for determinism.
 */
export function rankEvidence(
  facts: TextFacts,
  vector: Float32Array,
  context: EvidencePool,
  k: number,
  asOfMs: number,
): RankedEvidence[] {
  const weighted = weightTerms(facts.terms, context.idf, context.defaultIdf);
  return context.pool
    .map((entry) => {
      const lexical = weightedCoverage(weighted, entry.prepared.termSet);
      let cosine = 0;
      const other = entry.hit.vector;
      if (other && other.length === vector.length)
        for (let index = 0; index < vector.length; index += 1)
          cosine += (vector[index] as number) * (other[index] as number);
      const ageDays = Math.max(0, (asOfMs - Date.parse(entry.hit.publishedAt)) / 86_400_000);
      const recency = Number.isFinite(ageDays) ? 1 / (1 + ageDays / 7) : 0;
      const relevance = 0.6 * lexical + 0.4 * semanticFeature(cosine);
      return { entry, lexical, cosine, relevance, rank: relevance + RECENCY_WEIGHT * recency };
    })
    .sort(
      (left, right) =>
        right.rank - left.rank ||
        (left.entry.hit.publishedAt > right.entry.hit.publishedAt ? -1 : 0) ||
        (left.entry.hit.chunkId < right.entry.hit.chunkId ? -1 : 1),
    )
    .slice(0, k)
    .map(({ rank: _rank, ...ranked }) => ranked);
}

/**
 * Marks a gap in a quotation (an ellipsis or a bracketed insertion) after normalisation: a private-use character,
 * removed from the input first so that text cannot forge a gap.
 */
const GAP = '\uE000';

/**
 * Text normalised for verbatim comparison: lower case, one kind of quote and dash, punctuation other than a
 * figure's own (`$`, `%`, a decimal point or thousands comma between digits) dropped, single spaces; ellipses and
 * bracketed insertions become {@link GAP}.
 */
export function normaliseForQuote(text: string): string {
  return text
    .toLowerCase()
    .replace(/\uE000/g, ' ')
    .replace(/[‘’ʼ´`]/g, "'")
    .replace(/[“”«»]/g, '"')
    .replace(/[‐‑‒–—]/g, '-')
    .replace(/\[[^\]\n]{0,80}\]|\.{3,}|…/g, ` ${GAP} `)
    .replace(/(?<!\d)[.,]|[.,](?!\d)/g, ' ')
    .replace(/[^\p{L}\p{N}$%.,'\uE000-]+/gu, ' ')
    .replace(/(?<![\p{L}\p{N}])['-]+|['-]+(?![\p{L}\p{N}])/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const quoteText = new WeakMap<object, string>();

/** The parts of a quotation between its gaps, each of at least one word, or `null` when it is shorter than `minWords`. */
function quoteParts(claim: string, minWords: number): string[] | null {
  const parts = normaliseForQuote(claim.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, ''))
    .split(GAP)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const words = parts.reduce((total, part) => total + part.split(' ').length, 0);
  return words < minWords ? null : parts;
}

/** True when every part occurs in `text`, in order. */
function containsInOrder(text: string, parts: readonly string[]): boolean {
  let from = 0;
  for (const part of parts) {
    const at = text.indexOf(part, from);
    if (at < 0) return false;
    from = at + part.length;
  }
  return true;
}

/**
 * True when the claim appears word for word in one of the chunks — compared on words and figures, so case, quote
 * marks, dashes and punctuation do not matter, and an ellipsis or a bracketed insertion may stand for omitted
 * text: a verbatim quotation of admissible evidence is supported, whatever the checks read into it (a sentence
 * that states two directions, "fell 14% and missed a rebound", must not contradict itself).
 */
export function isVerbatimQuote(claim: string, chunks: ReadonlyArray<{ key: object; text: string }>): boolean {
  const parts = quoteParts(claim, MIN_QUOTE_WORDS);
  if (parts === null) return false;
  return chunks.some(({ key, text }) => {
    let normalised = quoteText.get(key);
    if (normalised === undefined) {
      normalised = normaliseForQuote(text);
      quoteText.set(key, normalised);
    }
    return containsInOrder(normalised, parts);
  });
}

/**
 * The texts a quotation is looked up in: every admissible chunk, and each document's admissible chunks joined in
 * order (a quotation across a chunk boundary). Cached per pool.
 */
const poolTexts = new WeakMap<EvidencePool, Array<{ key: object; text: string }>>();
function admissibleTexts(context: EvidencePool): Array<{ key: object; text: string }> {
  let texts = poolTexts.get(context);
  if (texts) return texts;
  texts = context.pool.map((entry) => ({ key: entry.prepared, text: entry.hit.text }));
  const byDocument = new Map<string, PoolEntry[]>();
  for (const entry of context.pool) {
    const list = byDocument.get(entry.hit.documentId);
    if (list) list.push(entry);
    else byDocument.set(entry.hit.documentId, [entry]);
  }
  for (const entries of byDocument.values()) {
    if (entries.length < 2) continue;
    entries.sort((left, right) => left.hit.chunkIndex - right.hit.chunkIndex);
    texts.push({ key: {}, text: entries.map((entry) => entry.hit.text).join(' ') });
  }
  poolTexts.set(context, texts);
  return texts;
}

/** True when a claim presented as a quotation is long enough for {@link isVerbatimQuote} to judge it. */
export function isCheckableQuote(claim: string): boolean {
  return quoteParts(claim, MIN_QUOTE_WORDS) !== null;
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
}

function round(value: number, digits = 6): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** What {@link judgeClaim} needs about one claim. */
export interface ClaimToJudge {
  /** The claim. */
  claim: Claim;
  /** Its facts. */
  facts: TextFacts;
  /** Whether it carries a negation cue. */
  negated: boolean;
  /** Its embedding. */
  vector: Float32Array;
}

/** The judgement of one claim, and the premise an entailment model would read. */
export interface ClaimJudgement {
  /** The verdict as reported. */
  verdict: ClaimVerdict;
  /** The best-matching evidence sentence (or chunk), for an entailment model; `null` without evidence. */
  premise: string | null;
}

/** The alignment features of a claim against its ranked evidence and checks. */
export function supportFeatures(
  claim: ClaimToJudge,
  ranked: readonly RankedEvidence[],
  checks: ClaimChecks,
  context: EvidencePool,
  similarity: TermSimilarity | null,
): { features: SupportFeatures; bestSentence: string } {
  const weighted = weightTerms(claim.facts.terms, context.idf, context.defaultIdf);
  let lexicalSentence = 0;
  let bestSentence = '';
  const scored: Array<{ coverage: number; sentence: PoolEntry['prepared']['sentences'][number] }> = [];
  for (const candidate of ranked) {
    for (const sentence of candidate.entry.prepared.sentences) {
      const coverage = weightedCoverage(weighted, sentence.termSet);
      scored.push({ coverage, sentence });
      if (coverage > lexicalSentence) {
        lexicalSentence = coverage;
        bestSentence = sentence.text;
      }
    }
  }
  let softLexical = lexicalSentence;
  if (similarity !== null) {
    const weight = (norm: string): number => context.idf.get(norm) ?? context.defaultIdf;
    scored.sort((left, right) => right.coverage - left.coverage);
    for (const { sentence } of scored.slice(0, SOFT_SENTENCES)) {
      const soft = softCoverage(claim.facts.tokens, sentence.facts.tokens, sentence.termSet, weight, similarity);
      if (soft > softLexical) softLexical = soft;
    }
  }
  const features: SupportFeatures = {
    lexical: clamp01(ranked.reduce((best, candidate) => Math.max(best, candidate.lexical), 0)),
    lexicalSentence: clamp01(lexicalSentence),
    softLexical: clamp01(softLexical),
    semantic: semanticFeature(ranked.reduce((best, candidate) => Math.max(best, candidate.cosine), -1)),
    ...checkFeatures(checks),
    // A bullet's quoted evidence is terse by nature ("close 131.82 vs SMA20 113.03"), not keyword stuffing; only a
    // long run of bare content words inside a quote is.
    keywordList: (claim.claim.kind === 'quote' ? hasKeywordRun(claim.facts.tokens) : isKeywordList(claim.facts.tokens))
      ? 1
      : 0,
  };
  if (ranked.length === 0) {
    features.lexical = 0;
    features.lexicalSentence = 0;
    features.softLexical = 0;
    features.semantic = 0;
  }
  return { features, bestSentence };
}

/**
 * Judge one claim against the pool: its top-`k` chunks decide what it is checked against; a conflict found there
 * stands only when no chunk of the whole pool states the claimed value for the same slot.
 */
export function judgeClaim(
  claim: ClaimToJudge,
  context: EvidencePool,
  options: {
    settings: ResolvedVerifierOptions;
    supportModel: SupportModel;
    subjectTicker: string;
    asOfMs: number;
    /** Word-vector similarity for soft coverage (`loadTermSimilarity()`); `null` leaves it at exact coverage. */
    similarity: TermSimilarity | null;
  },
): ClaimJudgement {
  const { settings } = options;
  const ranked = rankEvidence(claim.facts, claim.vector, context, settings.k, options.asOfMs);
  const checks = checkClaim({
    claim: claim.facts,
    claimNegated: claim.negated,
    evidence: ranked.map((candidate) => candidate.entry.prepared),
    admissible: () => context.pool.map((entry) => entry.prepared),
    idf: context.idf,
    defaultIdf: context.defaultIdf,
    subjectTicker: options.subjectTicker,
    similarity: options.similarity,
  });
  const verbatim =
    isVerbatimQuote(
      claim.claim.text,
      ranked.map((candidate) => ({ key: candidate.entry.prepared, text: candidate.entry.hit.text })),
    ) || isVerbatimQuote(claim.claim.text, admissibleTexts(context));
  if (verbatim) {
    // Everything the claim states is in the evidence as written.
    for (const list of [
      checks.numbers,
      checks.entities,
      checks.periods,
      checks.directions,
      checks.events ?? [],
    ] as Array<Array<{ status: string }>>) {
      for (const check of list) check.status = 'matched';
    }
    checks.negation = null;
    checks.conflicts = [];
  }
  const { features, bestSentence } = supportFeatures(claim, ranked, checks, context, options.similarity);
  let probability = supportProbability(features, options.supportModel);
  // A keyword list states nothing (no predicate links its words): topical overlap cannot make it supported. This
  // is the one structural bound on the fitted model, against keyword stuffing under RL.
  if (features.keywordList === 1) probability = Math.min(probability, KEYWORD_LIST_CAP);
  // A claim about someone or something the admissible evidence never names is not supported by it, however closely
  // the rest of its words match (a statement moved onto another company, product or person).
  if (checks.entities.some((entity) => entity.absent)) probability = Math.min(probability, ABSENT_ENTITY_CAP);
  // Likewise a claim reporting an event (an acquisition, an investigation, a recall, a buyback …) of a type no
  // admissible evidence mentions at all: an invented deal reads like the faithful text around it.
  if (checks.events?.some((event) => event.status === 'missing')) probability = Math.min(probability, ABSENT_EVENT_CAP);
  // A claim no evidence sentence talks about — in its words or, by word vectors, in other words — is not supported
  // by the evidence, however fluent ("Coffee consumption tends to rise in colder months…" on a market report).
  // Without this bound the fitted model gives such text ≈ 0.27, above the threshold: a blind spot under RL.
  if (features.lexicalSentence < OFF_TOPIC_COVERAGE && features.softLexical < OFF_TOPIC_COVERAGE) {
    probability = Math.min(probability, OFF_TOPIC_CAP);
  }
  if (verbatim) probability = Math.max(probability, 0.95);
  // A claim presented as a quotation ("*…*", "Supporting evidence: …") that no admissible document contains word for
  // word is a misquotation — an edited figure, a reversed verb, a sentence the cited source never printed, or one
  // only a later document prints: whatever its words share with the evidence, the quotation itself is not supported.
  const quoteFound = claim.claim.kind === 'quote' && isCheckableQuote(claim.claim.text) ? verbatim : null;
  if (quoteFound === false) probability = Math.min(probability, MISQUOTE_CAP);
  const contradicted = checks.conflicts.length > 0;
  const support = contradicted ? probability * CONTRADICTED_SUPPORT : probability;
  const verdict: ClaimVerdict = {
    id: claim.claim.id,
    text: claim.claim.text,
    start: claim.claim.start,
    end: claim.claim.end,
    section: claim.claim.section,
    kind: claim.claim.kind,
    category: claim.claim.category,
    opinion: claim.claim.opinion,
    verdict: contradicted ? 'contradicted' : support >= settings.supportThreshold ? 'supported' : 'unsupported',
    support: round(clamp01(support)),
    features: Object.fromEntries(
      Object.entries(features).map(([key, value]) => [key, round(value)]),
    ) as unknown as SupportFeatures,
    checks,
    entailment: null,
    quoteFound,
    citations: ranked.map((candidate) => ({
      documentId: candidate.entry.hit.documentId,
      chunkId: candidate.entry.hit.chunkId,
      chunkIndex: candidate.entry.hit.chunkIndex,
      publishedAt: candidate.entry.hit.publishedAt,
      title: candidate.entry.hit.title,
      score: round(clamp01(candidate.relevance)),
    })),
  };
  const premise =
    ranked.length === 0
      ? null
      : (bestSentence.length > 0 ? bestSentence : (ranked[0]?.entry.hit.text ?? '')).slice(0, 2000);
  return { verdict, premise };
}

/**
 * Blend an entailment model's scores into a verdict: a confident contradiction contradicts a claim the checks left
 * standing; otherwise support becomes `(1 − judgeWeight)·support + judgeWeight·entailment`.
 */
export function applyEntailment(
  verdict: ClaimVerdict,
  scores: EntailmentScores,
  settings: Pick<ResolvedVerifierOptions, 'entailmentContradiction' | 'judgeWeight' | 'supportThreshold'>,
): void {
  verdict.entailment = {
    entailment: round(clamp01(scores.entailment)),
    neutral: round(clamp01(scores.neutral)),
    contradiction: round(clamp01(scores.contradiction)),
  };
  if (verdict.verdict === 'contradicted') return;
  if (scores.contradiction >= settings.entailmentContradiction && scores.contradiction > scores.entailment) {
    verdict.verdict = 'contradicted';
    verdict.checks.conflicts.push(`entailment model: contradiction ${round(scores.contradiction, 3)}`);
    verdict.support = round(clamp01(verdict.support * CONTRADICTED_SUPPORT));
    return;
  }
  const blended = (1 - settings.judgeWeight) * verdict.support + settings.judgeWeight * clamp01(scores.entailment);
  verdict.support = round(clamp01(blended));
  verdict.verdict = verdict.support >= settings.supportThreshold ? 'supported' : 'unsupported';
}
