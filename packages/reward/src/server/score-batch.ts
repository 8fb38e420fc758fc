import { parseWith, TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { createReward, normalizeOutput, type RewardResult } from '../define-reward.ts';
import type { SampleAdmission } from './admission.ts';
import type { LogAccounting } from './extra-logs.ts';
import { httpError } from './http-errors.ts';
import type { RewardServerMetrics } from './metrics.ts';
import type { GroupRewardFunction, ResolvedConfig } from './options.ts';
import { type RewardSample, rewardSampleSchema } from './schemas.ts';
import { inSampleScope } from './stray-rejections.ts';

/** What the route handlers share. */
export interface RouteContext {
  config: ResolvedConfig;
  metrics: RewardServerMetrics;
  admission: SampleAdmission;
  /** Record what building logs found (fills, undeclared keys) in metrics and warnings. */
  recordLogs(accounting: LogAccounting): void;
}

/** A result for a sample that was not scored because its response could not be told apart from its prompt. */
export function unsplitResult(name: string): RewardResult {
  return {
    name,
    value: null,
    status: 'error',
    flagged: true,
    details: {},
    error: {
      code: 'INVALID_INPUT',
      message:
        'the prompt is not a prefix of query and query holds no assistant marker: the response cannot be separated from the prompt, so the sample was not scored',
    },
  };
}

function overloaded(count: number): TradeR1Error {
  return httpError(
    503,
    new TradeR1Error('RATE_LIMITED', `no room for ${count} more samples; retry shortly`, {
      details: { samples: count },
    }),
    { 'Retry-After': '1' },
  );
}

function covers(config: ResolvedConfig, kind: 'timeout' | 'error'): boolean {
  return config.fallback !== undefined && (config.fallback.on ?? ['timeout']).includes(kind);
}

/**
 * Run reward code so that a promise it leaves rejected and unhandled fails this work (with `INTERNAL`) instead of
 * the process. With a fallback that covers errors, `recover` turns that failure into a flagged result.
 */
function guarded<T>(
  context: RouteContext,
  work: () => Promise<T>,
  recover: (error: TradeR1Error) => T,
  onFailure?: (thrown: unknown) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const scope = {
      fail: (reason: unknown) => {
        context.metrics.strayRejections.inc();
        if (settled) return;
        settled = true;
        const error = new TradeR1Error(
          'INTERNAL',
          `reward code left an unhandled rejection: ${toTradeR1Error(reason).message}`,
          { cause: reason },
        );
        if (covers(context.config, 'error')) return resolve(recover(error));
        onFailure?.(error);
        reject(error);
      },
    };
    const failed = (thrown: unknown) => {
      if (settled) return;
      settled = true;
      onFailure?.(thrown);
      reject(thrown);
    };
    let running: Promise<T>;
    try {
      running = inSampleScope(scope, work);
    } catch (thrown) {
      // A scorer that throws instead of rejecting fails its sample the same way (onFailure first).
      return failed(thrown);
    }
    running.then((value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    }, failed);
  });
}

function strayFallback(config: ResolvedConfig, name: string, error: TradeR1Error): RewardResult {
  return {
    name,
    value: (config.fallback as { value: number }).value,
    status: 'error',
    flagged: true,
    details: {},
    error: { code: error.code, message: error.message },
  };
}

/**
 * Score one sample through the swappable scorer. `onFailure` runs synchronously when the sample fails, before the
 * returned promise rejects (so before its admission slot is handed on).
 */
function scoreOne(
  context: RouteContext,
  sample: RewardSample,
  signal: AbortSignal,
  onFailure: (thrown: unknown) => void,
): Promise<RewardResult> {
  const { config } = context;
  return guarded(
    context,
    () =>
      config.scoreSample(config.reward, sample, {
        signal,
        timeoutMs: config.sampleTimeoutMs,
        ...(config.fallback && { fallback: config.fallback }),
      }),
    (error) => strayFallback(config, config.reward.name, error),
    onFailure,
  );
}

/**
 * Score a request's samples under per-sample admission control. `undefined` entries (no response boundary) are not
 * scored and get {@link unsplitResult}. The request is admitted whole or answered 503; when one sample fails or the
 * request's signal fires, the request's other samples are cancelled (waiting ones never start, running ones see
 * their signal abort).
 */
