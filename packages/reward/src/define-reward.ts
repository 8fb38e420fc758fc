import { type ErrorCode, parseWith, TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { functionSchema, parseOptions, safeString, zodSchemaSchema } from './validate.ts';

/** What a reward's `compute` receives besides its input. */
export interface RewardContext {
  /**
   * Fires when the sample times out or the caller aborts. Pass it to `fetch`, judges and other I/O; a timed-out
   * computation is abandoned and its eventual result ignored.
   */
  signal: AbortSignal;
}

/** A reward value with extra numbers to log (e.g. the market return and the semantic score behind a DSR value). */
export interface RewardValue {
  /** The reward; `null` means "not applicable to this sample" (TRL's `None`). */
  value: number | null;
  /** Extra finite numbers for logging. */
  details?: Record<string, number>;
}

/** What `compute` may return: a number, `null` (not applicable) or a {@link RewardValue}. */
export type RewardOutput = number | null | RewardValue;

/** The value used instead of a failed computation. Results that use it are flagged. */
export interface RewardFallback {
  /** The declared fallback value. */
  value: number;
  /** Which failures it covers (`'error'` never covers `INVALID_INPUT`, which is reported). @default ['timeout'] */
  on?: readonly ('timeout' | 'error')[];
}

/**
 * Outcome of one reward evaluation. `status` says how the value came about; `flagged` is true whenever the value is
 * a declared fallback rather than a computed reward, so a trainer can log or drop it.
 */
export interface RewardResult {
  /** The reward's name. */
  name: string;
  /** The reward (`null` when skipped). */
  value: number | null;
  /** `ok`: computed; `skipped`: compute returned null; `timeout`/`error`: the fallback was used. */
  status: 'ok' | 'skipped' | 'timeout' | 'error';
  /** True when `value` is a fallback. */
  flagged: boolean;
  /** Extra numbers reported by the computation. */
  details: Record<string, number>;
  /** Per-component results of a composed reward. */
  components?: Record<string, ComponentResult>;
  /** What went wrong, when a fallback was used. */
  error?: { code: ErrorCode; message: string };
}

/** One component of a composed reward. */
export interface ComponentResult extends RewardResult {
  /** Its weight in the sum. */
  weight: number;
  /** `weight × value` (`null` when skipped). */
  weighted: number | null;
}

/** Per-call options of {@link Reward.evaluate}. */
export interface EvaluateOptions {
  /** Abort the evaluation (rejects with `ABORTED`; no fallback is used for a caller's abort). */
  signal?: AbortSignal;
  /** Per-sample time limit in ms; overrides the reward's own `timeoutMs`. */
  timeoutMs?: number;
  /** Fallback; overrides the reward's own. */
  fallback?: RewardFallback;
}

/** A validated, named reward: what {@link defineReward} and `composeRewards` return. */
export interface Reward<Input = unknown> {
  /** Name used in logs and per-component results. */
  readonly name: string;
  /** The zod schema inputs are validated with. */
  readonly input: z.ZodType<Input>;
  /**
   * Validate `input` and compute the reward.
   * @throws {TradeR1Error} `INVALID_INPUT` for input failing the schema; `TIMEOUT` or the compute error when no
   * fallback covers the failure; `ABORTED` when the caller's signal fires.
   */
  evaluate(input: unknown, options?: EvaluateOptions): Promise<RewardResult>;
}

/** Options for {@link defineReward}. */
export interface DefineRewardOptions<Schema extends z.ZodType> {
  /** Name used in logs and per-component results. */
  name: string;
  /** zod schema of the input; `compute` receives the parsed output. */
  input: Schema;
  /** The reward computation, sync or async. Honour `context.signal` in long or remote work. */
  compute: (input: z.output<Schema>, context: RewardContext) => RewardOutput | Promise<RewardOutput>;
  /**
   * Per-sample time limit in ms. On expiry the signal passed to `compute` aborts and the declared `fallback` is
   * returned, flagged; without a fallback the evaluation rejects with `TIMEOUT`. Synchronous code that blocks the
   * event loop cannot be interrupted: keep CPU-heavy work short or move it to a worker. @default undefined (none)
   */
  timeoutMs?: number;
  /** Value used on timeout (or error, if listed), always flagged. @default undefined (failures reject) */
  fallback?: RewardFallback;
}

const TIMED_OUT = Symbol('timed-out');

const evaluateOptionsSchema = z.strictObject({
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.unknown().optional(),
  fallback: z.unknown().optional(),
});

// Values of timeoutMs and fallback are checked by assertTimeout/assertFallback (INVALID_CONFIG with the reward name).
const defineRewardOptionsSchema = z.strictObject({
  name: z.unknown(),
  input: zodSchemaSchema,
  compute: functionSchema,
  timeoutMs: z.unknown().optional(),
  fallback: z.unknown().optional(),
});

/** @internal Shared evaluation skeleton: validation, timeout, fallback and flagging. */
export function createReward<Input>(definition: {
  name: string;
  input: z.ZodType<Input>;
  run: (input: Input, context: RewardContext & { timeoutMs: number | undefined }) => Promise<RewardResult>;
  timeoutMs?: number | undefined;
  fallback?: RewardFallback | undefined;
}): Reward<Input> {
  const { name, input: schema, run } = definition;
  assertName(name);
  assertTimeout(definition.timeoutMs, name);
  assertFallback(definition.fallback, name);
  return {
    name,
    input: schema,
    async evaluate(raw: unknown, options: EvaluateOptions = {}): Promise<RewardResult> {
      parseOptions(evaluateOptionsSchema, options, `evaluate() of reward "${name}"`);
      if (options.fallback !== undefined) assertFallback(options.fallback, name);
      const parsed = parseWith(schema, raw, { label: `input of reward "${name}"`, details: { reward: name } });
      const timeoutMs = options.timeoutMs ?? definition.timeoutMs;
      const fallback = options.fallback ?? definition.fallback;
      assertTimeout(timeoutMs, name);
      assertFallback(fallback, name);
      const outer = options.signal;
      if (outer?.aborted) throw abortedError(name, outer.reason);
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const racers: Promise<RewardResult | typeof TIMED_OUT>[] = [];
      const work = Promise.resolve().then(() => run(parsed, { signal: controller.signal, timeoutMs }));
      // The abandoned computation may still settle later; never let that surface as an unhandled rejection.
      work.catch(() => undefined);
      racers.push(work);
      if (timeoutMs !== undefined) {
        racers.push(
          new Promise((resolve) => {
            timer = setTimeout(() => {
              controller.abort(new TradeR1Error('TIMEOUT', `reward "${name}" exceeded ${timeoutMs} ms`));
              resolve(TIMED_OUT);
            }, timeoutMs);
          }),
        );
      }
      if (outer) {
        racers.push(
          new Promise((_, reject) => {
            onAbort = () => {
              controller.abort(outer.reason);
              reject(abortedError(name, outer.reason));
            };
            outer.addEventListener('abort', onAbort, { once: true });
          }),
        );
      }
      let outcome: RewardResult | typeof TIMED_OUT;
      try {
        outcome = await Promise.race(racers);
      } catch (thrown) {
        const error = toTradeR1Error(thrown, 'INTERNAL');
        // A caller's abort and invalid input are never masked by a fallback.
        if ((error.code === 'ABORTED' && outer?.aborted) || error.code === 'INVALID_INPUT') throw error;
        const kind = error.code === 'TIMEOUT' ? 'timeout' : 'error';
        if (covers(fallback, kind)) return fallbackResult(name, kind, fallback, error);
        throw error;
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        if (outer && onAbort) outer.removeEventListener('abort', onAbort);
      }
      if (outcome !== TIMED_OUT) return outcome;
      const error = new TradeR1Error('TIMEOUT', `reward "${name}" exceeded its ${timeoutMs} ms time limit`, {
        details: { reward: name, timeoutMs },
      });
      if (covers(fallback, 'timeout')) return fallbackResult(name, 'timeout', fallback, error);
      throw error;
    },
  };
}

/**
 * Define a custom reward: a name, a zod input schema and a sync or async `compute`. The result validates its input
 * (typed `INVALID_INPUT` errors listing every problem), enforces an optional per-sample timeout with a declared,
 * flagged fallback, and passes an `AbortSignal` to `compute` so abandoned work can stop.
 *
 * @example
 * const lengthPenalty = defineReward({
 *   name: 'length',
 *   input: z.object({ response: z.string() }),
 *   compute: ({ response }) => -Math.max(0, response.length - 4000) / 4000,
 * });
 * const result = await lengthPenalty.evaluate({ response: text }); // { value, status: 'ok', flagged: false, … }
 * @throws {TradeR1Error} `INVALID_CONFIG` naming the field for a missing name, schema or compute, a bad timeout or
 *   fallback, or an unknown key.
 */
export function defineReward<Schema extends z.ZodType>(options: DefineRewardOptions<Schema>): Reward<z.output<Schema>> {
  parseOptions(defineRewardOptionsSchema, options, 'defineReward()', 'INVALID_CONFIG');
  const { name, compute } = options;
  return createReward<z.output<Schema>>({
    name,
    input: options.input as z.ZodType<z.output<Schema>>,
    timeoutMs: options.timeoutMs,
    fallback: options.fallback,
    run: async (input, context) => normalizeOutput(name, await compute(input, { signal: context.signal })),
  });
}

/** @internal Turn a compute output into a result, rejecting non-finite numbers. */
export function normalizeOutput(name: string, output: RewardOutput): RewardResult {
  const value = typeof output === 'object' && output !== null ? output.value : output;
  const details = typeof output === 'object' && output !== null ? (output.details ?? {}) : {};
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
    throw new TradeR1Error(
      'INTERNAL',
      `reward "${name}" returned ${safeString(value)}; rewards must be finite or null`,
      {
        details: { reward: name, value: safeString(value) },
      },
    );
  }
  for (const [key, detail] of Object.entries(details)) {
    if (typeof detail !== 'number' || !Number.isFinite(detail)) {
      throw new TradeR1Error('INTERNAL', `reward "${name}" reported a non-finite detail "${key}"`, {
        details: { reward: name, key, value: safeString(detail) },
      });
    }
  }
  return { name, value, status: value === null ? 'skipped' : 'ok', flagged: false, details: { ...details } };
}

