import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import {
  assertReturns,
  type NumericSeries,
  parseMetricOptions,
  periodsPerYearSchema,
  riskFreeConversionSchema,
  riskFreeSchema,
  standardDeviation,
} from './common.ts';
import { equityFromReturns, maxDrawdown } from './drawdown.ts';
import { hitRate } from './hit-rate.ts';
import { cumulativeReturn, toLogReturns } from './returns.ts';
import { sharpeRatio } from './sharpe.ts';

/** Options of {@link flagTraderMetrics}. */
export const flagTraderOptionsSchema = z.strictObject({
  /**
   * Periods per year that annualise the volatility, per asset, with no default: FLAG-Trader's Buy & Hold rows
   * reproduce with 252 for MSFT and 365 for TSLA (and 365 for BTC). Required because the paper's tables mix both.
   */
  volatilityPeriodsPerYear: periodsPerYearSchema,
  /** Periods per year of the return in the Sharpe ratio, `R_p = CR / (T / K_r)` (FinMem's code: 252). @default 252 */
  returnPeriodsPerYear: periodsPerYearSchema.default(252),
  /** Annual risk-free rate `r_f` (FinMem's code and the Buy & Hold rows: 0). @default 0 */
  riskFree: riskFreeSchema.default(0),
});
/** Options of {@link flagTraderMetrics}. */
export type FlagTraderOptions = z.input<typeof flagTraderOptionsSchema>;

/** FLAG-Trader's four table metrics, in the units of its Tables 1–2. */
export interface FlagTraderMetrics {
  /** `CR% = 100 · Σ_t log(1 + r_t)` over the `T − 1` returns. */
  cumulativeReturnPct: number;
  /** `SR = (CR / (T / K_r) − r_f) / AV` with `T` the number of prices (returns + 1). */
  sharpeRatio: number;
  /** `AV% = 100 · √K_v · std(log(1 + r_t))`, sample standard deviation (ddof 1). */
  annualizedVolatilityPct: number;
  /** `MDD% = 100 · max (V_peak − V_t) / V_peak` of `V_t = Π_{u≤t} (1 + log(1 + r_u))`, FinMem's curve. */
  maxDrawdownPct: number;
  /** `T`, the number of prices (one more than the number of returns). */
  prices: number;
}

/**
 * FLAG-Trader's metrics (§5.2, Tables 1–2), exactly as FinMem's `Visualize-metrics-test/metrics.py`
 * (pipiku915/FinMem-LLM-StockTrading), from which FLAG-Trader descends, computes them. Given the close-to-close
 * simple returns `r_t` of `T` prices (`T − 1` returns):
 * - `CR = Σ log(1 + r_t)`;
 * - `AV = std(log(1 + r_t), ddof 1) · √K_v`, with `K_v = volatilityPeriodsPerYear` (explicit, per asset);
 * - `SR = (CR / (T / K_r) − r_f) / AV`, `K_r = 252`, `r_f = 0` (the day count is the number of *prices*);
 * - `MDD` of the curve `Π (1 + log(1 + r_t))` (FinMem compounds the log returns as if they were simple).
 *
 * With the Yahoo closes 2020-10-01 → 2021-05-05 of MSFT (149 prices, `K_v = 252`) and 2020-10-01 → 2021-05-06
 * of TSLA (150 prices, `K_v = 365`) this reproduces all eight Buy & Hold numbers of the two rows.
 * @throws {TradeR1Error} `INVALID_INPUT` for fewer than 2 returns or a non-finite return below −1;
 *   `INVALID_CONFIG` for missing, wrong or misspelled options.
 */