export async function scoreBatch(
  context: RouteContext,
  route: string,
  samples: readonly (RewardSample | undefined)[],
  signal: AbortSignal,
): Promise<RewardResult[]> {
  const { config, metrics, admission } = context;
  const scorable = samples.filter((sample) => sample !== undefined).length;
  // Validate every sample first: one bad label answers 400 before any sample of the request runs.
  samples.forEach((sample, index) => {
    if (sample === undefined) return;
    parseWith(config.reward.input, sample, {
      label: samples.length > 1 ? `sample ${index}` : 'sample',
      details: { sample: index, reward: config.reward.name },
    });
  });
  const results: RewardResult[] = samples.map((sample) =>
    sample === undefined ? unsplitResult(config.reward.name) : undefined,
  ) as RewardResult[];
  if (scorable > 0) {
    // The request's samples share one signal: the request's own (client gone, timeout, shutdown) or a failed sample.
    // A single sample has no siblings to cancel, so it runs on the request's signal itself (no extra controller).
    const own = scorable > 1 ? new AbortController() : undefined;
    const shared = own ? own.signal : signal;
    const batch = admission.admit(scorable, shared);
    if (batch === undefined) {
      metrics.rejected.inc({ reason: 'overloaded' });
      throw overloaded(scorable);
    }
    let failure: { index: number; error: TradeR1Error } | undefined;
    let failed = false;
    /** True once the request's samples are cancelled: its signal fired or one of them failed. */
    const cancelled = () => shared.aborted || failed;
    const forward = () => own?.abort(signal.reason);
    if (own) {
      if (signal.aborted) forward();
      else signal.addEventListener('abort', forward, { once: true });
    }
    let started = 0;
    const runSample = (sample: RewardSample, index: number): Promise<void> =>
      batch
        .run(() => {
          started += 1;
          // Cancel the rest before this sample's slot is handed on, so no waiting sample starts in it.
          return scoreOne(context, sample, shared, (thrown) => {
            if (cancelled()) return;
            failure = { index, error: toTradeR1Error(thrown, 'INTERNAL') };
            failed = true;
            own?.abort(failure.error);
          });
        })
        .then(
          (result) => {
            results[index] = result;
          },
          (thrown: unknown) => {
            // Report the sample that failed first, not the siblings cancelled because of it.
            const cause = failure ?? { index, error: toTradeR1Error(thrown, 'INTERNAL') };
            if (!cancelled()) {
              failed = true;
              own?.abort(cause.error);
            }
            const { error } = cause;
            throw new TradeR1Error(
              error.code,
              samples.length > 1 ? `sample ${cause.index}: ${error.message}` : error.message,
              { details: { ...error.details, sample: cause.index }, issues: error.issues, cause: error },
            );
          },
        );
    try {
      if (samples.length === 1) await runSample(samples[0] as RewardSample, 0);
      else
        await Promise.all(
          samples.map((sample, index) => (sample === undefined ? undefined : runSample(sample, index))),
        );
    } catch (thrown) {
      if (failure?.error.code === 'TIMEOUT' && !signal.aborted) metrics.timeouts.inc({ kind: 'sample' });
      throw thrown;
    } finally {
      if (cancelled()) metrics.cancelled.inc({}, scorable - started);
      if (own) signal.removeEventListener('abort', forward);
      batch.dispose();
    }
  }
  for (const result of results) {
    metrics.samples.inc({ route, status: result.status });
    if (result.flagged && result.value !== null) metrics.fallbacks.inc();
    if (result.status === 'timeout') metrics.timeouts.inc({ kind: 'sample' });
  }
  return results;
}

/**
 * Score a whole group with the group-aware reward: one call, counted as `samples.length` samples against the
 * budget. A timeout uses the fallback for every sample when one is declared.
 */
export async function scoreGroup(
  context: RouteContext,
  samples: RewardSample[],
  signal: AbortSignal,
): Promise<RewardResult[]> {
  const { config, metrics, admission } = context;
  const groupReward = config.groupReward as GroupRewardFunction;
  const batch = admission.admit(samples.length, signal);
  if (batch === undefined) {
    metrics.rejected.inc({ reason: 'overloaded' });
    throw overloaded(samples.length);
  }
  const reward = createReward<RewardSample[]>({
    name: 'group',
    input: rewardSampleSchema.array(),
    timeoutMs: config.sampleTimeoutMs,
    fallback: undefined,
    run: async (input, runContext) => {
      const outputs = await groupReward(input, { signal: runContext.signal });
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
    const result = await batch.runMany(samples.length, () =>
      guarded(
        context,
        () => reward.evaluate(samples, { signal }),
        (error) => ({
          ...strayFallback(config, 'group', error),
          components: Object.fromEntries(
            samples.map((_sample, index) => [
              String(index),
              { ...strayFallback(config, 'group', error), weight: 1, weighted: null },
            ]),
          ),
        }),
      ),
    );
    const results = Object.values(result.components ?? {}).map(
      ({ weight: _weight, weighted: _weighted, ...rest }) => rest,
    );
    for (const item of results) metrics.samples.inc({ route: '/group', status: item.status });
    return results;
  } catch (thrown) {
    const error = toTradeR1Error(thrown, 'INTERNAL');
    if (error.code !== 'TIMEOUT' || !covers(config, 'timeout')) {
      if (error.code === 'TIMEOUT') metrics.timeouts.inc({ kind: 'sample' });
      throw error;
    }
    metrics.timeouts.inc({ kind: 'sample' });
    const fallback = config.fallback as { value: number };
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
  } finally {
    batch.dispose();
  }
}
