import {
  type Bar,
  barCloseInstant,
  type EvidenceDocument,
  type ExchangeInput,
  exchangeForTicker,
  exchangeSchema,
  parsePriceSeries,
  parseWith,
  tickerSchema,
} from '@trade-r1/core';
import { z } from 'zod';
import { computeIndicators } from '../indicators/indicators.ts';

/** Options for {@link marketDataDocuments}. */
export interface MarketDataDocumentsOptions {
  /** The ticker the bars belong to. */
  ticker: string;
  /** Daily bars, ascending. Every document uses only bars up to its own date. */
  bars: readonly Bar[];
  /** First date to emit a document for (`YYYY-MM-DD`, inclusive). @default the first bar with 50 bars of history */
  start?: string;
  /** Last date to emit a document for (`YYYY-MM-DD`, inclusive). @default the last bar */
  end?: string;
  /**
   * The exchange whose session close dates each document.
   * @default from the ticker: `.SH`/`.SS` Shanghai, `.SZ` Shenzhen, a plain symbol New York
   */
  exchange?: ExchangeInput;
}

const optionsSchema = z.object({
  ticker: tickerSchema,
  bars: z.array(z.unknown()),
  start: z.string().optional(),
  end: z.string().optional(),
  exchange: exchangeSchema.optional(),
});

/** The figures one market-data document reports (all computed from bars up to its date). */
export interface MarketDataFigures {
  date: string;
  close: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  /** Simple moving average of the close over 20 bars. */
  sma20: number | null;
  /** Simple moving average of the close over 50 bars. */
  sma50: number | null;
  /** Wilder RSI over 14 bars (from `computeIndicators`). */
  rsi14: number | null;
  /** close(t) / close(t − 5) − 1. */
  return5d: number | null;
  /** close(t) / close(t − 20) − 1. */
  return20d: number | null;
  /** Sample std of the last 20 daily log returns × √252. */
  volatility20d: number | null;
  /** MACD line (EMA12 − EMA26 of close) divided by the close. */
  macdRatio: number | null;
}

/**
 * Turn daily bars into dated evidence documents — one "market data" document per trading day that states that
 * day's OHLCV and the standard technical figures (moving averages, returns, RSI, volatility, MACD), computed
 * only from bars up to that day. Each document is published at that day's session close on the exchange (`sourceKind:
 * 'technical'`, id `market:<TICKER>:<date>`), so a point-in-time evidence store admits it exactly from that day on.
 *
 * Use it to give a verifier independent, price-derived facts to check a reasoning's technical claims against.
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `INVALID_SERIES` for bad bars.
 */
export function marketDataDocuments(options: MarketDataDocumentsOptions): EvidenceDocument[] {
  const parsed = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'marketDataDocuments options' });
  const exchange = parsed.exchange ?? exchangeForTicker(parsed.ticker);
  return marketDataFigures(options).map((figures) =>
    figuresToDocument(parsed.ticker, figures, barCloseInstant(figures.date, exchange)),
  );
}

/** The figures behind {@link marketDataDocuments}, one row per emitted date. */
export function marketDataFigures(options: MarketDataDocumentsOptions): MarketDataFigures[] {
  const parsed = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'marketDataDocuments options' });
  const bars = parsePriceSeries(options.bars);
  const table = computeIndicators({ bars, indicators: ['rsi14', 'macd'], trusted: true });
  const closes = bars.map((bar) => bar.close);
  const rows: MarketDataFigures[] = [];
  const firstIndex = Math.min(49, bars.length);
  for (let index = firstIndex; index < bars.length; index += 1) {
    const bar = bars[index] as Bar;
    const date = bar.timestamp.slice(0, 10);
    if (parsed.start !== undefined && date < parsed.start) continue;
    if (parsed.end !== undefined && date > parsed.end) break;
    const macd = table.values.macd?.[index] ?? null;
    rows.push({
      date,
      close: bar.close,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      volume: bar.volume,
      sma20: trailingMean(closes, index, 20),
      sma50: trailingMean(closes, index, 50),
      rsi14: table.values.rsi14?.[index] ?? null,
      return5d: trailingReturn(closes, index, 5),
      return20d: trailingReturn(closes, index, 20),
      volatility20d: realizedVolatility(closes, index, 20),
      macdRatio: macd === null ? null : macd / bar.close,
    });
  }
  return rows;
}

