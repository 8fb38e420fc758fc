import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dsrReward } from '../src/index.ts';
import { PACKAGE_ROOT, startCli, stopAll } from './cli-process.ts';
import { postJson, send } from './http.ts';

// `trade-r1-reward-server --workers N` over real HTTP, with the worker-pool fixture reward (its label says what a
// sample does: spin, wait for a file, spin forever).
const MODULE = 'src/server/__fixtures__/pool-reward.ts';
const children: ChildProcess[] = [];
afterEach(() => stopAll(children));
const scratch = mkdtempSync(join(tmpdir(), 'trade-r1-cli-workers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** One Prometheus sample value from `/metrics` (`name` with its labels, exactly as rendered). */
async function metric(url: string, name: string): Promise<number> {
  const text = (await send(url, { method: 'GET', path: '/metrics' })).text;
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no metric ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
}

/** Poll `/metrics` until `check` holds (bounded by the test's timeout, not by a clock assertion). */
async function until(url: string, check: (read: (name: string) => Promise<number>) => Promise<boolean>) {
  while (!(await check((name) => metric(url, name)))) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** slime `--group-rm` + `--custom-rm-path trade_r1_reward.slime_rm`: the group's rewards, as slime receives them. */
function slimeGroupRm(url: string, labels: unknown[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      [join(PACKAGE_ROOT, 'test', '__fixtures__', 'slime_group_rm.py'), url, JSON.stringify(labels)],
      { env: { ...process.env, PYTHONPATH: join(PACKAGE_ROOT, 'python'), PYTHONDONTWRITEBYTECODE: '1' } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`python3 failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as number[]);
      },
    );
  });
}

describe('trade-r1-reward-server --workers', () => {
  it('/metrics reports the pool: threads, busy threads, its queue and outcomes; the server admits what the pool can run', async () => {
    const { url } = await startCli(
      [
        '--reward',
        MODULE,
        '--workers',
        '2',
        '--port',
        '0',
        '--sample-timeout-ms',
        '60000',
        '--extra-log-keys',
        'thread',
      ],
      {},
      children,
    );
    expect(await metric(url, 'trade_r1_reward_pool_workers')).toBe(2);
    expect(await metric(url, 'trade_r1_reward_pool_ready_workers')).toBe(2);
    expect(await metric(url, 'trade_r1_reward_pool_busy_workers')).toBe(0);
    const gate = join(scratch, 'release');
    const label = { r: 0.02, s: 0.5, untilFile: gate };
    const group = postJson(url, '/group', { prompt: 'p', responses: ['a', 'b', 'c'], label });
    // Two samples hold both threads; the third waits in the server's admission queue (the pool's capacity is 2),
    // not in the pool, so its time limit has not started.
    await until(
      url,
      async (read) =>
        (await read('trade_r1_reward_pool_busy_workers')) === 2 && (await read('trade_r1_reward_queued')) === 1,
    );
    expect(await metric(url, 'trade_r1_reward_pool_running_samples')).toBe(2);
    expect(await metric(url, 'trade_r1_reward_pool_queued_samples')).toBe(0);
    expect(await metric(url, 'trade_r1_reward_active_samples')).toBe(2);
    writeFileSync(gate, '');
    const answer = await group;
    expect(answer.status).toBe(200);
    const body = answer.json() as { rewards: number[]; extra_logs: { thread: number[] } };
    for (const reward of body.rewards) expect(reward).toBeCloseTo(dsrReward({ r: 0.02, s: 0.5 }), 12);
    // Scored sample by sample in the pool: both threads took part, none in the server's thread (threadId 0).
    expect(new Set(body.extra_logs.thread).size).toBe(2);
    expect(body.extra_logs.thread).not.toContain(0);
    expect(await metric(url, 'trade_r1_reward_pool_samples_total{outcome="completed"}')).toBe(3);
    expect(await metric(url, 'trade_r1_reward_pool_busy_workers')).toBe(0);
    expect(await metric(url, 'trade_r1_reward_pool_restarts_total')).toBe(0);
  }, 60_000);

  it('slime --group-rm: each sample of the group runs in the pool under its own time limit; a stuck one gets the fallback and its thread is replaced', async () => {
    const { url } = await startCli(
      ['--reward', MODULE, '--workers', '2', '--port', '0', '--sample-timeout-ms', '1500', '--fallback=-1'],
      {},
      children,
    );
    // One sample spins forever; seven take 400 ms each. On one free thread the seven take 2.8 s in all, longer than
    // the 1.5 s limit: only a limit per sample (started when a thread is free for it) lets all seven finish.
    const labels = [
      { r: 0.02, s: 0.5, forever: true },
      ...Array.from({ length: 7 }, (_, index) => ({ r: 0.01 * (index + 1), s: 0.5, spinMs: 400 })),
    ];
    const rewards = await slimeGroupRm(url, labels);
    expect(rewards).toHaveLength(8);
    expect(rewards[0]).toBe(-1);
    rewards.slice(1).forEach((reward, index) => {
      expect(reward).toBeCloseTo(dsrReward({ r: 0.01 * (index + 1), s: 0.5 }), 12);
    });
    expect(await metric(url, 'trade_r1_reward_requests_total{route="/group",status="200"}')).toBe(1);
    // The stuck sample's thread was terminated (its CPU work could not see the signal) and a new one started.
    await until(
      url,
      async (read) =>
        (await read('trade_r1_reward_pool_restarts_total')) === 1 &&
        (await read('trade_r1_reward_pool_ready_workers')) === 2,
    );
    expect(await metric(url, 'trade_r1_reward_pool_abandoned_samples_total{how="terminated"}')).toBe(1);
    expect(await metric(url, 'trade_r1_reward_pool_samples_total{outcome="timed_out"}')).toBe(1);
    expect(await metric(url, 'trade_r1_reward_pool_samples_total{outcome="completed"}')).toBe(7);
    expect(await metric(url, 'trade_r1_reward_timeouts_total{kind="sample"}')).toBe(1);
    expect(await metric(url, 'trade_r1_reward_fallbacks_total')).toBe(1);
  }, 60_000);
});
