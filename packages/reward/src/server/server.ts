import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseWith, TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { type AdvantageEstimator, type AdvantageScale, groupAdvantages } from '../advantages.ts';
import {
  createReward,
  normalizeOutput,
  type Reward,
  type RewardContext,
  type RewardFallback,
  type RewardOutput,
  type RewardResult,
} from '../define-reward.ts';
import { authorized, digest } from './auth.ts';
import { parseJson, readBody, withAbort } from './http-body.ts';
import { type HttpError, httpError, toHttpError } from './http-errors.ts';
import { RewardServerMetrics } from './metrics.ts';
import {
  type GroupRequest,
  getRewardRequestSchema,
  groupRequestSchema,
  type RewardSample,
  rewardSampleSchema,
  slimeRequestSchema,
} from './schemas.ts';
import { type SampleScorer, scoreSample } from './score-sample.ts';

/** A plain reward function over one sample (wrapped into a {@link Reward} by the server). */
export type RewardFunction = (sample: RewardSample, context: RewardContext) => RewardOutput | Promise<RewardOutput>;

/** A reward over a whole GRPO group (e.g. one that normalises within the group); one output per sample. */
export type GroupRewardFunction = (
  samples: RewardSample[],
  context: RewardContext,
) => readonly RewardOutput[] | Promise<readonly RewardOutput[]>;

/** Options for {@link createRewardServer}. */
export interface RewardServerOptions {
  /** The reward; its input schema receives a {@link RewardSample}. Give this or `rewardFn`. */
  reward?: Reward<RewardSample> | Reward<unknown>;
  /** A plain function alternative to `reward`. */
  rewardFn?: RewardFunction;
  /** Scores a whole group at once for `POST /group`. @default per-sample `reward` over the group */
  groupReward?: GroupRewardFunction;
  /** Per-sample time limit in ms (passed to the reward). @default 30000 */
  sampleTimeoutMs?: number;
  /**
   * Whole-request time limit in ms, including time queued for a concurrency slot. On expiry the request's
   * signal aborts every sample and the server answers 504. @default 60000
   */
  requestTimeoutMs?: number;
  /**
   * Value for samples that hit `sampleTimeoutMs` (or fail, if `on` includes 'error'). Such samples are flagged in
   * the response (`extra_logs.flagged`, `flagged`) and counted in metrics. Without it a timed-out sample fails the
   * request with 504. @default undefined
   */
  fallback?: RewardFallback;
  /** Largest accepted request body in bytes; larger bodies get 413. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Largest number of samples in one `/get_reward` or `/group` request (413 above). @default 4096 */
  maxBatchSize?: number;
  /** Requests scored at the same time. @default 64 */
  maxConcurrency?: number;
  /** Requests allowed to wait for a slot; beyond it the server answers 503 with `Retry-After: 1`. @default 1024 */
  maxQueue?: number;
  /** Require `Authorization: Bearer <token>` on every route except `/health` (401 otherwise). @default undefined */
  token?: string;
  /** Derive the response from OpenRLHF's `query` when `responses` is absent. @default strip the prompt prefix */
  extractResponse?: (options: { query: string; prompt: string }) => string;
  /** OpenRLHF `scores` (used for dynamic filtering) from a result. @default the reward value */
  toScore?: (result: RewardResult) => number;
  /**
   * Number sent in `/get_reward`'s `rewards` for a sample whose reward returned `null` (OpenRLHF needs a float);
   * such samples are marked in `extra_logs.missing`. @default 0
   */
  missingValue?: number;
  /** Advantage defaults for `/group` (a request may override them). @default TRL's: grpo, group, 1e-4, unbiased */
  advantage?: {
    estimator?: AdvantageEstimator;
    scale?: AdvantageScale;
    epsilon?: number;
    std?: 'unbiased' | 'population';
  };
  /** How long `close()` waits for in-flight requests before aborting them. @default 30000 */
  shutdownTimeoutMs?: number;
  /** Monotonic clock in ms for latency metrics. @default performance.now */
  clock?: () => number;
  /**
   * How one sample is scored (the server's single reward-invocation point); swap it to run rewards in a worker
   * pool. @default {@link scoreSample} (in this thread)
   */
  scoreSample?: SampleScorer;
}

