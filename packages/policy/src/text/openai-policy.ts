import {
  createOpenAIClient,
  deriveSeed,
  isTradeR1Error,
  type OpenAIClient,
  type OpenAIEndpoint,
  parseWith,
  TradeR1Error,
} from '@trade-r1/core';
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
  reportProgress,
  type TextPolicy,
} from './types.ts';

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** Options of {@link createOpenAICompatiblePolicy}. */
export const openAICompatiblePolicyOptionsSchema = z.strictObject({
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
  /**
   * Ask for `n` samples in one request; set `false` for servers without `n` (Ollama): G requests, sample `g` with
   * seed `promptSeed + g` — the seeds vLLM gives the `n` children of one request, so vLLM returns the same samples
   * either way. @default true
   */
  useN: z.boolean().default(true),
  /** Request per-token log-probabilities. @default true */
  logprobs: z.boolean().default(true),
  /**
   * Which field receives the server's per-token log-probs: `'raw'` → `modelLogprobs` (vLLM's default
   * `raw_logprobs` mode, OpenAI), `'processed'` → `logprobs` (vLLM started with `--logprobs-mode processed_logprobs`:
   * the behaviour log-prob a trainer's ratio needs). The other field is `null`.
   * @default 'raw'
   */
  logprobsMode: z.enum(['raw', 'processed']).default('raw'),
  /**
   * Send vLLM's `return_token_ids: true` (vLLM ≥ 0.10.2) so completions carry `tokenIds` and the prompt's token
   * count. OpenAI rejects the field, so it is off by default; ids are read whenever a server sends them
   * (`token_ids`, or `token_id:N` log-prob tokens from `return_tokens_as_token_ids`). @default false
   */
  returnTokenIds: z.boolean().default(false),
  /**
   * Keyword arguments for the server's chat template, sent as `chat_template_kwargs` on chat requests (vLLM, SGLang),
   * e.g. `{ enable_thinking: false }` for Qwen3. @default undefined (not sent)
   */
  chatTemplateKwargs: z.record(z.string(), z.unknown()).optional(),
  /**
   * Reasoning a server-side reasoning parser split off (`reasoning_content` / `reasoning`, vLLM `--reasoning-parser`,
   * Ollama): `'inline'` puts it back in front of the answer as `<think>\n…\n</think>\n\n`, so `text` reads like the
   * model's own output and the decision parsers and reasoning rewards see it; `'omit'` keeps the answer only.
   * @default 'inline'
   */
  reasoning: z.enum(['inline', 'omit']).default('inline'),
  /**
   * One deadline per request in milliseconds, for all its attempts, the waits between them and a streamed body
   * (`TIMEOUT` when it passes). Sized for 8k-token theses: 8,192 tokens at 20 tokens/s take 410 s. Node's own fetch
   * gives up after 300 s without response headers; for longer non-streamed requests use `stream()` or pass a `fetch`
   * with a longer limit (the failure is `TIMEOUT` either way, never retried).
   * @default 600000
   */
  timeoutMs: z.number().int().min(1).max(86_400_000).default(600_000),
  /** Retries after HTTP 408/409/429/5xx or a network error, within the deadline; `Retry-After` is honoured. @default 2 */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** First backoff delay in milliseconds (doubled per retry) when the server sends no `Retry-After`. @default 500 */
  retryDelayMs: z.number().int().min(0).default(500),
  /** Longest wait accepted between attempts; a longer `Retry-After` fails the request at once. @default 60000 */
  maxRetryDelayMs: z.number().int().min(0).default(60_000),
  /** Requests in flight at once (one per prompt, or per sample without `n`). @default 4 */
  concurrency: z.number().int().min(1).default(4),
  /** Extra headers. @default {} */
  headers: z.record(z.string(), z.string()).default({}),
  /** Extra body fields merged into every request (e.g. `{ repetition_penalty: 1.1 }`). @default {} */
  extraBody: z.record(z.string(), z.unknown()).default({}),
  /** A `fetch` implementation. @default globalThis.fetch */
  fetch: z.custom<typeof fetch>(isFunction, 'fetch must be a function').optional(),
});
/** Options of {@link createOpenAICompatiblePolicy}. */
export type OpenAICompatiblePolicyOptions = z.input<typeof openAICompatiblePolicyOptionsSchema>;
type Settings = z.output<typeof openAICompatiblePolicyOptionsSchema>;

