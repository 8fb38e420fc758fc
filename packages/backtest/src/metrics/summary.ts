import { z } from 'zod';
import { annualizedTurnover, averageExposure, timeInMarket } from './activity.ts';
import { bootstrapSharpeInterval, type ConfidenceInterval } from './bootstrap.ts';
import { calmarRatio } from './calmar.ts';
import {
  type NumericSeries,
  parseMetricOptions,
  periodsPerYearSchema,
  riskFreeConversionSchema,
  riskFreeSchema,
} from './common.ts';
import { equityFromReturns, maxDrawdown } from './drawdown.ts';
import { hitRate, winRate } from './hit-rate.ts';
import { annualizedReturn, annualizedVolatility, cumulativeLogReturn, cumulativeReturn } from './returns.ts';
import { sharpeRatio, sortinoRatio } from './sharpe.ts';

const seriesSchema = z.custom<NumericSeries>((value) => typeof (value as NumericSeries)?.length === 'number', {
  message: 'expected an array of numbers',
});

/** Options of {@link computeMetrics}. */
export const metricsOptionsSchema = z.strictObject({
  /** Periods per year `K` (252 trading days, 365 for crypto). @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /** Annual risk-free rate for Sharpe and Sortino. @default 0 */
  riskFree: riskFreeSchema.default(0),
  /** Per-period conversion of the risk-free rate. @default 'simple' */
  riskFreeConversion: riskFreeConversionSchema.default('simple'),
  /** Flat actions in the hit rate: `'count'` (Trading-R1, a miss) or `'exclude'`. @default 'count' */
  flatActions: z.enum(['count', 'exclude']).default('count'),
  /** Bootstrap settings of the Sharpe interval; `false` skips it. @default { seed: 0, samples: 1000, confidence: 0.95, blockLength: 1 } */
  bootstrap: z
    .union([
      z.literal(false),
      z.strictObject({
        seed: z.number().int().default(0),
        samples: z.number().int().min(10).default(1000),
        confidence: z.number().gt(0).lt(1).default(0.95),
        blockLength: z.number().int().min(1).default(1),
      }),
    ])
    .default({ seed: 0, samples: 1000, confidence: 0.95, blockLength: 1 }),
});
/** Options of {@link computeMetrics}. */
export type MetricsOptions = z.input<typeof metricsOptionsSchema>;

/** Inputs of {@link computeMetrics}: per-period returns and optional per-period activity. */
export interface MetricsInput {
  /** Simple per-period returns of the strategy. */
  returns: NumericSeries;
  /** Gross exposure `Σ|w|` per period, aligned with `returns`. */
  grossExposure?: NumericSeries;
  /** Net exposure `Σw` per period, aligned with `returns`. */
  netExposure?: NumericSeries;
  /** Traded notional / equity per period, aligned with `returns`. */
  turnover?: NumericSeries;
  /** Actions `a_t` for the hit rate (e.g. one per decision). */
  actions?: NumericSeries;
  /** Asset returns over each action's interval, aligned with `actions`. */
  actionReturns?: NumericSeries;
}

/** Every metric of a return series (fractions, not percent). NaN where a value is undefined. */
export interface PerformanceMetrics {
  /** Number of return periods N. */
  periods: number;
  /** `Π(1 + r_t) − 1` (Trading-R1 CR). */
  cumulativeReturn: number;
  /** `Σ log(1 + r_t)` (FLAG-Trader CR). */
  cumulativeLogReturn: number;
  /** CAGR `(Π(1 + r_t))^(K/N) − 1`. */
  annualizedReturn: number;
  /** `√K · std(r_t)` (sample std). */
  annualizedVolatility: number;
  /** `√K · mean(r_t − r_f,p) / std(r_t − r_f,p)`. */
  sharpeRatio: number;
  /** Seeded percentile-bootstrap interval of the Sharpe ratio, or null when skipped. */
  sharpeInterval: ConfidenceInterval | null;
  /** `√K · mean(r_t − r_f,p) / downside deviation`. */
  sortinoRatio: number;
  /** CAGR / MDD. */
  calmarRatio: number;
  /** `max_t (1 − V_t / max_{u≤t} V_u)`. */
  maxDrawdown: number;
  /** Longest time under water, in periods. */
  maxDrawdownDuration: number;
  /** Trading-R1 hit rate over the given actions, or null. */
  hitRate: number | null;
  /** Fraction of in-market periods with a positive return. */
  winRate: number;
  /** `K · mean(turnover_t)`, or null without turnover. */
  annualizedTurnover: number | null;
  /** Mean gross exposure, or null. */
  averageGrossExposure: number | null;
  /** Mean net exposure, or null. */
  averageNetExposure: number | null;
  /** Fraction of periods with non-zero gross exposure, or null. */
  timeInMarket: number | null;
}

/** Compute every metric of a return series at once (see {@link PerformanceMetrics} for the definitions). */
export function computeMetrics(input: MetricsInput, options: MetricsOptions = {}): PerformanceMetrics {
  const resolved = parseMetricOptions(metricsOptionsSchema, options, 'computeMetrics');
  const parsedInput = parseMetricOptions(
    z.strictObject({
      returns: seriesSchema,
      grossExposure: seriesSchema.optional(),
      netExposure: seriesSchema.optional(),
      turnover: seriesSchema.optional(),
      actions: seriesSchema.optional(),
      actionReturns: seriesSchema.optional(),
    }),
    input,
    'computeMetrics input',
  );
  const { returns, grossExposure, netExposure, turnover, actions, actionReturns } = parsedInput;
  const { periodsPerYear, riskFree, riskFreeConversion } = resolved;
  const sharpeOptions = { periodsPerYear, riskFree, riskFreeConversion };
  const drawdown = maxDrawdown(equityFromReturns(returns));
  return {
    periods: returns.length,
    cumulativeReturn: cumulativeReturn(returns),
    cumulativeLogReturn: cumulativeLogReturn(returns),
    annualizedReturn: annualizedReturn(returns, { periodsPerYear }),
    annualizedVolatility: annualizedVolatility(returns, { periodsPerYear }),
    sharpeRatio: sharpeRatio(returns, sharpeOptions),
    sharpeInterval:
      resolved.bootstrap === false
        ? null
        : bootstrapSharpeInterval(returns, { ...sharpeOptions, ...resolved.bootstrap }),
    sortinoRatio: sortinoRatio(returns, sharpeOptions),
    calmarRatio: calmarRatio(returns, { periodsPerYear }),
    maxDrawdown: drawdown.maxDrawdown,
    maxDrawdownDuration: drawdown.maxDurationPeriods,
    hitRate: actions && actionReturns ? hitRate(actions, actionReturns, { flatActions: resolved.flatActions }) : null,
    winRate: winRate(returns, grossExposure ? { exposure: grossExposure } : {}),
    annualizedTurnover: turnover ? annualizedTurnover(turnover, { periodsPerYear }) : null,
    averageGrossExposure: grossExposure ? averageExposure(grossExposure) : null,
    averageNetExposure: netExposure ? averageExposure(netExposure) : null,
    timeInMarket: grossExposure ? timeInMarket(grossExposure) : null,
  };
}
