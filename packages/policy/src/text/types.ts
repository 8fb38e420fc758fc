import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { assertAsyncIterable, assertInteger, assertRecord } from '../arguments.ts';

/** A chat message accepted as a prompt (rendered with the model's chat template). */
export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

/**
 * A prompt: plain text (used as is), pre-tokenised ids (ONNX backend only), or chat messages (rendered with the
 * model's chat template, with the generation prompt appended).
 */
export const promptSchema = z.union([
  z.string(),
  z.array(z.number().int().min(0)).min(1),
  z.array(chatMessageSchema).min(1),
]);
/** A prompt (see {@link promptSchema}). */
export type Prompt = z.infer<typeof promptSchema>;

/** What `onProgress` receives each time a completion finishes. */
export interface GenerationProgress {
  /** Completions finished so far in this call (1 … total). */
  completed: number;
  /** Completions the call makes: prompts × numSamples. */
  total: number;
  /** The completion that just finished. */
  completion: Completion;
}

/** Options of `TextPolicy.generate` / `TextPolicy.stream` (misspelled keys are rejected). */
export const generateOptionsSchema = z.strictObject({
  /** The prompts; every prompt gets `numSamples` completions. */
  prompts: z.array(promptSchema).min(1),
  /** G, completions per prompt (GRPO's group size). @default 1 */
  numSamples: z.number().int().min(1).max(1024).default(1),
  /** Sampling temperature; `0` is greedy. @default 1 */
  temperature: z.number().min(0).max(100).default(1),
  /** Nucleus (top-p) mass in (0, 1]. @default 1 */
  topP: z.number().gt(0).max(1).default(1),
  /** Top-k cut-off; `0` disables it. @default 0 */
  topK: z.number().int().min(0).default(0),
  /** Most tokens to generate per completion. @default 256 */
  maxNewTokens: z.number().int().min(1).max(1_000_000).default(256),
  /** End-of-sequence tokens are banned until this many tokens were generated. @default 0 */
  minNewTokens: z.number().int().min(0).default(0),
  /** Seed of the sampling streams; the same seed gives the same samples. @default 0 */
  seed: z.number().int().default(0),
  /** Strings that end a completion (excluded from `text`, like OpenAI's `stop`). @default [] */
  stop: z.array(z.string().min(1)).max(16).default([]),
  /** Cancels generation; unfinished completions end with finish reason `'abort'`. */
  signal: z.instanceof(AbortSignal).optional(),
  /**
   * Called after each completion finishes (aborted ones included), in finishing order, with the count so far — for
   * progress bars over long G × prompts runs. An exception it throws ends the call. @default undefined
   */
  onProgress: z
    .custom<(progress: GenerationProgress) => void>(
      (value) => typeof value === 'function',
      'onProgress must be a function',
    )
    .optional(),
});
/** Options of `TextPolicy.generate` (see {@link generateOptionsSchema}). */
export type GenerateOptions = z.input<typeof generateOptionsSchema>;
/** Resolved generate options. */
export type ResolvedGenerateOptions = z.output<typeof generateOptionsSchema>;

/** Why a completion ended. */
export type FinishReason = 'stop' | 'length' | 'abort';

/** One sampled completion. */
export interface Completion {
  /** Index of its prompt in `prompts`. */
  promptIndex: number;
  /** Index within the prompt's group of `numSamples`. */
  sampleIndex: number;
  /** The generated text (a matched stop string and the EOS token are not included). */
  text: string;
  /** Generated token ids (including the EOS or stop-completing token when there is one). `[]` when unknown. */
  tokenIds: number[];
  /**
   * Per-token log-probabilities under the distribution actually sampled from (temperature, top-k, top-p
   * applied); `0` for greedy steps. `null` entries when the backend did not report them.
   */
  logprobs: Array<number | null>;
  /**
   * Per-token log-probabilities under the raw model distribution (`log_softmax(logits)` at temperature 1, no
   * filtering): what a PPO/GRPO ratio needs. `null` entries when the backend cannot report them.
   */
  modelLogprobs: Array<number | null>;
  /** Tokens in the prompt (−1 when a remote backend did not report it). */
  promptTokenCount: number;
  /** Tokens generated (−1 when a remote backend did not report it). */
  completionTokenCount: number;
  /** `'stop'` (EOS or stop string), `'length'` (maxNewTokens) or `'abort'` (signal). */
  finishReason: FinishReason;
}