const THINK_OPEN = '<think>\n';
const THINK_CLOSE = '\n</think>\n\n';

function toFinishReason(value: string | null | undefined): FinishReason {
  if (value === 'length') return 'length';
  if (value === 'abort') return 'abort';
  return 'stop';
}

/** One request: a prompt and the samples `firstSample … firstSample + n − 1` it asks for. */
interface Job {
  promptIndex: number;
  firstSample: number;
  n: number;
  seed: number;
}

/** What a finished request gives each of its samples. */
interface Sample {
  text: string;
  tokenIds: number[] | null;
  logprobs: Array<number | null> | null;
  finish: FinishReason;
}

interface JobResult {
  samples: Sample[];
  promptTokens: number | null;
  completionTokens: number | null;
}

/**
 * A {@link TextPolicy} over any OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp server, OpenAI): the same
 * `generate` / `stream` interface as the ONNX policy, using `n`, `seed`, `logprobs`, `temperature`, `top_p`,
 * `max_tokens` and `stop` (plus vLLM's `top_k`, `min_tokens`, `return_token_ids` and `chat_template_kwargs` when
 * set), through core's one OpenAI-compatible client (`createOpenAIClient`: `Retry-After`, one deadline, typed errors).
 *
 * Seeds: prompt `p` gets `promptSeed = deriveSeed(seed, occurrence + prompt)` — its samples do not depend on the
 * other prompts of the call, and the k-th copy of a repeated prompt gets its own seed, so copies are distinct
 * samples — and sample `g` is drawn with `promptSeed + g` (vLLM's seeds for the `n` children of one request).
 * Reproducibility is as good as the server's (vLLM: exact; OpenAI: best effort).
 *
 * Limits: `tokenIds` is `[]` unless the server sends ids (vLLM with `returnTokenIds`); `completionTokenCount` comes
 * from the token ids, else the log-probs, else `usage` for single samples, and is −1 when the server reports none.
 * An abort ends unfinished prompts with finish reason `'abort'`.
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
  private readonly client: OpenAIClient;

  /** @internal Use {@link createOpenAICompatiblePolicy}. */
  constructor(private readonly settings: Settings) {
    this.client = createOpenAIClient({
      baseUrl: settings.baseUrl,
      ...(settings.apiKey !== undefined && { apiKey: settings.apiKey }),
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      retryDelayMs: settings.retryDelayMs,
      maxRetryDelayMs: settings.maxRetryDelayMs,
      headers: settings.headers,
      ...(settings.fetch && { fetch: settings.fetch }),
    });
  }

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
    const options = this.begin(rawOptions);
    const jobs = this.jobs(options);
    const results = new Map<Job, JobResult | 'abort'>();
    // A failing request stops the others instead of leaving them running after generate() rejected.
    const local = new AbortController();
    const signal = this.signal(options, local.signal);
    let next = 0;
    // Progress reports each request's completions as it finishes (the result keeps prompt/sample order).
    const progressBuilder = new ResultBuilder(options.prompts.length, this.settings);
    const total = options.prompts.length * options.numSamples;
    let completed = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++] as Job;
        let outcome: JobResult | 'abort';
        try {
          outcome = await this.request(options.prompts[job.promptIndex] as Prompt, job, options, signal);
        } catch (error) {
          if (isTradeR1Error(error, 'ABORTED') && this.stopped(options)) outcome = 'abort';
          else {
            local.abort();
            throw error;
          }
        }
        results.set(job, outcome);
        if (options.onProgress) {
          for (let offset = 0; offset < job.n; offset += 1) {
            completed += 1;
            options.onProgress({
              completed,
              total,
              completion: progressBuilder.add(
                job,
                offset,
                outcome === 'abort' ? undefined : outcome.samples[offset],
                outcome === 'abort' ? null : outcome,
              ),
            });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, jobs.length) }, worker));

    const builder = new ResultBuilder(options.prompts.length, this.settings);
    for (const job of jobs) {
      const outcome = results.get(job);
      for (let offset = 0; offset < job.n; offset += 1) {
        const sample = outcome === 'abort' || outcome === undefined ? undefined : outcome.samples[offset];
        builder.add(job, offset, sample, outcome === 'abort' || outcome === undefined ? null : outcome);
      }
    }
    return builder.result();
  }

  /**
   * Stream token, finish and done events over server-sent events (`stream: true`, `stream_options.include_usage`).
   * Requests run one at a time, in prompt order; each token event carries its text delta, and its token id and
   * log-prob when the server sends them. The streamed texts of a sample add up to its final `text`.
   */
  async *stream(rawOptions: GenerateOptions): AsyncIterable<GenerationEvent> {
    const options = this.begin(rawOptions);
    yield* reportProgress(this.streamParsed(options), options);
  }

  private async *streamParsed(options: ResolvedGenerateOptions): AsyncGenerator<GenerationEvent> {
    const builder = new ResultBuilder(options.prompts.length, this.settings);
    const signal = this.signal(options);
    for (const job of this.jobs(options)) {
      const prompt = options.prompts[job.promptIndex] as Prompt;
      const { endpoint, body } = this.body(prompt, job, options);
      const states = Array.from({ length: job.n }, () => new StreamState(this.settings.reasoning === 'inline'));
      const usage = {
        prompt: null as number | null,
        completion: null as number | null,
        promptIds: null as number | null,
      };
      try {
        const events = this.client.stream(
          endpoint,
          { ...body, stream: true, stream_options: { include_usage: true } },
          { signal },
        );
        for await (const event of events) {
          if (event.type === 'usage') {
            usage.prompt = event.promptTokens;
            usage.completion = event.completionTokens;
            continue;
          }
          if (event.type === 'prompt') {
            usage.promptIds = event.tokenIds.length;
            continue;
          }
          const state = states[event.index];
          if (!state) continue;
          const sampleIndex = job.firstSample + event.index;
          for (const token of state.add(event)) {
            yield {
              type: 'token',
              promptIndex: job.promptIndex,
              sampleIndex,
              tokenId: token.tokenId,
              text: token.text,
              logprob: this.settings.logprobsMode === 'processed' ? token.logprob : null,
              modelLogprob: this.settings.logprobsMode === 'raw' ? token.logprob : null,
            };
          }
        }
      } catch (error) {
        if (!(isTradeR1Error(error, 'ABORTED') && this.stopped(options))) throw error;
      }
      const stopped = this.stopped(options);
      const outcome: JobResult = {
        samples: [],
        promptTokens: usage.prompt ?? usage.promptIds,
        completionTokens: usage.completion,
      };
      for (const [offset, state] of states.entries()) {
        const closing = state.close();
        if (closing) {
          yield {
            type: 'token',
            promptIndex: job.promptIndex,
            sampleIndex: job.firstSample + offset,
            tokenId: -1,
            text: closing,
            logprob: null,
            modelLogprob: null,
          };
        }
        outcome.samples.push(state.sample(stopped));
      }
      for (let offset = 0; offset < job.n; offset += 1) {
        const completion = builder.add(job, offset, outcome.samples[offset], outcome);
        yield { type: 'finish', completion };
      }
    }
    yield { type: 'done', result: builder.result() };
  }

  /** Cancel requests in flight and refuse new ones (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort();
  }

  private begin(rawOptions: GenerateOptions): ResolvedGenerateOptions {
    if (this.closed) throw new TradeR1Error('CLOSED', 'This policy was closed');
    const options = parseWith(generateOptionsSchema, rawOptions, { label: 'generate options' });
    if (options.signal?.aborted) throw new TradeR1Error('ABORTED', 'Generation aborted before it started');
    // Reject prompts the endpoint cannot take before any request is sent.
    options.prompts.forEach((prompt) => {
      this.endpointFor(prompt);
    });
    return options;
  }

  private stopped(options: ResolvedGenerateOptions): boolean {
    return this.closed || options.signal?.aborted === true;
  }

  private signal(options: ResolvedGenerateOptions, extra?: AbortSignal): AbortSignal {
    return AbortSignal.any([
      this.controller.signal,
      ...(options.signal ? [options.signal] : []),
      ...(extra ? [extra] : []),
    ]);
  }

  // One request per prompt with `n`, or one per sample without; seeds as documented on the factory.
  private jobs(options: ResolvedGenerateOptions): Job[] {
    const jobs: Job[] = [];
    const occurrences = new Map<string, number>();
    options.prompts.forEach((prompt, promptIndex) => {
      const key = typeof prompt === 'string' ? `s${prompt}` : JSON.stringify(prompt);
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      const promptSeed = deriveSeed(options.seed, `${occurrence}\u0000${key}`);
      if (this.settings.useN) jobs.push({ promptIndex, firstSample: 0, n: options.numSamples, seed: promptSeed });
      else
        for (let sample = 0; sample < options.numSamples; sample += 1)
          jobs.push({ promptIndex, firstSample: sample, n: 1, seed: promptSeed + sample });
    });
    return jobs;
  }

  private endpointFor(prompt: Prompt): OpenAIEndpoint {
    const isChat = Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'object';
    const chat = this.settings.endpoint === 'chat' || (this.settings.endpoint === 'auto' && isChat);
    if (!chat && isChat) {
      throw new TradeR1Error('INVALID_INPUT', "Chat prompts need endpoint 'chat' or 'auto'", {
        details: { field: 'endpoint', endpoint: this.settings.endpoint },
      });
    }
    if (chat && Array.isArray(prompt) && typeof prompt[0] === 'number') {
      throw new TradeR1Error('INVALID_INPUT', 'Token-id prompts need the completions endpoint', {
        details: { field: 'prompts' },
      });
    }
    return chat ? 'chat' : 'completions';
  }

  private body(
    prompt: Prompt,
    job: Job,
    options: ResolvedGenerateOptions,
  ): { endpoint: OpenAIEndpoint; body: Record<string, unknown> } {
    const endpoint = this.endpointFor(prompt);
    const common: Record<string, unknown> = {
      model: this.settings.model,
      n: job.n,
      temperature: options.temperature,
      top_p: options.topP,
      max_tokens: options.maxNewTokens,
      seed: job.seed,
      ...(options.stop.length > 0 && { stop: options.stop }),
      ...(options.topK > 0 && { top_k: options.topK }),
      ...(options.minNewTokens > 0 && { min_tokens: options.minNewTokens }),
      ...(this.settings.returnTokenIds && { return_token_ids: true }),
    };
    if (endpoint === 'chat') {
      const messages = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
      return {
        endpoint,
        body: {
          ...common,
          messages,
          ...(this.settings.logprobs && { logprobs: true }),
          ...(this.settings.chatTemplateKwargs && { chat_template_kwargs: this.settings.chatTemplateKwargs }),
          ...this.settings.extraBody,
        },
      };
    }
    return {
      endpoint,
      body: { ...common, prompt, ...(this.settings.logprobs && { logprobs: 1 }), ...this.settings.extraBody },
    };
  }

  private async request(
    prompt: Prompt,
    job: Job,
    options: ResolvedGenerateOptions,
    signal: AbortSignal,
  ): Promise<JobResult> {
    const { endpoint, body } = this.body(prompt, job, options);
    const response = await this.client.complete(endpoint, body, { signal });
    if (response.choices.length < job.n) {
      throw new TradeR1Error(
        'BAD_RESPONSE',
        `${response.url} returned ${response.choices.length} choices for n = ${job.n}; the server may not support n (set useN: false)`,
        { details: { url: response.url, requested: job.n, received: response.choices.length } },
      );
    }
    const inline = this.settings.reasoning === 'inline';
    return {
      samples: response.choices.slice(0, job.n).map((choice) => ({
        text:
          inline && choice.reasoning !== null
            ? `${THINK_OPEN}${choice.reasoning}${THINK_CLOSE}${choice.text}`
            : choice.text,
        tokenIds: choice.tokenIds,
        logprobs: choice.logprobs,
        finish: toFinishReason(choice.finishReason),
      })),
      promptTokens: response.usage.promptTokens ?? response.promptTokenIds?.length ?? null,
      completionTokens: response.usage.completionTokens,
    };
  }
}

/** The streamed state of one sample: text (reasoning inlined), token ids and log-probs so far. */
class StreamState {
  private text = '';
  private inReasoning = false;
  private readonly tokenIds: number[] = [];
  private sawTokenIds = false;
  private readonly logprobs: Array<number | null> = [];
  private sawLogprobs = false;
  private finish: FinishReason | null = null;

