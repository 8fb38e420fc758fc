import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRewardServer,
  defineReward,
  dsrReward,
  type RewardServer,
  type RewardServerOptions,
  rewardSampleSchema,
} from '../src/index.ts';
import { postJson } from './http.ts';
import { openrlhfCollateInfo, openrlhfScoreSample, verlCollate } from './trainer-clients.ts';

// One reward with every outcome, chosen by the label: ok (details r, s), skipped (null), timeout, error.
const mixed = defineReward({
  name: 'dsr',
  input: rewardSampleSchema.extend({
    label: z.object({ kind: z.enum(['ok', 'skip', 'slow', 'throw']), r: z.number(), s: z.number() }),
  }),
  compute: async ({ label }, { signal }) => {
    if (label.kind === 'skip') return null;
    if (label.kind === 'throw') throw new Error('judge unavailable');
    if (label.kind === 'slow') {
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }
    return { value: dsrReward({ r: label.r, s: label.s }), details: { r: label.r, s: label.s } };
  },
});
const kinds = ['slow', 'ok', 'skip', 'throw', 'ok'] as const;
const labelOf = (kind: (typeof kinds)[number], index: number) => ({ kind, r: 0.01 * (index + 1), s: 0.5 });

const servers: RewardServer[] = [];
async function start(options: Partial<RewardServerOptions> = {}): Promise<{ server: RewardServer; url: string }> {
  const server = createRewardServer({
    reward: mixed,
    sampleTimeoutMs: 40,
    fallback: { value: -1, on: ['timeout', 'error'] },
    extraLogKeys: ['r', 's'],
    ...options,
  });
  servers.push(server);
  return { server, url: await server.listen({ port: 0, host: '127.0.0.1' }) };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('OpenRLHF with several reward URLs (--reward.remote_url A,B)', () => {
  it('answers the empty slice every URL after the first receives with an empty 200 in OpenRLHF shape', async () => {
    const { url } = await start();
    const response = await postJson(url, '/get_reward', { query: [], prompts: [], labels: [] });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      rewards: [],
      scores: [],
      extra_logs: { flagged: [], missing: [], r: [], s: [] },
    });
  });

  it('gives every sample its reward when the client splits one sample over two servers', async () => {
    const first = await start();
    const second = await start();
    const endpoints = [`${first.url}/get_reward`, `${second.url}/get_reward`];
    const prompt = '<|im_start|>user\nBuy or sell?<|im_end|>\n<|im_start|>assistant\n';
    const outputs = await Promise.all(
      kinds.map((kind, index) =>
        openrlhfScoreSample(endpoints, `${prompt}[[BUY]]<|im_end|>`, prompt, labelOf(kind, index)),
      ),
    );
    const ok = dsrReward({ r: 0.02, s: 0.5 });
    expect(outputs.map((output) => output.reward)).toEqual([[-1], [ok], [0], [-1], [dsrReward({ r: 0.05, s: 0.5 })]]);
    expect(outputs[1]?.scores).toEqual([ok]);
    // Every sample went to the first server; the second answered the empty slices.
    expect(first.server.metrics()).toContain('trade_r1_reward_requests_total{route="/get_reward",status="200"} 5');
    expect(second.server.metrics()).toContain('trade_r1_reward_requests_total{route="/get_reward",status="200"} 5');
    expect(second.server.metrics()).toMatch(/trade_r1_reward_samples_total 0\n/);
  }, 20_000);

  it('sends one key set for every sample, so OpenRLHF can batch info over timeouts, skips and errors', async () => {
    const { url, server } = await start();
    const outputs = await Promise.all(
      kinds.map((kind, index) => openrlhfScoreSample([`${url}/get_reward`], `p${index}`, 'p', labelOf(kind, index))),
    );
    const info = openrlhfCollateInfo(outputs);
    expect(Object.keys(info)).toEqual(['flagged', 'missing', 'r', 's']);
    expect(info.flagged).toEqual([1, 0, 0, 1, 0]);
    expect(info.missing).toEqual([0, 0, 1, 0, 0]);
    // Samples without a value (timeout, skip, error) get the fill (the missing value, 0), counted per key.
    expect(info.r).toEqual([0, 0.02, 0, 0, 0.05]);
    expect(server.metrics()).toContain('trade_r1_reward_log_fills_total{key="r"} 3');
  }, 20_000);

  it('can fill with NaN, written as the token Python json reads', async () => {
    const { url } = await start({ logFill: 'NaN' });
    const response = await postJson(url, '/get_reward', {
      query: ['p-a', 'p-b'],
      prompts: ['p', 'p'],
      labels: [labelOf('skip', 0), labelOf('ok', 1)],
    });
    expect(response.text).toContain('"r":[NaN,0.02]');
    // JSON.parse rejects NaN; read it as Python's json does.
    const parsed = JSON.parse(response.text.replace(/\bNaN\b/g, '"NaN"')) as { extra_logs: { s: unknown[] } };
    expect(parsed.extra_logs.s).toEqual(['NaN', 0.5]);
  });

  it('leaves out keys that are not declared and counts them, so answers never grow new keys', async () => {
    const warnings: string[] = [];
    const { url, server } = await start({ extraLogKeys: ['s'], onWarning: (warning) => warnings.push(warning.code) });
    const body = (
      await postJson(url, '/get_reward', { query: ['p-a'], prompts: ['p'], labels: [labelOf('ok', 0)] })
    ).json() as { extra_logs: Record<string, number[]> };
    expect(Object.keys(body.extra_logs)).toEqual(['flagged', 'missing', 's']);
    expect(server.metrics()).toContain('trade_r1_reward_log_keys_dropped_total{key="r"} 1');
    expect(warnings).toEqual(['UNDECLARED_LOG_KEY']);
  });
});

