import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findNode24 } from '@trade-r1/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareFp16, type Decoded, type Fp16Comparison } from './fp16-comparison.ts';
import { temporaryDirectory } from './helpers.ts';

// fp16 models under a real Node 24 (built-in Float16Array: onnxruntime-common hands every float16 tensor over in
// one, and onnxruntime-node 1.30's binding reads a Float16Array input as 0 bytes), next to the same run in this
// Node. The binary comes from the npm registry through @trade-r1/node24 (see @trade-r1/testkit's findNode24).
const node24 = findNode24();
const inCi = process.env.CI === 'true';
// Only a platform the registry has no Node 24 binary for skips, and only outside CI; it says so.
const skip = !node24.found && !node24.published && !inCi;
if (!node24.found) {
  console.warn(`NO Node 24 run: ${node24.reason}${skip ? ' — skipping the Node 24 fp16 test' : ''}`);
}
const policyDir = resolve(fileURLToPath(import.meta.url), '../..');
const TOLERANCE = 0.02;

let workspace: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  workspace = await temporaryDirectory();
});

afterAll(async () => {
  await workspace?.cleanup();
});

function worstDifference(left: number[][], right: number[][]): number {
  let worst = 0;
  left.forEach((row, index) => {
    row.forEach((value, position) => {
      worst = Math.max(worst, Math.abs(value - (right[index]?.[position] ?? Number.NaN)));
    });
  });
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
}

function expectSameDecode(actual: Decoded, expected: Decoded, tolerance: number): void {
  expect(actual.tokenIds).toEqual(expected.tokenIds);
  expect(worstDifference(actual.logprobs, expected.logprobs)).toBeLessThan(tolerance);
  expect(worstDifference(actual.modelLogprobs, expected.modelLogprobs)).toBeLessThan(tolerance);
}

describe('fp16 models under a real Node 24', () => {
  it.skipIf(skip)(
    'decode like the fp32 model, and like fp16 on this Node, with the built-in Float16Array',
    async () => {
      if (!node24.found) throw new Error(`Node 24 is required here: ${node24.reason}`);
      const script = join(policyDir, 'test', 'fp16-comparison.ts');
      const { stdout } = await promisify(execFile)(
        node24.path,
        ['--conditions=@trade-r1/source', '--import', 'tsx', script, join(workspace.dir, 'node24')],
        { cwd: policyDir, timeout: 50_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const there = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Fp16Comparison;
      console.info(
        `fp16 under Node ${there.node}: onnxruntime returned ${there.outputData.logits}, worst logit ${there.worstLogit}`,
      );

      // The Node 24 path really ran: a built-in Float16Array, and onnxruntime's float16 outputs arrived in it.
      expect(there.node).toBe(node24.version);
      expect(there.builtInFloat16Array).toBe(true);
      expect(there.outputData).toEqual({ logits: 'Float16Array', present: 'Float16Array' });

      // Under Node 24, fp16 equals fp32 within fp16 rounding: logits, greedy and seeded decodes (each fp16 step
      // feeds the float16 cache back in), and score().
      expect(there.worstLogit).toBeLessThan(TOLERANCE);
      for (const half of [there.fp16, there.fp16Present]) {
        expectSameDecode(half.greedy, there.fp32.greedy, TOLERANCE);
        expectSameDecode(half.seeded, there.fp32.seeded, TOLERANCE);
        expect(Math.abs(half.scored - there.fp32.scored)).toBeLessThan(TOLERANCE);
      }
      expect(there.fp16.greedy.tokenIds.flat().length).toBe(4 * 8);

      // This Node (no built-in Float16Array, bits in a Uint16Array) gives the same fp16 results.
      const here = await compareFp16(join(workspace.dir, 'here'));
      expect(here.builtInFloat16Array).toBe(Number(process.versions.node.split('.')[0]) >= 24);
      if (!here.builtInFloat16Array) expect(here.outputData).toEqual({ logits: 'Uint16Array', present: 'Uint16Array' });
      expect(here.worstLogit).toBe(there.worstLogit);
      for (const key of ['fp16', 'fp16Present', 'fp32'] as const) {
        expectSameDecode(there[key].greedy, here[key].greedy, 1e-9);
        expectSameDecode(there[key].seeded, here[key].seeded, 1e-9);
        expect(there[key].scored).toBe(here[key].scored);
      }
    },
  );
});
