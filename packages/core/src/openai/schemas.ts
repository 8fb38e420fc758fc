import { z } from 'zod';

// Response payloads of OpenAI-compatible servers (OpenAI, vLLM, SGLang, Ollama, llama.cpp server). Only the fields
// read are declared; everything else (`id`, `created`, `system_fingerprint`, vLLM's `kv_transfer_params`…) passes.
// vLLM ≥ 0.10.2 adds `token_ids` per choice and `prompt_token_ids` (per choice on /completions, top level on chat)
// when asked with `return_token_ids: true`, and reports `null` for them otherwise.

const tokenIdsSchema = z.array(z.number().int().min(0)).nullish();

const usageSchema = z
  .object({
    prompt_tokens: z.number().int().min(0).nullish(),
    completion_tokens: z.number().int().min(0).nullish(),
    total_tokens: z.number().int().min(0).nullish(),
  })
  .nullish();

const completionLogprobsSchema = z
  .object({
    tokens: z.array(z.string()).nullish(),
    token_logprobs: z.array(z.number().nullable()).nullish(),
  })
  .nullish();

const chatLogprobsSchema = z
  .object({ content: z.array(z.object({ token: z.string(), logprob: z.number() })).nullish() })
  .nullish();

/** A `/completions` response. */
export const completionsResponseSchema = z.object({
  choices: z.array(
    z.object({
      index: z.number().int().min(0).optional(),
      text: z.string(),
      finish_reason: z.string().nullish(),
      logprobs: completionLogprobsSchema,
      token_ids: tokenIdsSchema,
      prompt_token_ids: tokenIdsSchema,
    }),
  ),
  usage: usageSchema,
});

/** A `/chat/completions` response. */
export const chatCompletionResponseSchema = z.object({
  choices: z.array(
    z.object({
      index: z.number().int().min(0).optional(),
      message: z.object({
        content: z.string().nullish(),
        // vLLM/SGLang reasoning parsers (Qwen3, DeepSeek-R1) move the think block here; newer vLLM calls it `reasoning`.
        reasoning_content: z.string().nullish(),
        reasoning: z.string().nullish(),
      }),
      finish_reason: z.string().nullish(),
      logprobs: chatLogprobsSchema,
      token_ids: tokenIdsSchema,
    }),
  ),
  usage: usageSchema,
  prompt_token_ids: tokenIdsSchema,
});

/** One server-sent chunk of a streamed `/completions` or `/chat/completions` response. */
export const streamChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().min(0).optional(),
        text: z.string().nullish(),
        delta: z
          .object({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
        logprobs: z
          .object({
            tokens: z.array(z.string()).nullish(),
            token_logprobs: z.array(z.number().nullable()).nullish(),
            content: z.array(z.object({ token: z.string(), logprob: z.number() })).nullish(),
          })
          .nullish(),
        token_ids: tokenIdsSchema,
        prompt_token_ids: tokenIdsSchema,
      }),
    )
    .nullish(),
  usage: usageSchema,
  prompt_token_ids: tokenIdsSchema,
});

/** An error object some servers send inside a 200 stream (vLLM: `data: {"error": {...}}`). */
export const streamErrorSchema = z.object({
  error: z.object({ message: z.string().optional(), type: z.string().optional(), code: z.unknown().optional() }),
});

/** Token usage as reported by the server (`null` where it did not say). */
export interface OpenAIUsage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
}

/** One choice of a response, the same for both endpoints. */
export interface OpenAIChoice {
  /** The choice's `index` (its place among the `n` samples). */
  index: number;
  /** Generated text (`text`, or the chat message's `content`). */
  text: string;
  /** The reasoning a server-side reasoning parser split off (`reasoning_content` / `reasoning`), or `null`. */
  reasoning: string | null;
  /** The server's finish reason (`'stop'`, `'length'`, `'abort'`…), or `null`. */
  finishReason: string | null;
  /**
   * Generated token ids: vLLM's `token_ids`, or the ids in `token_id:N` log-prob tokens
   * (`return_tokens_as_token_ids`); `null` when the server reported neither.
   */
  tokenIds: number[] | null;
  /** Per-token log-probs (`null` entries where the server sent `null`), or `null` when it sent none. */
  logprobs: Array<number | null> | null;
}

/** A parsed, index-ordered response. */
export interface OpenAICompletion {
  choices: OpenAIChoice[];
  usage: OpenAIUsage;
  /** Prompt token ids when the server returned them (vLLM `return_token_ids`), else `null`. */
  promptTokenIds: number[] | null;
}

