// The docs quote these recipes; running them here keeps every quoted line working.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const recipe = (name: string) => fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url));

async function runRecipe(name: string): Promise<string> {
  const { stdout } = await run(`${root}node_modules/.bin/tsx`, ['--conditions=@trade-r1/source', recipe(name)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    timeout: 120_000,
  });
  return stdout;
}

describe('recipes', () => {
  it('verify-reasoning: a grounded claim is supported, the scores are in [0, 1]', async () => {
    const output = await runRecipe('verify-reasoning');
    expect(output).toMatch(/^supported Apple grew quarterly revenue 2% to \$119\.6 billion/m);
    const s = Number(/\bs: ([\d.]+)/.exec(output)?.[1]);
    expect(s).toBeGreaterThan(0.5);
    expect(s).toBeLessThanOrEqual(1);
  });

  it('backtest-log: prints finite metrics beside SPY', async () => {
    const output = await runRecipe('backtest-log');
    for (const key of ['cumulativeReturn', 'sharpeRatio', 'maxDrawdown', 'hitRate', 'spy']) {
      expect(output).toMatch(new RegExp(`${key}: -?\\d`));
    }
  });

  it('reward-server: serves DSR(r, s) over HTTP with r = excess return net of costs', async () => {
    const output = await runRecipe('reward-server');
    expect(output).toContain('r: 0.066');
    const s = Number(/\bs: ([\d.]+)/.exec(output)?.[1]);
    const score = Number(/score: ([\d.]+)/.exec(output)?.[1]);
    expect(score).toBeCloseTo(0.066 * (0.5 + s), 6);
    expect(output).toContain('flagged: false');
  });

  it('rollouts: G seeded samples with log-probs from a generated ONNX model, the same on a second run', async () => {
    const first = await runRecipe('rollouts');
    expect(first.split('\n')[0]).toBe('cpu');
    const logprobs = [...first.matchAll(/logprob: (-[\d.]+)/g)].map((match) => Number(match[1]));
    expect(logprobs).toHaveLength(4);
    expect(logprobs.every((value) => Number.isFinite(value) && value < 0)).toBe(true);
    expect([...first.matchAll(/reward: (-?[\d.]+)/g)].map((match) => Number(match[1]))).toEqual([
      -1.5, -1.5, -1.5, -1.5,
    ]);
    expect(await runRecipe('rollouts')).toBe(first);
  });
});
