import {
  type Bar,
  isIsoDate,
  parsePriceSeries,
  parseWith,
  TradeR1Error,
  tickerSchema,
  toTradingDate,
} from '@trade-r1/core';
import { z } from 'zod';

/**
 * Aligned daily prices of several assets on one shared date axis, in typed arrays (one per asset) so the
 * engine's inner loop touches no objects.
 *
 * Missing bars are explicit and NaN-free: `available[a][t]` is 1 where asset `a` has a real bar on `dates[t]`
 * and 0 where it has none (not yet listed, halted, delisted, or simply absent from the source). In a missing
 * cell the prices are filled so that nothing downstream sees NaN:
 * - after the asset's first bar: `open = close =` the last real close (a held position is carried at its last
 *   price, so it earns nothing while the asset is missing and the gap is realised on the next real bar);
 * - before the first bar: `open = close =` the first real open (never used for P&L: nothing can be bought
 *   before an asset's first real bar).
 * The engine never trades an asset in a cell where `available` is 0: orders for it wait for its next real bar.
 */
export interface PricePanel {
  /** Trading dates `YYYY-MM-DD`, strictly increasing. */
  readonly dates: readonly string[];
  /** Asset tickers, unique, one per row of the arrays below. */
  readonly tickers: readonly string[];
  /** Opening prices, `open[a][t]`, finite and positive. */
  readonly open: readonly Float64Array[];
  /** Closing prices, `close[a][t]`, finite and positive. */
  readonly close: readonly Float64Array[];
  /** 1 where the asset has a real bar, 0 where the cell is filled. */
  readonly available: readonly Uint8Array[];
}

/** Input of {@link createPricePanel}: raw arrays, where a missing cell may be NaN (or flagged in `available`). */
export interface PricePanelInput {
  /** Trading dates `YYYY-MM-DD`, strictly increasing. */
  dates: readonly string[];
  /** Tickers, one per asset. */
  tickers: readonly string[];
  /** Opening prices per asset (`NaN` or a non-positive value marks a missing bar when `available` is absent). */
  open: readonly ArrayLike<number>[];
  /** Closing prices per asset (same rule as `open`). */
  close: readonly ArrayLike<number>[];
  /** Optional explicit availability per asset (1 = real bar). Cells marked 1 must hold valid prices. */
  available?: readonly ArrayLike<number>[];
}

const panelInputSchema = z.strictObject({
  dates: z.array(z.string()),
  tickers: z.array(tickerSchema),
  open: z.array(z.custom<ArrayLike<number>>((value) => typeof (value as ArrayLike<number>)?.length === 'number')),
  close: z.array(z.custom<ArrayLike<number>>((value) => typeof (value as ArrayLike<number>)?.length === 'number')),
  available: z
    .array(z.custom<ArrayLike<number>>((value) => typeof (value as ArrayLike<number>)?.length === 'number'))
    .optional(),
});

function invalidPanel(message: string, details: Record<string, unknown> = {}): TradeR1Error {
  return new TradeR1Error('INVALID_SERIES', message, { details });
}

/**
 * Build a {@link PricePanel} from raw per-asset arrays. Missing cells (NaN/non-positive prices, or 0 in
 * `available`) are filled as documented on {@link PricePanel}; the inputs are copied, never modified.
 * @throws {TradeR1Error} `INVALID_SERIES` for unsorted or duplicate dates, duplicate tickers, length mismatches,
 *   or an available cell without valid prices; `INVALID_INPUT` for a malformed input object.
 */