/** Options for {@link RewardServer.listen}. */
export interface ListenOptions {
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
}

/** A running reward server. */
export interface RewardServer {
  /** Start listening; resolves to the base URL, e.g. `http://127.0.0.1:40123`. */
  listen(options?: ListenOptions): Promise<string>;
  /**
   * Graceful shutdown: refuse new requests (503, `Connection: close`), let in-flight ones finish (up to
   * `shutdownTimeoutMs`, then abort them), close every connection. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
  /** The base URL once listening. */
  readonly url: string | undefined;
  /** The metrics in Prometheus text format (same as `GET /metrics`). */
  metrics(): string;
}

const ROUTES = new Set(['/get_reward', '/slime', '/group', '/health', '/metrics']);

/**
 * An HTTP reward server on `node:http` speaking the trainers' protocols:
 * - `POST /get_reward` — OpenRLHF (`--reward.remote_url http://host:port/get_reward`):
 *   `{ query[], prompts[], labels[] }` → `{ rewards[], scores[], extra_logs{} }`;
 * - `POST /slime` — slime (`--rm-type remote_rm --rm-url …/slime`): `{ prompt, response, label }` →
 *   `{ score, …details, …components }`;
 * - `POST /group` — a whole GRPO group → `{ rewards[], advantages[], … }`;
 * - `GET /health`, `GET /metrics` (Prometheus).
 *
 * Errors are JSON `{ error: { code, message, issues } }`: 400 malformed JSON or schema, 401 bad token, 404/405,
 * 413 body or batch too large, 503 overloaded or shutting down, 504 request timeout, 500 reward failure.
 */
