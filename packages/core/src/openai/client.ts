import { z } from 'zod';
import { type ErrorCode, errorMessage, parseWith, TradeR1Error } from '../errors.ts';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry.ts';
import {
  chatCompletionResponseSchema,
  completionsResponseSchema,
  type OpenAICompletion,
  type OpenAIStreamEvent,
  streamChunkSchema,
  streamErrorSchema,
  toChatCompletion,
  toCompletion,
  toStreamEvents,
} from './schemas.ts';
import { serverSentData } from './sse.ts';

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** Options of {@link createOpenAIClient}. */
export const openAIClientOptionsSchema = z.strictObject({
  /** API base URL including the version prefix, e.g. `http://127.0.0.1:8000/v1` (vLLM), `https://api.openai.com/v1`. */
  baseUrl: z.string().url(),
  /** Bearer token. @default undefined (no Authorization header) */
  apiKey: z.string().min(1).optional(),
  /**
   * One deadline per call in milliseconds, for all its attempts, the waits between them and a streamed body: a call
   * that has not finished by then fails with `TIMEOUT`. @default 600000 (10 minutes: an 8k-token thesis at 20 tokens/s)
   */
  timeoutMs: z.number().int().min(1).max(86_400_000).default(600_000),
  /** Retries after HTTP 408/409/429/5xx or a network error, within the deadline. @default 2 */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** First backoff delay in milliseconds (doubled per retry) when the server sends no `Retry-After`. @default 500 */
  retryDelayMs: z.number().int().min(0).default(500),
  /**
   * Longest wait the client accepts, in milliseconds: a `Retry-After` beyond it (or beyond the deadline) fails the
   * call at once with the server's status and `details.retryAfterMs`, instead of sleeping past it. @default 60000
   */
  maxRetryDelayMs: z.number().int().min(0).default(60_000),
  /** Extra headers sent with every request. @default {} */
  headers: z.record(z.string(), z.string()).default({}),
  /** A `fetch` implementation. @default globalThis.fetch */
  fetch: z.custom<typeof fetch>(isFunction, 'fetch must be a function').optional(),
  /** Wall clock in epoch milliseconds, used for `Retry-After` dates. @default Date.now */
  now: z.custom<() => number>(isFunction, 'now must be a function').optional(),
});
/** Options of {@link createOpenAIClient}. */
export type OpenAIClientOptions = z.input<typeof openAIClientOptionsSchema>;

/** Which OpenAI endpoint a request goes to. */
export type OpenAIEndpoint = 'completions' | 'chat';

/** Per-call options. */
export interface OpenAICallOptions {
  /** Cancels the call: it fails with `ABORTED` (a stream stops with `ABORTED`). */
  signal?: AbortSignal;
  /** This call's deadline in milliseconds, overriding the client's `timeoutMs`. */
  timeoutMs?: number;
}

/** A parsed response with where it came from. */
export interface OpenAIResponse extends OpenAICompletion {
  /** The request URL. */
  url: string;
  /** Attempts made (1 without retries). */
  attempts: number;
}

/** An OpenAI-compatible HTTP client (see {@link createOpenAIClient}). */
export interface OpenAIClient {
  /** The base URL without trailing slashes. */
  readonly baseUrl: string;
  /** POST a request body to `/completions` or `/chat/completions` and parse the response. */
  complete(
    endpoint: OpenAIEndpoint,
    body: Record<string, unknown>,
    options?: OpenAICallOptions,
  ): Promise<OpenAIResponse>;
  /**
   * POST with `stream: true` (the body is sent as given; add `stream_options` yourself) and yield the parsed
   * events until `[DONE]`. Retries happen before the first byte of the body only; the deadline covers the whole
   * stream. Stopping the iteration cancels the request.
   */
  stream(
    endpoint: OpenAIEndpoint,
    body: Record<string, unknown>,
    options?: OpenAICallOptions,
  ): AsyncIterable<OpenAIStreamEvent>;
}

const PATHS: Record<OpenAIEndpoint, string> = { completions: '/completions', chat: '/chat/completions' };

function statusCode(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 429) return 'RATE_LIMITED';
  return 'HTTP_ERROR';
}

