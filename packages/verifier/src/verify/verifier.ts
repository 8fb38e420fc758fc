import {
  type Decision,
  decisionSignal,
  isAvailableAt,
  parseWith,
  TradeR1Error,
  throwIfAborted,
  toTradeR1Error,
} from '@trade-r1/core';
import { type ClaimChecks, checkClaim, weightedCoverage, weightTerms } from '../checks/check-claim.ts';
import { type PreparedEvidence, prepareEvidence } from '../checks/evidence.ts';
import { analyzeTextCached, type TextFacts } from '../checks/facts.ts';
import {
  type Claim,
  type ClaimCategory,
  type ClaimKind,
  type DecisionTag,
  extractClaims,
  isEvaluative,
} from '../claims/extract.ts';
import type { Embedder } from '../embedders/types.ts';
import type { EntailmentModel, EntailmentScores, PairJudge, PairJudgement } from '../judges/types.ts';
import {
  aggregateScores,
  checkFeatures,
  DEFAULT_SUPPORT_MODEL,
  hasKeywordRun,
  isKeywordList,
  type SupportFeatures,
  semanticFeature,
  supportProbability,
} from '../scoring/support.ts';
import { contentHash, hashString, stableStringify } from '../scoring/text.ts';
import {
  accumulateStance,
  finishStance,
  type StanceScore,
  scoreReasoningStance,
  stanceAgreement,
} from '../stance/stance.ts';
import type { EvidenceStore, SearchHit, SearchRequest } from '../store/types.ts';
import {
  type ResolvedVerifierOptions,
  type VerifierOptions,
  type VerifyInput,
  verifierOptionsSchema,
  verifyInputSchema,
} from './options.ts';

/** Verdict of one claim. */
export type ClaimVerdictLabel = 'supported' | 'contradicted' | 'unsupported';

/** A piece of evidence a claim was checked against. */
export interface Citation {
  /** Document id. */
  documentId: string;
  /** `documentId#chunkIndex`. */
  chunkId: string;
  /** Chunk index in the document. */
  chunkIndex: number;
  /** Publication instant (always at or before the report's `asOf`). */
  publishedAt: string;
  /** Document title. */
  title: string;
  /** Relevance of the chunk to the claim in [0, 1] (lexical coverage and embedding similarity). */
  score: number;
}

/** The verdict on one claim. */
export interface ClaimVerdict {
  /** Claim id (`c0`, …). */
  id: string;
  /** Claim text. */
  text: string;
  /** Character span in the reasoning. */
  start: number;
  /** End of the span (exclusive). */
  end: number;
  /** XML section, if any. */
  section: string | null;
  /** How the claim was found (sentence, bullet, quote, table row, conclusion, summary line). */
  kind: ClaimKind;
  /** Factual (scored for factuality), opinion or meta (about the analysis itself); see `ClaimCategory`. */
  category: ClaimCategory;
  /** True when the claim is not factual (`category` is `opinion` or `meta`). */
  opinion: boolean;
  /** Supported, contradicted (a figure, period, entity, direction or negation conflicts), or unsupported. */
  verdict: ClaimVerdictLabel;
  /** Calibrated support in [0, 1] (near 0 for contradicted claims). */
  support: number;
  /** The support model's inputs. */
  features: SupportFeatures;
  /** Deterministic checks. */
  checks: ClaimChecks;
  /** Entailment model scores against the best evidence, when a model is plugged in. */
  entailment: EntailmentScores | null;
  /** The claim's top-k evidence, best first. */
  citations: Citation[];
}

/** Why scores are zero or degraded. */
export type ReportReason =
  | 'EMPTY_REASONING'
  | 'NO_CLAIMS'
  | 'NO_FACTUAL_CLAIMS'
  | 'NO_EVIDENCE'
  | 'DECISION_TAG_MISMATCH';

/** The verification report. JSON-serialisable and deterministic for the same inputs and configuration. */
export interface VerificationReport {
  /** Ticker verified. */
  ticker: string;
  /** Decision time (UTC ISO instant); no evidence published after it was used. */
  asOf: string;
  /** The decision verified. */
  decision: Decision;
  /** The three pair scores and their aggregate, each in [0, 1]. */
  scores: {
    /**
     * Evidence → reasoning: the weighted mean credit of the factual claims (supported 0.8–1, unsupported
     * ≤ 0.5·support and weighing `unsupportedWeight`, contradicted 0), times `contradictionPenalty` per contradicted
     * claim; 0.5 when the reasoning has no factual claim (nothing checkable, reason `NO_FACTUAL_CLAIMS`).
     */
    factuality: number;
    /** Reasoning → decision: agreement of the reasoning's stance with the decision. */
    deduction: number;
    /** Evidence → decision: agreement of the evidence's stance with the decision. */
    consistency: number;
    /** Aggregate of the three (`aggregate`). */
    s: number;
  };
  /** How `s` was aggregated. */
  aggregate: 'mean' | 'min' | 'geometric';
  /** Share of factual claims that are unsupported or contradicted, in [0, 1] (0 when none is factual). */
  hallucinationRate: number;
  /** Stances in [−1, 1] and the decision's signal. */
  stance: { reasoning: number; evidence: number; decision: number };
  /** The decision tag written in the reasoning (`[[BUY]]`), if any. */
  decisionTag: Decision | null;
  /** Claim counts by verdict. */
  counts: { claims: number; supported: number; contradicted: number; unsupported: number };
  /** Per-claim verdicts. */
  claims: ClaimVerdict[];
  /** Evidence pool size and how many chunks were cited. */
  evidence: { candidates: number; cited: number };
  /** Problems found, by the configured thresholds (e.g. `contradicted-claim`, `low-deduction`). */
  flags: string[];
  /** Why a score is zero or degraded. */
  reasons: ReportReason[];
  /** Scores of plugged-in judges before blending, if any. */
  judges: { llm: PairJudgement | null };
  /** Models used. */
  models: { embedder: string; entailment: string | null; llm: string | null };
  /** Hash of the configuration that produced the report. */
  configHash: string;
}