export function createRewardServer(options: RewardServerOptions): RewardServer {
  const config = resolveConfig(options);
  const metrics = new RewardServerMetrics();
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const inFlightControllers = new Set<AbortController>();
  const waiters: { resume: () => void; cancelled: boolean }[] = [];
  let active = 0;
  let closing = false;
  let closePromise: Promise<void> | undefined;
  let idleResolvers: (() => void)[] = [];
  let url: string | undefined;

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = Math.max(60_000, config.requestTimeoutMs + 5_000);
  server.requestTimeout = 0;

  function acquire(signal: AbortSignal): Promise<void> | 'now' | 'full' {
    if (active < config.maxConcurrency) {
      active += 1;
      return 'now';
    }
    if (waiters.length >= config.maxQueue) return 'full';
    metrics.queued += 1;
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        cancelled: false,
        resume: () => {
          metrics.queued -= 1;
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        waiter.cancelled = true;
        metrics.queued -= 1;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
    });
  }

  function release(): void {
    while (waiters.length > 0) {
      const next = waiters.shift() as (typeof waiters)[number];
      if (!next.cancelled) {
        next.resume();
        return;
      }
    }
    active -= 1;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const start = config.clock();
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = ROUTES.has(path) ? path : 'other';
    const finish = (status: number, body: string, contentType: string, headers: Record<string, string> = {}) => {
      if (response.headersSent || response.destroyed) return;
      if (closing) headers.Connection = 'close';
      response.writeHead(status, {
        'Content-Type': contentType,
        'Content-Length': String(Buffer.byteLength(body)),
        ...headers,
      });
      response.end(body);
      metrics.requests.inc({ route, status: String(status) });
      metrics.duration.observe({ route }, (config.clock() - start) / 1000);
    };
    const fail = ({ status, error, headers }: HttpError) => {
      metrics.errors.inc({ code: error.code });
      finish(status, JSON.stringify({ error: error.toJSON() }), 'application/json', headers);
    };

    if (closing) {
      metrics.rejected.inc({ reason: 'shutting_down' });
      request.resume();
      return fail({ status: 503, error: new TradeR1Error('CLOSED', 'the reward server is shutting down') });
    }
    if (route === 'other') {
      request.resume();
      return fail({ status: 404, error: new TradeR1Error('NOT_FOUND', `no route ${path}`, { details: { path } }) });
    }
    const expectedMethod = route === '/health' || route === '/metrics' ? 'GET' : 'POST';
    if (request.method !== expectedMethod) {
      request.resume();
      return fail({
        status: 405,
        error: new TradeR1Error('INVALID_INPUT', `${route} accepts ${expectedMethod} only`, {
          details: { method: request.method ?? '' },
        }),
        headers: { Allow: expectedMethod },
      });
    }
    if (route === '/health') {
      request.resume();
      return finish(
        200,
        JSON.stringify({ status: 'ok', inFlight: metrics.inFlight, queued: metrics.queued }),
        'application/json',
      );
    }
    if (tokenDigest !== undefined && !authorized(request.headers.authorization, tokenDigest)) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      request.resume();
      return fail({
        status: 401,
        error: new TradeR1Error('UNAUTHORIZED', 'missing or wrong bearer token'),
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    if (route === '/metrics') {
      request.resume();
      return finish(200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    }

    const controller = new AbortController();
    inFlightControllers.add(controller);
    metrics.inFlight += 1;
    const timer = setTimeout(() => {
      controller.abort(
        new TradeR1Error('TIMEOUT', `request exceeded ${config.requestTimeoutMs} ms`, {
          details: { requestTimeoutMs: config.requestTimeoutMs },
        }),
      );
    }, config.requestTimeoutMs);
    const onClientGone = () => {
      if (!response.writableFinished) controller.abort(new TradeR1Error('ABORTED', 'client closed the connection'));
    };
    response.on('close', onClientGone);
    let holdsSlot = false;
    try {
      const body = await readBody(request, config.maxBodyBytes, controller.signal);
      const parsed = parseJson(body);
      const slot = acquire(controller.signal);
      if (slot === 'full') {
        metrics.rejected.inc({ reason: 'overloaded' });
        throw httpError(503, new TradeR1Error('RATE_LIMITED', 'too many concurrent requests; retry shortly'), {
          'Retry-After': '1',
        });
      }
      if (slot !== 'now') await slot;
      holdsSlot = true;
      const result = await withAbort(
        route === '/get_reward'
          ? handleGetReward(parsed, controller.signal)
          : route === '/slime'
            ? handleSlime(parsed, controller.signal)
            : handleGroup(parsed, controller.signal),
        controller.signal,
      );
      finish(200, JSON.stringify(result), 'application/json');
    } catch (thrown) {
      const failure = toHttpError(thrown, controller.signal);
      if (failure.error.code === 'TIMEOUT' && failure.status === 504) metrics.timeouts.inc({ kind: 'request' });
      if (failure.status === 413) metrics.rejected.inc({ reason: 'too_large' });
      // After a 413 the rest of the body is not read; close the connection instead of draining it.
      if (failure.status === 413) failure.headers = { ...failure.headers, Connection: 'close' };
      fail(failure);
      if (failure.status === 413) response.once('finish', () => request.destroy());
    } finally {
      clearTimeout(timer);
      response.off('close', onClientGone);
      if (holdsSlot) release();
      inFlightControllers.delete(controller);
      metrics.inFlight -= 1;
      if (metrics.inFlight === 0 && idleResolvers.length > 0) {
        const resolvers = idleResolvers;
        idleResolvers = [];
        for (const resolve of resolvers) resolve();
      }
    }
  }

  async function scoreSamples(route: string, samples: RewardSample[], signal: AbortSignal): Promise<RewardResult[]> {
    const results = await Promise.all(
      samples.map(async (sample, index) => {
        try {
          return await config.scoreSample(config.reward, sample, {
            signal,
            timeoutMs: config.sampleTimeoutMs,
            ...(config.fallback && { fallback: config.fallback }),
          });
        } catch (thrown) {
          const error = toTradeR1Error(thrown, 'INTERNAL');
          if (error.code === 'TIMEOUT' && !signal.aborted) metrics.timeouts.inc({ kind: 'sample' });
          throw new TradeR1Error(error.code, samples.length > 1 ? `sample ${index}: ${error.message}` : error.message, {
            details: { ...error.details, sample: index },
            issues: error.issues,
            cause: error,
          });
        }
      }),
    );
    for (const result of results) {
      metrics.samples.inc({ route, status: result.status });
      if (result.flagged) metrics.fallbacks.inc();
      if (result.status === 'timeout') metrics.timeouts.inc({ kind: 'sample' });
    }
    return results;
  }

  async function handleGetReward(body: unknown, signal: AbortSignal): Promise<unknown> {
    const request = parseWith(getRewardRequestSchema, body, { label: '/get_reward request' });
    assertBatch(request.query.length, config.maxBatchSize);
    const samples = request.query.map((query, index): RewardSample => {
      const prompt = request.prompts?.[index] ?? '';
      const response = request.responses?.[index] ?? config.extractResponse({ query, prompt });
      const metadata = request.metadata?.[index];
      return {
        prompt,
        response,
        query,
        ...(request.labels !== undefined && { label: request.labels[index] }),
        ...(metadata !== undefined && { metadata }),
      };
    });
    const results = await scoreSamples('/get_reward', samples, signal);
    const rewards = results.map((result) => result.value ?? config.missingValue);
    const scores = results.map((result) =>
      result.value === null ? config.missingValue : finiteOr(config.toScore(result), config.missingValue),
    );
    return { rewards, scores, extra_logs: extraLogs(results, config.missingValue) };
  }

  async function handleSlime(body: unknown, signal: AbortSignal): Promise<unknown> {
    const request = parseWith(slimeRequestSchema, body, { label: '/slime request' });
    const sample: RewardSample = {
      prompt: request.prompt,
      response: request.response,
      ...(request.label !== undefined && { label: request.label }),
      ...(request.metadata !== undefined && { metadata: request.metadata }),
    };
    const [result] = (await scoreSamples('/slime', [sample], signal)) as [RewardResult];
    const components: Record<string, number | null> = {};
    for (const [name, component] of Object.entries(result.components ?? {})) components[name] = component.value;
    return {
      ...result.details,
      ...components,
      score: result.value,
      status: result.status,
      flagged: result.flagged,
      ...(result.error && { error: result.error }),
    };
  }

  async function handleGroup(body: unknown, signal: AbortSignal): Promise<unknown> {
    const request: GroupRequest = parseWith(groupRequestSchema, body, { label: '/group request' });
    assertBatch(request.responses.length, config.maxBatchSize);
    const samples = request.responses.map((response, index): RewardSample => {
      const label = request.labels !== undefined ? request.labels[index] : request.label;
      return {
        prompt: request.prompt,
        response,
        ...(label !== undefined && { label }),
        ...(request.metadata !== undefined && { metadata: request.metadata }),
      };
    });
    const results = config.groupReward
      ? await scoreGroup(samples, signal)
      : await scoreSamples('/group', samples, signal);
    const rewards = results.map((result) => result.value);
    const advantage = { ...config.advantage, ...request.advantage };
    const computed = groupAdvantages({ rewards, groupSize: rewards.length, ...advantage });
    return {
      rewards,
      advantages: Array.from(computed.advantages),
      mean: computed.groupMean[0],
      std: computed.groupStd[0],
      flagged: results.map((result) => result.flagged),
      status: results.map((result) => result.status),
      extra_logs: extraLogs(results, null),
    };
  }

  async function scoreGroup(samples: RewardSample[], signal: AbortSignal): Promise<RewardResult[]> {
    const groupReward = config.groupReward as GroupRewardFunction;
    const reward = createReward<RewardSample[]>({
      name: 'group',
      input: rewardSampleSchema.array(),
      timeoutMs: config.sampleTimeoutMs,
      fallback: undefined,
      run: async (input, context) => {
        const outputs = await groupReward(input, { signal: context.signal });
        if (!Array.isArray(outputs) || outputs.length !== input.length) {
          throw new TradeR1Error(
            'INTERNAL',
            `groupReward returned ${Array.isArray(outputs) ? outputs.length : 'no'} values for ${input.length} samples`,
          );
        }
        const components = Object.fromEntries(
          outputs.map((output, index) => [
            String(index),
            { ...normalizeOutput('group', output), weight: 1, weighted: null },
          ]),
        );
        return { name: 'group', value: 0, status: 'ok', flagged: false, details: {}, components };
      },
    });
    try {
      const result = await reward.evaluate(samples, { signal });
      const results = Object.values(result.components ?? {}).map(
        ({ weight: _weight, weighted: _weighted, ...rest }) => rest,
      );
      for (const item of results) metrics.samples.inc({ route: '/group', status: item.status });
      return results;
    } catch (thrown) {
      const error = toTradeR1Error(thrown, 'INTERNAL');
      if (error.code !== 'TIMEOUT' || !config.fallback || !(config.fallback.on ?? ['timeout']).includes('timeout')) {
        if (error.code === 'TIMEOUT') metrics.timeouts.inc({ kind: 'sample' });
        throw error;
      }
      metrics.timeouts.inc({ kind: 'sample' });
      const fallback = config.fallback;
      return samples.map(() => {
        metrics.fallbacks.inc();
        metrics.samples.inc({ route: '/group', status: 'timeout' });
        return {
          name: 'group',
          value: fallback.value,
          status: 'timeout' as const,
          flagged: true,
          details: {},
          error: { code: error.code, message: error.message },
        };
      });
    }
  }

  function waitForIdle(): Promise<void> {
    if (metrics.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => idleResolvers.push(resolve));
  }

  return {
    get url() {
      return url;
    },
    metrics: () => metrics.render(),
    listen(listenOptions: ListenOptions = {}): Promise<string> {
      if (closing) return Promise.reject(new TradeR1Error('CLOSED', 'the reward server was closed'));
      if (url !== undefined) return Promise.resolve(url);
      const host = listenOptions.host ?? '127.0.0.1';
      const port = listenOptions.port ?? 0;
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(toTradeR1Error(error, 'INTERNAL'));
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address();
          const boundPort = typeof address === 'object' && address !== null ? address.port : port;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
          resolve(url);
        });
      });
    },
    close(): Promise<void> {
      if (closePromise) return closePromise;
      closing = true;
      closePromise = (async () => {
        const closed = server.listening
          ? new Promise<void>((resolve) => server.close(() => resolve()))
          : Promise.resolve();
        server.closeIdleConnections();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
        });
        const outcome = await Promise.race([waitForIdle().then(() => 'idle' as const), timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          for (const controller of inFlightControllers) {
            controller.abort(new TradeR1Error('CLOSED', 'the reward server shut down before this request finished'));
          }
          await waitForIdle();
        }
        server.closeAllConnections();
        await closed;
      })();
      return closePromise;
    },
  };
}