export function flagTraderMetrics(returns: NumericSeries, options: FlagTraderOptions): FlagTraderMetrics {
  const { volatilityPeriodsPerYear, returnPeriodsPerYear, riskFree } = parseMetricOptions(
    flagTraderOptionsSchema,
    options,
    'flagTraderMetrics',
  );
  assertReturns(returns);
  if (returns.length < 2) {
    throw new TradeR1Error('INVALID_INPUT', `flagTraderMetrics needs at least 2 returns; got ${returns.length}`, {
      details: { field: 'returns', returns: returns.length },
    });
  }
  const logs = toLogReturns(returns);
  let cumulative = 0;
  let value = 1;
  let peak = 1;
  let drawdown = 0;
  for (let index = 0; index < logs.length; index += 1) {
    const log = logs[index] as number;
    cumulative += log;
    value *= 1 + log;
    if (value > peak) peak = value;
    const depth = (peak - value) / peak;
    if (depth > drawdown) drawdown = depth;
  }
  const prices = logs.length + 1;
  const volatility = standardDeviation(logs, 1) * Math.sqrt(volatilityPeriodsPerYear);
  const annualReturn = cumulative / (prices / returnPeriodsPerYear);
  return {
    cumulativeReturnPct: 100 * cumulative,
    sharpeRatio: volatility > 0 ? (annualReturn - riskFree) / volatility : Number.NaN,
    annualizedVolatilityPct: 100 * volatility,
    maxDrawdownPct: 100 * drawdown,
    prices,
  };
}

/** Options of {@link tradingR1Metrics}. */
export const tradingR1OptionsSchema = z.strictObject({
  /** Annual risk-free rate (Trading-R1: 4 % p.a., the US 10-year yield). @default 0.04 */
  riskFree: riskFreeSchema.default(0.04),
  /** Periods per year `K`. @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /** Per-period conversion of `riskFree` (the paper does not say; `'simple'` is `r_f / K`). @default 'simple' */
  riskFreeConversion: riskFreeConversionSchema.default('simple'),
  /** Actions `a_t` (signed exposure or decision direction) for the hit rate. */
  actions: z.custom<NumericSeries>((value) => typeof (value as NumericSeries)?.length === 'number').optional(),
  /** Asset returns `r_t` over each action's interval, aligned with `actions`. */
  actionReturns: z.custom<NumericSeries>((value) => typeof (value as NumericSeries)?.length === 'number').optional(),
});
/** Options of {@link tradingR1Metrics}. */
export type TradingR1Options = z.input<typeof tradingR1OptionsSchema>;

/** Trading-R1's four table metrics (Tables 3–4), in its units. */
export interface TradingR1Metrics {
  /** `CR% = 100 · (Π(1 + r_t) − 1)`. */
  cumulativeReturnPct: number;
  /** `SR = √K · mean(r_t − r_f,p) / std(r_t − r_f,p)`. */
  sharpeRatio: number;
  /** `HR% = 100 · (1/N) Σ 1{sign(a_t) = sign(r_t)}`, or null without actions. */
  hitRatePct: number | null;
  /** `MDD% = 100 · max_t (1 − V_t / max_{u≤t} V_u)`. */
  maxDrawdownPct: number;
}

/**
 * Trading-R1's metrics (S2.2): compounded CR, Sharpe on excess returns with r_f = 4 % p.a. (per-period
 * conversion configurable, the paper leaves it open), hit rate with flat actions counted literally, and MDD.
 */
export function tradingR1Metrics(returns: NumericSeries, options: TradingR1Options = {}): TradingR1Metrics {
  const { riskFree, periodsPerYear, riskFreeConversion, actions, actionReturns } = parseMetricOptions(
    tradingR1OptionsSchema,
    options,
    'tradingR1Metrics',
  );
  if ((actions === undefined) !== (actionReturns === undefined)) {
    throw new TradeR1Error('INVALID_CONFIG', 'tradingR1Metrics needs both `actions` and `actionReturns`, or neither');
  }
  return {
    cumulativeReturnPct: 100 * cumulativeReturn(returns),
    sharpeRatio: sharpeRatio(returns, { riskFree, periodsPerYear, riskFreeConversion }),
    hitRatePct: actions && actionReturns ? 100 * hitRate(actions, actionReturns) : null,
    maxDrawdownPct: 100 * maxDrawdown(equityFromReturns(returns)).maxDrawdown,
  };
}
