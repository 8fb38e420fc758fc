import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { type ComponentResult, createReward, type Reward, type RewardFallback } from './define-reward.ts';
import { parseOptions, safeString } from './validate.ts';

const composeRewardsOptionsSchema = z.strictObject({
  name: z.string().optional(),
  components: z.record(
    z.string(),
    z.strictObject({
      reward: z.custom<Reward<unknown>>(
        (value) =>
          typeof value === 'object' && value !== null && typeof (value as Reward<unknown>).evaluate === 'function',
        { message: 'expected a reward (from defineReward or composeRewards)' },
      ),
      weight: z.number().optional(),
    }),
  ),
  timeoutMs: z.number().positive().optional(),
  fallback: z.unknown().optional(),
});

/** One weighted component of {@link composeRewards}. */
export interface RewardComponent {
  /** The component reward (from `defineReward`, `composeRewards`, …). */
  reward: Reward<never> | Reward<unknown>;
  /** Its weight in the total (any finite number; 0 keeps it for logging only). @default 1 */
  weight?: number;
}

/** Options for {@link composeRewards}. */
export interface ComposeRewardsOptions {
  /** Name of the composite. @default 'total' */
  name?: string;
  /** Components by name; the names key the per-component results. */
  components: Record<string, RewardComponent>;
  /**
   * Default per-sample time limit passed to components that have none of their own. @default undefined
   */
  timeoutMs?: number;
  /**
   * Fallback for the composite when a component fails without a fallback of its own (flagged). Components with
   * their own fallback degrade individually and flag the composite. @default undefined
   */
  fallback?: RewardFallback;
}

/**
 * Weighted sum of named rewards, evaluated concurrently on the same input. Each component validates the input
 * against its own schema (so one input object can carry every component's fields). Returns the total and every
 * component's value, weight, status and flag for logging.
 *
 * Total: `Σ weight_i · value_i` over components with a value; components that return `null` (not applicable) are
 * left out, like TRL's `nansum` over reward functions. When every component is `null` the total is `null`.
 * The composite is `flagged` when any component used its fallback.
 *
 * @example
 * const total = composeRewards({
 *   components: { dsr: { reward: dsr, weight: 1 }, format: { reward: format, weight: 0.1 } },
 * });
 * const { value, components } = await total.evaluate(sample);
 * @throws {TradeR1Error} `INVALID_CONFIG` naming the field for missing components, a bad weight or an unknown key.
 */
export function composeRewards(options: ComposeRewardsOptions): Reward<unknown> {
  parseOptions(composeRewardsOptionsSchema, options, 'composeRewards()', 'INVALID_CONFIG');
  const name = options.name ?? 'total';
  const entries = Object.entries(options.components ?? {});
  if (entries.length === 0) {
    throw new TradeR1Error('INVALID_CONFIG', `composite reward "${name}" needs at least one component`, {
      details: { name },
    });
  }
  for (const [key, component] of entries) {
    const weight = component.weight ?? 1;
    if (!component.reward || typeof component.reward.evaluate !== 'function' || !Number.isFinite(weight)) {
      throw new TradeR1Error(
        'INVALID_CONFIG',
        `component "${key}" of "${name}" needs a reward (from defineReward) and a finite weight`,
        { details: { component: key, weight: safeString(weight) } },
      );
    }
  }
  return createReward<unknown>({
    name,
    input: z.unknown(),
    timeoutMs: undefined,
    fallback: options.fallback,
    run: async (input, context) => {
      const results = await Promise.all(
        entries.map(([, component]) =>
          component.reward.evaluate(input, {
            signal: context.signal,
            ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
          }),
        ),
      );
      const components: Record<string, ComponentResult> = {};
      let total = 0;
      let counted = 0;
      let flagged = false;
      entries.forEach(([key, component], index) => {
        const result = results[index] as ComponentResult;
        const weight = component.weight ?? 1;
        const weighted = result.value === null ? null : weight * result.value;
        if (weighted !== null) {
          total += weighted;
          counted += 1;
        }
        flagged ||= result.flagged;
        components[key] = { ...result, weight, weighted };
      });
      return {
        name,
        value: counted === 0 ? null : total,
        status: counted === 0 ? 'skipped' : 'ok',
        flagged,
        details: {},
        components,
      };
    },
  });
}
