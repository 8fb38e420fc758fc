import { createRng, type ErrorCode, isTradeR1Error, TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { functionSchema, parseArgument, withMethods } from '../validate.ts';
import { type BackoffOptions, backoffDelay, parseRetryAfter } from './backoff.ts';
import { type ResponseCache, requestCacheKey } from './cache.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { redactError } from './redact.ts';
import { type Clock, realSleep, type Sleep, systemClock } from './sleep.ts';

/** zod shape of {@link HttpTransportOptions} (types only; ranges are checked where the values are used). */
export const httpTransportShape = {
  timeoutMs: z.number().positive().optional(),
  retries: z.number().min(0).optional(),
  backoff: z
    .strictObject({ baseDelayMs: z.number().min(0).optional(), maxDelayMs: z.number().min(0).optional() })
    .optional(),
  maxRetryAfterMs: z.number().min(0).optional(),
  rateLimiter: withMethods('acquire').nullable().optional(),
  cache: withMethods('get', 'set', 'delete').nullable().optional(),
  seed: z.number().int().optional(),
  now: functionSchema.optional(),
  sleep: functionSchema.optional(),
  fetch: functionSchema.optional(),
  onCacheError: functionSchema.optional(),
};

const httpClientOptionsSchema = z.strictObject({
  ...httpTransportShape,
  vendor: z.string().min(1),
  baseUrl: z.unknown(),
  headers: z.record(z.string(), z.string()).optional(),
  secrets: z.array(z.string()).optional(),
  describeError: functionSchema.optional(),
});

/** A `fetch`-compatible function (Node's global `fetch` by default). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** How a vendor describes an error response (used to give errors a precise code and message). */
export interface VendorErrorDescription {
  /** Overrides the code chosen from the HTTP status. */
  code?: ErrorCode;
  /** The vendor's own explanation. */
  message?: string;
}

/** Options shared by every HTTP provider (timeouts, retries, rate limiting, caching, injection points). */
export interface HttpTransportOptions {
  /** Per-attempt timeout in ms (connect + response body). @default 30000 */
  timeoutMs?: number;
  /** Retries after the first attempt, for HTTP 429, 5xx, network errors and timeouts (never other 4xx). @default 3 */
  retries?: number;
  /** Exponential backoff between retries. @default { baseDelayMs: 500, maxDelayMs: 30000 } */
  backoff?: BackoffOptions;
  /**
   * Longest `Retry-After` the client will wait; a longer one fails at once with `RATE_LIMITED` (so a vendor chain
   * can move on). @default 60000
   */
  maxRetryAfterMs?: number;
  /** Rate limiter for this vendor; `null` disables limiting. @default a per-vendor token bucket (see each provider) */
  rateLimiter?: RateLimiter | null;
  /** Response cache (e.g. `createFileCache(...)`); `null` or omitted disables caching. @default null */
  cache?: ResponseCache | null;
  /** Seed of the jitter random stream (same seed, same delays). @default 0 */
  seed?: number;
  /** Clock in epoch ms (Retry-After dates, cache TTL). @default Date.now */
  now?: Clock;
  /** How to wait between retries. @default a setTimeout-based sleep */
  sleep?: Sleep;
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Called when a cache write fails (the response is still returned). @default ignore */
  onCacheError?: (error: TradeR1Error) => void;
}

/** Options for {@link createHttpClient}. */
export interface HttpClientOptions extends HttpTransportOptions {
  /** Vendor name used in error messages (`'Finnhub'`). */
  vendor: string;
  /** Base URL that request paths are appended to. */
  baseUrl: string;
  /** Non-secret headers sent with every request. @default {} */
  headers?: Record<string, string>;
  /** Secret values (API keys) redacted from every error this client raises. @default [] */
  secrets?: readonly string[];
  /** Reads a vendor error body (any status >= 400) into a code and message. @default none */
  describeError?: (status: number, body: unknown) => VendorErrorDescription | undefined;
}

/** One JSON request. Secret parts are kept apart so they reach the wire but never a cache key or an error. */
export interface HttpRequest<T> {
  /** @default 'GET' */
  method?: 'GET' | 'POST';
  /** Path appended to the base URL, or an absolute `http(s)://` URL. */
  path: string;
  /** Non-secret query parameters (`undefined` values are left out). */
  query?: Record<string, string | number | boolean | undefined>;
  /** Secret query parameters (API keys). */
  secretQuery?: Record<string, string>;
  /** Non-secret JSON body fields (POST). */
  body?: Record<string, unknown>;
  /** Secret JSON body fields (tokens). */
  secretBody?: Record<string, unknown>;
  /** Non-secret extra headers. */
  headers?: Record<string, string>;
  /** Secret headers (API key headers). */
  secretHeaders?: Record<string, string>;
  /** Cancels the request and its retries. */
  signal?: AbortSignal | undefined;
  /**
   * Validates and converts the parsed JSON. Throw a `TradeR1Error` for vendor errors; set `details.retryable: true`
   * on one that is worth retrying (e.g. a rate-limit notice sent with HTTP 200). Only bodies that pass are cached.
   */
  parse: (body: unknown) => T;
  /** Set `false` to bypass the cache for this request. @default true */
  cache?: boolean;
}

/** The outcome of {@link HttpClient.request}. */
export interface HttpResult<T> {
  value: T;
  /** True when served from the cache without a network request. */
  fromCache: boolean;
  /** Network attempts made (0 on a cache hit). */
  attempts: number;
  /** The request URL without secrets. */
  url: string;
}

/** A JSON-over-HTTP client with timeouts, retries, rate limiting, caching and secret redaction. */
export interface HttpClient {
  readonly vendor: string;
  request<T>(request: HttpRequest<T>): Promise<HttpResult<T>>;
}

const BODY_SNIPPET = 300;

function buildUrl(baseUrl: string, path: string, query: Record<string, unknown>): string {
  const absolute = /^https?:\/\//i.test(path);
  const url = new URL(absolute ? path : `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.toString();
}

function statusCode(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  return 'HTTP_ERROR';
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Create the shared HTTP client every provider uses. Per attempt: wait for the rate limiter, send with a timeout
 * (`AbortSignal.timeout`) combined with the caller's signal, retry 429/5xx/network errors/timeouts with seeded
 * exponential backoff (honouring `Retry-After`), map statuses to typed errors (401/403 `UNAUTHORIZED`, 404
 * `NOT_FOUND`, 429 `RATE_LIMITED`, others `HTTP_ERROR`), parse JSON (`BAD_RESPONSE` when malformed) and validate
 * with the request's `parse`. Successful bodies are cached under a key without secrets. Every error leaving the
 * client has the configured secrets redacted.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  parseArgument(httpClientOptionsSchema, options, {
    fn: 'createHttpClient()',
    field: 'options',
    code: 'INVALID_CONFIG',
  });
  const vendor = options.vendor;
  let parsedBase: URL | undefined;
  try {
    parsedBase = new URL(options.baseUrl);
  } catch {
    parsedBase = undefined;
  }
  if (!parsedBase || (parsedBase.protocol !== 'http:' && parsedBase.protocol !== 'https:')) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `${vendor}: baseUrl must be an http(s) URL, got ${JSON.stringify(options.baseUrl)}`,
      {
        details: { vendor, baseUrl: String(options.baseUrl) },
      },
    );
  }
  const secrets = (options.secrets ?? []).filter((secret) => secret.length > 0);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = Math.max(0, Math.floor(options.retries ?? 3));
  const backoff = options.backoff ?? {};
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const rateLimiter = options.rateLimiter ?? null;
  const cache = options.cache ?? null;
  const rng = createRng(options.seed ?? 0);
  const now = options.now ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send<T>(request: HttpRequest<T>): Promise<HttpResult<T>> {
    const method = request.method ?? 'GET';
    const publicUrl = buildUrl(options.baseUrl, request.path, request.query ?? {});
    const wireUrl = buildUrl(options.baseUrl, request.path, { ...request.query, ...request.secretQuery });
    const wireBody =
      request.body || request.secretBody ? JSON.stringify({ ...request.body, ...request.secretBody }) : undefined;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...options.headers,
      ...request.headers,
      ...request.secretHeaders,
    };
    if (wireBody !== undefined) headers['content-type'] = 'application/json';
    const context = { vendor, url: publicUrl, method };
    const fail = (code: ErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) =>
      new TradeR1Error(code, `${vendor}: ${message} (${method} ${publicUrl})`, {
        details: { ...context, ...details },
        ...(cause === undefined ? {} : { cause }),
      });

    const useCache = cache !== null && request.cache !== false;
    const key = useCache ? requestCacheKey({ method, url: publicUrl, body: request.body }) : '';
    if (useCache) {
      const hit = await cache.get(key).catch(() => undefined);
      if (hit) {
        const parsed = tryParseJson(hit.body);
        if (parsed.ok) {
          try {
            return { value: request.parse(parsed.value), fromCache: true, attempts: 0, url: publicUrl };
          } catch {
            // A stored body that no longer validates (schema change) is refetched and overwritten.
          }
        }
      }
    }

    const signal = request.signal;
    const abortedError = () => fail('ABORTED', 'request aborted', {}, signal?.reason);
    let attempt = 0;
    for (;;) {
      if (signal?.aborted) throw abortedError();
      if (rateLimiter) await rateLimiter.acquire(signal);
      attempt += 1;
      const canRetry = attempt <= retries;
      const wait = async (retryAfterMs?: number): Promise<void> => {
        await sleep(retryAfterMs ?? backoffDelay(attempt - 1, backoff, rng.next), signal);
      };

      const timeoutSignal = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeoutSignal]) : timeoutSignal;
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(wireUrl, {
          method,
          headers,
          signal: combined,
          ...(wireBody === undefined ? {} : { body: wireBody }),
        });
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw abortedError();
        const timedOut = timeoutSignal.aborted;
        const failure = timedOut
          ? fail('TIMEOUT', `no complete response within ${timeoutMs} ms`, { attempts: attempt, timeoutMs })
          : fail('HTTP_ERROR', `network error: ${describeNetworkError(error)}`, {
              attempts: attempt,
              reason: 'network',
            });
        if (!canRetry) throw failure;
        await wait();
        continue;
      }

      const status = response.status;
      const json = tryParseJson(text);
      if (status >= 400) {
        const described = json.ok ? safeDescribe(options.describeError, status, json.value) : undefined;
        const code = described?.code ?? statusCode(status);
        const vendorMessage = described?.message ?? (text.trim() === '' ? undefined : text.slice(0, BODY_SNIPPET));
        const failure = fail(code, `HTTP ${status}${vendorMessage ? `: ${vendorMessage}` : ''}`, {
          status,
          attempts: attempt,
          body: text.slice(0, BODY_SNIPPET),
        });
        if (status === 429 || status >= 500) {
          const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
          if (retryAfterMs !== undefined) failure.details.retryAfterMs = retryAfterMs;
          if (canRetry && (retryAfterMs === undefined || retryAfterMs <= maxRetryAfterMs)) {
            await wait(retryAfterMs);
            continue;
          }
        }
        throw failure;
      }
      if (!json.ok) {
        throw fail('BAD_RESPONSE', 'response is not valid JSON', {
          status,
          attempts: attempt,
          body: text.slice(0, BODY_SNIPPET),
        });
      }
      let value: T;
      try {
        value = request.parse(json.value);
      } catch (error) {
        const typed = toTradeR1Error(error, 'BAD_RESPONSE');
        if (typed.details.retryable === true && canRetry) {
          await wait();
          continue;
        }
        throw new TradeR1Error(typed.code, typed.message, {
          details: { ...context, status, attempts: attempt, ...typed.details },
          issues: typed.issues,
          ...(typed.cause === undefined ? {} : { cause: typed.cause }),
        });
      }
      if (useCache) {
        await cache.set(key, { status, body: text }).catch((error: unknown) => {
          options.onCacheError?.(redactError(toTradeR1Error(error, 'STORE_ERROR'), secrets));
        });
      }
      return { value, fromCache: false, attempts: attempt, url: publicUrl };
    }
  }

  return {
    vendor,
    async request(request) {
      try {
        return await send(request);
      } catch (error) {
        const typed = isTradeR1Error(error) ? error : toTradeR1Error(error);
        throw redactError(typed, secrets);
      }
    },
  };
}

function safeDescribe(
  describe: HttpClientOptions['describeError'],
  status: number,
  body: unknown,
): VendorErrorDescription | undefined {
  if (!describe) return undefined;
  try {
    return describe(status, body);
  } catch {
    return undefined;
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : `${error.message} (${cause.message})`;
  }
  return error.message;
}
