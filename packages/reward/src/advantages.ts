import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { arrayLikeSchema, parseOptions, safeString } from './validate.ts';

/**
 * Advantage estimator.
 * - `grpo`: `(r − mean_group) / (std + ε)` (std per group or per batch, see `scale`).
 * - `rloo`: `r − mean of the other members of the group` (leave-one-out baseline, no std).
 * - `dr_grpo`: `r − mean_group` (Dr. GRPO: no std division; same as `grpo` with `scale: 'none'`).
 */
export type AdvantageEstimator = 'grpo' | 'rloo' | 'dr_grpo';

/**
 * What the GRPO advantage is divided by: `'group'` the group's std, `'batch'` the std of the whole batch (the
 * mean stays per group, as in TRL), `'none'` nothing.
 */
export type AdvantageScale = 'group' | 'batch' | 'none';

/** Rewards as a typed array or a plain array in which `null`/`undefined`/`NaN` mark missing rewards. */
export type RewardArray = Float64Array | Float32Array | ArrayLike<number | null | undefined>;

/** Options for {@link groupAdvantages}. */
export interface GroupAdvantageOptions {
  /** Rewards of the batch, group after group (the layout of TRL's and OpenRLHF's `view(-1, G)`). */
  rewards: RewardArray;
  /** Size of every group (contiguous). Give this or `groupSizes`. */
  groupSize?: number;
  /** Sizes of consecutive groups when they differ; must sum to `rewards.length`. */
  groupSizes?: ArrayLike<number>;
  /** @default 'grpo' */
  estimator?: AdvantageEstimator;
  /** Std scaling for `grpo`. Ignored by `rloo` and `dr_grpo`. @default 'group' */
  scale?: AdvantageScale;
  /** Added to the std before dividing: TRL uses 1e-4, OpenRLHF's group_norm 1e-9. @default 1e-4 */
  epsilon?: number;
  /**
   * `'unbiased'`: sample std with n − 1 (what `torch.std` computes, used by TRL and OpenRLHF);
   * `'population'`: divide by n. @default 'unbiased'
   */
  std?: 'unbiased' | 'population';
  /**
   * Missing rewards (`NaN`, `null`, `undefined`). `'exclude'`: left out of the group statistics (nanmean/nanstd)
   * and given advantage 0. `'zero'`: counted as reward 0, which is what TRL ends up with when every reward function
   * returns `None` for a sample (`nansum` of nothing is 0). @default 'exclude'
   */
  missing?: 'exclude' | 'zero';
  /** Where to write the advantages (length = rewards.length). @default a new Float64Array */
  output?: Float64Array | Float32Array;
}

/** Advantages and the per-group statistics behind them. */
export interface GroupAdvantageResult<Output extends Float64Array | Float32Array = Float64Array> {
  /**
   * One advantage per reward, always finite (missing rewards and undefined statistics give 0). The `output` array
   * when one was given, else a new Float64Array.
   */
  advantages: Output;
  /** Mean of the valid rewards of each group (0 for a group with none). */
  groupMean: Float64Array;
  /** Std of each group under the chosen correction (0 where undefined, i.e. fewer than 2 valid for unbiased). */
  groupStd: Float64Array;
  /** Number of valid rewards in each group. */
  groupCount: Uint32Array;
  /** Std over all valid rewards of the batch (used by `scale: 'batch'`; 0 where undefined). */
  batchStd: number;
}

/** TRL `GRPOTrainer` defaults: `scale_rewards='group'`, unbiased std, `advantages / (std + 1e-4)`. */
export const TRL_GRPO_DEFAULTS = Object.freeze({
  estimator: 'grpo',
  scale: 'group',
  epsilon: 1e-4,
  std: 'unbiased',
} as const);

/** OpenRLHF `--advantage_estimator group_norm`: `(r − mean) / (std + 1e-9)` with `torch.std` (unbiased). */
export const OPENRLHF_GROUP_NORM_DEFAULTS = Object.freeze({
  estimator: 'grpo',
  scale: 'group',
  epsilon: 1e-9,
  std: 'unbiased',
} as const);

// Shape and keys only; values are checked below with their own codes (INVALID_CONFIG for options).
const groupAdvantageOptionsSchema = z.strictObject({
  rewards: arrayLikeSchema,
  groupSize: z.unknown().optional(),
  groupSizes: arrayLikeSchema.optional(),
  estimator: z.unknown().optional(),
  scale: z.unknown().optional(),
  epsilon: z.unknown().optional(),
  std: z.unknown().optional(),
  missing: z.unknown().optional(),
  output: z.union([z.instanceof(Float64Array), z.instanceof(Float32Array)]).optional(),
});

