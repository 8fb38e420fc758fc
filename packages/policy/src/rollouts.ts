import {
  type Decision,
  type DecisionParseOptions,
  parseDecisionText,
  parseRollout,
  parseSelectionText,
  type Rollout,
  type SelectionDecision,
  type SelectionParseOptions,
} from '@trade-r1/core';
import type { Completion, GenerateOptions, GenerateResult, Prompt, TextPolicy } from './text/types.ts';

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
  const { policy, prompts, parse = 'decision', decisionOptions = {}, selectionOptions = {}, ...generate } = options;
  const entries = prompts.map((entry) => (isRolloutPrompt(entry) ? entry : { prompt: entry }));
  const result = await policy.generate({ ...generate, prompts: entries.map((entry) => entry.prompt) });
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
