import type { Bar, ExchangeId } from '@trade-r1/core';
import type { IndicatorName } from '../indicators/indicators.ts';
import type { FundamentalFact, InsiderSentiment, InsiderTransaction, MacroObservation, NewsItem } from '../sources.ts';

/**
 * The types of a point-in-time context, in a module of their own so that the builder (build-context.ts) and the
 * renderer (render.ts) both depend on them and not on each other.
 */
/** A news recency bucket: items published `minDaysAgo..maxDaysAgo` calendar days before `asOf`, at most `cap`. */
export interface NewsBucketSpec {
  /** Fewest whole UTC calendar days before the `asOf` date (0 = the decision day). */
  minDaysAgo: number;
  /** Most days before the `asOf` date (inclusive). */
  maxDaysAgo: number;
  /** Most items sampled from the bucket. */
  cap: number;
}

/** A news bucket as included. */
export interface ContextNewsBucket extends NewsBucketSpec {
  /** Items available in the bucket before sampling. */
  available: number;
  /** Sampled items, newest first. */
  items: NewsItem[];
}

/** One fundamental metric with its latest periods. */
export interface ContextFundamentalMetric {
  metric: string;
  unit: string;
  /** Newest period first; each the latest figure published by `asOf` for that period. */
  facts: FundamentalFact[];
  /** Trailing twelve months: the sum of the four newest consecutive quarters, when there are four. */
  ttm?: { value: number; periodStart: string; periodEnd: string; publishedAt: string };
}

/** Technicals as included. */
export interface ContextTechnicals {
  /** The last `technicalsWindow` bars at `asOf`. */
  bars: Bar[];
  /** Indicator values over the same dates (oldest first), computed with the long lookback. */
  indicators: Partial<Record<IndicatorName, Array<number | null>>>;
  /** Bars used to compute indicators. */
  lookbackBars: number;
}

/** Items a source returned that did not go in, per reason. */
export interface ExcludedCounts {
  /** Published after `asOf`. */
  future: number;
  /** Without a parseable `publishedAt`. */
  undated: number;
  /** Failing the item schema for another reason. */
  invalid: number;
}

/** A block of the context prompt. */
export type ContextSection = 'technicals' | 'news' | 'fundamentals' | 'insider' | 'macro';

/** The default block order of the prompt. */
export const CONTEXT_SECTIONS: readonly ContextSection[] = ['technicals', 'news', 'fundamentals', 'insider', 'macro'];

/** What {@link buildContext} assembled. */
export interface PointInTimeContext {
  ticker: string;
  /** The exchange whose calendar placed the cutoff. */
  exchange: ExchangeId;
  /** Canonical UTC ISO instant of the decision cutoff: nothing published after it is in the context. */
  asOf: string;
  /** The date of the cutoff in the exchange's zone. */
  asOfDate: string;
  /** The trading date whose open is the first tradable price after the cutoff (where labels and fills start). */
  fillDate: string;
  news: ContextNewsBucket[];
  technicals: ContextTechnicals | null;
  fundamentals: ContextFundamentalMetric[];
  insider: { sentiment: InsiderSentiment[]; transactions: InsiderTransaction[] };
  macro: Array<{ seriesId: string; observations: MacroObservation[] }>;
  /** Per source kind, the items dropped. */
  excluded: Record<'prices' | 'news' | 'fundamentals' | 'insider' | 'macro', ExcludedCounts>;
  /** Items left out by a count cap before rendering (`maxFundamentalMetrics`). */
  capped: { fundamentalMetrics: number };
  /** Source failures recorded with `onSourceError: 'omit'`. */
  errors: Array<{ source: string; code: string; message: string }>;
  /** The blocks in the prompt, in prompt order (a variant drops and shuffles some). */
  sections: ContextSection[];
  /** The prompt text (within the token budget). */
  prompt: string;
  /** Tokens of `prompt` by the configured counter. */
  tokens: number;
  /** What was cut to fit the budget. */
  trimmed: {
    newsItems: number;
    insiderTransactions: number;
    macroObservations: number;
    fundamentalFacts: number;
    indicators: number;
    truncated: boolean;
  };
}
