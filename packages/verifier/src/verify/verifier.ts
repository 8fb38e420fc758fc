/**
 * The verifier: a pipeline of stages, each a module of pure functions under `src/pipeline/` —
 * claims (`prepare.ts`) → retrieval (`retrieve.ts`) → evidence facts (`pool.ts`) → claim judgement (`judge.ts`)
 * → aggregation (`aggregate.ts`) → report (`report.ts`). This file only wires them together: validation,
 * embedding, caches, concurrency and the optional judges.
 */
import { decisionSignal, parseWith, TradeR1Error, throwIfAborted, toTradeR1Error } from '@trade-r1/core';
import type { Embedder } from '../embedders/types.ts';
import type { EntailmentModel, PairJudge, PairJudgement } from '../judges/types.ts';
import {
  reclassOffTopicOpinions,
  reportFlags,
  scoreConsistency,
  scoreDeduction,
  scoreFactuality,
} from '../pipeline/aggregate.ts';
import { applyEntailment, judgeClaim } from '../pipeline/judge.ts';
import { type EvidencePool, preparePool } from '../pipeline/pool.ts';
import { type PreparedReasoning, prepareReasoning } from '../pipeline/prepare.ts';
import type { ClaimVerdict, ReportReason, VerificationReport } from '../pipeline/report.ts';
import { createRetriever } from '../pipeline/retrieve.ts';
import { loadTermSimilarity, type TermSimilarity } from '../scoring/soft-match.ts';
import { aggregateScores, DEFAULT_SUPPORT_MODEL } from '../scoring/support.ts';
import { hashString, stableStringify } from '../scoring/text.ts';
import type { EvidenceStore } from '../store/types.ts';
import {
  type ResolvedVerifierOptions,
  type VerifierOptions,
  type VerifyInput,
  verifierOptionsSchema,
} from './options.ts';

export type {
  Citation,
  ClaimVerdict,
  ClaimVerdictLabel,
  ReportReason,
  VerificationReport,
} from '../pipeline/report.ts';

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

const CREATE_VERIFIER_KEYS = new Set(['store', 'embedder', 'judges', 'options']);

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

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
}

function round(value: number, digits = 6): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Create a verifier over a point-in-time evidence store: it extracts the reasoning's claims, retrieves the
 * evidence available at `asOf` once per verification (a pool of `candidatePool` chunks), judges each claim
 * against its top-k chunks (lexical coverage, embedding similarity and the deterministic checks), and computes
 * Trade-R1's three pair scores and their aggregate.
 *
 * @example
 * const verifier = createVerifier({ store, embedder });
 * const report = await verifier.verify({ ticker: 'AAPL', asOf: '2024-08-05', reasoning, decision: 'BUY' });
 * report.scores.s; // in [0, 1]
 */