export function createPricePanel(input: PricePanelInput): PricePanel {
  const parsed = panelInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new TradeR1Error('INVALID_INPUT', `Invalid price panel: ${parsed.error.issues[0]?.message ?? 'bad input'}`, {
      details: { issues: parsed.error.issues.map((issue) => issue.path.join('.')) },
    });
  }
  const { dates, tickers, open, close, available } = parsed.data;
  for (let index = 0; index < dates.length; index += 1) {
    const date = dates[index] as string;
    if (!isIsoDate(date)) throw invalidPanel(`dates[${index}] ${JSON.stringify(date)} is not YYYY-MM-DD`, { index });
    if (index > 0 && date <= (dates[index - 1] as string)) {
      throw invalidPanel(`dates must be strictly increasing: ${dates[index - 1]} then ${date} at ${index}`, { index });
    }
  }
  const seen = new Set<string>();
  for (const ticker of tickers) {
    if (seen.has(ticker)) throw invalidPanel(`duplicate ticker ${ticker} in the panel`, { ticker });
    seen.add(ticker);
  }
  if (open.length !== tickers.length || close.length !== tickers.length) {
    throw invalidPanel(`open/close need one array per ticker (${tickers.length})`, {
      open: open.length,
      close: close.length,
    });
  }
  if (available && available.length !== tickers.length) {
    throw invalidPanel(`available needs one array per ticker (${tickers.length})`, { available: available.length });
  }
  const length = dates.length;
  const opens: Float64Array[] = [];
  const closes: Float64Array[] = [];
  const masks: Uint8Array[] = [];
  tickers.forEach((ticker, asset) => {
    const rawOpen = open[asset] as ArrayLike<number>;
    const rawClose = close[asset] as ArrayLike<number>;
    const rawAvailable = available?.[asset];
    if (rawOpen.length !== length || rawClose.length !== length || (rawAvailable && rawAvailable.length !== length)) {
      throw invalidPanel(`${ticker}: every array must have ${length} values (one per date)`, { ticker });
    }
    const mask = new Uint8Array(length);
    const openOut = new Float64Array(length);
    const closeOut = new Float64Array(length);
    let first = -1;
    for (let t = 0; t < length; t += 1) {
      const o = rawOpen[t] as number;
      const c = rawClose[t] as number;
      const valid = Number.isFinite(o) && Number.isFinite(c) && o > 0 && c > 0;
      const flagged = rawAvailable ? (rawAvailable[t] as number) !== 0 : valid;
      if (flagged && !valid) {
        throw invalidPanel(`${ticker} on ${dates[t]} is marked available but has open ${o} and close ${c}`, {
          ticker,
          date: dates[t],
        });
      }
      if (!flagged) continue;
      mask[t] = 1;
      openOut[t] = o;
      closeOut[t] = c;
      if (first < 0) first = t;
    }
    fillMissing(openOut, closeOut, mask, first);
    opens.push(openOut);
    closes.push(closeOut);
    masks.push(mask);
  });
  return Object.freeze({
    dates: Object.freeze(dates.slice()),
    tickers: Object.freeze(tickers.slice()),
    open: Object.freeze(opens),
    close: Object.freeze(closes),
    available: Object.freeze(masks),
  });
}

/** Fill missing cells in place: carry the last close forward; before the first bar, use the first open. */
function fillMissing(open: Float64Array, close: Float64Array, mask: Uint8Array, first: number): void {
  if (first < 0) {
    // An asset without a single real bar: any positive constant keeps the arrays NaN-free; it is never traded.
    open.fill(1);
    close.fill(1);
    return;
  }
  const firstOpen = open[first] as number;
  for (let t = 0; t < first; t += 1) {
    open[t] = firstOpen;
    close[t] = firstOpen;
  }
  let last = close[first] as number;
  for (let t = first + 1; t < mask.length; t += 1) {
    if (mask[t] === 1) {
      last = close[t] as number;
      continue;
    }
    open[t] = last;
    close[t] = last;
  }
}

/** One asset's bars for {@link alignPriceSeries}. */
export interface TickerBars {
  /** The asset's ticker. */
  ticker: string;
  /** Daily bars (validated with core's `priceSeriesSchema`). */
  bars: readonly Bar[];
}

