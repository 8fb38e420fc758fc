import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnx } from '../src/onnx-proto.ts';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { CACHE_GROWTH } from '../src/text/decode-cache.ts';
import { createOnnxPolicy, type OnnxTextPolicy } from '../src/text/onnx-policy.ts';
import { temporaryDirectory } from './helpers.ts';

// The same model decoded with the cache kept in place (new positions written into the policy's buffers, free
// slots masked) and with the whole present cache fetched every step.
let workspace: { dir: string; cleanup: () => Promise<void> };
let inPlace: OnnxTextPolicy;
let present: OnnxTextPolicy;
let half: OnnxTextPolicy;
let external: OnnxTextPolicy;

// Move the weights (initializers of 1 KiB or more) of a model file into `model.onnx_data` (the external data layout of exports over 2 GB).
async function toExternalData(modelPath: string): Promise<void> {
  const model = onnx.ModelProto.decode(await readFile(modelPath));
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    const raw = tensor.rawData as Uint8Array;
    // Small tensors stay inline, as exporters keep them (shape inference reads them).
    if (raw.length < 1024) continue;
    tensor.externalData = [
      { key: 'location', value: 'model.onnx_data' },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
    tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    tensor.rawData = new Uint8Array(0);
    chunks.push(raw);
    offset += raw.length;
  }
  await writeFile(`${modelPath}_data`, Buffer.concat(chunks));
  await writeFile(modelPath, onnx.ModelProto.encode(model).finish());
}

beforeAll(async () => {
  workspace = await temporaryDirectory();
  const written = await writeLlamaTestModel({ dir: join(workspace.dir, 'fp32'), initStd: 0.25, seed: 5 });
  inPlace = await createOnnxPolicy({ model: written.dir, device: 'cpu' });
  present = await createOnnxPolicy({ model: written.dir, device: 'cpu', kvCache: 'present' });
  const externalDir = join(workspace.dir, 'external');
  await cp(written.dir, externalDir, { recursive: true });
  await toExternalData(join(externalDir, 'onnx', 'model.onnx'));
  external = await createOnnxPolicy({ model: externalDir, device: 'cpu' });
  // The edited graph written beside it while loading is gone.
  expect((await readdir(join(externalDir, 'onnx'))).sort()).toEqual(['model.onnx', 'model.onnx_data']);
  const halfModel = await writeLlamaTestModel({
    dir: join(workspace.dir, 'fp16'),
    initStd: 0.25,
    seed: 5,
    ioDtype: 'float16',
  });
  half = await createOnnxPolicy({ model: halfModel.dir, device: 'cpu', dtype: 'fp16' });
});

afterAll(async () => {
  await inPlace?.close();
  await present?.close();
  await half?.close();
  await external?.close();
  await workspace?.cleanup();
});

describe('KV cache modes', () => {
  it('keep the cache in place where the graph allows, and say why not elsewhere', () => {
    expect(inPlace.info()).toMatchObject({ kvCache: 'in-place' });
    expect(inPlace.info().kvCacheReason).toBeUndefined();
    // Weights in an external data file stay there: the edited graph is loaded from a directory linking it.
    expect(external.info()).toMatchObject({ kvCache: 'in-place' });
    expect(external.info().kvCacheReason).toBeUndefined();
    expect(present.info()).toMatchObject({ kvCache: 'present', kvCacheReason: "kvCache: 'present' was requested" });
    // The fp16 interface casts the cache around the Concat, so its present outputs are not Concat(past, new).
    expect(half.info()).toMatchObject({
      kvCache: 'present',
      kvCacheReason: 'the present outputs are not Concat(past, new positions)',
    });
  });

  it('give the same samples and log-probs, across prompts of different lengths and cache growth', async () => {
    const tokens = 2 * CACHE_GROWTH + 11;
    const options = {
      prompts: ['The stock rose after earnings and the guidance was raised.', 'Decision:'],
      numSamples: 3,
      maxNewTokens: tokens,
      minNewTokens: tokens,
      temperature: 0.8,
      topK: 30,
      seed: 21,
    };
    const left = await inPlace.generate(options);
    const right = await present.generate(options);
    const fromExternal = await external.generate(options);
    expect(fromExternal.completions).toEqual(left.completions);
    let compared = 0;
    left.completions.flat().forEach((completion, index) => {
      const other = right.completions.flat()[index];
      expect(completion.tokenIds).toHaveLength(tokens);
      expect(completion.tokenIds).toEqual(other?.tokenIds);
      completion.modelLogprobs.forEach((value, position) => {
        expect(Math.abs((value as number) - (other?.modelLogprobs[position] as number))).toBeLessThan(1e-5);
        expect(
          Math.abs((completion.logprobs[position] as number) - (other?.logprobs[position] as number)),
        ).toBeLessThan(1e-5);
        compared += 1;
      });
    });
    expect(compared).toBe(2 * 3 * tokens);
  });

  it('rejects an unknown kvCache mode', async () => {
    await expect(
      createOnnxPolicy({ model: workspace.dir, device: 'cpu', kvCache: 'static' as unknown as 'auto' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
