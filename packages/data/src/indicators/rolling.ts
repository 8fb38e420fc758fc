/**
 * Small rolling-window helpers over plain arrays, used for the indicators `technicalindicators` lacks.
 * Outputs are aligned with the input: `null` where the window is not full yet or the value is undefined.
 */

/** Rolling mean over `period` values. */
export function rollingMean(values: ArrayLike<number>, period: number): Array<number | null> {
  const out: Array<number | null> = new Array(values.length).fill(null);
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) {
    sum += values[index] as number;
    if (index >= period) sum -= values[index - period] as number;
    if (index >= period - 1) out[index] = sum / period;
  }
  return out;
}

/** Rolling sample standard deviation (`ddof = 1`, as pandas `rolling(n).std()`), computed two-pass per window. */
export function rollingStd(values: ArrayLike<number | null>, period: number, ddof = 1): Array<number | null> {
  const out: Array<number | null> = new Array(values.length).fill(null);
  for (let index = period - 1; index < values.length; index += 1) {
    let sum = 0;
    let valid = true;
    for (let offset = index - period + 1; offset <= index; offset += 1) {
      const value = values[offset];
      if (value === null || value === undefined || !Number.isFinite(value)) {
        valid = false;
        break;
      }
      sum += value;
    }
    if (!valid || period - ddof <= 0) continue;
    const mean = sum / period;
    let squares = 0;
    for (let offset = index - period + 1; offset <= index; offset += 1) {
      const deviation = (values[offset] as number) - mean;
      squares += deviation * deviation;
    }
    out[index] = Math.sqrt(squares / (period - ddof));
  }
  return out;
}

/** Volume-weighted moving average: `sum(close·volume) / sum(volume)` over `period` bars (`null` when volume sums to 0). */
export function vwma(close: ArrayLike<number>, volume: ArrayLike<number>, period: number): Array<number | null> {
  const out: Array<number | null> = new Array(close.length).fill(null);
  let weighted = 0;
  let total = 0;
  for (let index = 0; index < close.length; index += 1) {
    weighted += (close[index] as number) * (volume[index] as number);
    total += volume[index] as number;
    if (index >= period) {
      weighted -= (close[index - period] as number) * (volume[index - period] as number);
      total -= volume[index - period] as number;
    }
    if (index >= period - 1 && total > 0) out[index] = weighted / total;
  }
  return out;
}

/** Rolling z-score of the close: `(close − mean) / std` over `period` bars (sample std, `ddof = 1`). */
export function zScore(values: ArrayLike<number>, period: number): Array<number | null> {
  const mean = rollingMean(values, period);
  const std = rollingStd(values, period);
  return mean.map((average, index) => {
    const deviation = std[index];
    if (average === null || deviation === null || deviation === undefined || deviation === 0) return null;
    return ((values[index] as number) - average) / deviation;
  });
}

/** The KDJ lines. */
export interface KdjLines {
  k: Array<number | null>;
  d: Array<number | null>;
  j: Array<number | null>;
}

/**
 * KDJ as `stockstats` and Chinese charting software define it: `RSV = 100·(close − LLV(low, n)) / (HHV(high, n) −
 * LLV(low, n))`, `K = (2/3)·K₋₁ + (1/3)·RSV`, `D = (2/3)·D₋₁ + (1/3)·K`, `J = 3K − 2D`, with K and D starting at 50.
 * The first `n − 1` bars (incomplete window) are `null`; a flat window (HHV = LLV) gives RSV 50.
 */
export function kdj(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>, period = 9): KdjLines {
  const length = close.length;
  const k: Array<number | null> = new Array(length).fill(null);
  const d: Array<number | null> = new Array(length).fill(null);
  const j: Array<number | null> = new Array(length).fill(null);
  let previousK = 50;
  let previousD = 50;
  for (let index = period - 1; index < length; index += 1) {
    let highest = Number.NEGATIVE_INFINITY;
    let lowest = Number.POSITIVE_INFINITY;
    for (let offset = index - period + 1; offset <= index; offset += 1) {
      highest = Math.max(highest, high[offset] as number);
      lowest = Math.min(lowest, low[offset] as number);
    }
    const range = highest - lowest;
    const rsv = range > 0 ? (100 * ((close[index] as number) - lowest)) / range : 50;
    previousK = (2 / 3) * previousK + rsv / 3;
    previousD = (2 / 3) * previousD + previousK / 3;
    k[index] = previousK;
    d[index] = previousD;
    j[index] = 3 * previousK - 2 * previousD;
  }
  return { k, d, j };
}

/** Place a right-aligned result (warm-up dropped at the start) into an array as long as the input. */
export function alignRight<T>(result: readonly T[], length: number): Array<T | null> {
  const out: Array<T | null> = new Array(length).fill(null);
  const offset = length - result.length;
  for (let index = 0; index < result.length; index += 1) out[offset + index] = result[index] as T;
  return out;
}

/** `value` when it is a finite number, else `null`. */
export function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
