import { TradeR1Error } from '@trade-r1/core';
import { assertInteger, assertNumber, assertRecord } from './arguments.ts';

/** Throw `INVALID_INPUT` unless `closes` is an array of finite numbers. */
function assertCloses(closes: unknown, fn: string): asserts closes is readonly number[] {
  if (!Array.isArray(closes)) {
    throw new TradeR1Error('INVALID_INPUT', `${fn}: closes must be an array of finite numbers`, {
      details: { function: fn, field: 'closes' },
    });
  }
  for (let index = 0; index < closes.length; index += 1) {
    if (!Number.isFinite(closes[index])) {
      throw new TradeR1Error('INVALID_INPUT', `${fn}: closes[${index}] must be a finite number`, {
        details: { function: fn, field: `closes[${index}]` },
      });
    }
  }
}

/**
 * Small pure indicator functions over a close-price array (oldest first). Each returns `null` when there is not
 * enough history, never NaN. They compute the value at the LAST element only (point in time).
 */

/** Simple moving average of the last `period` closes. */
export function sma(closes: readonly number[], period: number): number | null {
  assertCloses(closes, 'sma');
  assertInteger(period, 'sma', 'period');
  if (period < 1 || closes.length < period) return null;
  let sum = 0;
  for (let index = closes.length - period; index < closes.length; index += 1) sum += closes[index] as number;
  return sum / period;
}

/** Exponential moving average (α = 2/(period+1)), seeded with the SMA of the first `period` closes. */
export function ema(closes: readonly number[], period: number): number | null {
  assertCloses(closes, 'ema');
  assertInteger(period, 'ema', 'period');
  if (period < 1 || closes.length < period) return null;
  const alpha = 2 / (period + 1);
  let value = 0;
  for (let index = 0; index < period; index += 1) value += closes[index] as number;
  value /= period;
  for (let index = period; index < closes.length; index += 1)
    value = alpha * (closes[index] as number) + (1 - alpha) * value;
  return value;
}

/** Wilder's RSI over `period` (default 14), in [0, 100]. A series without losses gives 100, a flat one 50. */
export function rsi(closes: readonly number[], period = 14): number | null {
  assertCloses(closes, 'rsi');
  assertInteger(period, 'rsi', 'period');
  if (period < 1 || closes.length < period + 1) return null;
  let gain = 0;
  let loss = 0;
  for (let index = 1; index <= period; index += 1) {
    const change = (closes[index] as number) - (closes[index - 1] as number);
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  for (let index = period + 1; index < closes.length; index += 1) {
    const change = (closes[index] as number) - (closes[index - 1] as number);
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
  }
  if (gain === 0 && loss === 0) return 50;
  if (loss === 0) return 100;
  return 100 - 100 / (1 + gain / loss);
}

/** Simple return over the last `days` bars: close[t]/close[t-days] − 1. */
export function trailingReturn(closes: readonly number[], days: number): number | null {
  assertCloses(closes, 'trailingReturn');
  assertInteger(days, 'trailingReturn', 'days');
  if (days < 1 || closes.length < days + 1) return null;
  const last = closes[closes.length - 1] as number;
  const base = closes[closes.length - 1 - days] as number;
  return last / base - 1;
}

/** Sample standard deviation of the last `window` daily log returns, annualised by √`annualization` (252). */
export function realizedVolatility(closes: readonly number[], window = 20, annualization = 252): number | null {
  assertCloses(closes, 'realizedVolatility');
  assertInteger(window, 'realizedVolatility', 'window');
  assertNumber(annualization, 'realizedVolatility', 'annualization');
  if (!(annualization > 0) || !Number.isFinite(annualization)) {
    throw new TradeR1Error('INVALID_INPUT', 'realizedVolatility: annualization must be a finite number > 0', {
      details: { function: 'realizedVolatility', field: 'annualization' },
    });
  }
  if (window < 2 || closes.length < window + 1) return null;
  const returns: number[] = [];
  for (let index = closes.length - window; index < closes.length; index += 1) {
    returns.push(Math.log((closes[index] as number) / (closes[index - 1] as number)));
  }
  const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
  const variance = returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance * annualization);
}

/** MACD line (EMA12 − EMA26) divided by the last close, so it is comparable across price levels. */
export function macdRatio(closes: readonly number[]): number | null {
  assertCloses(closes, 'macdRatio');
  const fast = ema(closes, 12);
  const slow = ema(closes, 26);
  const last = closes.at(-1);
  if (fast === null || slow === null || last === undefined) return null;
  return (fast - slow) / last;
}

/** The indicator names computed by {@link computePromptIndicators}. */
export const PROMPT_INDICATOR_NAMES = [
  'close',
  'sma20',
  'sma50',
  'rsi14',
  'return5d',
  'return20d',
  'volatility20d',
  'macdRatio',
] as const;

/** The indicators the prompts and the analyst template use. */
export type PromptIndicatorName = (typeof PROMPT_INDICATOR_NAMES)[number];

/**
 * Compute every {@link PromptIndicatorName} from closes (oldest first). Values given in `precomputed` win over
 * computed ones (so a caller's own definitions are respected).
 */
export function computePromptIndicators(
  closes: readonly number[],
  precomputed: Readonly<Record<string, number | null>> = {},
): Record<PromptIndicatorName, number | null> {
  assertCloses(closes, 'computePromptIndicators');
  assertRecord(precomputed, 'computePromptIndicators', 'precomputed');
  const computed: Record<PromptIndicatorName, number | null> = {
    close: closes.at(-1) ?? null,
    sma20: sma(closes, 20),
    sma50: sma(closes, 50),
    rsi14: rsi(closes, 14),
    return5d: trailingReturn(closes, 5),
    return20d: trailingReturn(closes, 20),
    volatility20d: realizedVolatility(closes, 20),
    macdRatio: macdRatio(closes),
  };
  for (const name of PROMPT_INDICATOR_NAMES) {
    const given = precomputed[name];
    if (given !== undefined && (given === null || Number.isFinite(given))) computed[name] = given;
  }
  return computed;
}