/**
 * GRPO-style group-relative advantages over a flat batch laid out group after group. Works on `Float64Array`,
 * `Float32Array` and plain arrays; O(n) with a few passes over each (cache-resident) group.
 *
 * Parity: with the defaults it matches TRL (`(r − mean) / (std + 1e-4)`, unbiased std); with
 * {@link OPENRLHF_GROUP_NORM_DEFAULTS} it matches OpenRLHF's `group_norm`; `rloo` matches OpenRLHF's `rloo`
 * (`r − (Σ − r)/(n − 1)`); `dr_grpo` and `scale: 'none'` match TRL's Dr. GRPO / OpenRLHF's `reinforce_baseline`.
 *
 * @throws {TradeR1Error} `INVALID_INPUT` for ±Infinity rewards or sizes that do not tile the batch;
 *   `INVALID_CONFIG` for bad options; `INVALID_INPUT` naming the field for a missing `rewards`, wrong types or
 *   unknown keys.
 */
export function groupAdvantages<Output extends Float64Array | Float32Array = Float64Array>(
  options: GroupAdvantageOptions & { output?: Output },
): GroupAdvantageResult<Output> {
  parseOptions(groupAdvantageOptionsSchema, options, 'groupAdvantages()');
  const { rewards } = options;
  const n = rewards.length;
  const estimator = options.estimator ?? 'grpo';
  const scale = estimator === 'grpo' ? (options.scale ?? 'group') : 'none';
  const epsilon = options.epsilon ?? 1e-4;
  const unbiased = (options.std ?? 'unbiased') === 'unbiased';
  const zeroMissing = (options.missing ?? 'exclude') === 'zero';
  validateOptions(options, estimator, scale, epsilon);
  // `undefined` sizes means every group has `groupSize` members (no per-group array to allocate).
  const sizes = resolveGroupSizes(options, n);
  const fixedSize = options.groupSize ?? 0;
  const groups = sizes ? sizes.length : n / fixedSize;
  const output = (options.output ?? new Float64Array(n)) as Output;
  if (output.length !== n) {
    throw new TradeR1Error('INVALID_CONFIG', `output has length ${output.length}, rewards ${n}`, {
      details: { outputLength: output.length, length: n },
    });
  }
  const groupMean = new Float64Array(groups);
  const groupStd = new Float64Array(groups);
  const groupCount = new Uint32Array(groups);
  // Values read once into a Float64Array with NaN marking missing, so the hot loops see one representation.
  const values = readRewards(rewards, zeroMissing);

  let batchStd = 0;
  if (scale === 'batch') {
    throwIfInfinite(values, 0, n);
    batchStd = standardDeviation(values, 0, n, unbiased);
  }

  let offset = 0;
  for (let group = 0; group < groups; group += 1) {
    const size = sizes ? (sizes[group] as number) : fixedSize;
    const end = offset + size;
    // One pass with shifted sums (shift = first valid reward): exact enough for any group, since the deviations
    // from the shift are of the order of the group's spread rather than of its level.
    let shift = 0;
    let shiftedSum = 0;
    let shiftedSquares = 0;
    let count = 0;
    for (let index = offset; index < end; index += 1) {
      const value = values[index] as number;
      if (!Number.isNaN(value)) {
        if (count === 0) shift = value;
        const deviation = value - shift;
        shiftedSum += deviation;
        shiftedSquares += deviation * deviation;
        count += 1;
      }
    }
    // NaN-free sums are finite unless a reward is ±Infinity (or they overflow, equally unusable).
    if (shiftedSquares - shiftedSquares !== 0 || shift - shift !== 0) throwIfInfinite(values, offset, end);
    const shiftedMean = count > 0 ? shiftedSum / count : 0;
    const mean = shift + shiftedMean;
    const sum = shift * count + shiftedSum;
    const squares = Math.max(0, shiftedSquares - shiftedSum * shiftedMean);
    const dof = unbiased ? count - 1 : count;
    const std = dof > 0 ? Math.sqrt(squares / dof) : 0;
    groupMean[group] = mean;
    groupStd[group] = std;
    groupCount[group] = count;

    if (count < 2) {
      // A lone valid reward has no baseline to compare with: its centred value is exactly 0.
      for (let index = offset; index < end; index += 1) output[index] = 0;
    } else if (estimator === 'rloo') {
      const others = count - 1;
      for (let index = offset; index < end; index += 1) {
        const value = values[index] as number;
        output[index] = !Number.isNaN(value) ? value - (sum - value) / others : 0;
      }
    } else {
      const divisor = scale === 'group' ? std + epsilon : scale === 'batch' ? batchStd + epsilon : 1;
      const inverse = 1 / divisor;
      for (let index = offset; index < end; index += 1) {
        const value = values[index] as number;
        output[index] = !Number.isNaN(value) ? (value - mean) * inverse : 0;
      }
    }
    offset = end;
  }
  return { advantages: output, groupMean, groupStd, groupCount, batchStd };
}

