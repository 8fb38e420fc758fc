import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { SampleAdmission } from './admission.ts';
import { authorized, digest } from './auth.ts';
import { type LogAccounting, stringifyWithNaN } from './extra-logs.ts';
import { parseJson, readBody, withAbort } from './http-body.ts';
import { type HttpError, toHttpError } from './http-errors.ts';
import { RewardServerMetrics, renderPoolMetrics } from './metrics.ts';
import { type RewardServerOptions, resolveConfig } from './options.ts';
import { handleGetReward } from './routes/get-reward.ts';
import { handleGroup } from './routes/group.ts';
import { handleSlime } from './routes/slime.ts';
import type { RouteContext } from './score-batch.ts';
import { watchStrayRejections } from './stray-rejections.ts';
import { workerPoolOf } from './worker-pool.ts';

export type {
  GroupRewardFunction,
  RewardFunction,
  RewardServerOptions,
  RewardServerWarning,
} from './options.ts';

/** Options for {@link RewardServer.listen}. */
export interface ListenOptions {
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind; a non-loopback one without a `token` raises an `INSECURE_BIND` warning. @default '127.0.0.1' */
  host?: string;
}

/** A running reward server. */
export interface RewardServer {
  /** Start listening; resolves to the base URL, e.g. `http://127.0.0.1:40123`. */
  listen(options?: ListenOptions): Promise<string>;
  /**
   * Graceful shutdown: refuse new requests (503, `Connection: close`), cut off requests still uploading their body,
   * let requests being scored finish (up to `shutdownTimeoutMs`, then abort them), close every connection.
   * Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
  /** The base URL once listening. */
  readonly url: string | undefined;
  /** The metrics in Prometheus text format (same as `GET /metrics`). */
  metrics(): string;
}

const ROUTES = new Set(['/get_reward', '/slime', '/group', '/health', '/metrics']);

interface Tracked {
  controller: AbortController;
  phase: 'reading' | 'scoring';
}

/**
 * An HTTP reward server on `node:http` speaking the trainers' protocols:
 * - `POST /get_reward` — OpenRLHF (`--reward.remote_url http://host:port/get_reward`):
 *   `{ query[], prompts[], labels[] }` → `{ rewards[], scores[], extra_logs{} }` (an empty `query` gets an empty
 *   answer);
 * - `POST /slime` — slime (`--rm-type remote_rm --rm-url …/slime`): `{ prompt, response, label }` →
 *   `{ score, status, flagged, missing, …extraLogKeys }`;
 * - `POST /group` — a whole GRPO group → `{ rewards[], advantages[], … }`;
 * - `GET /health`, `GET /metrics` (Prometheus).
 *
 * Limits count samples: at most `maxConcurrency` are scored at once over all requests and `maxQueue` wait; a request
 * that does not fit gets 503 + `Retry-After` before its body is read or any sample runs. Errors are JSON
 * `{ error: { code, message, issues } }`: 400 malformed JSON or schema, 401 bad token, 404/405, 408 slow upload,
 * 413 body or batch too large, 503 overloaded or shutting down, 504 request timeout, 500 reward failure.
 */
