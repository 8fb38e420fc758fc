import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRewardServer, defineReward, dsrReward, type RewardServer, rewardSampleSchema } from '../src/index.ts';
import { deferred, postJson } from './http.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TOKEN = 'shim-token';

// Label carries r and s directly; a null label means "not applicable" (null reward).
const reward = defineReward({
  name: 'dsr',
  input: rewardSampleSchema.extend({ label: z.object({ r: z.number(), s: z.number() }).nullable().optional() }),
  compute: ({ label }) => (label ? { value: dsrReward(label), details: { r: label.r, s: label.s } } : null),
});

let server: RewardServer;
let url: string;
beforeAll(async () => {
  server = createRewardServer({ reward, token: TOKEN, extraLogKeys: ['r', 's'] });
  url = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
});

function runPython(target = url, mode = 'all'): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      [join(here, '__fixtures__', 'check_shim.py'), target, TOKEN, mode],
      {
        env: { ...process.env, PYTHONPATH: join(here, '..', 'python'), PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`python3 failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Record<string, unknown>);
      },
    );
  });
}

describe('python shim (trade_r1_reward.py) against a live server', () => {
  it('calls every endpoint and wraps TRL and veRL correctly', async () => {
    const out = await runPython();
    expect(out.health).toMatchObject({ status: 'ok' });
    const getReward = out.get_reward as { rewards: number[]; extra_logs: Record<string, number[]> };
    expect(getReward.rewards[0]).toBeCloseTo(dsrReward({ r: 0.1, s: 0.5 }), 12);
    expect(getReward.rewards[1]).toBeCloseTo(dsrReward({ r: -0.1, s: 0.2 }), 12);
    expect(getReward.extra_logs.s).toEqual([0.5, 0.2]);
    expect(out.score).toMatchObject({ score: dsrReward({ r: 0.2, s: 1 }), r: 0.2, s: 1, flagged: false });
    const group = out.group as { rewards: number[]; advantages: number[] };
    expect(group.rewards).toHaveLength(4);
    expect(group.advantages).toEqual([0, 0, 0, 0]);

    expect(out.trl_name).toBe('trade_r1_reward');
    const trl = out.trl as (number | null)[];
    expect(trl[0]).toBeCloseTo(dsrReward({ r: 0.1, s: 1 }), 12);
    expect(trl[1]).toBeCloseTo(dsrReward({ r: -0.2, s: 0 }), 12);
    expect(trl[2]).toBeNull();
    const extras = out.trl_extras as Record<string, (number | null)[]>;
    expect(extras['trade_r1_reward/missing']).toEqual([0, 0, 1]);
    // The last sample went alone (batch_size=2) and had no reward: its chunk still has the 's' column (one key set
    // for every answer), filled with the missing value.
    expect(extras['trade_r1_reward/s']).toEqual([1, 0, 0]);
    expect(out.trl_metrics).toEqual({ 'trade_r1_reward/flagged_fraction': 0, 'trade_r1_reward/failed_fraction': 0 });

    expect(out.verl).toEqual({ score: dsrReward({ r: -0.1, s: 0.5 }), r: -0.1, s: 0.5, missing: 0, flagged: 0 });
    // Per-sample and batch veRL paths: one key set whatever the outcome, so veRL's collation works.
    const collated = out.verl_collated as Record<string, number[]>;
    expect(Object.keys(collated).sort()).toEqual(['flagged', 'missing', 'r', 's', 'score']);
    expect(collated.missing).toEqual([1, 0]);
    expect(collated.score).toEqual([0, dsrReward({ r: 0.3, s: 0.5 })]);
    const batch = out.verl_batch as Record<string, number[]>;
    expect(Object.keys(batch).sort()).toEqual(['flagged', 'missing', 'r', 's', 'score']);
    expect(batch.score).toEqual([0, dsrReward({ r: 0.1, s: 1 }), dsrReward({ r: -0.1, s: 0 })]);
    expect(batch.missing).toEqual([1, 0, 0]);
    // slime --custom-rm-path: one sample through /slime; a list (--group-rm) through /group per prompt, in order.
    const slime = out.slime as { single: number; group: number[]; inplace: number[] };
    expect(slime.single).toBeCloseTo(dsrReward({ r: 0.2, s: 1 }), 12);
    const expected = [dsrReward({ r: 0.1, s: 0.5 }), dsrReward({ r: -0.1, s: 0.5 }), -0.5, dsrReward({ r: 0.1, s: 1 })];
    slime.group.forEach((reward, index) => {
      expect(reward).toBeCloseTo(expected[index] as number, 12);
    });
    expect(slime.inplace).toEqual(slime.group);
    // /group: client.group, the two prompts of the slime group, and the hooks' slime call.
    expect(server.metrics()).toContain('trade_r1_reward_requests_total{route="/group",status="200"} 4');
    // python/trainer_hooks.py (quoted in docs/rewards.md): every hook scores the same sample alike.
    const one = dsrReward({ r: 0.1, s: 1 });
    const hooks = out.hooks as { trl: number[]; verl: number; verl_batch: number[]; slime: number[] };
    for (const value of [hooks.trl[0], hooks.verl, hooks.verl_batch[0], hooks.slime[0]])
      expect(value).toBeCloseTo(one, 12);
    expect(out.bad_input).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(out.auth).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(String(out.unreachable)).toContain('unreachable');
    expect(out.trl_unreachable).toEqual([null]);
  });

  it('retries through 503 (overloaded) and succeeds once the server has capacity', async () => {
    const hold = deferred();
    const busy = createRewardServer({
      rewardFn: async (sample) => {
        if (sample.response === 'hold') await hold.promise;
        return 1;
      },
      token: TOKEN,
      maxConcurrency: 1,
      maxQueue: 0,
    });
    const busyUrl = await busy.listen({ port: 0, host: '127.0.0.1' });
    try {
      const blocker = postJson(
        busyUrl,
        '/slime',
        { prompt: 'p', response: 'hold' },
        { Authorization: `Bearer ${TOKEN}` },
      );
      const python = runPython(busyUrl, 'retry');
      await waitFor(() => busy.metrics().includes('trade_r1_reward_rejected_total{reason="overloaded"}'));
      hold.resolve();
      expect((await blocker).status).toBe(200);
      expect(await python).toMatchObject({ score: { score: 1, flagged: false } });
    } finally {
      await busy.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