function readRewards(rewards: RewardArray, zeroMissing: boolean): Float64Array | Float32Array {
  const n = rewards.length;
  if (rewards instanceof Float64Array || rewards instanceof Float32Array) {
    // Typed arrays are read in place (no copy on the hot path); ±Infinity is caught after each group's sum.
    if (!zeroMissing) return rewards;
    let copy: Float64Array | Float32Array | undefined;
    for (let index = 0; index < n; index += 1) {
      const value = rewards[index] as number;
      if (Number.isNaN(value)) {
        copy ??= rewards.slice();
        copy[index] = 0;
      }
    }
    return copy ?? rewards;
  }
  const values = new Float64Array(n);
  for (let index = 0; index < n; index += 1) {
    const raw = rewards[index];
    if (raw === null || raw === undefined || Number.isNaN(raw)) {
      values[index] = zeroMissing ? 0 : Number.NaN;
    } else if (typeof raw !== 'number') {
      throw new TradeR1Error('INVALID_INPUT', `rewards[${index}] must be a number, null or undefined`, {
        details: { index, value: safeString(raw) },
      });
    } else {
      values[index] = raw;
    }
  }
  return values;
}

function throwIfInfinite(values: Float64Array | Float32Array, start: number, end: number): void {
  for (let index = start; index < end; index += 1) {
    const value = values[index] as number;
    if (value === Infinity || value === -Infinity) {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `rewards[${index}] is ${value}; rewards must be finite or missing (NaN/null)`,
        {
          details: { index, value: safeString(value) },
        },
      );
    }
  }
}

function standardDeviation(values: Float64Array | Float32Array, start: number, end: number, unbiased: boolean): number {
  let sum = 0;
  let count = 0;
  for (let index = start; index < end; index += 1) {
    const value = values[index] as number;
    if (!Number.isNaN(value)) {
      sum += value;
      count += 1;
    }
  }
  const mean = count > 0 ? sum / count : 0;
  let squares = 0;
  for (let index = start; index < end; index += 1) {
    const value = values[index] as number;
    if (!Number.isNaN(value)) squares += (value - mean) * (value - mean);
  }
  const dof = unbiased ? count - 1 : count;
  return dof > 0 ? Math.sqrt(squares / dof) : 0;
}

function validateOptions(
  options: GroupAdvantageOptions,
  estimator: AdvantageEstimator,
  scale: AdvantageScale,
  epsilon: number,
): void {
  if (estimator !== 'grpo' && estimator !== 'rloo' && estimator !== 'dr_grpo') {
    throw new TradeR1Error('INVALID_CONFIG', "estimator must be 'grpo', 'rloo' or 'dr_grpo'", {
      details: { estimator: safeString(estimator) },
    });
  }
  if (scale !== 'group' && scale !== 'batch' && scale !== 'none') {
    throw new TradeR1Error('INVALID_CONFIG', "scale must be 'group', 'batch' or 'none'", {
      details: { scale: safeString(scale) },
    });
  }
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon < 0) {
    throw new TradeR1Error('INVALID_CONFIG', 'epsilon must be a finite number >= 0', {
      details: { epsilon: safeString(epsilon) },
    });
  }
  const std = options.std ?? 'unbiased';
  if (std !== 'unbiased' && std !== 'population') {
    throw new TradeR1Error('INVALID_CONFIG', "std must be 'unbiased' or 'population'", {
      details: { std: safeString(std) },
    });
  }
  const missing = options.missing ?? 'exclude';
  if (missing !== 'exclude' && missing !== 'zero') {
    throw new TradeR1Error('INVALID_CONFIG', "missing must be 'exclude' or 'zero'", {
      details: { missing: safeString(missing) },
    });
  }
}

function resolveGroupSizes(options: GroupAdvantageOptions, n: number): ArrayLike<number> | undefined {
  if (options.groupSizes !== undefined) {
    let total = 0;
    for (let index = 0; index < options.groupSizes.length; index += 1) {
      const size = options.groupSizes[index] as number;
      if (!Number.isInteger(size) || size < 1) {
        throw new TradeR1Error('INVALID_INPUT', `groupSizes[${index}] must be an integer >= 1`, {
          details: { index, size: safeString(size) },
        });
      }
      total += size;
    }
    if (total !== n) {
      throw new TradeR1Error('INVALID_INPUT', `groupSizes sum to ${total} but there are ${n} rewards`, {
        details: { total, length: n },
      });
    }
    return options.groupSizes;
  }
  const groupSize = options.groupSize;
  if (groupSize === undefined || !Number.isInteger(groupSize) || groupSize < 1) {
    throw new TradeR1Error('INVALID_CONFIG', 'give groupSize (an integer >= 1) or groupSizes', {
      details: { groupSize: safeString(groupSize) },
    });
  }
  if (n % groupSize !== 0) {
    throw new TradeR1Error('INVALID_INPUT', `${n} rewards do not split into groups of ${groupSize}`, {
      details: { length: n, groupSize },
    });
  }
  return undefined;
}
