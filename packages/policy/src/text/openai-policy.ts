import { deriveSeed, errorMessage, parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import {
  type Completion,
  type FinishReason,
  type GenerateOptions,
  type GenerateResult,
  type GenerationEvent,
  generateOptionsSchema,
  type PolicyInfo,
  type Prompt,
  type ResolvedGenerateOptions,
  type TextPolicy,
} from './types.ts';

/** Options of {@link createOpenAICompatiblePolicy}. */
export const openAICompatiblePolicyOptionsSchema = z.object({
  /** API base URL including the version prefix, e.g. `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:11434/v1` (Ollama), `https://api.openai.com/v1`. */
  baseUrl: z.string().url(),
  /** Model name sent in every request. */
  model: z.string().min(1),
  /** Bearer token. @default undefined (no Authorization header) */
  apiKey: z.string().min(1).optional(),
  /**
   * `'completions'` (`/completions`, text or token-id prompts; chat prompts are rejected), `'chat'`
   * (`/chat/completions`; text prompts become one user message), or `'auto'` (chat for message prompts,
   * completions otherwise).
   * @default 'auto'
   */
  endpoint: z.enum(['auto', 'completions', 'chat']).default('auto'),
  /** Ask for `n` samples in one request; set `false` for servers without `n` (Ollama): G requests with seeds `deriveSeed(seed, sampleIndex)`. @default true */
  useN: z.boolean().default(true),
  /** Request per-token log-probabilities. @default true */
  logprobs: z.boolean().default(true),
  /**
   * Which field receives the server's per-token log-probs: `'raw'` → `modelLogprobs` (vLLM's default
   * `raw_logprobs` mode, OpenAI), `'processed'` → `logprobs` (vLLM `processed_logprobs`). The other field is `null`.
   * @default 'raw'
   */
  logprobsMode: z.enum(['raw', 'processed']).default('raw'),
  /** Per-request timeout in milliseconds. @default 60000 */
  timeoutMs: z.number().int().min(1).default(60_000),
  /** Retries after HTTP 429/5xx or a network error (exponential backoff from `retryDelayMs`). @default 2 */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** First retry delay in milliseconds. @default 500 */
  retryDelayMs: z.number().int().min(0).default(500),
  /** Requests in flight at once (one per prompt, or per sample without `n`). @default 4 */
  concurrency: z.number().int().min(1).default(4),
  /** Extra headers. @default {} */
  headers: z.record(z.string(), z.string()).default({}),
  /** Extra body fields merged into every request (e.g. `{ repetition_penalty: 1.1 }`). @default {} */
  extraBody: z.record(z.string(), z.unknown()).default({}),
  /** A `fetch` implementation. @default globalThis.fetch */
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function').optional(),
});
/** Options of {@link createOpenAICompatiblePolicy}. */
export type OpenAICompatiblePolicyOptions = z.input<typeof openAICompatiblePolicyOptionsSchema>;

const usageSchema = z
  .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
  .nullish();
const completionsResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        text: z.string(),
        finish_reason: z.string().nullish(),
        logprobs: z
          .object({
            tokens: z.array(z.string()).nullish(),
            token_logprobs: z.array(z.number().nullable()).nullish(),
          })
          .nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});
const chatResponseSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullish(),
        logprobs: z
          .object({ content: z.array(z.object({ token: z.string(), logprob: z.number() })).nullish() })
          .nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const streamChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        text: z.string().nullish(),
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
        logprobs: z
          .object({
            token_logprobs: z.array(z.number().nullable()).nullish(),
            content: z.array(z.object({ logprob: z.number() })).nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema,
});

// The `data:` payloads of a server-sent-events body (events separated by blank lines; multi-line data joined).
async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        newline = buffer.indexOf('\n');
      }
      if (done) break;
    }
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
    if (data.length > 0) yield data.join('\n');
  } finally {
    reader.releaseLock();
  }
}

interface Choice {
  text: string;
  finish: FinishReason;
  logprobs: Array<number | null> | null;
}

