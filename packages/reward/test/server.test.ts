import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  composeRewards,
  createRewardServer,
  defineReward,
  dsrReward,
  marketReward,
  type RewardServer,
  type RewardServerOptions,
  rewardSampleSchema,
  scorerFromVerifier,
  scoreSample,
  semanticGatedReward,
  type VerifierLike,
} from '../src/index.ts';
import { deferred, postJson, send } from './http.ts';

// A market + DSR reward over the sample label: { entryPrice, exitPrice, s }.
const labelSchema = z.object({
  entryPrice: z.number().positive(),
  exitPrice: z.number().positive(),
  s: z.number().min(0).max(1),
});
const dsr = defineReward({
  name: 'dsr',
  input: rewardSampleSchema.extend({ label: labelSchema }),
  compute: ({ label }) => {
    const r = marketReward({ entryPrice: label.entryPrice, exitPrice: label.exitPrice }).reward;
    return { value: dsrReward({ r, s: label.s }), details: { r, s: label.s } };
  },
});
const format = defineReward({
  name: 'format',
  input: rewardSampleSchema,
  compute: ({ response }) => (/\[\[(BUY|SELL|HOLD)\]\]/.test(response) ? 1 : 0),
});
const total = composeRewards({
  components: { dsr: { reward: dsr, weight: 1 }, format: { reward: format, weight: 0.1 } },
});

const servers: RewardServer[] = [];
// Most servers here score `total` without declaring its log keys: the expected UNDECLARED_LOG_KEY warnings are
// collected instead of printed (a test that checks warnings passes its own onWarning), and nothing else may appear.
const warnings: string[] = [];
async function start(options: RewardServerOptions): Promise<{ server: RewardServer; url: string }> {
  const server = createRewardServer({ onWarning: (warning) => warnings.push(warning.code), ...options });
  servers.push(server);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  expect(warnings.splice(0).filter((code) => code !== 'UNDECLARED_LOG_KEY')).toEqual([]);
});

const label = (entryPrice: number, exitPrice: number, s: number) => ({ entryPrice, exitPrice, s });

