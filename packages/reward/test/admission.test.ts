import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRewardServer,
  defineReward,
  type RewardServer,
  type RewardServerOptions,
  rewardSampleSchema,
} from '../src/index.ts';
import { deferred, postJson } from './http.ts';
import { openRaw, postHead, waitFor } from './raw-socket.ts';

const servers: RewardServer[] = [];
async function start(options: RewardServerOptions): Promise<{ server: RewardServer; url: string }> {
  const server = createRewardServer(options);
  servers.push(server);
  return { server, url: await server.listen({ port: 0, host: '127.0.0.1' }) };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const gauge = (server: RewardServer, name: string) =>
  Number(new RegExp(`^trade_r1_reward_${name} (\\d+)$`, 'm').exec(server.metrics())?.[1]);

/** A reward that counts how many samples run at once and waits for `hold` (or its signal). */
function counting(hold: Promise<void>) {
  const state = { running: 0, peak: 0, started: 0, aborted: 0 };
  const rewardFn = async (sample: { response: string }, { signal }: { signal: AbortSignal }) => {
    state.started += 1;
    state.running += 1;
    state.peak = Math.max(state.peak, state.running);
    try {
      await Promise.race([
        hold,
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            state.aborted += 1;
            reject(signal.reason);
          }),
        ),
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      return sample.response.length;
    } finally {
      state.running -= 1;
    }
  };
  return { state, rewardFn };
}

const batch = (size: number, label: (index: number) => unknown = () => null) => ({
  query: Array.from({ length: size }, (_, index) => `p${'x'.repeat(index % 7)}`),
  prompts: Array.from({ length: size }, () => 'p'),
  labels: Array.from({ length: size }, (_, index) => label(index)),
});

describe('admission control counts samples', () => {
  it('scores two 500-sample requests with maxConcurrency 2 at most two samples at a time', async () => {
    const { state, rewardFn } = counting(Promise.resolve());
    const { url } = await start({ rewardFn, maxConcurrency: 2 });
    const answers = await Promise.all([
      postJson(url, '/get_reward', batch(500)),
      postJson(url, '/get_reward', batch(500)),
    ]);
    for (const answer of answers) expect(answer.status).toBe(200);
    expect((answers[0].json() as { rewards: number[] }).rewards[3]).toBe(3);
    expect(state.started).toBe(1000);
    expect(state.peak).toBe(2);
  });

  it('cancels the other samples of a request when one of them fails', async () => {
    const hold = deferred();
    const { state, rewardFn } = counting(hold.promise);
    const { url, server } = await start({
      maxConcurrency: 4,
      rewardFn: async (sample, context) => {
        if (sample.label === 'bad') {
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('judge crashed');
        }
        return rewardFn(sample, context);
      },
    });
    const response = await postJson(
      url,
      '/get_reward',
      batch(100, (index) => (index === 1 ? 'bad' : null)),
    );
    expect(response.status).toBe(500);
    expect((response.json() as { error: { message: string } }).error.message).toContain('sample 1: judge crashed');
    // Four slots: sample 1 failed while 0, 2 and 3 ran (they saw their signal abort); the 96 waiting never started.
    await waitFor(() => gauge(server, 'active_samples') === 0);
    expect(state.started).toBe(3);
    expect(state.aborted).toBe(3);
    expect(server.metrics()).toContain('trade_r1_reward_cancelled_samples_total 96');
    hold.resolve();
  });

  it('answers 400 for one bad label before any sample of the request runs', async () => {
    const hold = deferred();
    const { state, rewardFn } = counting(hold.promise);
    const reward = defineReward({
      name: 'labelled',
      input: rewardSampleSchema.extend({ label: z.number() }),
      compute: (sample, context) => rewardFn(sample, context),
    });
    const { url, server } = await start({ reward, maxConcurrency: 4 });
    const response = await postJson(
      url,
      '/get_reward',
      batch(100, (index) => (index === 50 ? 'bad' : index)),
    );
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'INVALID_INPUT', details: { sample: 50 }, issues: [{ path: 'label' }] },
    });
    expect(state.started).toBe(0);
    expect(gauge(server, 'queued')).toBe(0);
    hold.resolve();
  });

  it('cancels a request’s samples when the client goes away', async () => {
    const hold = deferred();
    const { state, rewardFn } = counting(hold.promise);
    const { url, server } = await start({ rewardFn, maxConcurrency: 2 });
    const body = JSON.stringify(batch(50));
    const client = request(`${url}/get_reward`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
    });
    client.on('error', () => undefined);
    client.end(body);
    await waitFor(() => state.running === 2);
    expect(gauge(server, 'queued')).toBe(48);
    client.destroy();
    await waitFor(() => gauge(server, 'active_samples') === 0 && gauge(server, 'queued') === 0);
    expect(state.started).toBe(2);
    expect(state.aborted).toBe(2);
    expect(server.metrics()).toContain('trade_r1_reward_cancelled_samples_total 48');
    hold.resolve();
  });

  it('bounds the queue in samples: 503 with Retry-After, before reading the body once saturated', async () => {
    const hold = deferred();
    const { rewardFn } = counting(hold.promise);
    const { url, server } = await start({ rewardFn, maxConcurrency: 1, maxQueue: 3, maxBatchSize: 4 });
    const first = postJson(url, '/get_reward', batch(2));
    await waitFor(() => gauge(server, 'active_samples') === 1 && gauge(server, 'queued') === 1);
    // Two more samples fit (queue 1 + 2 = 3); three do not.
    const tooMany = await postJson(url, '/get_reward', batch(3));
    expect(tooMany.status).toBe(503);
    expect(tooMany.headers['retry-after']).toBe('1');
    expect(tooMany.json()).toMatchObject({ error: { code: 'RATE_LIMITED', details: { samples: 3 } } });
    const second = postJson(url, '/slime', { prompt: 'p', response: 'ab' });
    const third = postJson(url, '/slime', { prompt: 'p', response: 'abc' });
    await waitFor(() => gauge(server, 'queued') === 3);
    // Saturated: a request announcing a large body is refused at once, without the body (never sent here).
    const raw = await openRaw(url, postHead('/get_reward', 500_000));
    const answer = await raw.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer).toMatch(/Retry-After: 1/i);
    expect(answer).toMatch(/Connection: close/i);
    hold.resolve();
    expect((await first).status).toBe(200);
    expect((await second).json()).toMatchObject({ score: 2 });
    expect((await third).json()).toMatchObject({ score: 3 });
    expect(server.metrics()).toContain('trade_r1_reward_rejected_total{reason="overloaded"} 2');
  });

  it('rejects a maxBatchSize no request could be admitted with', () => {
    expect(() => createRewardServer({ rewardFn: () => 1, maxConcurrency: 2, maxQueue: 2, maxBatchSize: 5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