interface ResolvedConfig {
  reward: Reward<unknown>;
  groupReward: GroupRewardFunction | undefined;
  sampleTimeoutMs: number;
  requestTimeoutMs: number;
  fallback: RewardFallback | undefined;
  maxBodyBytes: number;
  maxBatchSize: number;
  maxConcurrency: number;
  maxQueue: number;
  extractResponse: (options: { query: string; prompt: string }) => string;
  toScore: (result: RewardResult) => number;
  missingValue: number;
  advantage: { estimator: AdvantageEstimator; scale: AdvantageScale; epsilon: number; std: 'unbiased' | 'population' };
  shutdownTimeoutMs: number;
  clock: () => number;
  scoreSample: SampleScorer;
}

function resolveConfig(options: RewardServerOptions): ResolvedConfig {
  if ((options.reward === undefined) === (options.rewardFn === undefined)) {
    throw new TradeR1Error('INVALID_CONFIG', 'createRewardServer needs exactly one of `reward` or `rewardFn`');
  }
  const rewardFn = options.rewardFn;
  const rewardName = rewardFn?.name || 'reward';
  const reward: Reward<unknown> =
    (options.reward as Reward<unknown> | undefined) ??
    (createReward<RewardSample>({
      name: rewardName,
      input: rewardSampleSchema,
      run: async (sample, context) =>
        normalizeOutput(rewardName, await (rewardFn as RewardFunction)(sample, { signal: context.signal })),
    }) as Reward<unknown>);
  const positive = (value: number | undefined, fallbackValue: number, name: string, allowZero = false): number => {
    const resolved = value ?? fallbackValue;
    if (!Number.isFinite(resolved) || resolved < 0 || (!allowZero && resolved === 0)) {
      throw new TradeR1Error('INVALID_CONFIG', `${name} must be a finite number ${allowZero ? '>=' : '>'} 0`, {
        details: { [name]: String(resolved) },
      });
    }
    return resolved;
  };
  const missingValue = options.missingValue ?? 0;
  if (!Number.isFinite(missingValue)) {
    throw new TradeR1Error('INVALID_CONFIG', 'missingValue must be finite');
  }
  if (options.token !== undefined && options.token.length === 0) {
    throw new TradeR1Error('INVALID_CONFIG', 'token must be a non-empty string');
  }
  return {
    reward,
    groupReward: options.groupReward,
    sampleTimeoutMs: positive(options.sampleTimeoutMs, 30_000, 'sampleTimeoutMs'),
    requestTimeoutMs: positive(options.requestTimeoutMs, 60_000, 'requestTimeoutMs'),
    fallback: options.fallback,
    maxBodyBytes: positive(options.maxBodyBytes, 1_048_576, 'maxBodyBytes'),
    maxBatchSize: positive(options.maxBatchSize, 4096, 'maxBatchSize'),
    maxConcurrency: Math.floor(positive(options.maxConcurrency, 64, 'maxConcurrency')),
    maxQueue: Math.floor(positive(options.maxQueue, 1024, 'maxQueue', true)),
    extractResponse: options.extractResponse ?? defaultExtractResponse,
    toScore: options.toScore ?? ((result) => result.value ?? 0),
    missingValue,
    advantage: {
      estimator: options.advantage?.estimator ?? 'grpo',
      scale: options.advantage?.scale ?? 'group',
      epsilon: options.advantage?.epsilon ?? 1e-4,
      std: options.advantage?.std ?? 'unbiased',
    },
    shutdownTimeoutMs: positive(options.shutdownTimeoutMs, 30_000, 'shutdownTimeoutMs', true),
    clock: options.clock ?? (() => performance.now()),
    scoreSample: options.scoreSample ?? scoreSample,
  };
}