function toFinishReason(value: string | null | undefined): FinishReason {
  return value === 'length' ? 'length' : 'stop';
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A {@link TextPolicy} over any OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp server, OpenAI): the same
 * `generate` / `stream` interface as the ONNX policy, using `n`, `seed`, `logprobs`, `temperature`, `top_p`,
 * `max_tokens` and `stop` (plus vLLM's `top_k` and `min_tokens` when set); `stream()` reads server-sent events
 * (`stream: true` with `stream_options.include_usage`).
 *
 * Limits: token ids are not reported (`tokenIds` is `[]`); `completionTokenCount` comes from the log-probs (or
 * `usage` for single samples) and is −1 when the server reports neither; reproducibility by `seed` is as good as the
 * server's (vLLM: exact; OpenAI: best effort); `timeoutMs` bounds a whole request, streamed ones included. An abort
 * ends unfinished prompts with finish reason `'abort'`.
 */
export function createOpenAICompatiblePolicy(options: OpenAICompatiblePolicyOptions): OpenAICompatiblePolicy {
  return new OpenAICompatiblePolicy(
    parseWith(openAICompatiblePolicyOptionsSchema, options, { label: 'OpenAI-compatible policy options' }),
  );
}

/** The policy returned by {@link createOpenAICompatiblePolicy}. */
export class OpenAICompatiblePolicy implements TextPolicy {
  private closed = false;
  private readonly controller = new AbortController();

  /** @internal Use {@link createOpenAICompatiblePolicy}. */
  constructor(private readonly settings: z.output<typeof openAICompatiblePolicyOptionsSchema>) {}

  /** The server and model. */
  info(): PolicyInfo {
    return {
      backend: 'openai-compatible',
      model: this.settings.model,
      requestedDevice: 'remote',
      executionProvider: 'remote',
    };
  }

  /** Sample `numSamples` completions per prompt. */
  async generate(rawOptions: GenerateOptions): Promise<GenerateResult> {
    if (this.closed) throw new TradeR1Error('CLOSED', 'This policy was closed');
    const options = parseWith(generateOptionsSchema, rawOptions, { label: 'generate options' });
    if (options.signal?.aborted) throw new TradeR1Error('ABORTED', 'Generation aborted before it started');
    const jobs: Array<{ promptIndex: number; sampleIndex: number; n: number }> = [];
    options.prompts.forEach((_, promptIndex) => {
      if (this.settings.useN) jobs.push({ promptIndex, sampleIndex: 0, n: options.numSamples });
      else
        for (let sampleIndex = 0; sampleIndex < options.numSamples; sampleIndex += 1)
          jobs.push({ promptIndex, sampleIndex, n: 1 });
    });
    const results = new Map<
      string,
      { choices: Choice[]; promptTokens: number | null; completionTokens: number | null } | 'abort'
    >();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++] as (typeof jobs)[number];
        const seed = this.settings.useN ? options.seed : deriveSeed(options.seed, String(job.sampleIndex));
        const outcome = await this.request(options.prompts[job.promptIndex] as Prompt, job.n, seed, options);
        results.set(`${job.promptIndex}:${job.sampleIndex}`, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, jobs.length) }, worker));

    const completions: Completion[][] = options.prompts.map(() => []);
    let promptTokens = 0;
    let completionTokens = 0;
    for (const job of jobs) {
      const outcome = results.get(`${job.promptIndex}:${job.sampleIndex}`);
      for (let offset = 0; offset < job.n; offset += 1) {
        const sampleIndex = job.sampleIndex + offset;
        const choice = outcome === 'abort' || outcome === undefined ? undefined : outcome.choices[offset];
        const known = outcome !== 'abort' && outcome !== undefined;
        const count = choice?.logprobs
          ? choice.logprobs.length
          : known && job.n === 1 && outcome.completionTokens !== null
            ? outcome.completionTokens
            : -1;
        const perToken: Array<number | null> = choice?.logprobs ?? [];
        const nulls = perToken.map(() => null);
        const completion: Completion = {
          promptIndex: job.promptIndex,
          sampleIndex,
          text: choice?.text ?? '',
          tokenIds: [],
          logprobs: this.settings.logprobsMode === 'processed' ? perToken : nulls,
          modelLogprobs: this.settings.logprobsMode === 'raw' ? perToken : nulls,
          promptTokenCount: known && outcome.promptTokens !== null ? outcome.promptTokens : -1,
          completionTokenCount: count,
          finishReason: choice?.finish ?? 'abort',
        };
        if (count > 0) completionTokens += count;
        if (offset === 0 && completion.promptTokenCount > 0)
          promptTokens += completion.promptTokenCount * (this.settings.useN ? job.n : 1);
        (completions[job.promptIndex] as Completion[]).push(completion);
      }
    }
    return { completions, usage: { promptTokens, completionTokens } };
  }

  /**
   * Stream token, finish and done events over server-sent events (`stream: true`). Requests run one at a time, in
   * prompt order; each event carries the text delta of one choice and, when the server sends them, its log-probs.
   */
  async *stream(rawOptions: GenerateOptions): AsyncIterable<GenerationEvent> {
    if (this.closed) throw new TradeR1Error('CLOSED', 'This policy was closed');
    const options = parseWith(generateOptionsSchema, rawOptions, { label: 'generate options' });
    if (options.signal?.aborted) throw new TradeR1Error('ABORTED', 'Generation aborted before it started');
    const completions: Completion[][] = options.prompts.map(() => []);
    let promptTokens = 0;
    let completionTokens = 0;
    for (const [promptIndex, prompt] of options.prompts.entries()) {
      const jobs = this.settings.useN
        ? [{ sampleIndex: 0, n: options.numSamples, seed: options.seed }]
        : Array.from({ length: options.numSamples }, (_, sampleIndex) => ({
            sampleIndex,
            n: 1,
            seed: deriveSeed(options.seed, String(sampleIndex)),
          }));
      for (const job of jobs) {
        const states = Array.from({ length: job.n }, () => ({
          text: '',
          logprobs: [] as number[],
          sawLogprobs: false,
          finish: null as FinishReason | null,
        }));
        let usage: { prompt: number | null; completion: number | null } = { prompt: null, completion: null };
        const { path, body, chat } = this.body(prompt, job.n, job.seed, options);
        const sent = await this.send(
          path,
          { ...body, stream: true, stream_options: { include_usage: true } },
          options,
          false,
        );
        if (sent !== 'abort' && sent.response.body) {
          try {
            for await (const data of serverSentData(sent.response.body)) {
              if (data === '[DONE]') break;
              let json: unknown;
              try {
                json = JSON.parse(data);
              } catch (error) {
                throw new TradeR1Error('BAD_RESPONSE', `${sent.url} streamed invalid JSON: ${data.slice(0, 200)}`, {
                  details: { url: sent.url },
                  cause: error,
                });
              }
              const chunk = parseWith(streamChunkSchema, json, {
                code: 'BAD_RESPONSE',
                label: `stream chunk from ${sent.url}`,
              });
              if (chunk.usage) {
                usage = {
                  prompt: chunk.usage.prompt_tokens ?? null,
                  completion: chunk.usage.completion_tokens ?? null,
                };
              }
              for (const choice of chunk.choices ?? []) {
                const state = states[choice.index ?? 0];
                if (!state) continue;
                const delta = (chat ? choice.delta?.content : choice.text) ?? '';
                const values = chat
                  ? (choice.logprobs?.content ?? []).map((entry) => entry.logprob)
                  : (choice.logprobs?.token_logprobs ?? []).map((value) => value ?? Number.NaN);
                if (choice.logprobs) state.sawLogprobs = true;
                state.text += delta;
                state.logprobs.push(...values);
                const sampleIndex = job.sampleIndex + (choice.index ?? 0);
                const perToken = values.length > 0 ? values : [null];
                for (const [position, value] of perToken.entries()) {
                  if (position > 0 || delta.length > 0 || value !== null) {
                    yield {
                      type: 'token',
                      promptIndex,
                      sampleIndex,
                      tokenId: -1,
                      text: position === 0 ? delta : '',
                      logprob: this.settings.logprobsMode === 'processed' ? value : null,
                      modelLogprob: this.settings.logprobsMode === 'raw' ? value : null,
                    };
                  }
                }
                if (choice.finish_reason) state.finish = toFinishReason(choice.finish_reason);
              }
            }
          } catch (error) {
            if (!(options.signal?.aborted || this.closed)) {
              throw error instanceof TradeR1Error
                ? error
                : new TradeR1Error('HTTP_ERROR', `Streaming from ${sent.url} failed: ${errorMessage(error)}`, {
                    cause: error,
                  });
            }
          }
        }
        for (const [offset, state] of states.entries()) {
          const count = state.sawLogprobs
            ? state.logprobs.length
            : job.n === 1 && usage.completion !== null
              ? usage.completion
              : -1;
          const values: Array<number | null> = state.logprobs.map((value) => (Number.isNaN(value) ? null : value));
          const completion: Completion = {
            promptIndex,
            sampleIndex: job.sampleIndex + offset,
            text: state.text,
            tokenIds: [],
            logprobs: this.settings.logprobsMode === 'processed' ? values : values.map(() => null),
            modelLogprobs: this.settings.logprobsMode === 'raw' ? values : values.map(() => null),
            promptTokenCount: usage.prompt ?? -1,
            completionTokenCount: count,
            finishReason: state.finish ?? (options.signal?.aborted || this.closed ? 'abort' : 'stop'),
          };
          if (count > 0) completionTokens += count;
          if (offset === 0 && usage.prompt !== null) promptTokens += usage.prompt * (this.settings.useN ? job.n : 1);
          (completions[promptIndex] as Completion[]).push(completion);
          yield { type: 'finish', completion };
        }
      }
    }
    yield { type: 'done', result: { completions, usage: { promptTokens, completionTokens } } };
  }

  /** Cancel requests in flight and refuse new ones (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort();
  }

  private body(
    prompt: Prompt,
    n: number,
    seed: number,
    options: ResolvedGenerateOptions,
  ): { path: string; body: Record<string, unknown>; chat: boolean } {
    const isChat = Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'object';
    const chat = this.settings.endpoint === 'chat' || (this.settings.endpoint === 'auto' && isChat);
    if (!chat && isChat) {
      throw new TradeR1Error('INVALID_INPUT', "Chat prompts need endpoint 'chat' or 'auto'", {
        details: { endpoint: this.settings.endpoint },
      });
    }
    if (chat && Array.isArray(prompt) && typeof prompt[0] === 'number') {
      throw new TradeR1Error('INVALID_INPUT', 'Token-id prompts need the completions endpoint', {});
    }
    const common: Record<string, unknown> = {
      model: this.settings.model,
      n,
      temperature: options.temperature,
      top_p: options.topP,
      max_tokens: options.maxNewTokens,
      seed,
      ...(options.stop.length > 0 && { stop: options.stop }),
      ...(options.topK > 0 && { top_k: options.topK }),
      ...(options.minNewTokens > 0 && { min_tokens: options.minNewTokens }),
    };
    if (chat) {
      const messages = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
      return {
        path: '/chat/completions',
        chat,
        body: { ...common, messages, ...(this.settings.logprobs && { logprobs: true }), ...this.settings.extraBody },
      };
    }
    return {
      path: '/completions',
      chat,
      body: { ...common, prompt, ...(this.settings.logprobs && { logprobs: 1 }), ...this.settings.extraBody },
    };
  }

  // POST with retries (HTTP 429/5xx, network errors, timeouts) until a 2xx response arrives. With `readBody` the body
  // is read inside the retry loop; without it the caller streams the body.
  private async send(
    path: string,
    body: Record<string, unknown>,
    options: ResolvedGenerateOptions,
    readBody: boolean,
  ): Promise<{ response: Response; text: string; url: string } | 'abort'> {
    const url = `${this.settings.baseUrl.replace(/\/+$/, '')}${path}`;
    const fetchImplementation = this.settings.fetch ?? globalThis.fetch;
    for (let attempt = 0; ; attempt += 1) {
      if (options.signal?.aborted || this.closed) return 'abort';
      const timeout = AbortSignal.timeout(this.settings.timeoutMs);
      const signals = [timeout, this.controller.signal, ...(options.signal ? [options.signal] : [])];
      let response: Response;
      let text = '';
      try {
        response = await fetchImplementation(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.settings.apiKey && { authorization: `Bearer ${this.settings.apiKey}` }),
            ...this.settings.headers,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
        if (readBody || !response.ok) text = await response.text();
      } catch (error) {
        if (options.signal?.aborted || this.closed) return 'abort';
        if (attempt < this.settings.maxRetries) {
          await sleep(this.settings.retryDelayMs * 2 ** attempt, options.signal);
          continue;
        }
        if (timeout.aborted) {
          throw new TradeR1Error('TIMEOUT', `${url} did not answer within ${this.settings.timeoutMs} ms`, {
            details: { url, attempts: attempt + 1 },
            cause: error,
          });
        }
        throw new TradeR1Error('HTTP_ERROR', `Request to ${url} failed: ${errorMessage(error)}`, {
          details: { url, attempts: attempt + 1 },
          cause: error,
        });
      }
      if (!response.ok) {
        const retryable = response.status === 429 || response.status >= 500;
        if (retryable && attempt < this.settings.maxRetries) {
          await sleep(this.settings.retryDelayMs * 2 ** attempt, options.signal);
          continue;
        }
        const code =
          response.status === 401 || response.status === 403
            ? 'UNAUTHORIZED'
            : response.status === 429
              ? 'RATE_LIMITED'
              : 'HTTP_ERROR';
        throw new TradeR1Error(code, `${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`, {
          details: { url, status: response.status, attempts: attempt + 1 },
        });
      }
      return { response, text, url };
    }
  }

  private async request(
    prompt: Prompt,
    n: number,
    seed: number,
    options: ResolvedGenerateOptions,
  ): Promise<{ choices: Choice[]; promptTokens: number | null; completionTokens: number | null } | 'abort'> {
    const { path, body, chat } = this.body(prompt, n, seed, options);
    const sent = await this.send(path, body, options, true);
    if (sent === 'abort') return 'abort';
    const { text, url } = sent;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new TradeR1Error('BAD_RESPONSE', `${url} answered with invalid JSON: ${text.slice(0, 200)}`, {
        details: { url },
        cause: error,
      });
    }
    const choices = chat ? this.chatChoices(json, url) : this.completionChoices(json, url);
    if (choices.choices.length < n) {
      throw new TradeR1Error(
        'BAD_RESPONSE',
        `${url} returned ${choices.choices.length} choices for n = ${n}; the server may not support n (set useN: false)`,
        { details: { url, requested: n, received: choices.choices.length } },
      );
    }
    return choices;
  }

  private completionChoices(
    json: unknown,
    url: string,
  ): { choices: Choice[]; promptTokens: number | null; completionTokens: number | null } {
    const parsed = parseWith(completionsResponseSchema, json, {
      code: 'BAD_RESPONSE',
      label: `completions response from ${url}`,
    });
    const ordered = [...parsed.choices].sort((left, right) => (left.index ?? 0) - (right.index ?? 0));
    return {
      choices: ordered.map((choice) => ({
        text: choice.text,
        finish: toFinishReason(choice.finish_reason),
        logprobs: choice.logprobs?.token_logprobs ? [...choice.logprobs.token_logprobs] : null,
      })),
      promptTokens: parsed.usage?.prompt_tokens ?? null,
      completionTokens: parsed.usage?.completion_tokens ?? null,
    };
  }

  private chatChoices(
    json: unknown,
    url: string,
  ): { choices: Choice[]; promptTokens: number | null; completionTokens: number | null } {
    const parsed = parseWith(chatResponseSchema, json, { code: 'BAD_RESPONSE', label: `chat response from ${url}` });
    const ordered = [...parsed.choices].sort((left, right) => (left.index ?? 0) - (right.index ?? 0));
    return {
      choices: ordered.map((choice) => ({
        text: choice.message.content ?? '',
        finish: toFinishReason(choice.finish_reason),
        logprobs: choice.logprobs?.content ? choice.logprobs.content.map((entry) => entry.logprob) : null,
      })),
      promptTokens: parsed.usage?.prompt_tokens ?? null,
      completionTokens: parsed.usage?.completion_tokens ?? null,
    };
  }
}