/** What `createVerifier` needs. */
export interface CreateVerifierOptions {
  /**
   * The point-in-time evidence store (`openEvidenceStore`), or anything with its `search` (and optionally its
   * `version`, which enables `searchCacheSize` and keys `poolCacheSize` by content).
   */
  store: Pick<EvidenceStore, 'search'> & Partial<Pick<EvidenceStore, 'version'>>;
  /** Embeds claims (must be the store's embedder for vector retrieval). */
  embedder: Embedder;
  /** Stronger judges, blended with the deterministic scores by `options.judgeWeight`. */
  judges?: { entailment?: EntailmentModel; llm?: PairJudge };
  /** Scoring options. */
  options?: VerifierOptions;
}

/** Options of one `verify`/`verifyBatch` call. */
export interface VerifyCallOptions {
  /** Cancels the work. */
  signal?: AbortSignal;
}

/** Options of `verifyBatch`. */
export interface VerifyBatchOptions extends VerifyCallOptions {
  /** Verifications whose retrieval runs at once. @default 4 */
  concurrency?: number;
}

/** A verifier handle. */
export interface Verifier {
  /** Verify one reasoning. */
  verify(input: VerifyInput, options?: VerifyCallOptions): Promise<VerificationReport>;
  /** Verify many, embedding all their claims in one call. Reports are in input order. */
  verifyBatch(items: readonly VerifyInput[], options?: VerifyBatchOptions): Promise<VerificationReport[]>;
  /** The resolved options. */
  readonly options: ResolvedVerifierOptions;
  /** Hash of the configuration (recorded in every report). */
  readonly configHash: string;
  /**
   * Forget the cached candidate pools (`poolCacheSize`) and search results (`searchCacheSize`). Only needed for a
   * store without `version()` after adding or deleting evidence (caches of a versioned store are keyed by version).
   */
  clearCache(): void;
  /** Release caches (the store, embedder and judges belong to the caller). Idempotent. */
  close(): Promise<void>;
}

interface PoolEntry {
  hit: SearchHit;
  prepared: PreparedEvidence;
  stance: StanceScore;
}

interface PoolContext {
  pool: PoolEntry[];
  idf: Map<string, number>;
  defaultIdf: number;
}

interface Prepared {
  /** Claims classed as opinions only by their evaluative cues (no explicit marker): off topic, they count as facts. */
  cueOpinions: Set<string>;
  input: { ticker: string; asOf: string; reasoning: string; decision: Decision };
  claims: Claim[];
  claimFacts: TextFacts[];
  claimNegated: boolean[];
  decisionTag: DecisionTag | null;
  conclusion: Array<{ start: number; end: number }>;
  reasons: ReportReason[];
}

/**
 * Prepared evidence (sentences, facts, stance) shared by every verifier in the process, keyed by chunk id,
 * content hash, publication time and title: the same chunk is analysed once however often it is retrieved.
 */
const evidenceCache = new Map<string, { prepared: PreparedEvidence; stance: StanceScore }>();

function prepared(hit: SearchHit): { prepared: PreparedEvidence; stance: StanceScore } {
  const key = `${hit.chunkId}\u0000${contentHash(hit.text)}\u0000${hit.publishedAt}\u0000${hit.title}\u0000${hit.tickers.join(',')}`;
  let entry = evidenceCache.get(key);
  if (entry) {
    // Refresh its position (least recently used is evicted first).
    evidenceCache.delete(key);
    evidenceCache.set(key, entry);
    return entry;
  }
  const evidence = prepareEvidence(hit);
  const stance: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
  accumulateStance(hit.title, 1, stance);
  for (const sentence of evidence.sentences) accumulateStance(sentence.text, 1, stance, sentence.facts);
  entry = { prepared: evidence, stance };
  if (evidenceCache.size >= EVIDENCE_CACHE_LIMIT) {
    const oldest = evidenceCache.keys().next().value;
    if (oldest !== undefined) evidenceCache.delete(oldest);
  }
  evidenceCache.set(key, entry);
  return entry;
}

const MACRO_METRICS = new Set(['rate', 'inflation', 'unemployment', 'gdp']);
const MACRO_WORDS =
  /\b(?:Fed|Federal Reserve|FOMC|central bank|Treasury|yields?|recession|tariffs?|payrolls|jobs report|CPI|PCE|GDP|oil prices?|crude|Brent|WTI|the economy|economic)\b/;

/** True when a claim is about the economy rather than the company (so market-wide evidence is admissible). */
function mentionsMacro(facts: TextFacts): boolean {
  return facts.metrics.some((metric) => MACRO_METRICS.has(metric.id)) || MACRO_WORDS.test(facts.source);
}

const NEGATION_CUE = /\b(?:not|no|never|neither|nor|without|failed to|unable to)\b|n't\b/i;
const EVIDENCE_CACHE_LIMIT = 50_000;
/** Weight of the recency bonus in ranking a claim's evidence (a tie-breaker, well below topical relevance). */
const RECENCY_WEIGHT = 0.05;
/** The most support a keyword list can get (below the default `supportThreshold`, like a missing company). */
const KEYWORD_LIST_CAP = 0.3;
/**
 * A claim that is an opinion only by its polarity cues stays an opinion when its best evidence covers at least this
 * share of its weighted terms, or is at least this similar (semantic feature); otherwise it counts as factual.
 */