/** Result of `TextPolicy.generate`. */
export interface GenerateResult {
  /** `completions[promptIndex][sampleIndex]`. */
  completions: Completion[][];
  /** Token totals. */
  usage: { promptTokens: number; completionTokens: number };
}

/** Events of `TextPolicy.stream`. */
export type GenerationEvent =
  | {
      type: 'token';
      promptIndex: number;
      sampleIndex: number;
      /** The token id (−1 when the backend streams text without ids). */
      tokenId: number;
      /** Newly decoded text (may be empty while a multi-byte character is incomplete). */
      text: string;
      logprob: number | null;
      modelLogprob: number | null;
    }
  | { type: 'finish'; completion: Completion }
  | { type: 'done'; result: GenerateResult };

/** Where and how a policy runs. */
export interface PolicyInfo {
  /** `'onnx'` or `'openai-compatible'`. */
  backend: 'onnx' | 'openai-compatible';
  /** The model id or path. */
  model: string;
  /** The device the caller asked for (`'auto'`, `'cuda'`, `'cpu'`), or `'remote'`. */
  requestedDevice: string;
  /** The ONNX Runtime execution provider that runs the model (`'cuda'` or `'cpu'`), or `'remote'`. */
  executionProvider: string;
  /** Why `device: 'auto'` fell back to the CPU, when it did. */
  fallbackReason?: string;
  /** Weight dtype (`'fp32'`, `'q8'`…), when known. */
  dtype?: string;
  /** The resolved local directory of the model, when loaded from disk. */
  localPath?: string;
  /**
   * How the ONNX backend carries the KV cache between decode steps: `'in-place'` (the graph returns only the new
   * positions, written into the policy's own buffers) or `'present'` (every step fetches the whole grown cache).
   */
  kvCache?: 'in-place' | 'present';
  /** Why the ONNX backend fetches `present` instead of keeping the cache in place. */
  kvCacheReason?: string;
}

/** A text policy: anything that samples G completions per prompt with log-probabilities. */
export interface TextPolicy {
  /** Sample `numSamples` completions for every prompt. */
  generate(options: GenerateOptions): Promise<GenerateResult>;
  /** Same as `generate`, as a stream of token, finish and done events. */
  stream(options: GenerateOptions): AsyncIterable<GenerationEvent>;
  /** Where and how it runs. */
  info(): PolicyInfo;
  /** Release resources (idempotent). */
  close(): Promise<void>;
}

/**
 * Pass a stream through, calling `options.onProgress` on every finish event (helper for implementations). `total`
 * is prompts × numSamples.
 */
export async function* reportProgress(
  events: AsyncIterable<GenerationEvent>,
  options: Pick<ResolvedGenerateOptions, 'onProgress' | 'prompts' | 'numSamples'>,
): AsyncGenerator<GenerationEvent> {
  assertAsyncIterable(events, 'reportProgress', 'events');
  assertRecord(options, 'reportProgress', 'options');
  if (!Array.isArray(options.prompts)) {
    throw new TradeR1Error('INVALID_INPUT', 'reportProgress: options.prompts must be an array', {
      details: { function: 'reportProgress', field: 'options.prompts' },
    });
  }
  assertInteger(options.numSamples, 'reportProgress', 'options.numSamples');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TradeR1Error('INVALID_INPUT', 'reportProgress: options.onProgress must be a function', {
      details: { function: 'reportProgress', field: 'options.onProgress' },
    });
  }
  const total = options.prompts.length * options.numSamples;
  let completed = 0;
  for await (const event of events) {
    if (typeof event === 'object' && event !== null && event.type === 'finish' && options.onProgress) {
      completed += 1;
      options.onProgress({ completed, total, completion: event.completion });
    }
    yield event;
  }
}

/** Collect a stream's `done` result (helper for implementations). */
export async function collectStream(events: AsyncIterable<GenerationEvent>): Promise<GenerateResult> {
  assertAsyncIterable(events, 'collectStream', 'events');
  let result: GenerateResult | undefined;
  for await (const event of events) {
    if (typeof event === 'object' && event !== null && event.type === 'done') result = event.result;
  }
  if (!result) throw new TradeR1Error('INTERNAL', 'The generation stream ended without a done event');
  return result;
}