  constructor(private readonly inline: boolean) {}

  /** Take one delta; returns the token events it makes (the first carries the text). */
  add(event: {
    text: string;
    reasoning: string;
    tokenIds: number[] | null;
    logprobs: Array<number | null> | null;
    finishReason: string | null;
  }): Array<{ text: string; tokenId: number; logprob: number | null }> {
    let text = '';
    if (this.inline && event.reasoning.length > 0) {
      if (!this.inReasoning) text += THINK_OPEN;
      this.inReasoning = true;
      text += event.reasoning;
    }
    if (event.text.length > 0) {
      if (this.inReasoning) text += THINK_CLOSE;
      this.inReasoning = false;
      text += event.text;
    }
    this.text += text;
    if (event.tokenIds) {
      this.sawTokenIds = true;
      this.tokenIds.push(...event.tokenIds);
    }
    if (event.logprobs) {
      this.sawLogprobs = true;
      this.logprobs.push(...event.logprobs);
    }
    if (event.finishReason) this.finish = toFinishReason(event.finishReason);
    const count = Math.max(event.tokenIds?.length ?? 0, event.logprobs?.length ?? 0, text.length > 0 ? 1 : 0);
    return Array.from({ length: count }, (_, position) => ({
      text: position === 0 ? text : '',
      tokenId: event.tokenIds?.[position] ?? -1,
      logprob: event.logprobs?.[position] ?? null,
    }));
  }