const OPINION_TOPIC_LEXICAL = 0.35;
const OPINION_TOPIC_SEMANTIC = 0.5;
/** A labelled conclusion line ("Conclusion: …", "Bottom line: …"). */
const CONCLUSION_LABEL = /^\W*(?:conclusion|in conclusion|bottom line|verdict|summary|overall|takeaway)\b\s*[:,-]/i;
/** Distinct claims per pool query in a group of verifications of the same (ticker, asOf). */
const CLAIMS_PER_QUERY = 12;
/** Most pool queries per group (later claims join the last query). */
const MAX_QUERIES_PER_GROUP = 4;
/** Shortest claim (in words) that counts as a verbatim quotation of the evidence. */
const MIN_QUOTE_WORDS = 6;

/** Text normalised for verbatim comparison: lower case, one kind of quote and dash, single spaces. */
function normaliseForQuote(text: string): string {
  return text
    .toLowerCase()
    .replace(/[‘’ʼ´`]/g, "'")
    .replace(/[“”«»]/g, '"')
    .replace(/[‐‑‒–—]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

const quoteText = new WeakMap<object, string>();

/**
 * True when the claim (without its trailing punctuation) appears word for word in one of the evidence chunks: a
 * verbatim quotation of admissible evidence is supported, whatever the checks read into it (a sentence that
 * states two directions, "fell 14% and missed a rebound", must not contradict itself).
 */
function isVerbatimQuote(claim: string, chunks: ReadonlyArray<{ key: object; text: string }>): boolean {
  const needle = normaliseForQuote(claim)
    .replace(/^[-*•\d.)\s]+/, '')
    .replace(/[\s.!?;:,"']+$/, '');
  if (needle.split(' ').length < MIN_QUOTE_WORDS) return false;
  return chunks.some(({ key, text }) => {
    let normalised = quoteText.get(key);
    if (normalised === undefined) {
      normalised = normaliseForQuote(text);
      quoteText.set(key, normalised);
    }
    return normalised.includes(needle);
  });
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
}

function round(value: number, digits = 6): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Create a verifier over a point-in-time evidence store: it extracts the reasoning's claims, retrieves the
 * evidence available at `asOf` once per verification (a pool of `candidatePool` chunks), scores each claim
 * against its top-k chunks (lexical coverage, embedding similarity and the deterministic checks), and computes
 * Trade-R1's three pair scores and their aggregate.
 *
 * @example
 * const verifier = createVerifier({ store, embedder });
 * const report = await verifier.verify({ ticker: 'AAPL', asOf: '2024-08-05', reasoning, decision: 'BUY' });
 * report.scores.s; // in [0, 1]
 */
export function createVerifier(options: CreateVerifierOptions): Verifier {
  const settings = parseWith(verifierOptionsSchema, options.options ?? {}, {
    code: 'INVALID_CONFIG',
    label: 'createVerifier options',
  });
  const { store, embedder } = options;
  if (!store || typeof store.search !== 'function') {
    throw new TradeR1Error('INVALID_CONFIG', 'createVerifier needs a store with a search() method (openEvidenceStore)');
  }
  if (!embedder || typeof embedder.embed !== 'function') {
    throw new TradeR1Error('INVALID_CONFIG', 'createVerifier needs an embedder (e.g. createDefaultEmbedder())');
  }
  const entailment = options.judges?.entailment ?? null;
  const llm = options.judges?.llm ?? null;
  const supportModel = settings.supportModel ?? DEFAULT_SUPPORT_MODEL;
  const configHash = hashString(
    stableStringify({
      settings,
      supportModel,
      embedder: embedder.modelId,
      entailment: entailment?.modelId ?? null,
      llm: llm?.modelId ?? null,
      version: 1,
    }),
  );
  let closed = false;

  const prepare = (raw: VerifyInput): Prepared => {
    const input = parseWith(verifyInputSchema, raw, { label: 'verify() input' });
    if (input.reasoning.length > settings.maxReasoningChars) {
      throw new TradeR1Error(
        'TOO_LARGE',
        `Reasoning has ${input.reasoning.length} characters, more than maxReasoningChars (${settings.maxReasoningChars}); raise the option or shorten the text`,
        { details: { length: input.reasoning.length, maxReasoningChars: settings.maxReasoningChars } },
      );
    }
    const reasons: ReportReason[] = [];
    const extracted =
      input.reasoning.trim() === ''
        ? { claims: [], decisionTag: null, conclusionSpans: [] }
        : extractClaims(input.reasoning, { maxClaims: settings.maxClaims });
    if (input.reasoning.trim() === '') reasons.push('EMPTY_REASONING');
    else if (extracted.claims.length === 0) reasons.push('NO_CLAIMS');
    if (extracted.decisionTag && extracted.decisionTag.decision !== input.decision)
      reasons.push('DECISION_TAG_MISMATCH');
    // A claim without a figure, period or name other than the subject, that carries evaluative cues, is an
    // opinion even without an explicit marker ("another blowout quarter", "momentum remains strong").
    const claimFacts = extracted.claims.map((claim) => analyzeTextCached(claim.text));
    const cueOpinions = new Set<string>();
    const claims = extracted.claims.map((claim, index): Claim => {
      const facts = claimFacts[index] as TextFacts;
      const companies = facts.entities.filter((entity) => entity.kind === 'company' && entity.key !== input.ticker);
      // Keyword lists and statements naming another company are checkable whatever their wording.
      if (claim.opinion && claim.kind !== 'quote' && (isKeywordList(facts.tokens) || companies.length > 0)) {
        return { ...claim, opinion: false, category: 'factual' };
      }
      if (claim.opinion) return claim;
      const specifics =
        facts.quantities.length +
        facts.periods.length +
        facts.entities.filter((entity) => entity.key !== input.ticker).length;
      if (specifics > 0 || claim.kind === 'quote' || isKeywordList(facts.tokens)) return claim;
      const cues: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
      accumulateStance(claim.text, 1, cues, facts);
      const marked = isEvaluative(claim.text);
      const evaluative = cues.cues > 0 || marked;
      // Opinions by stance cues alone are re-checked for topicality when scored (see `cueOpinions`); the
      // conclusion's own evaluation ("Conclusion: a mixed picture; hold.") is an opinion wherever it stands.
      const concluding =
        claim.section === 'conclusion' || claim.kind === 'conclusion' || CONCLUSION_LABEL.test(claim.text);
      if (evaluative && !marked && !concluding) cueOpinions.add(claim.id);
      return evaluative ? { ...claim, opinion: true, category: 'opinion' } : claim;
    });
    return {
      input,
      claims,
      claimFacts,
      claimNegated: extracted.claims.map((claim) => NEGATION_CUE.test(claim.text)),
      cueOpinions,
      decisionTag: extracted.decisionTag,
      conclusion: extracted.conclusionSpans,
      reasons,
    };
  };

  const needsMarketWide = (items: readonly Prepared[]): boolean =>
    settings.marketWide === 'always' ||
    (settings.marketWide === 'auto' && items.some((item) => item.claimFacts.some((facts) => mentionsMacro(facts))));

  /** Prepared pools by (ticker, asOf, market-wide), least recently used first (`poolCacheSize` entries). */
  const poolCache = new Map<string, PoolContext>();
  /** Search results by (store version, request), least recently used first (`searchCacheSize` entries). */
  const searchCache = new Map<string, Promise<SearchHit[]>>();
  const versioned = typeof store.version === 'function';

  /**
   * Point-in-time retrieval for a group of verifications of the same (ticker, asOf). The group's distinct claims
   * are cut into slices of `CLAIMS_PER_QUERY` (at most `MAX_QUERIES_PER_GROUP` slices, the remaining claims joining
   * the last); each slice is one search (its claims as the query, the mean of their vectors as the vector) for
   * `candidatePool` chunks, and the pool is the union. One query for a single reasoning, as before; a group whose
   * reasonings cite different documents gets the recall of separate queries instead of one diluted query.
   */
  const retrieve = async (
    items: readonly Prepared[],
    vectors: readonly Float32Array[][],
    version: number | null,
    signal?: AbortSignal,
  ): Promise<SearchHit[]> => {
    const first = items[0];
    if (!first || items.every((item) => item.claims.length === 0)) return [];
    const distinct = new Map<string, Float32Array>();
    items.forEach((item, itemIndex) => {
      item.claims.forEach((claim, claimIndex) => {
        const vector = vectors[itemIndex]?.[claimIndex];
        if (vector && !distinct.has(claim.text)) distinct.set(claim.text, vector);
      });
    });
    const claims = [...distinct.entries()];
    const sliceCount = Math.max(1, Math.min(MAX_QUERIES_PER_GROUP, Math.ceil(claims.length / CLAIMS_PER_QUERY)));
    const slices = Array.from({ length: sliceCount }, (_, index) =>
      claims.slice(index * CLAIMS_PER_QUERY, index === sliceCount - 1 ? claims.length : (index + 1) * CLAIMS_PER_QUERY),
    );
    const search = (slice: Array<[string, Float32Array]>, request: Partial<SearchRequest>) => {
      const query = slice
        .map(([text]) => text)
        .join(' ')
        .slice(0, 4000);
      const mean = new Float32Array(embedder.dimension);
      for (const [, vector] of slice)
        for (let index = 0; index < mean.length; index += 1)
          mean[index] = (mean[index] as number) + (vector[index] ?? 0);
      let norm = 0;
      for (const value of mean) norm += value * value;
      norm = Math.sqrt(norm);
      if (norm > 0) for (let index = 0; index < mean.length; index += 1) mean[index] = (mean[index] as number) / norm;
      const run = () =>
        store.search({
          ...(settings.retrieval !== 'vector' && { query }),
          ...(settings.retrieval !== 'text' && norm > 0 && { vector: mean }),
          mode: settings.retrieval === 'vector' && norm === 0 ? ('text' as const) : settings.retrieval,
          asOf: first.input.asOf,
          includeVectors: true,
          ...(signal && { signal }),
          ...request,
        });
      if (version === null || settings.searchCacheSize === 0) return run();
      // The request is a function of these values (the vector is the mean of the claims' embeddings).
      const key = contentHash(
        stableStringify({
          version,
          asOf: first.input.asOf,
          texts: slice.map(([text]) => text),
          tickers: request.tickers ?? null,
          sourceKinds: request.sourceKinds ?? null,
          k: request.k ?? null,
        }),
      );
      const cached = searchCache.get(key);
      if (cached) {
        searchCache.delete(key);
        searchCache.set(key, cached);
        return cached;
      }
      const pending = run();
      if (searchCache.size >= settings.searchCacheSize) {
        const oldest = searchCache.keys().next().value;
        if (oldest !== undefined) searchCache.delete(oldest);
      }
      searchCache.set(key, pending);
      // A failed or aborted search is not kept.
      pending.catch(() => {
        if (searchCache.get(key) === pending) searchCache.delete(key);
      });
      return pending;
    };
    const macro = needsMarketWide(items);
    try {
      const [marketWide, ...own] = await Promise.all([
        macro
          ? search(claims, { sourceKinds: ['macro'], k: Math.max(5, Math.round(settings.candidatePool / 4)) })
          : Promise.resolve([] as SearchHit[]),
        ...slices.map((slice) =>
          search(slice, { tickers: [first.input.ticker, ...settings.extraTickers], k: settings.candidatePool }),
        ),
      ]);
      const seen = new Set<string>();
      const hits: SearchHit[] = [];
      for (const hit of [...own.flat(), ...marketWide]) {
        if (seen.has(hit.chunkId)) continue;
        seen.add(hit.chunkId);
        hits.push(hit);
      }
      // Defence in depth: the store filters by asOf before ranking; never let a later document through anyway.
      return hits.filter((hit) => isAvailableAt(hit.publishedAt, first.input.asOf));
    } catch (error) {
      throw toTradeR1Error(error, 'STORE_ERROR');
    }
  };

  /** Prepare a retrieved pool once for every verification that shares it: analysed chunks, vectors, IDF. */
  const preparePool = async (hits: SearchHit[], signal?: AbortSignal): Promise<PoolContext> => {
    const pool = hits.map((hit) => ({ hit, ...prepared(hit) }));
    // Missing chunk vectors (a store without includeVectors): embed the chunk texts.
    const missing = pool.filter((entry) => !entry.hit.vector);
    if (missing.length > 0) {
      const embedded = await embedder.embed(
        missing.map((entry) => entry.hit.text),
        signal ? { signal } : {},
      );
      missing.forEach((entry, index) => {
        entry.hit = { ...entry.hit, vector: embedded[index] as Float32Array };
      });
    }
    // IDF over the pool's sentences: rare terms weigh more; terms absent from the pool weigh the most.
    const documentFrequency = new Map<string, number>();
    let sentenceCount = 0;
    for (const entry of pool) {
      for (const sentence of entry.prepared.sentences) {
        sentenceCount += 1;
        for (const term of sentence.termSet) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      }
    }
    const idf = new Map<string, number>();
    for (const [term, frequency] of documentFrequency) idf.set(term, Math.log(1 + sentenceCount / frequency));
    return { pool, idf, defaultIdf: Math.log(1 + Math.max(1, sentenceCount)) + 0.5 };
  };

  const score = async (
    item: Prepared,
    claimVectors: Float32Array[],
    context: PoolContext,
    signal?: AbortSignal,
  ): Promise<VerificationReport> => {
    const { input } = item;
    const { pool, idf, defaultIdf } = context;
    const asOfMs = Date.parse(input.asOf);
    const reasons = [...item.reasons];
    if (item.claims.length > 0 && pool.length === 0) reasons.push('NO_EVIDENCE');

    const verdicts: ClaimVerdict[] = [];
    const pairs: Array<{ claim: number; premise: string }> = [];
    item.claims.forEach((claim, claimIndex) => {
      const facts = item.claimFacts[claimIndex] as TextFacts;
      const vector = claimVectors[claimIndex] as Float32Array;
      const weighted = weightTerms(facts.terms, idf, defaultIdf);
      const ranked = pool
        .map((entry) => {
          const lexical = weightedCoverage(weighted, entry.prepared.termSet);
          let cosine = 0;
          const other = entry.hit.vector;
          if (other && other.length === vector.length)
            for (let index = 0; index < vector.length; index += 1)
              cosine += (vector[index] as number) * (other[index] as number);
          // A small recency bonus: among equally relevant chunks (e.g. daily reports of the same kind) the latest
          // ones describe the state at asOf.
          const ageDays = Math.max(0, (asOfMs - Date.parse(entry.hit.publishedAt)) / 86_400_000);
          const recency = Number.isFinite(ageDays) ? 1 / (1 + ageDays / 7) : 0;
          return {
            entry,
            lexical,
            cosine,
            relevance: 0.6 * lexical + 0.4 * semanticFeature(cosine),
            rank: 0.6 * lexical + 0.4 * semanticFeature(cosine) + RECENCY_WEIGHT * recency,
          };
        })
        .sort(
          (left, right) =>
            right.rank - left.rank ||
            (left.entry.hit.publishedAt > right.entry.hit.publishedAt ? -1 : 0) ||
            (left.entry.hit.chunkId < right.entry.hit.chunkId ? -1 : 1),
        )
        .slice(0, settings.k);
      const checks = checkClaim({
        claim: facts,
        claimNegated: item.claimNegated[claimIndex] as boolean,
        evidence: ranked.map((candidate) => candidate.entry.prepared),
        idf,
        defaultIdf,
        subjectTicker: input.ticker,
      });
      const verbatim = isVerbatimQuote(
        claim.text,
        ranked.map((candidate) => ({ key: candidate.entry.prepared, text: candidate.entry.hit.text })),
      );
      if (verbatim) {
        // Everything the claim states is in the evidence as written.
        for (const list of [checks.numbers, checks.entities, checks.periods, checks.directions] as Array<
          Array<{ status: string }>
        >) {
          for (const check of list) check.status = 'matched';
        }
        checks.negation = null;
        checks.conflicts = [];
      }
      let lexicalSentence = 0;
      let bestSentence = '';
      for (const candidate of ranked) {
        for (const sentence of candidate.entry.prepared.sentences) {
          const coverage = weightedCoverage(weighted, sentence.termSet);
          if (coverage > lexicalSentence) {
            lexicalSentence = coverage;
            bestSentence = sentence.text;
          }
        }
      }
      const features: SupportFeatures = {
        lexical: clamp01(ranked.reduce((best, candidate) => Math.max(best, candidate.lexical), 0)),
        lexicalSentence: clamp01(lexicalSentence),
        semantic: semanticFeature(ranked.reduce((best, candidate) => Math.max(best, candidate.cosine), -1)),
        ...checkFeatures(checks),
        // A bullet's quoted evidence is terse by nature ("close 131.82 vs SMA20 113.03"), not keyword stuffing;
        // only a long run of bare content words inside a quote is.
        keywordList: (claim.kind === 'quote' ? hasKeywordRun(facts.tokens) : isKeywordList(facts.tokens)) ? 1 : 0,
      };
      if (ranked.length === 0) {
        features.lexical = 0;
        features.lexicalSentence = 0;
        features.semantic = 0;
      }
      // Specific content must be matched: a company the evidence does not mention, or figures none of which the
      // evidence confirms, keep a claim from being supported whatever its topical overlap.
      let probability = supportProbability(features, supportModel);
      if (checks.entities.some((entity) => entity.kind === 'company' && entity.status === 'missing')) {
        probability = Math.min(probability, 0.3);
      }
      if (checks.numbers.length > 0 && checks.numbers.every((number) => number.status === 'missing')) {
        probability = Math.min(probability, 0.35);
      } else if (checks.numbers.some((number) => number.status === 'missing')) {
        probability = Math.min(probability, 0.45);
      }
      // A keyword list states nothing (no predicate links its words): topical overlap cannot make it supported.
      if (features.keywordList === 1) probability = Math.min(probability, KEYWORD_LIST_CAP);
      if (verbatim) probability = Math.max(probability, 0.95);
      const contradicted = checks.conflicts.length > 0;
      const support = contradicted ? probability * 0.02 : probability;
      verdicts.push({
        id: claim.id,
        text: claim.text,
        start: claim.start,
        end: claim.end,
        section: claim.section,
        kind: claim.kind,
        category: claim.category,
        opinion: claim.opinion,
        verdict: contradicted ? 'contradicted' : support >= settings.supportThreshold ? 'supported' : 'unsupported',
        support: round(clamp01(support)),
        features: Object.fromEntries(
          Object.entries(features).map(([key, value]) => [key, round(value)]),
        ) as unknown as SupportFeatures,
        checks,
        entailment: null,
        citations: ranked.map((candidate) => ({
          documentId: candidate.entry.hit.documentId,
          chunkId: candidate.entry.hit.chunkId,
          chunkIndex: candidate.entry.hit.chunkIndex,
          publishedAt: candidate.entry.hit.publishedAt,
          title: candidate.entry.hit.title,
          score: round(clamp01(candidate.relevance)),
        })),
      });
      if (entailment && ranked.length > 0) {
        const premise = bestSentence.length > 0 ? bestSentence : (ranked[0]?.entry.hit.text ?? '');
        pairs.push({ claim: verdicts.length - 1, premise: premise.slice(0, 2000) });
      }
    });

    if (entailment && pairs.length > 0) {
      throwIfAborted(signal);
      const results = await entailment.classify(
        pairs.map((pair) => ({ premise: pair.premise, hypothesis: (verdicts[pair.claim] as ClaimVerdict).text })),
        signal ? { signal } : {},
      );
      pairs.forEach((pair, index) => {
        const verdict = verdicts[pair.claim] as ClaimVerdict;
        const scores = results[index];
        if (!scores) return;
        verdict.entailment = {
          entailment: round(clamp01(scores.entailment)),
          neutral: round(clamp01(scores.neutral)),
          contradiction: round(clamp01(scores.contradiction)),
        };
        if (verdict.verdict === 'contradicted') return;
        if (scores.contradiction >= settings.entailmentContradiction && scores.contradiction > scores.entailment) {
          verdict.verdict = 'contradicted';
          verdict.checks.conflicts.push(`entailment model: contradiction ${round(scores.contradiction, 3)}`);
          verdict.support = round(clamp01(verdict.support * 0.02));
          return;
        }
        const blended =
          (1 - settings.judgeWeight) * verdict.support + settings.judgeWeight * clamp01(scores.entailment);
        verdict.support = round(clamp01(blended));
        verdict.verdict = verdict.support >= settings.supportThreshold ? 'supported' : 'unsupported';
      });
    }

    // Factuality over the factual claims only (opinions weigh `opinionWeight`, 0 by default; meta statements about
    // the analysis itself never count): the weighted mean claim credit, where a factual claim the evidence fails to
    // support weighs `unsupportedWeight` (one fabricated fact costs more than one more confirmed fact earns), times
    // `contradictionPenalty` for every contradicted claim — one contradicted figure drops factuality clearly
    // whatever the reasoning's length, and more than an unsupported claim does.
    let weightSum = 0;
    let supportSum = 0;
    let contradictedCount = 0;
    for (const verdict of verdicts) {
      const offTopic =
        verdict.features.lexical < OPINION_TOPIC_LEXICAL && verdict.features.semantic < OPINION_TOPIC_SEMANTIC;
      // Evaluative wording alone does not make off-topic text an opinion about this company: a claim that is an
      // opinion only by its polarity cues ("regulators opened an investigation", fluent text with a positive word)
      // counts as factual unless the evidence is clearly about the same thing.
      if (verdict.category === 'opinion' && offTopic && item.cueOpinions.has(verdict.id)) {
        verdict.category = 'factual';
        verdict.opinion = false;
      }
      if (verdict.category === 'meta') continue;
      if (verdict.verdict === 'contradicted') contradictedCount += 1;
      let weight = verdict.category === 'opinion' ? settings.opinionWeight : 1;
      if (verdict.verdict === 'contradicted' || (verdict.verdict !== 'supported' && verdict.category === 'factual')) {
        weight = settings.unsupportedWeight;
      }
      weightSum += weight;
      // Credit: a supported claim earns 0.8–1 (by its support), an unsupported one at most half its support, a
      // contradicted one nothing — the verdict, not only the probability, decides the score.
      const credit =
        verdict.verdict === 'supported'
          ? 0.8 + 0.2 * verdict.support
          : verdict.verdict === 'contradicted'
            ? 0
            : 0.5 * verdict.support;
      supportSum += weight * credit;
    }
    const factual = verdicts.filter((verdict) => verdict.category === 'factual');
    const hallucinationRate =
      factual.length === 0 ? 0 : factual.filter((verdict) => verdict.verdict !== 'supported').length / factual.length;
    let factuality: number;
    if (item.claims.length === 0 || pool.length === 0) factuality = 0;
    else if (factual.length === 0 && contradictedCount === 0) {
      // Nothing checkable: neither confirmed nor refuted.
      factuality = 0.5;
      reasons.push('NO_FACTUAL_CLAIMS');
    } else {
      factuality = (weightSum > 0 ? supportSum / weightSum : 0) * settings.contradictionPenalty ** contradictedCount;
    }

    // Deduction: the reasoning's stance (conclusion weighted) against the decision; a tag naming another
    // decision caps it at the tag's own agreement with the decision.
    const reasoningStance =
      item.claims.length === 0
        ? 0
        : scoreReasoningStance(input.reasoning, {
            conclusionSpans: item.conclusion,
            conclusionWeight: settings.conclusionWeight,
          }).stance;
    let deduction = item.claims.length === 0 ? 0 : stanceAgreement(reasoningStance, input.decision);
    if (item.decisionTag && item.decisionTag.decision !== input.decision) {
      deduction = Math.min(deduction, stanceAgreement(decisionSignal(item.decisionTag.decision), input.decision));
    }

    // Consistency: the stance of the evidence (cited chunks weighted by relevance, plus the pool's top chunks).
    const evidenceWeights = new Map<string, number>();
    for (const verdict of verdicts) {
      for (const citation of verdict.citations) {
        evidenceWeights.set(citation.chunkId, Math.max(evidenceWeights.get(citation.chunkId) ?? 0, citation.score));
      }
    }
    for (const entry of pool.slice(0, settings.k)) {
      if (!evidenceWeights.has(entry.hit.chunkId)) evidenceWeights.set(entry.hit.chunkId, 0.5);
    }
    const evidenceMass: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
    for (const entry of pool) {
      const weight = evidenceWeights.get(entry.hit.chunkId);
      if (weight === undefined || weight <= 0) continue;
      evidenceMass.bullish += weight * entry.stance.bullish;
      evidenceMass.bearish += weight * entry.stance.bearish;
      evidenceMass.neutral += weight * entry.stance.neutral;
      evidenceMass.cues += entry.stance.cues;
    }
    const evidenceStance = finishStance(evidenceMass).stance;
    let consistency = pool.length === 0 ? 0 : stanceAgreement(evidenceStance, input.decision);

    let llmJudgement: PairJudgement | null = null;
    if (llm && item.claims.length > 0) {
      throwIfAborted(signal);
      llmJudgement = await llm.judge(
        {
          ticker: input.ticker,
          asOf: input.asOf,
          decision: input.decision,
          reasoning: input.reasoning,
          evidence: pool
            .filter((entry) => evidenceWeights.has(entry.hit.chunkId))
            .map((entry) => ({
              id: entry.hit.chunkId,
              publishedAt: entry.hit.publishedAt,
              title: entry.hit.title,
              text: entry.hit.text,
            })),
        },
        signal ? { signal } : {},
      );
      const weight = settings.judgeWeight;
      factuality = (1 - weight) * factuality + weight * clamp01(llmJudgement.factuality);
      deduction = (1 - weight) * deduction + weight * clamp01(llmJudgement.deduction);
      consistency = (1 - weight) * consistency + weight * clamp01(llmJudgement.consistency);
    }

    factuality = clamp01(factuality);
    deduction = clamp01(deduction);
    consistency = clamp01(consistency);
    const s = aggregateScores([factuality, deduction, consistency], settings.aggregate);
    const counts = {
      claims: verdicts.length,
      supported: verdicts.filter((verdict) => verdict.verdict === 'supported').length,
      contradicted: verdicts.filter((verdict) => verdict.verdict === 'contradicted').length,
      unsupported: verdicts.filter((verdict) => verdict.verdict === 'unsupported').length,
    };
    const flags: string[] = [];
    if (counts.contradicted > 0) flags.push('contradicted-claim');
    if (factuality < settings.thresholds.factuality) flags.push('low-factuality');
    if (hallucinationRate > settings.thresholds.hallucinationRate) flags.push('high-hallucination-rate');
    if (deduction < settings.thresholds.deduction) flags.push('low-deduction');
    if (consistency < settings.thresholds.consistency) flags.push('low-consistency');
    if (reasons.includes('DECISION_TAG_MISMATCH')) flags.push('decision-tag-mismatch');
    return {
      ticker: input.ticker,
      asOf: input.asOf,
      decision: input.decision,
      scores: {
        factuality: round(factuality),
        deduction: round(deduction),
        consistency: round(consistency),
        s: round(s),
      },
      aggregate: settings.aggregate,
      hallucinationRate: round(clamp01(hallucinationRate)),
      stance: {
        reasoning: round(reasoningStance),
        evidence: round(evidenceStance),
        decision: decisionSignal(input.decision),
      },
      decisionTag: item.decisionTag?.decision ?? null,
      counts,
      claims: verdicts,
      evidence: { candidates: pool.length, cited: evidenceWeights.size },
      flags,
      reasons,
      judges: { llm: llmJudgement },
      models: { embedder: embedder.modelId, entailment: entailment?.modelId ?? null, llm: llm?.modelId ?? null },
      configHash,
    };
  };

  const embedClaims = async (items: Prepared[], signal?: AbortSignal): Promise<Float32Array[][]> => {
    const texts = items.flatMap((item) => item.claims.map((claim) => claim.text));
    const vectors = texts.length === 0 ? [] : await embedder.embed(texts, signal ? { signal } : {});
    let offset = 0;
    return items.map((item) => {
      const slice = vectors.slice(offset, offset + item.claims.length);
      offset += item.claims.length;
      return slice;
    });
  };

  const assertOpen = (): void => {
    if (closed) throw new TradeR1Error('CLOSED', 'This verifier was closed; create a new one with createVerifier()');
  };

  const verifyBatch = async (
    items: readonly VerifyInput[],
    callOptions: VerifyBatchOptions = {},
  ): Promise<VerificationReport[]> => {
    assertOpen();
    const { signal } = callOptions;
    const concurrency = callOptions.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TradeR1Error('INVALID_INPUT', `concurrency must be a positive integer, got ${concurrency}`);
    }
    if (!Array.isArray(items)) throw new TradeR1Error('INVALID_INPUT', 'verifyBatch expects an array of inputs');
    throwIfAborted(signal);
    const preparedItems = items.map((item, index) => {
      try {
        return prepare(item);
      } catch (error) {
        const typed = toTradeR1Error(error, 'INVALID_INPUT');
        if (items.length > 1) typed.details.index = index;
        throw typed;
      }
    });
    const vectors = await embedClaims(preparedItems, signal);
    const reports: VerificationReport[] = new Array(preparedItems.length);
    // Each verification retrieves its own pool from its own claims, so that a report depends only on its input and
    // the store (not on the other reasonings of the batch: the G rollouts of a GRPO group are scored independently);
    // identical requests are answered by the search cache. With `poolCacheSize`, verifications of the same
    // (ticker, asOf) share one pool instead (retrieved for the first of them).
    const queue: number[][] = [];
    if (settings.poolCacheSize > 0) {
      const groups = new Map<string, number[]>();
      preparedItems.forEach((item, index) => {
        const key = `${item.input.ticker}\u0000${item.input.asOf}`;
        groups.set(key, [...(groups.get(key) ?? []), index]);
      });
      queue.push(...groups.values());
    } else {
      preparedItems.forEach((_, index) => {
        queue.push([index]);
      });
    }
    // The store's content version keys the caches (read once per call: a report reflects the store as it was then).
    let version: number | null = null;
    if (versioned && (settings.searchCacheSize > 0 || settings.poolCacheSize > 0)) {
      try {
        version = await (store.version as () => Promise<number>)();
      } catch (error) {
        throw toTradeR1Error(error, 'STORE_ERROR');
      }
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        const group = queue[next] as number[];
        next += 1;
        throwIfAborted(signal);
        const items = group.map((index) => preparedItems[index] as Prepared);
        const groupVectors = group.map((index) => vectors[index] as Float32Array[]);
        const first = items[0] as Prepared;
        const cacheKey = `${first.input.ticker}\u0000${first.input.asOf}\u0000${needsMarketWide(items) ? 'm' : ''}\u0000${version ?? ''}`;
        let context = settings.poolCacheSize > 0 ? poolCache.get(cacheKey) : undefined;
        if (context) {
          poolCache.delete(cacheKey);
          poolCache.set(cacheKey, context);
        } else {
          context = await preparePool(await retrieve(items, groupVectors, version, signal), signal);
          // Cache only pools retrieved for claims (an empty reasoning retrieves nothing).
          if (settings.poolCacheSize > 0 && items.some((item) => item.claims.length > 0)) {
            if (poolCache.size >= settings.poolCacheSize) {
              const oldest = poolCache.keys().next().value;
              if (oldest !== undefined) poolCache.delete(oldest);
            }
            poolCache.set(cacheKey, context);
          }
        }
        for (const [position, index] of group.entries()) {
          reports[index] = await score(
            items[position] as Prepared,
            groupVectors[position] as Float32Array[],
            context,
            signal,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, () => worker()));
    return reports;
  };

  return {
    options: settings,
    configHash,
    async verify(input, callOptions = {}) {
      const [report] = await verifyBatch([input], { ...callOptions, concurrency: 1 });
      return report as VerificationReport;
    },
    verifyBatch,
    clearCache() {
      poolCache.clear();
      searchCache.clear();
    },
    async close() {
      closed = true;
      poolCache.clear();
      searchCache.clear();
    },
  };
}

/** Options of the one-shot {@link verify}. */
export interface VerifyOptions extends VerifyInput, VerifyCallOptions {
  /** The evidence store. */
  store: Pick<EvidenceStore, 'search'>;
  /** The embedder (the store's). */
  embedder: Embedder;
  /** Optional judges. */
  judges?: CreateVerifierOptions['judges'];
  /** Scoring options. */
  options?: VerifierOptions;
}

/**
 * Verify one reasoning in one call (creates a verifier each time; keep a `createVerifier` handle for many calls,
 * which also caches prepared evidence).
 *
 * @example
 * const report = await verify({ store, embedder, ticker: 'AAPL', asOf: '2024-08-05', reasoning, decision: 'BUY' });
 */
export async function verify(options: VerifyOptions): Promise<VerificationReport> {
  const { store, embedder, judges, options: verifierOptions, signal, ...input } = options;
  const verifier = createVerifier({
    store,
    embedder,
    ...(judges && { judges }),
    ...(verifierOptions && { options: verifierOptions }),
  });
  try {
    return await verifier.verify(input, signal ? { signal } : {});
  } finally {
    await verifier.close();
  }
}