export function createVerifier(options: CreateVerifierOptions): Verifier {
  if (options === null || typeof options !== 'object') {
    throw new TradeR1Error('INVALID_CONFIG', 'createVerifier needs an options object ({ store, embedder })');
  }
  // A misspelled key ("option", "judge") would silently run the defaults.
  const unknown = Object.keys(options).filter((key) => !CREATE_VERIFIER_KEYS.has(key));
  if (unknown.length > 0) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `createVerifier: unknown option ${unknown.map((key) => `"${key}"`).join(', ')} (expected store, embedder, judges, options)`,
      { details: { field: unknown[0] } },
    );
  }
  const judgeKeys = Object.keys(options.judges ?? {}).filter((key) => key !== 'entailment' && key !== 'llm');
  if (judgeKeys.length > 0) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `createVerifier: unknown judge "${judgeKeys[0]}" (expected entailment, llm)`,
      {
        details: { field: `judges.${judgeKeys[0]}` },
      },
    );
  }
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
      version: 2,
    }),
  );
  let closed = false;
  const retriever = createRetriever(store, embedder, settings);
  /** Prepared pools by (ticker, asOf, market-wide, version), least recently used first (`poolCacheSize`). */
  const poolCache = new Map<string, EvidencePool>();
  const versioned = typeof store.version === 'function';

  const score = async (
    item: PreparedReasoning,
    claimVectors: Float32Array[],
    context: EvidencePool,
    similarity: TermSimilarity,
    signal?: AbortSignal,
  ): Promise<VerificationReport> => {
    const { input } = item;
    const { pool } = context;
    const asOfMs = Date.parse(input.asOf);
    const reasons: ReportReason[] = [...item.reasons];
    if (item.claims.length > 0 && pool.length === 0) reasons.push('NO_EVIDENCE');

    const verdicts: ClaimVerdict[] = [];
    const premises: Array<{ claim: number; premise: string }> = [];
    item.claims.forEach((claim, index) => {
      const { verdict, premise } = judgeClaim(
        {
          claim,
          facts: item.claimFacts[index] as (typeof item.claimFacts)[number],
          negated: item.claimNegated[index] as boolean,
          vector: claimVectors[index] as Float32Array,
        },
        context,
        { settings, supportModel, subjectTicker: input.ticker, asOfMs, similarity },
      );
      verdicts.push(verdict);
      if (entailment && premise !== null) premises.push({ claim: verdicts.length - 1, premise });
    });

    if (entailment && premises.length > 0) {
      throwIfAborted(signal);
      const results = await entailment.classify(
        premises.map((pair) => ({ premise: pair.premise, hypothesis: (verdicts[pair.claim] as ClaimVerdict).text })),
        signal ? { signal } : {},
      );
      premises.forEach((pair, index) => {
        const scores = results[index];
        if (scores) applyEntailment(verdicts[pair.claim] as ClaimVerdict, scores, settings);
      });
    }

    reclassOffTopicOpinions(verdicts, item.cueOpinions);
    const factualityScore = scoreFactuality(verdicts, item.unjudged, settings);
    let factuality: number;
    if (item.claims.length === 0 || pool.length === 0) factuality = 0;
    else {
      factuality = factualityScore.factuality;
      if (factualityScore.nothingCheckable) reasons.push('NO_FACTUAL_CLAIMS');
    }
    const hallucinationRate = factualityScore.hallucinationRate;
    const { deduction: deductionScore, stance: reasoningStance } = scoreDeduction(input.reasoning, input.decision, {
      hasClaims: item.claims.length > 0,
      conclusionSpans: item.conclusion,
      conclusionWeight: settings.conclusionWeight,
      decisionTag: item.decisionTag,
    });
    let deduction = deductionScore;
    const consistencyScore = scoreConsistency(verdicts, pool, input.decision, settings.k);
    let consistency = consistencyScore.consistency;
    const evidenceWeights = consistencyScore.weights;

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
      claims: verdicts.length + item.unjudged,
      supported: verdicts.filter((verdict) => verdict.verdict === 'supported').length,
      contradicted: verdicts.filter((verdict) => verdict.verdict === 'contradicted').length,
      unsupported: verdicts.filter((verdict) => verdict.verdict === 'unsupported').length + item.unjudged,
      unjudged: item.unjudged,
    };
    const flags = reportFlags(
      { factuality, deduction, consistency },
      hallucinationRate,
      counts,
      reasons,
      settings.thresholds,
    );
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
        evidence: round(consistencyScore.stance),
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

  const embedClaims = async (items: PreparedReasoning[], signal?: AbortSignal): Promise<Float32Array[][]> => {
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
        return prepareReasoning(item, settings);
      } catch (error) {
        const typed = toTradeR1Error(error, 'INVALID_INPUT');
        if (items.length > 1) typed.details.index = index;
        throw typed;
      }
    });
    const [vectors, similarity] = await Promise.all([embedClaims(preparedItems, signal), loadTermSimilarity()]);
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
        const items = group.map((index) => preparedItems[index] as PreparedReasoning);
        const groupVectors = group.map((index) => vectors[index] as Float32Array[]);
        const first = items[0] as PreparedReasoning;
        const cacheKey = `${first.input.ticker}\u0000${first.input.asOf}\u0000${retriever.needsMarketWide(items) ? 'm' : ''}\u0000${version ?? ''}`;
        let context = settings.poolCacheSize > 0 ? poolCache.get(cacheKey) : undefined;
        if (context) {
          poolCache.delete(cacheKey);
          poolCache.set(cacheKey, context);
        } else {
          context = await preparePool(await retriever.retrieve(items, groupVectors, version, signal), embedder, signal);
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
            items[position] as PreparedReasoning,
            groupVectors[position] as Float32Array[],
            context,
            similarity,
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
      retriever.clear();
    },
    async close() {
      closed = true;
      poolCache.clear();
      retriever.clear();
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
  if (options === null || typeof options !== 'object') {
    throw new TradeR1Error('INVALID_CONFIG', 'verify needs an options object ({ store, embedder, ticker, … })', {
      details: { function: 'verify()', field: 'options' },
    });
  }
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
