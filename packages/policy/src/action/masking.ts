import { TradeR1Error } from '@trade-r1/core';
import { assertNumber, assertRecord, assertVector } from '../arguments.ts';
import { TRADE_ACTIONS, type TradeAction } from '../prompts/flag-trader.ts';

/** Which of SELL, HOLD, BUY are allowed (in that order). */
export type ActionMask = readonly [boolean, boolean, boolean];

/**
 * FLAG-Trader's invalid-action mask (papers.md §3.4, Eq. 8) under all-in semantics: SELL needs a position
 * (`position > 0`), BUY needs cash (`cash > 0`), HOLD is always valid.
 */
export function actionMask(state: { position: number; cash: number }): ActionMask {
  assertRecord(state, 'actionMask', 'state');
  assertNumber(state.position, 'actionMask', 'state.position');
  assertNumber(state.cash, 'actionMask', 'state.cash');
  return [state.position > 0, true, state.cash > 0];
}

/** A masked action distribution. */
export interface ActionDistribution {
  /** Probabilities of SELL, HOLD, BUY (0 for masked actions); they sum to 1. */
  probabilities: [number, number, number];
  /** log-probabilities (−Infinity for masked actions). */
  logProbabilities: [number, number, number];
}

/**
 * Softmax over the allowed actions only: `π(a|s) = 0` for masked actions, `exp(logit_a)/Σ_{a' allowed}
 * exp(logit_a')` otherwise (FLAG-Trader Eq. 8), with an optional temperature.
 * @throws {TradeR1Error} `INVALID_INPUT` when no action is allowed or a logit is not finite.
 */
export function maskedActionDistribution(
  logits: ArrayLike<number>,
  mask: ActionMask = [true, true, true],
  temperature = 1,
): ActionDistribution {
  assertVector(logits, 'maskedActionDistribution', 'logits');
  if (!Array.isArray(mask) || mask.length !== 3 || !mask.every((allowed) => typeof allowed === 'boolean')) {
    throw new TradeR1Error('INVALID_INPUT', 'maskedActionDistribution: mask must be three booleans (SELL, HOLD, BUY)', {
      details: { function: 'maskedActionDistribution', field: 'mask' },
    });
  }
  assertNumber(temperature, 'maskedActionDistribution', 'temperature');
  if (logits.length !== TRADE_ACTIONS.length) {
    throw new TradeR1Error('INVALID_INPUT', `Expected ${TRADE_ACTIONS.length} action logits, got ${logits.length}`, {
      details: { field: 'logits', length: logits.length },
    });
  }
  if (!mask.some(Boolean))
    throw new TradeR1Error('INVALID_INPUT', 'Every action is masked', { details: { field: 'mask', mask } });
  if (!(temperature > 0)) {
    throw new TradeR1Error('INVALID_INPUT', `temperature must be > 0, got ${temperature}`, {
      details: { field: 'temperature', temperature },
    });
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < 3; index += 1) {
    const value = logits[index] as number;
    if (!Number.isFinite(value)) {
      throw new TradeR1Error('INVALID_INPUT', `Action logit ${index} is ${value}`, {
        details: { field: `logits[${index}]`, index },
      });
    }
    if (mask[index]) max = Math.max(max, value / temperature);
  }
  let total = 0;
  const weights = [0, 0, 0];
  for (let index = 0; index < 3; index += 1) {
    if (!mask[index]) continue;
    weights[index] = Math.exp((logits[index] as number) / temperature - max);
    total += weights[index] as number;
  }
  const probabilities = weights.map((weight) => weight / total) as [number, number, number];
  const logNormalizer = max + Math.log(total);
  const logProbabilities = [0, 1, 2].map((index) =>
    mask[index] ? (logits[index] as number) / temperature - logNormalizer : Number.NEGATIVE_INFINITY,
  ) as [number, number, number];
  return { probabilities, logProbabilities };
}

/** The action at an index of {@link TRADE_ACTIONS}. */
export function actionAt(index: number): TradeAction {
  return TRADE_ACTIONS[index] as TradeAction;
}
