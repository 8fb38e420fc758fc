import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { dsrReward } from '../src/index.ts';
import { type CliProcess, startCli as startCliProcess, stopAll } from './cli-process.ts';
import { postJson, send } from './http.ts';

const children: ChildProcess[] = [];
afterEach(() => stopAll(children));

let current: CliProcess | undefined;
/** Start the CLI; `lastStderr()` reads what the latest one wrote on stderr so far. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<CliProcess> {
  current = undefined;
  current = await startCliProcess(args, env, children);
  return current;
}
const lastStderr = () => current?.stderr() ?? '';

describe('trade-r1-reward-server CLI', () => {
  it('serves a reward module, its group reward, and shuts down cleanly on SIGTERM', async () => {
    const { child, url } = await startCli([
      '--reward',
      'test/__fixtures__/reward-module.ts',
      '--port',
      '0',
      '--token',
      'tok',
    ]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const auth = { Authorization: 'Bearer tok' };
    const slime = await postJson(url, '/slime', { prompt: 'p', response: 'r', label: { r: -0.1, s: 0.5 } }, auth);
    expect(slime.status).toBe(200);
    expect((slime.json() as { score: number }).score).toBeCloseTo(dsrReward({ r: -0.1, s: 0.5 }), 12);
    const group = await postJson(url, '/group', { prompt: 'p', responses: ['a', 'bbb'] }, auth);
    expect((group.json() as { rewards: number[] }).rewards).toEqual([1, 3]);
    expect((await send(url, { method: 'GET', path: '/metrics' })).status).toBe(401);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);
  });

  it('fails only the sample whose reward code leaves a rejection unhandled; the process keeps serving', async () => {
    const { child, url } = await startCli(['--reward', 'test/__fixtures__/stray-module.ts', '--port', '0']);
    const stray = await postJson(url, '/slime', { prompt: 'p', response: 'r', label: 'stray' });
    expect(stray.status).toBe(500);
    expect((stray.json() as { error: { message: string } }).error.message).toContain(
      'unhandled rejection: judge socket reset',
    );
    const next = await postJson(url, '/slime', { prompt: 'p', response: 'abcd' });
    expect(next.json()).toMatchObject({ score: 4, missing: 0, length: 0 });
    expect(child.exitCode).toBeNull();
    const metrics = await send(url, { method: 'GET', path: '/metrics' });
    expect(metrics.text).toContain('trade_r1_reward_stray_rejections_total 1');
    expect(lastStderr()).toContain('TRADE_R1_STRAY_REJECTION');
  });

  it("a stray rejection fails its request and signals all of the request's abandoned work to stop", async () => {
    const { url } = await startCli([
      '--reward',
      'test/__fixtures__/cancel-module.ts',
      '--port',
      '0',
      '--max-concurrency',
      '2',
    ]);
    const count = async (label: 'started' | 'aborted') =>
      ((await postJson(url, '/slime', { prompt: 'p', response: 'r', label })).json() as { score: number }).score;
    // Two samples run (one waits on its signal, one strays), two wait for a slot behind them.
    const batch = await postJson(url, '/get_reward', {
      query: ['p a', 'p b', 'p c', 'p d'],
      prompts: ['p', 'p', 'p', 'p'],
      labels: ['hold', 'stray', 'hold', 'hold'],
    });
    expect(batch.status).toBe(500);
    expect((batch.json() as { error: { message: string } }).error.message).toContain(
      'sample 1: reward code left an unhandled rejection: judge socket reset',
    );
    // The running sibling and the stray sample itself saw their signal abort; the waiting two never started.
    expect(await count('started')).toBe(2);
    expect(await count('aborted')).toBe(2);
    const metrics = await send(url, { method: 'GET', path: '/metrics' });
    expect(metrics.text).toContain('trade_r1_reward_cancelled_samples_total 2');
    // A single sample (no siblings) that strays: the failed request still signals its work to stop.
    const single = await postJson(url, '/slime', { prompt: 'p', response: 'r', label: 'stray' });
    expect(single.status).toBe(500);
    expect(await count('started')).toBe(3);
    expect(await count('aborted')).toBe(3);
  });

  it('warns when it listens beyond loopback without a token, and takes the token from TRADE_R1_REWARD_TOKEN', async () => {
    const open = await startCli(['--reward', 'test/__fixtures__/reward-module.ts', '--port', '0', '--host', '0.0.0.0']);
    await waitForText(lastStderr, 'TRADE_R1_INSECURE_BIND');
    open.child.kill('SIGTERM');
    const guarded = await startCli(
      ['--reward', 'test/__fixtures__/reward-module.ts', '--port', '0', '--host', '0.0.0.0'],
      { TRADE_R1_REWARD_TOKEN: 'from-env' },
    );
    const port = new URL(guarded.url).port;
    const local = `http://127.0.0.1:${port}`;
    const body = { prompt: 'p', response: 'r', label: { r: 0.1, s: 0.5 } };
    expect((await postJson(local, '/slime', body)).status).toBe(401);
    expect((await postJson(local, '/slime', body, { Authorization: 'Bearer from-env' })).status).toBe(200);
    expect(lastStderr()).not.toContain('TRADE_R1_INSECURE_BIND');
  });

  it('fails with a clear message when the module has no reward export', async () => {
    await expect(
      startCli(['--reward', 'test/__fixtures__/reward-module.ts', '--export', 'missing', '--port', '0']),
    ).rejects.toThrow(/no export "missing"/);
  });
});

async function waitForText(read: () => string, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" not seen in time`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
