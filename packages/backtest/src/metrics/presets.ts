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
export const flagTraderOptionsSchema = z.object({
  /** Periods per year (FLAG-Trader: 252 for stocks; its BTC rows would use the same formula). @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /** Annual risk-free rate `r_f` (their Buy & Hold rows reproduce with 0). @default 0 */
  riskFree: riskFreeSchema.default(0),
  /**
   * Leading periods that are entry days: they count in CR and in the day count `T` of `R_p`, but not in `σ`.
   * The engine's result for a position opened at the first close of the window has one (a zero return).
   * @default 1
   */
  entryPeriods: z.number().int().min(0).default(1),
});
/** Options of {@link flagTraderMetrics}. */
export type FlagTraderOptions = z.input<typeof flagTraderOptionsSchema>;

/** FLAG-Trader's four table metrics, in the units of its Tables 1–2. */
export interface FlagTraderMetrics {
  /** `CR% = 100 · Σ_t log(1 + r_t)` over all T periods. */
  cumulativeReturnPct: number;
  /** `SR = (R_p − r_f) / σ_p` with `R_p = K · CR / T` and `σ_p = AV` (both annualised, as fractions). */
  sharpeRatio: number;
  /** `AV% = 100 · √K · std(log(1 + r_t))` (sample std) over the periods after the entry periods. */
  annualizedVolatilityPct: number;
  /** `MDD% = 100 · max (V_peak − V_trough) / V_peak` of the compounded equity curve. */
  maxDrawdownPct: number;
  /** T, the number of periods (days in the test window). */
  periods: number;
}

/**
 * FLAG-Trader's metrics (§5.2, Tables 1–2). The paper gives `SR = (R_p − r_f)/σ_p` without saying whether it is
 * annualised; its Buy & Hold rows answer that. For MSFT 2020-10-01 → 2021-05-05 (Yahoo adjusted closes, 149
 * days, 148 daily log returns) CR = 15.340 % and AV = 24.980 % match the table to all printed digits, and
 * `SR = (252 · 0.15340 / 149) / 0.24980 = 1.039`, again the printed value; the per-day ratio would be 0.066.
 * The TSLA row (window to 2021-05-06, 150 days) confirms `252 · 0.39244 / 150 / 0.75854 = 0.869` with the
 * paper's own CR and AV. So SR is annualised, `R_p = K · CR / T` (the mean daily log return over all T days of
 * the window, the entry day included), `σ_p = AV`, and `r_f = 0`. This preset implements that reconstruction.
 * @throws {TradeR1Error} `INVALID_INPUT` when there are not at least `entryPeriods + 2` returns.
 */
export function flagTraderMetrics(returns: NumericSeries, options: FlagTraderOptions = {}): FlagTraderMetrics {
  const { periodsPerYear, riskFree, entryPeriods } = parseMetricOptions(
    flagTraderOptionsSchema,
    options,
    'flagTraderMetrics',
  );
  assertReturns(returns);
  if (returns.length < entryPeriods + 2) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `flagTraderMetrics needs at least ${entryPeriods + 2} returns (entry periods + 2); got ${returns.length}`,
      { details: { returns: returns.length, entryPeriods } },
    );
  }
  const logs = toLogReturns(returns);
  let cumulative = 0;
  for (let index = 0; index < logs.length; index += 1) cumulative += logs[index] as number;
  const volatility = standardDeviation(logs.subarray(entryPeriods), 1) * Math.sqrt(periodsPerYear);
  const annualReturn = (periodsPerYear * cumulative) / logs.length;
  return {
    cumulativeReturnPct: 100 * cumulative,
    sharpeRatio: volatility > 0 ? (annualReturn - riskFree) / volatility : Number.NaN,
    annualizedVolatilityPct: 100 * volatility,
    maxDrawdownPct: 100 * maxDrawdown(equityFromReturns(returns)).maxDrawdown,
    periods: logs.length,
  };
}

/** Options of {@link tradingR1Metrics}. */
export const tradingR1OptionsSchema = z.object({
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
