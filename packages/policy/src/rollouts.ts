import {
  type Decision,
  type DecisionParseOptions,
  decisionParseOptionsSchema,
  parseDecisionText,
  parseRollout,
  parseSelectionText,
  parseWith,
  type Rollout,
  type SelectionDecision,
  type SelectionParseOptions,
  selectionParseOptionsSchema,
  TradeR1Error,
} from '@trade-r1/core';
import { z } from 'zod';
import {
  type Completion,
  type GenerateOptions,
  type GenerateResult,
  generateOptionsSchema,
  type Prompt,
  promptSchema,
  type TextPolicy,
} from './text/types.ts';

/** One prompt of {@link generateRollouts}, with metadata copied into each of its rollouts. */
export interface RolloutPrompt {
  /** The prompt (text, token ids or chat messages). */
  prompt: Prompt;
  /** Free-form metadata (ticker, asOf, label…) copied into every rollout of this prompt. */
  metadata?: Record<string, unknown>;
  /** Allowed tickers for `parse: 'selection'`. */
  candidates?: string[];
}

/** What a custom parser returns: the decision, or `null` with a reason. */
export type RolloutParser = (
  text: string,
  completion: Completion,
) => { decision: Decision | SelectionDecision | null; failure?: string };

/** Options of {@link generateRollouts}. */
export interface GenerateRolloutsOptions extends Omit<GenerateOptions, 'prompts'> {
  /** Any text policy (ONNX, OpenAI-compatible…). */
  policy: TextPolicy;
  /** The prompts. */
  prompts: Array<Prompt | RolloutPrompt>;
  /** How completions become decisions. @default 'decision' */
  parse?: 'decision' | 'selection' | RolloutParser;
  /** Options of `parseDecisionText` for `parse: 'decision'`. @default {} */
  decisionOptions?: DecisionParseOptions;
  /** Options of `parseSelectionText` for `parse: 'selection'` (per-prompt `candidates` win). @default {} */
  selectionOptions?: SelectionParseOptions;
}

const rolloutPromptSchema = z.strictObject({
  prompt: promptSchema,
  metadata: z.record(z.string(), z.unknown()).optional(),
  candidates: z.array(z.string()).optional(),
});

/** The options of {@link generateRollouts}, checked before the policy is called (misspelled keys are rejected). */
const generateRolloutsOptionsSchema = generateOptionsSchema.omit({ prompts: true }).extend({
  policy: z.custom<TextPolicy>(
    (value) =>
      typeof value === 'object' && value !== null && typeof (value as { generate?: unknown }).generate === 'function',
    'policy must be a TextPolicy (an object with a generate method)',
  ),
  prompts: z.array(z.union([promptSchema, rolloutPromptSchema])).min(1),
  parse: z
    .union([
      z.enum(['decision', 'selection']),
      z.custom<RolloutParser>((value) => typeof value === 'function', 'parse must be a function'),
    ])
    .optional(),
  decisionOptions: decisionParseOptionsSchema.optional(),
  selectionOptions: selectionParseOptionsSchema.optional(),
});

function isRolloutPrompt(value: Prompt | RolloutPrompt): value is RolloutPrompt {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'prompt' in value;
}

function promptText(prompt: Prompt): string {
  return typeof prompt === 'string' ? prompt : JSON.stringify(prompt);
}

/**
 * Sample G completions per prompt from any {@link TextPolicy} and turn each into core's `Rollout` (prompt,
 * completion, parsed decision or `null`, metadata), ready for a GRPO trainer or a reward function. The metadata of
 * each rollout holds `promptIndex`, `sampleIndex`, `finishReason`, token counts, `tokenIds`, `logprobs`,
 * `modelLogprobs`, the parse failure reason when there is one, and the prompt's own metadata. Chat and token-id
 * prompts are stored as JSON text in `prompt`. `onProgress` (a generate option, passed through) is called after each
 * completion finishes with `{ completed, total, completion }`.
 */
export async function generateRollouts(
  options: GenerateRolloutsOptions,
): Promise<{ rollouts: Rollout[][]; result: GenerateResult }> {
  parseWith(generateRolloutsOptionsSchema, options, {
    label: 'generateRollouts options',
    details: { function: 'generateRollouts', field: 'options' },
  });
  const { policy, prompts, parse = 'decision', decisionOptions = {}, selectionOptions = {}, ...generate } = options;
  const entries = prompts.map((entry) => (isRolloutPrompt(entry) ? entry : { prompt: entry }));
  const result = await policy.generate({ ...generate, prompts: entries.map((entry) => entry.prompt) });
  if (
    !Array.isArray(result?.completions) ||
    result.completions.length !== entries.length ||
    !result.completions.every((group) => Array.isArray(group))
  ) {
    throw new TradeR1Error('BAD_RESPONSE', 'generateRollouts: the policy returned no completions[prompt][sample]', {
      details: { function: 'generateRollouts', field: 'completions' },
    });
  }
  const rollouts = result.completions.map((group, promptIndex) => {
    const entry = entries[promptIndex] as RolloutPrompt;
    return group.map((completion) => {
      let decision: Decision | SelectionDecision | null = null;
      let failure: string | undefined;
      if (typeof parse === 'function') {
        const parsed = parse(completion.text, completion);
        decision = parsed.decision;
        failure = parsed.failure;
      } else if (parse === 'selection') {
        const parsed = parseSelectionText(completion.text, {
          ...selectionOptions,
          ...(entry.candidates && { candidates: entry.candidates }),
        });
        if (parsed.ok) decision = parsed.selection;
        else failure = parsed.reason;
      } else {
        const parsed = parseDecisionText(completion.text, decisionOptions);
        if (parsed.ok) decision = parsed.decision;
        else failure = parsed.reason;
      }
      return parseRollout({
        prompt: promptText(entry.prompt),
        completion: completion.text,
        decision,
        metadata: {
          ...entry.metadata,
          promptIndex,
          sampleIndex: completion.sampleIndex,
          finishReason: completion.finishReason,
          promptTokenCount: completion.promptTokenCount,
          completionTokenCount: completion.completionTokenCount,
          tokenIds: completion.tokenIds,
          logprobs: completion.logprobs,
          modelLogprobs: completion.modelLogprobs,
          ...(failure !== undefined && { parseFailure: failure }),
        },
      });
    });
  });
  return { rollouts, result };
}
