/**
 * @trade-r1/data — market data adapters (files and HTTP vendors), technical indicators, the point-in-time
 * context builder, Trading-R1 labels and the embedded demo dataset.
 * @packageDocumentation
 */

// #region files, indicators, context, labels, dataset (owner: data-core)
export {
  type BuildContextOptions,
  type BuildContextRequest,
  type BuildContextSeriesRequest,
  buildContext,
  buildContextSeries,
  CONTEXT_SECTIONS,
  type ContextCache,
  type ContextCacheOptions,
  type ContextFundamentalMetric,
  type ContextNewsBucket,
  type ContextSection,
  type ContextSources,
  type ContextTechnicals,
  createContextCache,
  DEFAULT_CONTEXT_INDICATORS,
  DEFAULT_MACRO_SERIES,
  type ExcludedCounts,
  type NewsBucketSpec,
  type PointInTimeContext,
  TRADING_R1_NEWS_BUCKETS,
} from './context/build-context.ts';
export { formatCompactNumber, formatPrice } from './context/format.ts';
export {
  classifyPeriod,
  DEFAULT_FUNDAMENTAL_METRICS,
  deriveFourthQuarters,
  type SelectedFundamentals,
  type SelectFundamentalsOptions,
  selectFundamentals,
} from './context/fundamentals.ts';
export {
  fundamentalFactSchema,
  insiderSentimentSchema,
  insiderTransactionSchema,
  macroObservationSchema,
  newsItemSchema,
} from './context/item-schemas.ts';
export { compactText } from './context/render.ts';
export {
  createStaticSources,
  type StaticSources,
  type StaticSourcesData,
} from './context/static-sources.ts';
export { estimateTokens } from './context/tokens.ts';
export {
  type EmbeddedTicker,
  type LoadEmbeddedBarsOptions,
  listEmbeddedTickers,
  loadEmbeddedBars,
} from './dataset/embedded.ts';
export {
  type MarketDataDocumentsOptions,
  type MarketDataFigures,
  marketDataDocuments,
  marketDataFigures,
} from './evidence/market-documents.ts';
export {
  BAR_COLUMN_ALIASES,
  type BarColumn,
  type BarsWarning,
  parseBars,
  parseBarsCsv,
  parseBarsJson,
  parseBarsNdjson,
  type ReadBarsOptions,
  type ReadBarsResult,
  readBarsFile,
  type SkippedRow,
} from './files/bars.ts';
export {
  type BarBatch,
  type BarsByTicker,
  readBarsCsvFileByTicker,
  type StreamBarsOptions,
  type StreamBarsSummary,
  streamBarsCsvFile,
} from './files/bars-stream.ts';
export { type CsvRecord, type ParseCsvOptions, parseCsv } from './files/csv.ts';
export { createFilePriceSource, type FilePriceSourceOptions } from './files/file-price-source.ts';
export {
  parseNewsCsv,
  type ReadNewsOptions,
  type ReadNewsResult,
  readNewsCsvFile,
  type SkippedNewsRow,
} from './files/news-csv.ts';
export {
  isUsDaylightTime,
  type ParsedUsDateTime,
  type ParseUsDateTimeOptions,
  parseUsDateTime,
  type UsTimeZone,
} from './files/us-time.ts';
export {
  type BarInterval,
  type BarsAsOfOptions,
  barsAsOf,
  type ComputeIndicatorsOptions,
  computeIndicators,
  INDICATOR_DESCRIPTIONS,
  INDICATOR_NAMES,
  type IndicatorName,
  type IndicatorTable,
} from './indicators/indicators.ts';
export {
  type ExcessReturnPoint,
  type ForwardExcessReturnOptions,
  forwardExcessReturns,
} from './labels/excess-return.ts';
export { ewmMeanAdjusted, quantileLinear, rollingStdPandas } from './labels/math.ts';
export {
  computeTradingR1Labels,
  fitLabelThresholds,
  type LabelPoint,
  type LabelThresholds,
  labelFromScore,
  type TradingR1LabelOptions,
  type TradingR1Labels,
  tradingR1Scores,
} from './labels/trading-r1-labels.ts';
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
  PriceBasis,
  PriceRequest,
  PriceSource,
  SourceRequestOptions,
  WindowRequest,
} from './sources.ts';
// #endregion

// #region HTTP providers, cache, rate limiter, vendor chain (owner: data-http)
export { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, parseRetryAfter } from './http/backoff.ts';
export {
  type CachedResponse,
  type CacheKeyInput,
  createFileCache,
  createMemoryCache,
  type FileCache,
  type FileCacheOptions,
  type MemoryCacheOptions,
  type ResponseCache,
  requestCacheKey,
} from './http/cache.ts';
export {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResult,
  type HttpTransportOptions,
  type VendorErrorDescription,
} from './http/client.ts';
export { createTokenBucket, type RateLimiter, type TokenBucket, type TokenBucketOptions } from './http/rate-limiter.ts';
export { REDACTED, redactError, redactSecrets } from './http/redact.ts';
export { type Clock, realSleep, type Sleep, systemClock } from './http/sleep.ts';
export {
  type AlphaVantageSource,
  type AlphaVantageSourceOptions,
  createAlphaVantageSource,
} from './providers/alpha-vantage.ts';
export { createFinnhubSource, type FinnhubSource, type FinnhubSourceOptions } from './providers/finnhub.ts';
export {
  createFredSource,
  type FredSeriesRequest,
  type FredSource,
  type FredSourceOptions,
  type FredVintageOptions,
} from './providers/fred.ts';
export {
  createSecEdgarSource,
  type SecEdgarSource,
  type SecEdgarSourceOptions,
  type SecFiling,
  type SecFilingsRequest,
} from './providers/sec-edgar.ts';
export type {
  HttpProviderOptions,
  InvalidRowPolicy,
  PriceFetchResult,
  SkippedItem,
} from './providers/shared.ts';
export {
  createTushareSource,
  type TushareQuery,
  type TushareSource,
  type TushareSourceOptions,
  type TushareTable,
} from './providers/tushare.ts';
export {
  createVendorChain,
  NO_FALLBACK_CODES,
  type VendorAttempt,
  type VendorChain,
  VendorChainError,
  type VendorChainOptions,
  type VendorChainReport,
} from './providers/vendor-chain.ts';
export { createYahooPriceSource, type YahooPriceSource, type YahooPriceSourceOptions } from './providers/yahoo.ts';
// #endregion