/** Options of {@link alignPriceSeries}. */
export interface AlignPriceSeriesOptions {
  /** The assets: an array of `{ ticker, bars }` or a record `ticker → bars`. */
  series: readonly TickerBars[] | Readonly<Record<string, readonly Bar[]>>;
  /**
   * The shared date axis: `'union'` (every date any asset traded; missing cells are marked), `'intersection'`
   * (only dates every asset traded; nothing is missing), or an explicit list of trading dates (e.g. an exchange
   * calendar).
   * @default 'union'
   */
  calendar?: 'union' | 'intersection' | readonly string[];
}

const alignOptionsSchema = z.strictObject({
  series: z.union([
    z.array(z.strictObject({ ticker: z.string(), bars: z.array(z.unknown()) })),
    z.record(z.string(), z.array(z.unknown())),
  ]),
  calendar: z.union([z.enum(['union', 'intersection']), z.array(z.string())]).optional(),
});

/**
 * Align several daily bar series onto one date axis and return a {@link PricePanel}. Bar timestamps are reduced
 * to their trading date; intraday series are rejected (two bars on one trading date).
 * @throws {TradeR1Error} `INVALID_SERIES` for an invalid series (with the ticker in `details`),
 *   `INVALID_CONFIG` for an unusable calendar.
 */
export function alignPriceSeries(options: AlignPriceSeriesOptions): PricePanel {
  parseWith(alignOptionsSchema, options, { code: 'INVALID_CONFIG', label: 'alignPriceSeries() options' });
  const entries: TickerBars[] = Array.isArray(options.series)
    ? (options.series as readonly TickerBars[]).slice()
    : Object.entries(options.series as Record<string, readonly Bar[]>).map(([ticker, bars]) => ({ ticker, bars }));
  const calendar = options.calendar ?? 'union';
  const byAsset = entries.map(({ ticker, bars }) => {
    const normalisedTicker = tickerSchema.safeParse(ticker);
    if (!normalisedTicker.success) {
      throw new TradeR1Error('INVALID_SERIES', `Invalid ticker ${JSON.stringify(ticker)}`, { details: { ticker } });
    }
    const series = parsePriceSeries(bars, { ticker: normalisedTicker.data });
    const rows = new Map<string, Bar>();
    for (const bar of series) {
      const date = toTradingDate(bar.timestamp);
      if (rows.has(date)) {
        throw new TradeR1Error(
          'INVALID_SERIES',
          `${normalisedTicker.data} has two bars on ${date}; alignPriceSeries needs daily bars`,
          { details: { ticker: normalisedTicker.data, date } },
        );
      }
      rows.set(date, bar);
    }
    return { ticker: normalisedTicker.data, rows };
  });
  let dates: string[];
  if (calendar === 'union' || calendar === 'intersection') {
    const counts = new Map<string, number>();
    for (const { rows } of byAsset) for (const date of rows.keys()) counts.set(date, (counts.get(date) ?? 0) + 1);
    dates = [...counts.entries()]
      .filter(([, count]) => calendar === 'union' || count === byAsset.length)
      .map(([date]) => date)
      .sort();
  } else if (Array.isArray(calendar)) {
    dates = (calendar as readonly string[]).slice();
  } else {
    throw new TradeR1Error('INVALID_CONFIG', `calendar must be 'union', 'intersection' or a list of dates`, {
      details: { calendar: String(calendar) },
    });
  }
  const open = byAsset.map(({ rows }) => Float64Array.from(dates, (date) => rows.get(date)?.open ?? Number.NaN));
  const close = byAsset.map(({ rows }) => Float64Array.from(dates, (date) => rows.get(date)?.close ?? Number.NaN));
  return createPricePanel({ dates, tickers: byAsset.map(({ ticker }) => ticker), open, close });
}

/** Index of the last date `<= date` in sorted `dates` (−1 when every date is later). */
export function lastIndexAtOrBefore(dates: readonly string[], date: string): number {
  let low = 0;
  let high = dates.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if ((dates[middle] as string) <= date) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