// undici (Node's fetch) gives up on its own after 300 s without response headers or body data; that is a timeout
// too, and retrying it would run the whole generation again.
function undiciTimeout(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? code : null;
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * One OpenAI-compatible HTTP client, used by `@trade-r1/policy`'s OpenAI backend and `@trade-r1/verifier`'s LLM
 * judge: JSON POSTs to `/completions` and `/chat/completions`, server-sent-event streams, retries of HTTP
 * 408/409/429/5xx and network errors that honour `Retry-After` / `retry-after-ms` (and `x-should-retry`), one
 * deadline for all attempts of a call, and typed failures — `ABORTED` (the caller's signal), `TIMEOUT` (the deadline,
 * streamed bodies included), `UNAUTHORIZED` (401/403), `RATE_LIMITED` (429), `HTTP_ERROR` (other statuses, network
 * errors), `BAD_RESPONSE` (a body that is not the documented JSON). Responses are validated with zod and normalised:
 * choices sorted by index, per-token log-probs, and token ids where the server sends them (vLLM `token_ids` /
 * `prompt_token_ids`, or `token_id:N` log-prob tokens).
 *
 * @example
 * const client = createOpenAIClient({ baseUrl: 'http://127.0.0.1:8000/v1', timeoutMs: 120_000 });
 * const { choices } = await client.complete('chat', { model: 'Qwen/Qwen3-8B', messages, max_tokens: 512 });
 */
export function createOpenAIClient(options: OpenAIClientOptions): OpenAIClient {
  const settings = parseWith(openAIClientOptionsSchema, options, { label: 'OpenAI client options' });
  const baseUrl = settings.baseUrl.replace(/\/+$/, '');
  const now = settings.now ?? Date.now;

  interface Call {
    url: string;
    caller: AbortSignal | undefined;
    deadline: AbortSignal;
    signal: AbortSignal;
    timeoutMs: number;
    startedAt: number;
  }

  const begin = (endpoint: OpenAIEndpoint, callOptions: OpenAICallOptions | undefined): Call => {
    if (callOptions !== undefined && (typeof callOptions !== 'object' || callOptions === null)) {
      throw new TradeR1Error('INVALID_INPUT', 'OpenAI call options must be an object', {
        details: { field: 'options' },
      });
    }
    if (!Object.hasOwn(PATHS, endpoint)) {
      throw new TradeR1Error('INVALID_INPUT', `Unknown OpenAI endpoint ${String(endpoint)}`, {
        details: { field: 'endpoint', allowed: Object.keys(PATHS) },
      });
    }
    const timeoutMs = callOptions?.timeoutMs ?? settings.timeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new TradeR1Error('INVALID_INPUT', `timeoutMs must be a positive integer, got ${String(timeoutMs)}`, {
        details: { field: 'timeoutMs' },
      });
    }
    const caller = callOptions?.signal;
    if (caller !== undefined && !(caller instanceof AbortSignal)) {
      throw new TradeR1Error('INVALID_INPUT', 'signal must be an AbortSignal', { details: { field: 'signal' } });
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    return {
      url: `${baseUrl}${PATHS[endpoint]}`,
      caller,
      deadline,
      signal: caller ? AbortSignal.any([caller, deadline]) : deadline,
      timeoutMs,
      startedAt: performance.now(),
    };
  };

  // The typed error for anything thrown while a call was in flight.
  const failure = (call: Call, error: unknown, attempts: number, stage: string): TradeR1Error => {
    if (error instanceof TradeR1Error) return error;
    const details = { url: call.url, attempts };
    if (call.caller?.aborted) {
      return new TradeR1Error('ABORTED', `${stage} ${call.url} was aborted`, { details, cause: error });
    }
    if (call.deadline.aborted) {
      return new TradeR1Error('TIMEOUT', `${stage} ${call.url} did not finish within ${call.timeoutMs} ms`, {
        details: { ...details, timeoutMs: call.timeoutMs },
        cause: error,
      });
    }
    const undici = undiciTimeout(error);
    if (undici) {
      return new TradeR1Error(
        'TIMEOUT',
        `${stage} ${call.url} hit Node's fetch limit (${undici}, 300 s without data); stream the call, or pass a fetch with a longer limit`,
        { details: { ...details, cause: undici }, cause: error },
      );
    }
    return new TradeR1Error('HTTP_ERROR', `${stage} ${call.url} failed: ${errorMessage(error)}`, {
      details,
      cause: error,
    });
  };

  // POST until a 2xx response arrives (retrying within the deadline), and return it with its body unread.
  const send = async (call: Call, body: Record<string, unknown>): Promise<{ response: Response; attempts: number }> => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TradeR1Error('INVALID_INPUT', 'An OpenAI request body must be an object', {
        details: { field: 'body' },
      });
    }
    const payload = JSON.stringify(body);
    const doFetch = settings.fetch ?? globalThis.fetch;
    for (let attempt = 0; ; attempt += 1) {
      const attempts = attempt + 1;
      if (call.signal.aborted) throw failure(call, call.signal.reason, attempt, 'Request to');
      let response: Response;
      try {
        response = await doFetch(call.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: body.stream === true ? 'text/event-stream' : 'application/json',
            ...(settings.apiKey && { authorization: `Bearer ${settings.apiKey}` }),
            ...settings.headers,
          },
          body: payload,
          signal: call.signal,
        });
      } catch (error) {
        const typed = failure(call, error, attempts, 'Request to');
        if (typed.code !== 'HTTP_ERROR' || attempt >= settings.maxRetries) throw typed;
        await wait(call, backoffMs(attempt, settings.retryDelayMs, settings.maxRetryDelayMs), typed);
        continue;
      }
      if (response.ok) return { response, attempts };
      let text = '';
      try {
        text = await response.text();
      } catch (error) {
        throw failure(call, error, attempts, 'Reading the error reply of');
      }
      const serverWait = retryAfterMs(response.headers, now());
      const shouldRetry = response.headers.get('x-should-retry');
      const retryable = shouldRetry === 'true' || (shouldRetry !== 'false' && isRetryableStatus(response.status));
      const typed = new TradeR1Error(
        statusCode(response.status),
        `${call.url} answered HTTP ${response.status}: ${text.slice(0, 300)}`,
        {
          details: {
            url: call.url,
            status: response.status,
            attempts,
            ...(serverWait !== null && { retryAfterMs: serverWait }),
          },
        },
      );
      if (!retryable || attempt >= settings.maxRetries) throw typed;
      await wait(call, serverWait ?? backoffMs(attempt, settings.retryDelayMs, settings.maxRetryDelayMs), typed);
    }
  };

  // Wait before a retry, or fail now with the last error when the wait would pass the deadline or the cap.
  const wait = async (call: Call, milliseconds: number, last: TradeR1Error): Promise<void> => {
    const remaining = call.timeoutMs - (performance.now() - call.startedAt);
    if (milliseconds > settings.maxRetryDelayMs || milliseconds >= remaining) {
      throw new TradeR1Error(
        last.code,
        `${last.message} (a retry would wait ${milliseconds} ms; ${Math.max(0, Math.round(remaining))} ms of the deadline left)`,
        {
          details: { ...last.details, waitMs: milliseconds, remainingMs: Math.max(0, Math.round(remaining)) },
          cause: last.cause,
        },
      );
    }
    await sleep(milliseconds, call.signal);
    if (call.signal.aborted) throw failure(call, call.signal.reason, Number(last.details.attempts), 'Request to');
  };

  const parseJson = (text: string, call: Call): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new TradeR1Error('BAD_RESPONSE', `${call.url} answered with invalid JSON: ${text.slice(0, 200)}`, {
        details: { url: call.url },
        cause: error,
      });
    }
  };

  return {
    baseUrl,
    async complete(endpoint, body, callOptions) {
      const call = begin(endpoint, callOptions);
      const { response, attempts } = await send(call, body);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw failure(call, error, attempts, 'Reading the reply of');
      }
      const json = parseJson(text, call);
      const label = `${endpoint} response from ${call.url}`;
      const parsed =
        endpoint === 'chat'
          ? toChatCompletion(parseWith(chatCompletionResponseSchema, json, { code: 'BAD_RESPONSE', label }))
          : toCompletion(parseWith(completionsResponseSchema, json, { code: 'BAD_RESPONSE', label }));
      return { ...parsed, url: call.url, attempts };
    },
    async *stream(endpoint, body, callOptions) {
      const call = begin(endpoint, callOptions);
      const { response } = await send(call, body);
      if (!response.body)
        throw new TradeR1Error('BAD_RESPONSE', `${call.url} sent no stream body`, { details: { url: call.url } });
      try {
        for await (const data of serverSentData(response.body)) {
          if (data.trim() === '[DONE]') return;
          if (data.trim() === '') continue;
          const json = parseJson(data, call);
          const error = streamErrorSchema.safeParse(json);
          if (error.success) {
            throw new TradeR1Error(
              'HTTP_ERROR',
              `${call.url} streamed an error: ${String(error.data.error.message ?? '').slice(0, 300)}`,
              {
                details: { url: call.url, type: error.data.error.type ?? null },
              },
            );
          }
          const chunk = parseWith(streamChunkSchema, json, {
            code: 'BAD_RESPONSE',
            label: `stream chunk from ${call.url}`,
          });
          yield* toStreamEvents(chunk);
        }
      } catch (error) {
        throw failure(call, error, 1, 'Streaming from');
      }
    },
  };
}
