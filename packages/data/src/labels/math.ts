/**
 * Pandas-compatible primitives for the label code: `ewm(span, adjust=True).mean()`, `rolling(n).std()` and
 * `Series.quantile(q)` with linear interpolation. Pure functions over arrays; `NaN` marks a missing value, as in pandas.
 */
import { z } from 'zod';
import { arrayLikeSchema, parseArgument } from '../validate.ts';

/**
 * `pandas.Series.ewm(span=span, adjust=True).mean()`: `y_t = Σ_i (1−α)^i x_{t−i} / Σ_i (1−α)^i` with
 * `α = 2/(span+1)`, summed over every observation so far (no seed, no warm-up). NaN inputs are skipped the way
 * pandas does by default (`ignore_na=False`: their weight still decays).
 */
export function ewmMeanAdjusted(values: ArrayLike<number>, span: number): number[] {
  parseArgument(arrayLikeSchema, values, { fn: 'ewmMeanAdjusted()', field: 'values' });
  parseArgument(z.number().min(1), span, { fn: 'ewmMeanAdjusted()', field: 'span' });
  const alpha = 2 / (span + 1);
  const decay = 1 - alpha;
  const out: number[] = new Array(values.length);
  let numerator = 0;
  let denominator = 0;
  let seen = false;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    numerator *= decay;
    denominator *= decay;
    if (Number.isFinite(value)) {
      numerator += value;
      denominator += 1;
      seen = true;
    }
    out[index] = seen ? numerator / denominator : Number.NaN;
  }
  return out;
}

/** `pandas.Series.rolling(window).std()`: sample std (`ddof=1`) over full windows with no NaN, else NaN. */
export function rollingStdPandas(values: ArrayLike<number>, window: number): number[] {
  parseArgument(arrayLikeSchema, values, { fn: 'rollingStdPandas()', field: 'values' });
  parseArgument(z.number().int().min(2), window, { fn: 'rollingStdPandas()', field: 'window' });
  const out: number[] = new Array(values.length).fill(Number.NaN);
  for (let index = window - 1; index < values.length; index += 1) {
    let sum = 0;
    let valid = true;
    for (let offset = index - window + 1; offset <= index; offset += 1) {
      const value = values[offset] as number;
      if (!Number.isFinite(value)) {
        valid = false;
        break;
      }
      sum += value;
    }
    if (!valid) continue;
    const mean = sum / window;
    let squares = 0;
    for (let offset = index - window + 1; offset <= index; offset += 1) {
      const deviation = (values[offset] as number) - mean;
      squares += deviation * deviation;
    }
    out[index] = Math.sqrt(squares / (window - 1));
  }
  return out;
}

/**
 * `pandas.Series.quantile(q)` with the default `interpolation='linear'` (NumPy's type 7): sort the values,
 * position `(n−1)·q`, interpolate between the neighbours. `values` must be non-empty and finite.
 * @throws {TradeR1Error} `INVALID_INPUT` for an empty or non-finite array, or `q` outside [0, 1].
 */
export function quantileLinear(sortedAscending: readonly number[], q: number): number {
  parseArgument(z.array(z.number()).min(1), sortedAscending, { fn: 'quantileLinear()', field: 'sortedAscending' });
  parseArgument(z.number().min(0).max(1), q, { fn: 'quantileLinear()', field: 'q' });
  const n = sortedAscending.length;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const fraction = position - lower;
  const low = sortedAscending[lower] as number;
  const high = sortedAscending[upper] as number;
  return fraction === 0 ? low : low + (high - low) * fraction;
}