  /** The text that closes a reasoning block the stream left open (`''` when none). */
  close(): string {
    if (!this.inReasoning) return '';
    this.inReasoning = false;
    this.text += THINK_CLOSE;
    return THINK_CLOSE;
  }

  sample(stopped: boolean): Sample {
    return {
      text: this.text,
      tokenIds: this.sawTokenIds ? [...this.tokenIds] : null,
      logprobs: this.sawLogprobs ? [...this.logprobs] : null,
      finish: this.finish ?? (stopped ? 'abort' : 'stop'),
    };
  }
}

/** Assembles completions and usage totals in prompt/sample order. */
class ResultBuilder {
  private readonly completions: Completion[][];
  private promptTokens = 0;
  private completionTokens = 0;

  constructor(
    prompts: number,
    private readonly settings: Settings,
  ) {
    this.completions = Array.from({ length: prompts }, () => []);
  }

  add(job: Job, offset: number, sample: Sample | undefined, outcome: JobResult | null): Completion {
    const perToken = sample?.logprobs ?? [];
    const nulls = perToken.map(() => null);
    const count = sample?.tokenIds
      ? sample.tokenIds.length
      : sample?.logprobs
        ? sample.logprobs.length
        : sample && job.n === 1 && outcome?.completionTokens != null
          ? outcome.completionTokens
          : -1;
    const promptTokenCount = outcome?.promptTokens ?? -1;
    const completion: Completion = {
      promptIndex: job.promptIndex,
      sampleIndex: job.firstSample + offset,
      text: sample?.text ?? '',
      tokenIds: sample?.tokenIds ?? [],
      logprobs: this.settings.logprobsMode === 'processed' ? [...perToken] : nulls,
      modelLogprobs: this.settings.logprobsMode === 'raw' ? [...perToken] : nulls,
      promptTokenCount,
      completionTokenCount: count,
      finishReason: sample?.finish ?? 'abort',
    };
    if (count > 0) this.completionTokens += count;
    // Prompt tokens are counted once per sample, as for the ONNX policy's sequences.
    if (promptTokenCount > 0) this.promptTokens += promptTokenCount;
    (this.completions[job.promptIndex] as Completion[]).push(completion);
    return completion;
  }

  result(): GenerateResult {
    return {
      completions: this.completions.map((group) =>
        [...group].sort((left, right) => left.sampleIndex - right.sampleIndex),
      ),
      usage: { promptTokens: this.promptTokens, completionTokens: this.completionTokens },
    };
  }
}
