/**
 * @trade-r1/data — market data adapters (files and HTTP vendors), technical indicators, the point-in-time
 * context builder, Trading-R1 labels and the embedded demo dataset.
 * @packageDocumentation
 */
export type {
  FundamentalFact,
  FundamentalsRequest,
  FundamentalsSource,
  InsiderSentiment,
  InsiderSource,
  InsiderTransaction,
  MacroObservation,
  MacroRequest,
  MacroSource,
  NewsItem,
  NewsSource,
  PriceRequest,
  PriceSource,
  SourceRequestOptions,
  WindowRequest,
} from './sources.ts';

// #region files, indicators, context, labels, dataset (owner: data-core)
// #endregion

// #region HTTP providers, cache, rate limiter, vendor chain (owner: data-http)
// #endregion