/** Events of a streamed response, in arrival order. */
export type OpenAIStreamEvent =
  | {
      type: 'delta';
      index: number;
      /** New text of this choice (may be empty, e.g. a chunk that only finishes). */
      text: string;
      /** New reasoning text (server-side reasoning parser), `''` when none. */
      reasoning: string;
      tokenIds: number[] | null;
      logprobs: Array<number | null> | null;
      finishReason: string | null;
    }
  | { type: 'prompt'; tokenIds: number[] }
  | ({ type: 'usage' } & OpenAIUsage);

function usageOf(usage: z.infer<typeof usageSchema>): OpenAIUsage {
  return {
    promptTokens: usage?.prompt_tokens ?? null,
    completionTokens: usage?.completion_tokens ?? null,
    totalTokens: usage?.total_tokens ?? null,
  };
}

/** Token ids from `token_id:N` log-prob tokens (vLLM `return_tokens_as_token_ids`), when every token has the form. */
function idsFromTokens(tokens: readonly string[] | null | undefined): number[] | null {
  if (!tokens || tokens.length === 0) return null;
  const ids: number[] = [];
  for (const token of tokens) {
    const match = /^token_id:(\d+)$/.exec(token);
    if (!match) return null;
    ids.push(Number(match[1]));
  }
  return ids;
}

function reasoningOf(value: { reasoning_content?: string | null; reasoning?: string | null }): string | null {
  return value.reasoning_content ?? value.reasoning ?? null;
}

/** Normalise a parsed `/completions` response. */
export function toCompletion(parsed: z.infer<typeof completionsResponseSchema>): OpenAICompletion {
  const choices = parsed.choices.map((choice, position) => ({
    index: choice.index ?? position,
    text: choice.text,
    reasoning: null,
    finishReason: choice.finish_reason ?? null,
    tokenIds: choice.token_ids ? [...choice.token_ids] : idsFromTokens(choice.logprobs?.tokens),
    logprobs: choice.logprobs?.token_logprobs ? [...choice.logprobs.token_logprobs] : null,
  }));
  return {
    choices: choices.sort((left, right) => left.index - right.index),
    usage: usageOf(parsed.usage),
    promptTokenIds: parsed.choices.find((choice) => choice.prompt_token_ids)?.prompt_token_ids ?? null,
  };
}

/** Normalise a parsed `/chat/completions` response. */
export function toChatCompletion(parsed: z.infer<typeof chatCompletionResponseSchema>): OpenAICompletion {
  const choices = parsed.choices.map((choice, position) => ({
    index: choice.index ?? position,
    text: choice.message.content ?? '',
    reasoning: reasoningOf(choice.message),
    finishReason: choice.finish_reason ?? null,
    tokenIds: choice.token_ids
      ? [...choice.token_ids]
      : idsFromTokens(choice.logprobs?.content?.map((entry) => entry.token)),
    logprobs: choice.logprobs?.content ? choice.logprobs.content.map((entry) => entry.logprob) : null,
  }));
  return {
    choices: choices.sort((left, right) => left.index - right.index),
    usage: usageOf(parsed.usage),
    promptTokenIds: parsed.prompt_token_ids ? [...parsed.prompt_token_ids] : null,
  };
}

/** The events of one parsed stream chunk (either endpoint). */
export function toStreamEvents(chunk: z.infer<typeof streamChunkSchema>): OpenAIStreamEvent[] {
  const events: OpenAIStreamEvent[] = [];
  const prompt = chunk.prompt_token_ids ?? chunk.choices?.find((choice) => choice.prompt_token_ids)?.prompt_token_ids;
  if (prompt) events.push({ type: 'prompt', tokenIds: [...prompt] });
  for (const [position, choice] of (chunk.choices ?? []).entries()) {
    const chatTokens = choice.logprobs?.content;
    const logprobs = chatTokens
      ? chatTokens.map((entry) => entry.logprob)
      : choice.logprobs?.token_logprobs
        ? [...choice.logprobs.token_logprobs]
        : null;
    const tokens = chatTokens ? chatTokens.map((entry) => entry.token) : choice.logprobs?.tokens;
    events.push({
      type: 'delta',
      index: choice.index ?? position,
      text: choice.delta?.content ?? choice.text ?? '',
      reasoning: (choice.delta ? reasoningOf(choice.delta) : null) ?? '',
      tokenIds: choice.token_ids ? [...choice.token_ids] : idsFromTokens(tokens),
      logprobs,
      finishReason: choice.finish_reason ?? null,
    });
  }
  if (chunk.usage) events.push({ type: 'usage', ...usageOf(chunk.usage) });
  return events;
}
