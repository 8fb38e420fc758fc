import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dsrReward } from '../semantic-gate.ts';
import { type RewardCluster, startRewardCluster } from './cluster.ts';

const MODULE = fileURLToPath(new URL('./__fixtures__/pid-reward.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

/** The fields the tests read from /slime and /get_reward answers. */
interface Answer {
  status: number;
  json: { score: number; pid: number; thread: number; rewards: number[]; extra_logs: Record<string, number[]> };
}

/** POST JSON through `agent` (keep-alive pool) and parse the answer. */
function post(url: string, path: string, body: unknown, agent: Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      new URL(path, url),
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Run `total` calls with at most `concurrency` in flight. */
async function run<T>(total: number, concurrency: number, call: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        results[index] = await call(index);
      }
    }),
  );
  return results;
}

const label = (index: number) => ({ r: ((index % 7) - 3) / 100, s: (index % 5) / 4 });

describe('startRewardCluster: two reward-server processes behind one address', () => {
  let serving: RewardCluster;
  beforeAll(async () => {
    serving = await startRewardCluster({
      processes: 2,
      args: ['--reward', MODULE, '--extra-log-keys', 'pid,thread'],
      stderr: () => {},
    });
  }, 120_000);
  afterAll(() => serving?.close());

  it('serves a slime-shaped client (one pooled keep-alive session of 64 connections) from both processes', async () => {
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(serving.pids()).toHaveLength(2);
    // slime's remote_rm: one shared aiohttp session (64 connections), body { prompt, response, label } per sample.
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const answers = await run(256, 64, (index) =>
      post(serving.url, '/slime', { prompt: `p${index}`, response: `r${index}`, label: label(index) }, agent),
    );
    agent.destroy();
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.json.score).toBeCloseTo(dsrReward(label(index)), 12);
    });
    const pids = new Set(answers.map((answer) => answer.json.pid));
    expect([...pids].sort()).toEqual([...serving.pids()].sort());
  });

  it('serves an OpenRLHF-shaped client (one sample per call, a new connection each) from both processes', async () => {
    const answers = await run(64, 16, (index) =>
      post(
        serving.url,
        '/get_reward',
        { query: [`p${index}r`], prompts: [`p${index}`], labels: [label(index)] },
        false,
      ),
    );
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.json.rewards[0]).toBeCloseTo(dsrReward(label(index)), 12);
    });
    expect(new Set(answers.map((answer) => answer.json.extra_logs.pid?.[0])).size).toBe(2);
  });

  it('restarts a process that dies, on the same address', async () => {
    const [victim] = serving.pids();
    process.kill(victim as number, 'SIGKILL');
    const until = Date.now() + 60_000;
    while ((serving.restarts < 1 || serving.pids().length < 2) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(serving.restarts).toBe(1);
    expect(serving.pids()).not.toContain(victim);
    // Wait until the new process listens, then it serves too.
    const seen = new Set<number>();
    while (seen.size < 2 && Date.now() < until) {
      const answers = await run(16, 8, (index) =>
        post(serving.url, '/slime', { prompt: 'p', response: 'r', label: label(index) }, false),
      );
      for (const answer of answers) if (answer.status === 200) seen.add(answer.json.pid);
    }
    expect([...seen].sort()).toEqual([...serving.pids()].sort());
  }, 90_000);
});

describe('startRewardCluster options and the CLI', () => {
  it('rejects port/host inside args and misspelled options', async () => {
    for (const options of [{ args: ['--reward', MODULE, '--port', '1'] }, { args: [], process: 2 }, {}]) {
      const error = await startRewardCluster(options as never).catch((thrown: unknown) => thrown);
      expect(isTradeR1Error(error, 'INVALID_CONFIG')).toBe(true);
    }
  });

  it('fails with the process’s stderr when the servers cannot start', async () => {
    const error = await startRewardCluster({
      processes: 2,
      args: ['--reward', '/nonexistent/reward.mjs'],
      stderr: () => {},
      restart: false,
    }).catch((thrown: unknown) => thrown);
    expect(isTradeR1Error(error, 'INTERNAL')).toBe(true);
    expect(String((error as Error).message)).toContain('/nonexistent/reward.mjs');
  }, 60_000);

  it('trade-r1-reward-server --processes 2 --workers 1 serves on one URL and stops on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@trade-r1/source',
        CLI,
        '--reward',
        MODULE,
        '--port',
        '0',
        '--extra-log-keys',
        'pid,thread',
      ].concat(['--processes', '2', '--workers', '1']),
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim().split('\n')[0] as string);
        });
        child.stderr?.on('data', (chunk: Buffer) => {
          err += chunk.toString();
        });
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${err}`)));
      });
      const answers = await run(32, 8, (index) =>
        post(url, '/slime', { prompt: 'p', response: 'r', label: label(index) }, false),
      );
      for (const answer of answers) expect(answer.status).toBe(200);
      // Two processes, each scoring in a worker thread (threadId > 0), not its main thread.
      expect(new Set(answers.map((answer) => answer.json.pid)).size).toBe(2);
      for (const answer of answers) expect(answer.json.thread).toBeGreaterThan(0);
      const code = await new Promise<number | null>((resolve) => {
        child.once('exit', (exitCode) => resolve(exitCode));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