function trailingMean(values: readonly number[], end: number, window: number): number | null {
  if (end + 1 < window) return null;
  let sum = 0;
  for (let index = end - window + 1; index <= end; index += 1) sum += values[index] as number;
  return sum / window;
}

function trailingReturn(values: readonly number[], end: number, days: number): number | null {
  if (end < days) return null;
  return (values[end] as number) / (values[end - days] as number) - 1;
}

function realizedVolatility(values: readonly number[], end: number, window: number): number | null {
  if (end < window) return null;
  const returns: number[] = [];
  for (let index = end - window + 1; index <= end; index += 1) {
    returns.push(Math.log((values[index] as number) / (values[index - 1] as number)));
  }
  const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
  const variance = returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance * 252);
}

const percent = (value: number, digits = 1): string => `${(value * 100).toFixed(digits)}%`;
const price = (value: number): string => value.toFixed(2);

function volumeText(volume: number): string {
  if (volume >= 1e9) return `${(volume / 1e9).toFixed(2)} billion`;
  if (volume >= 1e6) return `${(volume / 1e6).toFixed(1)} million`;
  return `${Math.round(volume)}`;
}

function relation(close: number, average: number): string {
  const gap = close / average - 1;
  return `${percent(Math.abs(gap))} ${gap >= 0 ? 'above' : 'below'}`;
}

function movement(value: number): string {
  return `${value >= 0 ? 'gained' : 'lost'} ${percent(Math.abs(value))}`;
}

function figuresToDocument(ticker: string, figures: MarketDataFigures, closeInstant: number): EvidenceDocument {
  const sentences = [
    `${ticker} closed at ${price(figures.close)} on ${figures.date} (open ${price(figures.open)}, high ${price(figures.high)}, low ${price(figures.low)}) on volume of ${volumeText(figures.volume)} shares.`,
  ];
  if (figures.sma20 !== null && figures.sma50 !== null) {
    sentences.push(
      `The close was ${relation(figures.close, figures.sma20)} the 20-day simple moving average of ${price(figures.sma20)} and ${relation(figures.close, figures.sma50)} the 50-day average of ${price(figures.sma50)}; the 20-day average was ${figures.sma20 >= figures.sma50 ? 'above' : 'below'} the 50-day average.`,
    );
  }
  if (figures.return5d !== null && figures.return20d !== null) {
    sentences.push(
      `Over the last 5 sessions ${ticker} ${movement(figures.return5d)}, and over the last 20 sessions it ${movement(figures.return20d)}.`,
    );
  }
  if (figures.rsi14 !== null) sentences.push(`The 14-day RSI was ${figures.rsi14.toFixed(1)}.`);
  if (figures.volatility20d !== null) {
    sentences.push(`20-day realised volatility was ${percent(figures.volatility20d)} annualised.`);
  }
  if (figures.macdRatio !== null) {
    sentences.push(
      `The MACD line (EMA12 minus EMA26) was ${percent(Math.abs(figures.macdRatio), 2)} of the price, ${figures.macdRatio >= 0 ? 'positive' : 'negative'}.`,
    );
  }
  return {
    id: `market:${ticker}:${figures.date}`,
    tickers: [ticker],
    publishedAt: new Date(closeInstant).toISOString(),
    sourceKind: 'technical',
    title: `${ticker} market data for ${figures.date}`,
    text: sentences.join(' '),
    metadata: { generatedFrom: 'daily bars', figures },
  };
}