describe('OpenRLHF query whose prompt is not a prefix', () => {
  it('scores only the text after the assistant marker, or flags the sample without scoring it', async () => {
    const seen: string[] = [];
    const server = createRewardServer({
      rewardFn: (sample) => {
        seen.push(sample.response);
        return sample.response.includes('[[BUY]]') ? 1 : 0;
      },
      missingValue: -2,
    });
    servers.push(server);
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const prompt = '<|im_start|>user\nEvidence: [[BUY]] is what the analyst wrote.<|im_end|>\n<|im_start|>assistant\n';
    // Left-truncated: the query lost the start of the prompt, so the prompt is no prefix of it.
    const truncated = `${prompt.slice(20)}I would hold.<|im_end|>`;
    const noMarker = 'Evidence: [[BUY]] is what the analyst wrote. I would hold.';
    const response = await postJson(url, '/get_reward', {
      query: [truncated, noMarker],
      prompts: [prompt, 'Evidence: [[BUY]] is what the analyst wrote.\n'],
      labels: [null, null],
    });
    expect(response.json()).toEqual({
      rewards: [0, -2],
      scores: [0, -2],
      extra_logs: { flagged: [0, 1], missing: [0, 1] },
    });
    // The prompt's own "[[BUY]]" was never scored as the model's reasoning.
    expect(seen).toEqual(['I would hold.<|im_end|>']);
    expect(server.metrics()).toContain('trade_r1_reward_response_boundary_total{boundary="marker"} 1');
    expect(server.metrics()).toContain('trade_r1_reward_response_boundary_total{boundary="none"} 1');
  });
});

describe('veRL key sets', () => {
  it('gives every /slime answer the same keys, so veRL can build arrays from the first sample’s keys', async () => {
    const { url } = await start();
    const infos = await Promise.all(
      kinds.map(async (kind, index) => {
        const response = await postJson(url, '/slime', { prompt: 'p', response: 'r', label: labelOf(kind, index) });
        expect(response.status).toBe(200);
        const { error: _error, ...info } = response.json() as Record<string, unknown>;
        return info;
      }),
    );
    const columns = verlCollate(infos);
    expect(Object.keys(columns).sort()).toEqual(['flagged', 'missing', 'r', 's', 'score', 'status']);
    expect(columns.score).toEqual([-1, dsrReward({ r: 0.02, s: 0.5 }), 0, -1, dsrReward({ r: 0.05, s: 0.5 })]);
    expect(columns.status).toEqual(['timeout', 'ok', 'skipped', 'error', 'ok']);
  });
});

describe('slime /slime', () => {
  it('never answers a null score: a skipped reward gets the configured missing value, marked missing', async () => {
    const { url } = await start({ missingValue: -0.5 });
    const response = await postJson(url, '/slime', { prompt: 'p', response: 'r', label: labelOf('skip', 0) });
    expect(response.json()).toEqual({ score: -0.5, status: 'skipped', flagged: false, missing: 1, r: -0.5, s: -0.5 });
  });
});
