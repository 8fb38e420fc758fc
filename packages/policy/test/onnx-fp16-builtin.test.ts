import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './helpers.ts';

// Where JavaScript has a Float16Array (Node ≥ 24), onnxruntime-common maps 'float16' to it: float16 input data given
// as a Uint16Array is re-wrapped as `new Float16Array(buffer, byteOffset, length)` and outputs arrive in it. This
// Node has none, so the test installs one before onnxruntime is first used (in this test file's own module graph).
// It is a Uint16Array subclass, because the native binding needs a real typed array: it exercises onnxruntime's
// Float16Array path and the policy's float16 handling end to end, while the element-reads-as-numbers half of the
// built-in is covered in src/text/sampling.test.ts. The real built-in (whose inputs the binding cannot read, see
// feedableHalf) runs in onnx-fp16-node24.test.ts under a Node 24 binary.
class PolyfillFloat16Array extends Uint16Array {}
const globals = globalThis as { Float16Array?: unknown };
const hadBuiltIn = globals.Float16Array !== undefined;
if (!hadBuiltIn) globals.Float16Array = PolyfillFloat16Array;

let workspace: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  workspace = await temporaryDirectory();
});

afterAll(async () => {
  if (!hadBuiltIn) delete globals.Float16Array;
  await workspace?.cleanup();
});

describe('fp16 models with a Float16Array in the runtime', () => {
  it('decode the same tokens as the fp32 model', async () => {
    const { writeLlamaTestModel } = await import('../src/testing/llama.ts');
    const { createOnnxPolicy } = await import('../src/text/onnx-policy.ts');
    const ort = (await import('onnxruntime-node')).default;
    const probe = new ort.Tensor('float16', new Uint16Array([0x3c00]), [1]);
    expect(hadBuiltIn || probe.data instanceof PolyfillFloat16Array).toBe(true);
    const shape = { initStd: 0.25, seed: 9 };
    const full = await writeLlamaTestModel({ dir: join(workspace.dir, 'fp32'), ...shape });
    const half = await writeLlamaTestModel({ dir: join(workspace.dir, 'fp16'), ...shape, ioDtype: 'float16' });
    const fp32 = await createOnnxPolicy({ model: full.dir, device: 'cpu' });
    const fp16 = await createOnnxPolicy({ model: half.dir, device: 'cpu', dtype: 'fp16' });
    const options = {
      prompts: ['The stock rose after earnings.', 'Decision:'],
      numSamples: 2,
      maxNewTokens: 10,
      seed: 4,
    };
    const a = await fp16.generate({ ...options, temperature: 0 });
    const b = await fp32.generate({ ...options, temperature: 0 });
    expect(a.completions.flat().map((completion) => completion.tokenIds)).toEqual(
      b.completions.flat().map((completion) => completion.tokenIds),
    );
    const worst = Math.max(
      ...a.completions
        .flat()
        .flatMap((completion, index) =>
          completion.modelLogprobs.map((value, position) =>
            Math.abs((value as number) - (b.completions.flat()[index]?.modelLogprobs[position] as number)),
          ),
        ),
    );
    expect(worst).toBeLessThan(0.02);
    await fp16.close();
    await fp32.close();
  });
});
