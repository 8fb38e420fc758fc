import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { createReward, type Reward, type RewardContext, type RewardFallback } from './define-reward.ts';
import { resolveSemanticGate, type SemanticGateSpec } from './semantic-gate.ts';
import { functionSchema, parseOptions, safeString, zodSchemaSchema } from './validate.ts';

const scorerSchema = z.custom<SemanticScorer<unknown>>(
  (value) =>
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null && typeof (value as { score?: unknown }).score === 'function'),
  { message: 'expected a function or an object with score()' },
);
const contextSchema = z.object({ signal: z.instanceof(AbortSignal) });
const scorerFromVerifierSchema = z.strictObject({
  verifier: z.custom<VerifierLike<unknown>>(
    (value) =>
      typeof value === 'object' && value !== null && typeof (value as { verify?: unknown }).verify === 'function',
    { message: 'expected an object with verify()' },
  ),
  toVerifyInput: functionSchema,
});
// gate, lambda, timeoutMs and fallback values are checked by resolveSemanticGate and createReward (INVALID_CONFIG).
const semanticGatedRewardSchema = z.strictObject({
  name: z.string().optional(),
  input: zodSchemaSchema,
  marketReward: functionSchema,
  scorer: scorerSchema,
  gate: z.unknown(),
  lambda: z.unknown().optional(),
  timeoutMs: z.unknown().optional(),
  fallback: z.unknown().optional(),
});

/**
 * Where the semantic score s ∈ [0, 1] comes from: a function or an object with `score()`, sync or async. This is
 * how `@trade-r1/verifier` (or an LLM judge, or a cached table) plugs in without this package depending on it.
 */
export type SemanticScorer<Input> =
  | ((input: Input, context: RewardContext) => number | Promise<number>)
  | { score(input: Input, context: RewardContext): number | Promise<number> };

/**
 * Call a {@link SemanticScorer} and check its answer.
 * @throws {TradeR1Error} `BAD_RESPONSE` when the score is not a finite number in [0, 1]; `INVALID_INPUT` when
 *   `scorer` is neither a function nor an object with `score()`, or `context` has no `signal`.
 */
export async function scoreWith<Input>(
  scorer: SemanticScorer<Input>,
  input: Input,
  context: RewardContext,
): Promise<number> {
  parseWith(scorerSchema, scorer, { label: 'scoreWith() scorer', details: { field: 'scorer' } });
  parseWith(contextSchema, context, { label: 'scoreWith() context', details: { field: 'context' } });
  const s = typeof scorer === 'function' ? await scorer(input, context) : await scorer.score(input, context);
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 1) {
    throw new TradeR1Error('BAD_RESPONSE', `semantic scorer returned ${safeString(s)}; expected a number in [0, 1]`, {
      details: { s: safeString(s) },
    });
  }
  return s;
}

/**
 * The part of a verifier this package relies on, structurally: `verify()` resolves to a report whose
 * `scores.s` is the triangular-consistency score in [0, 1]. `@trade-r1/verifier`'s `verify` fits it.
 */
export interface VerifierLike<VerifyInput> {
  /** Verify one input; `options.signal` aborts the work when the sample times out or its request ends. */
  verify(
    input: VerifyInput,
    options?: { signal?: AbortSignal },
  ): Promise<{ scores: { s: number } }> | { scores: { s: number } };
}

/**
 * Adapt a verifier (anything with `verify(input, { signal }) → { scores: { s } }`) into a {@link SemanticScorer}.
 * `toVerifyInput` maps your reward input to the verifier's input; the sample's abort signal is passed to `verify`
 * as its second argument (`{ signal }`), so a timed-out or cancelled sample stops verifying.
 *
 * @example
 * import { createVerifier } from '@trade-r1/verifier';
 * const verifier = createVerifier({ … });
 * const scorer = scorerFromVerifier({
 *   verifier,
 *   toVerifyInput: (sample) => ({ ticker: sample.ticker, asOf: sample.asOf,
 *     reasoning: sample.response, decision: sample.decision }),
 * });
 */
export function scorerFromVerifier<Input, VerifyInput>(options: {
  /** The verifier. */
  verifier: VerifierLike<VerifyInput>;
  /** Map a reward input to the verifier's input (the context is passed too; its `signal` goes to `verify`). */
  toVerifyInput: (input: Input, context: RewardContext) => VerifyInput;
}): SemanticScorer<Input> {
  parseOptions(scorerFromVerifierSchema, options, 'scorerFromVerifier()', 'INVALID_CONFIG');
  const { verifier, toVerifyInput } = options;
  return {
    async score(input, context) {
      const report: unknown = await verifier.verify(toVerifyInput(input, context), { signal: context.signal });
      // A report without scores.s is passed on as undefined, which scoreWith rejects with BAD_RESPONSE.
      return (report as { scores?: { s?: number } } | null | undefined)?.scores?.s as number;
    },
  };
}

/** Options for {@link semanticGatedReward}. */
export interface SemanticGatedRewardOptions<Schema extends z.ZodType> {
  /** Reward name. @default 'semantic' */
  name?: string;
  /** zod schema of the input. */
  input: Schema;
  /** The market reward r of a sample (e.g. via `marketReward(...)`). */
  marketReward: (input: z.output<Schema>, context: RewardContext) => number | Promise<number>;
  /** Where s comes from. */
  scorer: SemanticScorer<z.output<Schema>>;
  /** `'dsr'` (Trade-R1's published DSR), `'fsr'` (this project's documented interpretation) or your own G(r, s). */
  gate: SemanticGateSpec;
  /** λ for `'fsr'`. @default 0.5 */
  lambda?: number;
  /** Per-sample time limit (covers the scorer's I/O). @default undefined */
  timeoutMs?: number;
  /** Flagged fallback on timeout/error. @default undefined */
  fallback?: RewardFallback;
}

/**
 * Trade-R1's Asymmetric Semantic Gating as a reward: r from `marketReward`, s from `scorer` (both computed
 * concurrently), fused by `gate`. The result's `details` carry `r` and `s` for logging.
 */
export function semanticGatedReward<Schema extends z.ZodType>(
  options: SemanticGatedRewardOptions<Schema>,
): Reward<z.output<Schema>> {
  parseOptions(semanticGatedRewardSchema, options, 'semanticGatedReward()', 'INVALID_CONFIG');
  const name = options.name ?? 'semantic';
  const gate = resolveSemanticGate({
    gate: options.gate,
    ...(options.lambda !== undefined && { lambda: options.lambda }),
  });
  const { marketReward, scorer } = options;
  return createReward<z.output<Schema>>({
    name,
    input: options.input as z.ZodType<z.output<Schema>>,
    timeoutMs: options.timeoutMs,
    fallback: options.fallback,
    run: async (input, context) => {
      const [r, s] = await Promise.all([
        Promise.resolve(marketReward(input, context)),
        scoreWith(scorer, input, context),
      ]);
      const value = gate({ r, s });
      if (!Number.isFinite(value)) {
        throw new TradeR1Error('INTERNAL', `semantic gate of "${name}" returned ${value}`, { details: { r, s } });
      }
      return { name, value, status: 'ok', flagged: false, details: { r, s } };
    },
  });
}