function fallbackResult(
  name: string,
  status: 'timeout' | 'error',
  fallback: RewardFallback,
  error: TradeR1Error,
): RewardResult {
  return {
    name,
    value: fallback.value,
    status,
    flagged: true,
    details: {},
    error: { code: error.code, message: error.message },
  };
}

function abortedError(name: string, reason: unknown): TradeR1Error {
  return new TradeR1Error('ABORTED', `evaluation of reward "${name}" was aborted`, {
    details: { reward: name },
    cause: reason,
  });
}

function covers(fallback: RewardFallback | undefined, kind: 'timeout' | 'error'): fallback is RewardFallback {
  return fallback !== undefined && (fallback.on ?? ['timeout']).includes(kind);
}

function assertName(name: unknown): void {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TradeR1Error('INVALID_CONFIG', 'a reward needs a non-empty name', {
      details: { name: safeString(name) },
    });
  }
}

function assertTimeout(timeoutMs: unknown, name: string): void {
  if (timeoutMs === undefined) return;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TradeR1Error('INVALID_CONFIG', `timeoutMs of reward "${name}" must be a finite number > 0`, {
      details: { reward: name, timeoutMs: safeString(timeoutMs) },
    });
  }
}

function assertFallback(fallback: RewardFallback | undefined, name: string): void {
  if (fallback === undefined) return;
  if (typeof fallback !== 'object' || fallback === null) {
    throw new TradeR1Error('INVALID_CONFIG', `fallback of reward "${name}" must be an object { value, on? }`, {
      details: { reward: name, field: 'fallback' },
    });
  }
  const unknownKey = Object.keys(fallback).find((key) => key !== 'value' && key !== 'on');
  const onOk =
    unknownKey === undefined &&
    (fallback.on === undefined ||
      (Array.isArray(fallback.on) && fallback.on.every((item) => item === 'timeout' || item === 'error')));
  if (typeof fallback.value !== 'number' || !Number.isFinite(fallback.value) || !onOk) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `fallback of reward "${name}" must be { value: finite number, on?: ('timeout' | 'error')[] }`,
      { details: { reward: name, field: unknownKey === undefined ? 'fallback' : `fallback.${unknownKey}` } },
    );
  }
}
