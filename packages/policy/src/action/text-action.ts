import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { TRADE_ACTIONS, type TradeAction } from '../prompts/flag-trader.ts';
import { promptSchema } from '../text/types.ts';
import { type ActionMask, actionMask, maskedActionDistribution } from './masking.ts';
import { stepStream } from './step-stream.ts';

/** Anything that scores completions after a prompt (the ONNX text policy's `score`). */
export interface CompletionScorer {
  score(options: {
    prompt: z.input<typeof promptSchema>;
    completions: string[];
    temperature?: number;
    includeEos?: boolean;
  }): Promise<{ scores: Array<{ logprob: number; tokenIds: number[] }> }>;
}

/** FLAG-Trader's answer format (`{'Action': Buy}`), one string per action in {@link TRADE_ACTIONS} order. */
export const FLAG_TRADER_ACTION_TEXTS: readonly [string, string, string] = Object.freeze([
  "{'Action': Sell}",
  "{'Action': Hold}",
  "{'Action': Buy}",
]) as readonly [string, string, string];

const isScorer = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { score?: unknown }).score === 'function';

/** Options of {@link textModelAction}. */
export const textModelActionOptionsSchema = z.strictObject({
  /** The text model (e.g. `createOnnxPolicy(...)`). */
  policy: z.custom<CompletionScorer>(isScorer, 'policy must have a score() method'),
  /** The FLAG-Trader prompt (`buildFlagTraderPrompt(...).messages`, or text). */
  prompt: promptSchema,
  /** The text of each action, in SELL, HOLD, BUY order. @default FLAG_TRADER_ACTION_TEXTS */
  actionTexts: z.tuple([z.string().min(1), z.string().min(1), z.string().min(1)]).optional(),
  /** Which actions are allowed; wins over `state`. @default all, or actionMask(state) */
  mask: z.tuple([z.boolean(), z.boolean(), z.boolean()]).optional(),
  /** Position and cash for FLAG-Trader's mask (SELL needs a position, BUY needs cash). */
  state: z.strictObject({ position: z.number(), cash: z.number() }).optional(),
  /** Softmax temperature over the action log-probs (and of the per-token scores). @default 1 */
  temperature: z.number().gt(0).max(100).default(1),
  /** Take the most likely allowed action instead of sampling. @default false */
  greedy: z.boolean().default(false),
  /** Seed; the draw of step `t` uses `stepStream(seed, 'text-action:' + t)`. @default 0 */
  seed: z.number().int().default(0),
  /**
   * The step the draw belongs to (environment time step): each step draws afresh from `seed`, the same step replays
   * its draw. Required unless `greedy` — a stateless call cannot count its calls.
   */
  step: z.number().int().min(0).optional(),
  /** Score the EOS token after each action text too (the model ending its answer there). @default true */
  includeEos: z.boolean().default(true),
});
/** Options of {@link textModelAction}. */
export type TextModelActionOptions = z.input<typeof textModelActionOptionsSchema>;

/** The action a text model picks. */
export interface TextModelAction {
  action: TradeAction;
  /** log π(action | prompt) under the masked distribution (what a policy-gradient update needs). */
  logprob: number;
  /** Masked probabilities of SELL, HOLD, BUY (0 where masked). */
  probabilities: [number, number, number];
  /** Sequence log-probability of each action text under the model, before masking and normalisation. */
  sequenceLogprobs: [number, number, number];
  /** The mask that was applied. */
  mask: ActionMask;
}

/**
 * FLAG-Trader with a text model as the policy: score each action's answer text after the prompt
 * (`log p(text | prompt)`, EOS included), mask the invalid ones (SELL without a position, BUY without cash — or an
 * explicit `mask`), and sample from the softmax over the allowed actions (FLAG-Trader Eq. 8, with sequence
 * log-probs as the logits). A masked action is never chosen, whatever the model would have written.
 */
export async function textModelAction(options: TextModelActionOptions): Promise<TextModelAction> {
  const settings = parseWith(textModelActionOptionsSchema, options, { label: 'textModelAction options' });
  if (!settings.greedy && settings.step === undefined) {
    throw new TradeR1Error('INVALID_INPUT', 'textModelAction needs a step to sample (or greedy: true)', {
      details: { field: 'step' },
    });
  }
  const texts = settings.actionTexts ?? FLAG_TRADER_ACTION_TEXTS;
  const mask: ActionMask = settings.mask ?? (settings.state ? actionMask(settings.state) : [true, true, true]);
  if (!mask.some(Boolean))
    throw new TradeR1Error('INVALID_INPUT', 'Every action is masked', { details: { field: 'mask', mask } });
  const answer: unknown = await settings.policy.score({
    prompt: settings.prompt,
    completions: [...texts],
    includeEos: settings.includeEos,
  });
  const scores: unknown[] = Array.isArray((answer as { scores?: unknown } | null)?.scores)
    ? (answer as { scores: unknown[] }).scores
    : [];
  const sequenceLogprobs = [0, 1, 2].map((index) => {
    const logprob = (scores[index] as { logprob?: unknown } | null)?.logprob;
    return typeof logprob === 'number' ? logprob : Number.NaN;
  }) as [number, number, number];
  if (sequenceLogprobs.some((value) => !Number.isFinite(value))) {
    throw new TradeR1Error('BAD_RESPONSE', 'The scorer returned no finite log-prob for every action text', {
      details: { sequenceLogprobs },
    });
  }
  const { probabilities, logProbabilities } = maskedActionDistribution(sequenceLogprobs, mask, settings.temperature);
  let index: number;
  if (settings.greedy) {
    index = probabilities.indexOf(Math.max(...probabilities));
  } else {
    // Masked actions have probability 0, so the categorical draw never lands on one.
    index = stepStream(settings.seed, `text-action:${settings.step ?? 0}`).categorical(probabilities);
  }
  return {
    action: TRADE_ACTIONS[index] as TradeAction,
    logprob: logProbabilities[index] as number,
    probabilities,
    sequenceLogprobs,
    mask,
  };
}