export function createRewardServer(options: RewardServerOptions): RewardServer {
  const config = resolveConfig(options);
  const metrics = new RewardServerMetrics();
  const admission = new SampleAdmission(config.maxConcurrency, config.maxQueue);
  const tokenDigest = config.token === undefined ? undefined : digest(config.token);
  const tracked = new Set<Tracked>();
  const warnedKeys = new Set<string>();
  const serialize: (value: unknown) => string = config.logFill === 'NaN' ? stringifyWithNaN : JSON.stringify;
  let closing = false;
  let closePromise: Promise<void> | undefined;
  let idleResolvers: (() => void)[] = [];
  let url: string | undefined;
  let unwatch: (() => void) | undefined;

  const context: RouteContext = {
    config,
    metrics,
    admission,
    recordLogs(accounting: LogAccounting) {
      for (const [key, count] of accounting.fills) metrics.logFills.inc({ key }, count);
      for (const [key, count] of accounting.undeclared) {
        metrics.logKeysDropped.inc({ key }, count);
        if (warnedKeys.has(key) || warnedKeys.size >= 64) continue;
        warnedKeys.add(key);
        config.onWarning({
          code: 'UNDECLARED_LOG_KEY',
          message: `reward reported log key "${key}", which is not in extraLogKeys: it is left out of every answer so that all answers carry the same keys (declare it in extraLogKeys to send it)`,
        });
      }
    },
  };

  const server: Server = createServer(
    {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      // Enforce the two timeouts above at a 1 s granularity (Node's default check runs every 30 s).
      connectionsCheckingInterval: 1_000,
    },
    (request, response) => {
      void handle(request, response);
    },
  );
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.maxConnections = config.maxConnections;
  server.on('drop', () => metrics.rejected.inc({ reason: 'connections' }));
  server.on('connection', (socket) => {
    metrics.connections += 1;
    socket.once('close', () => {
      metrics.connections -= 1;
    });
  });

  const pool = workerPoolOf(config.reward);
  function render(): string {
    metrics.queued = admission.queued;
    metrics.activeSamples = admission.active;
    // Over a worker pool, its counters follow (threads, busy threads, its queue, timeouts, terminations, restarts).
    return pool === undefined ? metrics.render() : `${metrics.render()}${renderPoolMetrics(pool.stats())}`;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const start = config.clock();
    const target = request.url ?? '/';
    const query = target.indexOf('?');
    const path = query < 0 ? target : target.slice(0, query);
    const route = ROUTES.has(path) ? path : 'other';
    const finish = (status: number, body: string, contentType: string, headers?: Record<string, string>) => {
      if (response.headersSent || response.destroyed) return;
      const head: Record<string, string> = {
        'Content-Type': contentType,
        'Content-Length': String(Buffer.byteLength(body)),
      };
      if (headers !== undefined) Object.assign(head, headers);
      if (closing) head.Connection = 'close';
      response.writeHead(status, head);
      response.end(body);
      metrics.requests.inc({ route, status: String(status) });
      metrics.duration.observe({ route }, (config.clock() - start) / 1000);
    };
    const fail = ({ status, error, headers }: HttpError) => {
      metrics.errors.inc({ code: error.code });
      finish(status, JSON.stringify({ error: error.toJSON() }), 'application/json', headers);
    };
    // An answer before the body was read: don't read (drain) a body nobody needs — close the connection after it.
    const refuse = (failure: HttpError) => {
      if (!hasUnreadBody(request)) {
        request.resume();
        return fail(failure);
      }
      fail({ ...failure, headers: { ...failure.headers, Connection: 'close' } });
      response.once('finish', () => request.destroy());
    };

    if (closing) {
      metrics.rejected.inc({ reason: 'shutting_down' });
      return refuse({ status: 503, error: new TradeR1Error('CLOSED', 'the reward server is shutting down') });
    }
    if (route === 'other') {
      return refuse({ status: 404, error: new TradeR1Error('NOT_FOUND', `no route ${path}`, { details: { path } }) });
    }
    const expectedMethod = route === '/health' || route === '/metrics' ? 'GET' : 'POST';
    if (request.method !== expectedMethod) {
      return refuse({
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
        JSON.stringify({
          status: 'ok',
          inFlight: metrics.inFlight,
          queued: admission.queued,
          active: admission.active,
        }),
        'application/json',
      );
    }
    if (tokenDigest !== undefined && !authorized(request.headers.authorization, tokenDigest)) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      return refuse({
        status: 401,
        error: new TradeR1Error('UNAUTHORIZED', 'missing or wrong bearer token'),
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    if (route === '/metrics') {
      request.resume();
      return finish(200, render(), 'text/plain; version=0.0.4; charset=utf-8');
    }
    // Admission before the body is read: a saturated server does not spend memory on bodies it cannot score.
    if (admission.saturated()) {
      metrics.rejected.inc({ reason: 'overloaded' });
      return refuse({
        status: 503,
        error: new TradeR1Error('RATE_LIMITED', 'the reward server is at capacity; retry shortly'),
        headers: { 'Retry-After': '1' },
      });
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > config.maxBodyBytes) {
      metrics.rejected.inc({ reason: 'too_large' });
      return refuse({
        status: 413,
        error: new TradeR1Error(
          'TOO_LARGE',
          `request body of ${declared} bytes exceeds the limit of ${config.maxBodyBytes}`,
          { details: { bytes: declared, limit: config.maxBodyBytes } },
        ),
      });
    }

    const entry: Tracked = { controller: new AbortController(), phase: 'reading' };
    const { controller } = entry;
    tracked.add(entry);
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
    try {
      const body = await readBody(request, config.maxBodyBytes, controller.signal);
      entry.phase = 'scoring';
      const parsed = parseJson(body);
      const result = await withAbort(dispatch(parsed, controller.signal), controller.signal);
      finish(200, serialize(result), 'application/json');
    } catch (thrown) {
      const failure = toHttpError(thrown, controller.signal);
      // The request failed: signal whatever of it may still run (a sample failed by a stray rejection, say) to stop.
      if (!controller.signal.aborted) controller.abort(failure.error);
      if (failure.error.code === 'TIMEOUT' && failure.status === 504) metrics.timeouts.inc({ kind: 'request' });
      if (failure.status === 413) metrics.rejected.inc({ reason: 'too_large' });
      if (entry.phase === 'reading') {
        // The body was not read to its end (too large, cut off by shutdown or the timeout): close, don't drain.
        if (failure.status === 504) failure.status = 408;
        fail({ ...failure, headers: { ...failure.headers, Connection: 'close' } });
        if (!response.headersSent || response.writableFinished) request.destroy();
        else response.once('finish', () => request.destroy());
      } else {
        fail(failure);
      }
    } finally {
      clearTimeout(timer);
      response.off('close', onClientGone);
      tracked.delete(entry);
      metrics.inFlight -= 1;
      if (tracked.size === 0 && idleResolvers.length > 0) {
        const resolvers = idleResolvers;
        idleResolvers = [];
        for (const resolve of resolvers) resolve();
      }
    }

    function dispatch(parsed: unknown, signal: AbortSignal): Promise<unknown> {
      if (path === '/get_reward') return handleGetReward(context, parsed, signal);
      if (path === '/slime') return handleSlime(context, parsed, signal);
      return handleGroup(context, parsed, signal);
    }
  }

  function waitForIdle(): Promise<void> {
    if (tracked.size === 0) return Promise.resolve();
    return new Promise((resolve) => idleResolvers.push(resolve));
  }

  return {
    get url() {
      return url;
    },
    metrics: render,
    listen(listenOptions: ListenOptions = {}): Promise<string> {
      if (closing) return Promise.reject(new TradeR1Error('CLOSED', 'the reward server was closed'));
      if (url !== undefined) return Promise.resolve(url);
      const host = listenOptions.host ?? '127.0.0.1';
      const port = listenOptions.port ?? 0;
      if (config.token === undefined && !isLoopback(host)) {
        config.onWarning({
          code: 'INSECURE_BIND',
          message: `the reward server listens on ${host} without a token: anyone who can reach it can use it; set a token (TRADE_R1_REWARD_TOKEN for the CLI) or bind 127.0.0.1`,
        });
      }
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(toTradeR1Error(error, 'INTERNAL'));
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          unwatch = watchStrayRejections((reason) => {
            config.onWarning({
              code: 'STRAY_REJECTION',
              message: `reward code left a promise rejection unhandled (${toTradeR1Error(reason).message}); the sample that raised it failed, the server keeps running`,
            });
          });
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
        // Requests still uploading hold nothing worth waiting for: cut them off now (slow uploaders can't hold shutdown).
        for (const entry of tracked) {
          if (entry.phase === 'reading') {
            entry.controller.abort(new TradeR1Error('CLOSED', 'the reward server is shutting down'));
          }
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
        });
        const outcome = await Promise.race([waitForIdle().then(() => 'idle' as const), timedOut]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          for (const entry of tracked) {
            entry.controller.abort(
              new TradeR1Error('CLOSED', 'the reward server shut down before this request finished'),
            );
          }
          await waitForIdle();
        }
        server.closeAllConnections();
        unwatch?.();
        await closed;
      })();
      return closePromise;
    },
  };
}

/** True for interfaces only this machine can reach. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** True when the request declares a body that has not been read yet. */
function hasUnreadBody(request: IncomingMessage): boolean {
  if (request.complete) return false;
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}
