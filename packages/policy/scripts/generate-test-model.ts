/**
 * Write a random-weight LLaMA-architecture test model (ONNX + config + tokenizer) to a directory.
 *
 *   pnpm --filter @trade-r1/policy generate:model -- --out .generated/tiny
 *   pnpm --filter @trade-r1/policy generate:model -- --preset smollm2-135m --out .generated/smollm2-135m
 *
 * Options: --preset tiny|smollm2-135m, --out DIR, --seed N, --init-std X, --layers N, --hidden N, --vocab N,
 * --untied (separate lm_head). Never commit the output.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type LlamaTestModelOptions, SMOLLM2_135M_SHAPE, writeLlamaTestModel } from '../src/testing/index.ts';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'tiny' },
    out: { type: 'string' },
    seed: { type: 'string', default: '0' },
    'init-std': { type: 'string' },
    layers: { type: 'string' },
    hidden: { type: 'string' },
    vocab: { type: 'string' },
    untied: { type: 'boolean', default: false },
  },
});

const presets: Record<string, LlamaTestModelOptions> = {
  tiny: { initStd: 0.25 },
  'smollm2-135m': { ...SMOLLM2_135M_SHAPE },
};
const preset = presets[values.preset ?? 'tiny'];
if (!preset) {
  console.error(`Unknown preset ${values.preset}; use one of ${Object.keys(presets).join(', ')}`);
  process.exit(2);
}
const out = resolve(values.out ?? `.generated/${values.preset}`);
const options: LlamaTestModelOptions = {
  ...preset,
  seed: Number(values.seed),
  ...(values['init-std'] && { initStd: Number(values['init-std']) }),
  ...(values.layers && { numLayers: Number(values.layers) }),
  ...(values.hidden && { hiddenSize: Number(values.hidden) }),
  ...(values.vocab && { vocabSize: Number(values.vocab) }),
  ...(values.untied && { tieWordEmbeddings: false }),
};
const written = await writeLlamaTestModel({ dir: out, ...options });
console.log(
  JSON.stringify(
    { dir: written.dir, parameters: written.parameterCount, config: written.config, tokens: written.tokens },
    null,
    2,
  ),
);