describe('reward server: protocols', () => {
  it('answers OpenRLHF /get_reward with rewards, scores and extra_logs', async () => {
    const { url } = await start({ reward: total, extraLogKeys: ['dsr', 'format'] });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await postJson(url, '/get_reward', {
      query: ['<|user|>Should I buy?<|assistant|>Yes [[BUY]]', '<|user|>Sell?<|assistant|>Hmm'],
      prompts: ['<|user|>Should I buy?<|assistant|>', '<|user|>Sell?<|assistant|>'],
      labels: [label(100, 110, 0.5), label(100, 90, 0.2)],
    });
    expect(response.status).toBe(200);
    const body = response.json() as { rewards: number[]; scores: number[]; extra_logs: Record<string, number[]> };
    const first = dsrReward({ r: 0.1, s: 0.5 }) + 0.1;
    const second = dsrReward({ r: -0.1, s: 0.2 });
    expect(body.rewards[0]).toBeCloseTo(first, 12);
    expect(body.rewards[1]).toBeCloseTo(second, 12);
    expect(body.scores).toEqual(body.rewards);
    expect(body.extra_logs.dsr?.[1]).toBeCloseTo(second, 12);
    expect(body.extra_logs.format).toEqual([1, 0]);
    expect(body.extra_logs.flagged).toEqual([0, 0]);
  });

  it('derives the response from query minus prompt and accepts an explicit responses list', async () => {
    const seen: string[] = [];
    const { url } = await start({
      rewardFn: (sample) => {
        seen.push(sample.response);
        return sample.response.length;
      },
    });
    await postJson(url, '/get_reward', { query: ['PROMPTanswer'], prompts: ['PROMPT'], labels: [null] });
    await postJson(url, '/get_reward', { query: ['xyz'], prompts: ['PROMPT'], responses: ['given'] });
    expect(seen).toEqual(['answer', 'given']);
  });

  it('answers slime /slime with score and components', async () => {
    const { url } = await start({ reward: total, extraLogKeys: ['dsr', 'format'] });
    const response = await postJson(url, '/slime', { prompt: 'p', response: 'Go [[BUY]]', label: label(50, 55, 1) });
    expect(response.status).toBe(200);
    const body = response.json() as Record<string, unknown>;
    expect(body.score).toBeCloseTo(dsrReward({ r: 0.1, s: 1 }) + 0.1, 12);
    expect(body.dsr).toBeCloseTo(dsrReward({ r: 0.1, s: 1 }), 12);
    expect(body.format).toBe(1);
    expect(body.flagged).toBe(false);
    const chat = await postJson(url, '/slime', {
      prompt: [{ role: 'user', content: 'p' }],
      response: 'x',
      label: label(50, 45, 0),
    });
    expect((chat.json() as { score: number }).score).toBeCloseTo(dsrReward({ r: -0.1, s: 0 }), 12);
  });

  it('scores a whole group on /group and returns GRPO advantages', async () => {
    const { url } = await start({ rewardFn: (sample) => Number(sample.response) });
    const response = await postJson(url, '/group', { prompt: 'p', responses: ['1', '0', '0', '1'] });
    expect(response.status).toBe(200);
    const body = response.json() as { rewards: number[]; advantages: number[]; mean: number; std: number };
    const std = Math.sqrt(1 / 3);
    expect(body.rewards).toEqual([1, 0, 0, 1]);
    expect(body.mean).toBe(0.5);
    body.advantages.forEach((advantage, index) => {
      expect(advantage).toBeCloseTo((index === 0 || index === 3 ? 0.5 : -0.5) / (std + 1e-4), 12);
    });
    const rloo = await postJson(url, '/group', {
      prompt: 'p',
      responses: ['1', '0', '0', '1'],
      advantage: { estimator: 'rloo' },
    });
    expect((rloo.json() as { advantages: number[] }).advantages[0]).toBeCloseTo(1 - 1 / 3, 12);
  });

  it('uses a group-aware reward on /group when given', async () => {
    const { url } = await start({
      rewardFn: () => 0,
      groupReward: (samples) => samples.map((_sample, index) => (index === 0 ? null : index)),
    });
    const body = (await postJson(url, '/group', { prompt: 'p', responses: ['a', 'b', 'c'] })).json() as {
      rewards: (number | null)[];
      advantages: number[];
    };
    expect(body.rewards).toEqual([null, 1, 2]);
    expect(body.advantages[0]).toBe(0);
    expect(body.advantages[2]).toBeCloseTo(0.5 / (Math.SQRT1_2 + 1e-4), 12);
  });

  it('runs every sample through the scoreSample hook (the single reward-invocation point)', async () => {
    const seen: string[] = [];
    const { url } = await start({
      reward: total,
      scoreSample: (reward, sample, options) => {
        seen.push(sample.response);
        return scoreSample(reward, sample, options);
      },
    });
    const slime = await postJson(url, '/slime', { prompt: 'p', response: 'a [[BUY]]', label: label(1, 1, 0) });
    expect((slime.json() as { score: number }).score).toBeCloseTo(0.1, 12);
    await postJson(url, '/get_reward', {
      query: ['pb', 'pc'],
      prompts: ['p', 'p'],
      labels: [label(1, 1, 0), label(1, 1, 0)],
    });
    await postJson(url, '/group', { prompt: 'p', responses: ['d'], label: label(1, 1, 0) });
    expect(seen.sort()).toEqual(['a [[BUY]]', 'b', 'c', 'd']);
  });

  it('serves /health and Prometheus /metrics', async () => {
    const { url, server } = await start({ reward: total });
    await postJson(url, '/slime', { prompt: 'p', response: 'r', label: label(1, 2, 0.5) });
    await send(url, { path: '/slime', body: '{' });
    const health = await send(url, { method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    const metrics = await send(url, { method: 'GET', path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toContain('trade_r1_reward_requests_total{route="/slime",status="200"} 1');
    expect(metrics.text).toContain('trade_r1_reward_requests_total{route="/slime",status="400"} 1');
    expect(metrics.text).toContain('# TYPE trade_r1_reward_request_duration_seconds histogram');
    expect(metrics.text).toMatch(/trade_r1_reward_request_duration_seconds_bucket\{route="\/slime",le="\+Inf"\} 2/);
    expect(metrics.text).toContain('trade_r1_reward_errors_total{code="PARSE_FAILED"} 1');
    expect(server.metrics()).toContain('trade_r1_reward_in_flight');
  });
});

describe('reward server: bad input', () => {
  it('answers malformed JSON and wrong shapes with 400 and a message', async () => {
    const { url } = await start({ reward: total });
    const malformed = await send(url, { path: '/get_reward', body: '{"query": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'PARSE_FAILED' } });
    const wrong = await postJson(url, '/get_reward', { query: 'not a list' });
    expect(wrong.status).toBe(400);
    const error = (wrong.json() as { error: { code: string; message: string; issues: { path: string }[] } }).error;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues[0]?.path).toBe('query');
    const mismatch = await postJson(url, '/get_reward', { query: ['a', 'b'], prompts: ['a'] });
    expect(mismatch.status).toBe(400);
    expect((mismatch.json() as { error: { message: string } }).error.message).toContain('prompts has 1 items');
    const badLabel = await postJson(url, '/slime', { prompt: 'p', response: 'r', label: { entryPrice: -1 } });
    expect(badLabel.status).toBe(400);
    expect((badLabel.json() as { error: { message: string } }).error.message).toContain('label');
    const badAdvantage = await postJson(url, '/group', { prompt: 'p', responses: ['a'], advantage: { scale: 'rows' } });
    expect(badAdvantage.status).toBe(400);
  });

  it('answers unknown routes 404 and wrong methods 405', async () => {
    const { url } = await start({ reward: total });
    expect((await send(url, { method: 'GET', path: '/nope' })).status).toBe(404);
    const wrongMethod = await send(url, { method: 'GET', path: '/get_reward' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });

  it('refuses oversized bodies with 413, declared or streamed, and too-large batches', async () => {
    const { url } = await start({ reward: total, maxBodyBytes: 1024, maxBatchSize: 3 });
    const declared = await send(url, {
      path: '/slime',
      body: JSON.stringify({ prompt: 'x'.repeat(2000), response: '' }),
    });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({ error: { code: 'TOO_LARGE' } });
    const streamed = await send(url, { path: '/slime', body: ['{"prompt":"', 'y'.repeat(800), 'y'.repeat(800), '"}'] });
    expect(streamed.status).toBe(413);
    const batch = await postJson(url, '/get_reward', { query: ['a', 'b', 'c', 'd'] });
    expect(batch.status).toBe(413);
  });
});

describe('reward server: timeouts, concurrency, auth, shutdown', () => {
  const slow = (hold: Promise<void>) =>
    defineReward({
      name: 'slow',
      input: rewardSampleSchema,
      compute: async (_sample, { signal }) => {
        await Promise.race([
          hold,
          new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        ]);
        return 1;
      },
    });

  it('answers 504 when a sample times out without a fallback', async () => {
    const { url, server } = await start({ reward: slow(new Promise(() => undefined)), sampleTimeoutMs: 30 });
    const response = await postJson(url, '/slime', { prompt: 'p', response: 'r' });
    expect(response.status).toBe(504);
    expect(response.json()).toMatchObject({ error: { code: 'TIMEOUT' } });
    expect(server.metrics()).toContain('trade_r1_reward_timeouts_total{kind="sample"} 1');
  });

  it('returns the declared fallback, flagged, when a sample times out', async () => {
    const { url, server } = await start({
      reward: slow(new Promise(() => undefined)),
      sampleTimeoutMs: 30,
      fallback: { value: -0.25 },
    });
    const openrlhf = await postJson(url, '/get_reward', { query: ['q'], prompts: [''] });
    expect(openrlhf.status).toBe(200);
    expect(openrlhf.json()).toMatchObject({ rewards: [-0.25], extra_logs: { flagged: [1] } });
    const slime = await postJson(url, '/slime', { prompt: 'p', response: 'r' });
    expect(slime.json()).toMatchObject({ score: -0.25, flagged: true, status: 'timeout', error: { code: 'TIMEOUT' } });
    expect(server.metrics()).toContain('trade_r1_reward_fallbacks_total 2');
  });

  it('in the server thread, a timed-out sample signals its abandoned work (the verification it started) to stop', async () => {
    // A verification that never ends by itself (a hung LanceDB query, a judge that does not answer): it only stops
    // when its signal aborts, and records why.
    const stops: unknown[] = [];
    const verifier: VerifierLike<{ reasoning: string }> = {
      verify: (_input, options) =>
        new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            stops.push(options.signal?.reason);
            reject(options.signal?.reason);
          });
        }),
    };
    const reward = semanticGatedReward({
      input: rewardSampleSchema,
      marketReward: () => 0.05,
      scorer: scorerFromVerifier({
        verifier,
        toVerifyInput: (sample: { response: string }) => ({ reasoning: sample.response }),
      }),
      gate: 'dsr',
    });
    const { url, server } = await start({ reward, sampleTimeoutMs: 30, fallback: { value: -0.5 } });
    const openrlhf = await postJson(url, '/get_reward', { query: ['p a', 'p b'], prompts: ['p', 'p'] });
    expect(openrlhf.json()).toMatchObject({ rewards: [-0.5, -0.5], extra_logs: { flagged: [1, 1] } });
    const slime = await postJson(url, '/slime', { prompt: 'p', response: 'r' });
    expect(slime.json()).toMatchObject({ score: -0.5, status: 'timeout', flagged: true });
    // Each answered sample's verification was told to stop, because of its time limit (not left running).
    expect(stops).toHaveLength(3);
    for (const reason of stops) expect(reason).toMatchObject({ code: 'TIMEOUT' });
    // Without a fallback the request fails (504) and its verification is told to stop all the same.
    const { url: strict } = await start({ reward, sampleTimeoutMs: 30 });
    expect((await postJson(strict, '/slime', { prompt: 'p', response: 'r' })).status).toBe(504);
    expect(stops).toHaveLength(4);
    expect(stops[3]).toMatchObject({ code: 'TIMEOUT' });
    expect(server.metrics()).toContain('trade_r1_reward_timeouts_total{kind="sample"} 3');
  });

  it('answers 504 when the whole request exceeds requestTimeoutMs', async () => {
    const { url } = await start({ reward: slow(new Promise(() => undefined)), requestTimeoutMs: 40 });
    const response = await postJson(url, '/slime', { prompt: 'p', response: 'r' });
    expect(response.status).toBe(504);
    expect((response.json() as { error: { message: string } }).error.message).toContain('request exceeded');
  });

  it('queues up to maxQueue and answers 503 with Retry-After beyond it', async () => {
    const hold = deferred();
    const { url, server } = await start({ reward: slow(hold.promise), maxConcurrency: 1, maxQueue: 1 });
    const first = postJson(url, '/slime', { prompt: 'p', response: 'r' });
    const second = postJson(url, '/slime', { prompt: 'p', response: 'r' });
    await waitFor(() => server.metrics().includes('trade_r1_reward_queued 1'));
    const third = await postJson(url, '/slime', { prompt: 'p', response: 'r' });
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    hold.resolve();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(server.metrics()).toContain('trade_r1_reward_rejected_total{reason="overloaded"} 1');
  });

  it('serves many concurrent requests correctly', async () => {
    const { url } = await start({ reward: total, maxConcurrency: 4 });
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        postJson(url, '/slime', { prompt: 'p', response: 'r', label: label(100, 100 + index, 0.5) }),
      ),
    );
    responses.forEach((response, index) => {
      expect(response.status).toBe(200);
      expect((response.json() as { score: number }).score).toBeCloseTo(dsrReward({ r: index / 100, s: 0.5 }), 12);
    });
  });

  it('requires the bearer token when configured (health stays open)', async () => {
    const { url } = await start({ reward: total, token: 's3cret' });
    const body = { prompt: 'p', response: 'r', label: label(1, 1, 0) };
    const missing = await postJson(url, '/slime', body);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect((await postJson(url, '/slime', body, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await postJson(url, '/slime', body, { Authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await send(url, { method: 'GET', path: '/metrics' })).status).toBe(401);
    expect((await send(url, { method: 'GET', path: '/health' })).status).toBe(200);
  });

  it('finishes in-flight requests on close, refuses new ones, and close() is idempotent', async () => {
    const hold = deferred();
    const { url, server } = await start({ reward: slow(hold.promise) });
    const inFlight = postJson(url, '/slime', { prompt: 'p', response: 'r' });
    await waitFor(() => server.metrics().includes('trade_r1_reward_in_flight 1'));
    const closing = server.close();
    expect(server.close()).toBe(closing);
    const refused = await postJson(url, '/slime', { prompt: 'p', response: 'r' }).then(
      (response) => response.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(['ECONNREFUSED', 503]).toContain(refused);
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    hold.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ score: 1 });
    await closing;
    expect(closed).toBe(true);
    await expect(server.listen()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('aborts stragglers after shutdownTimeoutMs', async () => {
    const { url, server } = await start({ reward: slow(new Promise(() => undefined)), shutdownTimeoutMs: 30 });
    const inFlight = postJson(url, '/slime', { prompt: 'p', response: 'r' });
    await waitFor(() => server.metrics().includes('trade_r1_reward_in_flight 1'));
    await server.close();
    const response = await inFlight;
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'CLOSED' } });
  });

  it('validates its options', () => {
    expect(() => createRewardServer({})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => createRewardServer({ rewardFn: () => 1, maxConcurrency: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
