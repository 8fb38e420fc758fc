import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dsrReward } from '../src/index.ts';
import { postJson, send } from './http.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startCli(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@trade-r1/source', join(root, 'src', 'cli.ts'), ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRADE_R1_REWARD_TOKEN: '' },
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ child, url: out.trim().split('\n')[0] as string });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${err}`)));
  });
}

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

  it('fails with a clear message when the module has no reward export', async () => {
    await expect(
      startCli(['--reward', 'test/__fixtures__/reward-module.ts', '--export', 'missing', '--port', '0']),
    ).rejects.toThrow(/no export "missing"/);
  });
});
