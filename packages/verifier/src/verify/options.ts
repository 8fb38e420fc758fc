import {
  type Decision,
  decisionInstant,
  decisionSchema,
  exchangeSchema,
  TradeR1Error,
  tickerSchema,
} from '@trade-r1/core';
import { z } from 'zod';
import { SUPPORT_FEATURES } from '../scoring/support.ts';

const supportModelSchema = z.object({
  bias: z.number().finite(),
  weights: z.object(
    Object.fromEntries(SUPPORT_FEATURES.map((name) => [name, z.number().finite()])) as Record<
      (typeof SUPPORT_FEATURES)[number],
      z.ZodNumber
    >,
  ),
});

/** Options of `createVerifier` (all optional). */
export const verifierOptionsSchema = z.strictObject({
  /** Evidence chunks kept per claim (its top-k by relevance). @default 5 */
  k: z.number().int().min(1).max(50).default(5),
  /**
   * Chunks retrieved per point-in-time query (one query per 12 claims of a verification); the union is the pool the
   * claims are scored against. @default 40
   */
  candidatePool: z.number().int().min(1).max(1000).default(40),
  /**
   * Candidate pools kept per verifier handle, keyed by (ticker, asOf, market-wide): later verifications of the same
   * (ticker, asOf) — the G completions of a GRPO group, an evaluation over many reasonings — reuse the pool
   * retrieved for the first instead of querying the store again. Trade-off: the reused pool was ranked for the
   * first group's claims (it still holds `candidatePool` chunks of that ticker at that asOf), so a report depends on
   * what the handle verified before. With a store that has `version()` the key includes the store's version, so a
   * pool is never reused after the store changed; with a bare `{ search }` call `clearCache()` after changing the
   * store. 0 turns it off.
   * @default 0
   */
  poolCacheSize: z.number().int().min(0).max(1_000_000).default(0),
  /**
   * Point-in-time search results kept per verifier handle, keyed by the store's content version
   * (`EvidenceStore.version()`) and the exact request (ticker, asOf, query claims, k, mode). A hit returns exactly
   * what the store would return for that request at that version, so reports never depend on what the handle
   * verified before and never go stale: verifications repeating claims (the same reasoning verified again, GRPO
   * rollouts sharing sentences, later epochs) skip the store query. Only used when the store has `version()`
   * (`openEvidenceStore` does); with a bare `{ search }` it is off. 0 turns it off.
   * @default 512
   */
  searchCacheSize: z.number().int().min(0).max(1_000_000).default(512),
  /** Retrieval mode of the pool query. @default 'hybrid' */
  retrieval: z.enum(['hybrid', 'vector', 'text']).default('hybrid'),
  /**
   * Market-wide documents (source kind `macro`, whatever their tickers) join the pool: `'auto'` when a claim is
   * about the economy (rates, inflation, jobs, GDP, the Fed, oil…), `'always'`, or `'never'`.
   * @default 'auto'
   */
  marketWide: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Documents of these tickers are admissible for every verification (e.g. a `MACRO` pseudo-ticker). @default [] */
  extraTickers: z.array(tickerSchema).default([]),
  /** How factuality, deduction and consistency combine into `s`. @default 'mean' */
  aggregate: z.enum(['mean', 'min', 'geometric']).default('mean'),
  /** Weight of conclusion claims in the reasoning stance. @default 3 */
  conclusionWeight: z.number().min(0).max(100).default(3),
  /**
   * Weight of opinion claims (evaluative, with no figure, period or name) in factuality: evidence can rarely
   * confirm an opinion, so by default factuality is computed over factual claims only. Meta statements (about the
   * analysis itself) never count.
   * @default 0
   */
  opinionWeight: z.number().min(0).max(1).default(0),
  /**
   * Factuality is multiplied by this for every contradicted claim (one contradicted figure: ×0.35, two: ×0.12…).
   * @default 0.35
   */
  contradictionPenalty: z.number().min(0).max(1).default(0.35),
  /**
   * Weight in factuality of a factual claim the evidence fails to support, and of a contradicted claim; supported
   * factual claims weigh 1, opinions `opinionWeight`. 1 (every claim counts once) keeps factuality the mean claim
   * credit; larger values make one unsupported claim cost more than one supported claim earns.
   * @default 1
   */
  unsupportedWeight: z.number().min(1).max(100).default(1),
  /**
   * Support at or above which a claim is `supported`. The default was chosen with the fitted support model among
   * 0.23 / 0.35 / 0.45 / 0.54 on development data only (tatqa-dev, the hand-written dev, market-dev and news-dev
   * splits of `pnpm eval:verifier`): the candidates ranked alike there (tatqa-dev AUROC 0.782 vs 0.780), and 0.23
   * flagged the fewest faithful tatqa-dev reasonings (19% vs 35% at 0.35). Test splits and verifier-b were not used
   * to choose it. A higher threshold calls more claims unsupported: fewer misses, more false alarms.
   * @default 0.23
   */
  supportThreshold: z.number().min(0).max(1).default(0.23),
  /** Reasoning longer than this (characters) is rejected with `TOO_LARGE`. @default 100000 */
  maxReasoningChars: z.number().int().min(1).default(100_000),
  /**
   * A hard limit on the claims judged per reasoning. Every claim is judged up to it; claims beyond it are not
   * judged but count as unsupported factual claims (factuality drops, `counts.unjudged`, reason `CLAIM_LIMIT`,
   * flag `claim-limit`), so appending text after many faithful claims can never hide a false one.
   * @default 10000
   */
  maxClaims: z.number().int().min(1).max(100_000).default(10_000),
  /** Thresholds below which the report raises a flag. */
  thresholds: z
    .strictObject({
      /** @default 0.5 */
      factuality: z.number().min(0).max(1).default(0.5),
      /** @default 0.5 */
      deduction: z.number().min(0).max(1).default(0.5),
      /** @default 0.5 */
      consistency: z.number().min(0).max(1).default(0.5),
      /** Hallucination rate above which the report is flagged. @default 0.5 */
      hallucinationRate: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  /** Weight of judges' scores when blended with the deterministic scores (1 replaces them). @default 0.5 */
  judgeWeight: z.number().min(0).max(1).default(0.5),
  /** Contradiction probability at or above which the entailment model marks a claim contradicted. @default 0.6 */
  entailmentContradiction: z.number().min(0).max(1).default(0.6),
  /** The logistic support model (see `DEFAULT_SUPPORT_MODEL`). */
  supportModel: supportModelSchema.optional(),
});
/** Options of `createVerifier`. */
export type VerifierOptions = z.input<typeof verifierOptionsSchema>;
/** Resolved verifier options. */
export type ResolvedVerifierOptions = z.output<typeof verifierOptionsSchema>;

const asOfInputSchema = z.union([z.string().trim(), z.date()], {
  error: 'expected an ISO date or date-time such as 2024-01-05 or 2024-01-05T14:30:00Z, or a Date',
});

/** One verification request. */
export const verifyInputSchema = z
  .strictObject({
    /** The ticker the reasoning is about. */
    ticker: tickerSchema,
    /**
     * Decision time: only evidence published at or before it is admissible. A date-only value means the cutoff of
     * that date on the asset's exchange (its close by default, see `cutoff`); a date-time with an offset (or a
     * `Date`) is exact; a date-time without an offset is read in the zone of `exchange` and rejected without one.
     * Resolved to the cutoff's UTC ISO instant (the report's `asOf`).
     */
    asOf: asOfInputSchema,
    /**
     * The exchange whose decision clock places a date-only `asOf` (`XNYS`, `Nasdaq`, `SSE`, `SZSE`, …).
     * @default from the ticker (`exchangeForTicker`: plain US symbols New York, `.SH`/`.SS` Shanghai, `.SZ` Shenzhen)
     */
    exchange: exchangeSchema.optional(),
    /** Where a date-only `asOf` places the cutoff: the exchange's close or just before its open. @default 'close' */
    cutoff: z.enum(['close', 'pre-open']).optional(),
    /** The reasoning text (free text or a Trading-R1 thesis). */
    reasoning: z.string(),
    /** The decision taken (`'STRONG_BUY'`…; `'strong buy'`, `'Strong-Buy'` and the like are normalised). */
    decision: z.preprocess(
      (value) =>
        typeof value === 'string'
          ? value
              .trim()
              .toUpperCase()
              .replace(/[\s-]+/g, '_')
          : value,
      decisionSchema,
    ),
  })
  .transform(({ exchange, cutoff, asOf, ...rest }, context) => {
    try {
      const instant = decisionInstant({ asOf, exchange, ticker: rest.ticker, at: cutoff });
      return { ...rest, asOf: new Date(instant).toISOString() };
    } catch (error) {
      if (!(error instanceof TradeR1Error)) throw error;
      const field = error.details?.field === 'exchange' ? 'exchange' : 'asOf';
      context.addIssue({ code: 'custom', path: [field], message: error.message });
      return z.NEVER;
    }
  });
/**
 * One verification request. `decision` is typed as core's `Decision`; at run time the spellings a JavaScript
 * caller may pass (`'strong buy'`, `'Strong-Buy'`) are normalised, and anything else is rejected.
 */
export type VerifyInput = Omit<z.input<typeof verifyInputSchema>, 'decision'> & { decision: Decision };
