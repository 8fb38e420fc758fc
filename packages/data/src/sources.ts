import type { Bar } from '@trade-r1/core';

/**
 * The data-source interfaces of `@trade-r1/data`: one per data kind of Trading-R1's five sources (prices,
 * news, fundamentals, insider/sentiment, macro). HTTP vendors, file readers and the vendor chain implement
 * them; the point-in-time context builder consumes them.
 *
 * Every item that carries information has a `publishedAt` (a UTC ISO instant, see `@trade-r1/core` dates):
 * the moment it became public. Point-in-time code admits an item only when `publishedAt <= asOf`.
 */

/** Options shared by every source request. */
export interface SourceRequestOptions {
  /** Cancels the request (and any retries). */
  signal?: AbortSignal;
}

/** A request for daily bars of one ticker over an inclusive date range. */
export interface PriceRequest extends SourceRequestOptions {
  ticker: string;
  /** First trading date `YYYY-MM-DD` (inclusive). Omit for the source's earliest. */
  start?: string;
  /** Last trading date `YYYY-MM-DD` (inclusive). */
  end: string;
}

/** Daily OHLCV bars. */
/**
 * What a price series' numbers are: `'raw'` as traded (a 10:1 split divides prices by ten overnight),
 * `'split-adjusted'` (history scaled for splits, not dividends; Yahoo's chart prices), `'total-return'` (scaled for
 * splits and dividends; Yahoo's or Alpha Vantage's adjusted close). Sources of different bases are never mixed.
 */
export type PriceBasis = 'raw' | 'split-adjusted' | 'total-return';

export interface PriceSource {
  /** Vendor or source name, for logs and errors. */
  readonly name: string;
  /** The basis of every bar it returns, when declared. A vendor chain refuses vendors of different bases. */
  readonly priceBasis?: PriceBasis;
  /** Validated bars in increasing date order (a bar's data is public at that day's close). */
  getDailyBars(request: PriceRequest): Promise<Bar[]>;
}

/** A request for items about one ticker published in an inclusive time window. */
export interface WindowRequest extends SourceRequestOptions {
  ticker: string;
  /** Window start (date or instant, inclusive). */
  from: string;
  /** Window end (date or instant, inclusive). */
  to: string;
}

/** One dated news item. */
export interface NewsItem {
  /** Stable id (vendor id, or a hash of url and time). */
  id: string;
  tickers: string[];
  /** UTC ISO instant of publication. */
  publishedAt: string;
  headline: string;
  summary: string;
  /** Publisher or vendor. */
  source: string;
  url?: string;
}

/** Company news. */
export interface NewsSource {
  readonly name: string;
  getNews(request: WindowRequest): Promise<NewsItem[]>;
}

/** One reported fundamental figure (e.g. from an XBRL filing or a financials endpoint). */
export interface FundamentalFact {
  ticker: string;
  /** Metric name, e.g. `Revenues`, `EarningsPerShareDiluted`, `peTTM`. */
  metric: string;
  value: number;
  /** Unit as reported (`USD`, `USD/shares`, `shares`, `ratio`…). */
  unit: string;
  /** End of the fiscal period the figure describes (`YYYY-MM-DD`), when known. */
  periodEnd?: string;
  /** Start of the period (`YYYY-MM-DD`) for a flow (revenue, cash flow); absent for a balance (an instant). */
  periodStart?: string;
  /**
   * What span the figure covers: `'instant'` (a balance at `periodEnd`), `'quarter'`, `'ytd'` (six or nine months
   * to date), `'annual'`, or `'other'`. Absent when the vendor does not say.
   */
  periodKind?: 'instant' | 'quarter' | 'ytd' | 'annual' | 'other';
  fiscalYear?: number;
  /** `Q1`…`Q4` or `FY`. */
  fiscalPeriod?: string;
  /** Filing form (`10-Q`, `10-K`…), when known. */
  form?: string;
  /** UTC ISO instant when the figure became public (the filing date). */
  publishedAt: string;
  source: string;
}

/** A request for fundamentals of one ticker. */
export interface FundamentalsRequest extends SourceRequestOptions {
  ticker: string;
}

/** Fundamentals (filings, financial statements, ratios). */
export interface FundamentalsSource {
  readonly name: string;
  getFundamentals(request: FundamentalsRequest): Promise<FundamentalFact[]>;
}

/** Monthly aggregated insider sentiment (Finnhub's `mspr` and net share `change`). */
export interface InsiderSentiment {
  ticker: string;
  year: number;
  month: number;
  /** Net shares bought (+) or sold (−) by insiders in the month. */
  change: number;
  /** Monthly share purchase ratio in [−100, 100]. */
  mspr: number;
  /** Published no earlier than the first day after the month ends (a monthly aggregate is not known before). */
  publishedAt: string;
  source: string;
}

/** One insider transaction (Form 4). */
export interface InsiderTransaction {
  ticker: string;
  name: string;
  /** Shares held after the transaction. */
  share: number;
  /** Shares bought (+) or sold (−). */
  change: number;
  transactionDate: string;
  transactionPrice?: number;
  /** SEC transaction code (P, S, A, M…). */
  transactionCode?: string;
  /** UTC ISO instant of the filing. */
  publishedAt: string;
  source: string;
}

/** Insider sentiment and transactions. */
export interface InsiderSource {
  readonly name: string;
  getInsiderSentiment(request: WindowRequest): Promise<InsiderSentiment[]>;
  getInsiderTransactions(request: WindowRequest): Promise<InsiderTransaction[]>;
}

/** One observation of a macro series (FRED). */
export interface MacroObservation {
  seriesId: string;
  /** Observation date (start of the period it describes). */
  date: string;
  /** `null` for FRED's missing value `.`. */
  value: number | null;
  /** When this value became public: the vintage's `realtime_start` when known, else a conservative estimate. */
  publishedAt: string;
  source: string;
}

/** A request for a macro series over an inclusive observation window. */
export interface MacroRequest extends SourceRequestOptions {
  seriesId: string;
  from: string;
  to: string;
}

/** Macro-economic series. */
export interface MacroSource {
  readonly name: string;
  getSeries(request: MacroRequest): Promise<MacroObservation[]>;
}