/** OpenRLHF's `query` is the decoded prompt + response; strip the prompt when it is a prefix. */
function defaultExtractResponse({ query, prompt }: { query: string; prompt: string }): string {
  return prompt !== '' && query.startsWith(prompt) ? query.slice(prompt.length) : query;
}

function extraLogs(results: RewardResult[], missing: number | null): Record<string, (number | null)[]> {
  const logs: Record<string, (number | null)[]> = {
    flagged: results.map((result) => (result.flagged ? 1 : 0)),
    missing: results.map((result) => (result.value === null ? 1 : 0)),
  };
  const detailKeys = new Set<string>();
  const componentKeys = new Set<string>();
  for (const result of results) {
    for (const key of Object.keys(result.details)) detailKeys.add(key);
    for (const key of Object.keys(result.components ?? {})) componentKeys.add(key);
  }
  for (const key of detailKeys) {
    if (key in logs) continue;
    logs[key] = results.map((result) => result.details[key] ?? missing);
  }
  for (const key of componentKeys) {
    if (key in logs) continue;
    logs[key] = results.map((result) => result.components?.[key]?.value ?? missing);
  }
  return logs;
}

function finiteOr(value: number, fallbackValue: number): number {
  return Number.isFinite(value) ? value : fallbackValue;
}

function assertBatch(size: number, limit: number): void {
  if (size > limit) {
    throw new TradeR1Error('TOO_LARGE', `${size} samples exceed the limit of ${limit} per request`, {
      details: { size, limit },
    });
  }
}
