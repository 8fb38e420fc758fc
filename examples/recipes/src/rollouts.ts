// G samples per prompt with log-probabilities from a local ONNX model, parsed into decisions, scored, and turned
// into GRPO advantages. The model here is a tiny random-weight LLaMA generated on the fly (no download), so its
// text is gibberish; point `model` at a real export (e.g. 'HuggingFaceTB/SmolLM2-135M-Instruct') for real output.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnnxPolicy, generateRollouts } from '@trade-r1/policy';
import { writeLlamaTestModel } from '@trade-r1/policy/testing';
import { decisionReward, formatReward, groupAdvantages } from '@trade-r1/reward';

const model = await mkdtemp(join(tmpdir(), 'tiny-llama-'));
await writeLlamaTestModel({ dir: model, seed: 1 });
const policy = await createOnnxPolicy({ model, device: 'auto' }); // CUDA when its provider loads, else CPU
console.log(policy.info().executionProvider);

const G = 4;
const { rollouts } = await generateRollouts({
  policy,
  prompts: [{ prompt: 'NVDA as of 2024-06-14. Decision:', metadata: { ticker: 'NVDA' } }],
  numSamples: G,
  maxNewTokens: 24,
  temperature: 1,
  seed: 42, // same seed, same samples
  parse: 'decision',
});
const group = rollouts[0] ?? [];
const rewards = group.map(
  (rollout) =>
    decisionReward({ completion: rollout.completion, truth: 'BUY', orientation: 'rows-predicted' }).reward +
    formatReward({ completion: rollout.completion }).reward,
);
const { advantages } = groupAdvantages({ rewards, groupSize: G });
// A random model never writes a parseable decision: every sample earns −1.5 and every advantage is 0 — GRPO has
// nothing to learn from a group until some of its samples parse. The log-probs are what a trainer's ratio needs.
group.forEach((rollout, index) => {
  const logprobs = rollout.metadata.logprobs as number[]; // processed log-probs: what a trainer's ratio needs
  const total = logprobs.reduce((sum, value) => sum + value, 0);
  console.log({
    decision: rollout.decision,
    tokens: logprobs.length,
    logprob: total,
    reward: rewards[index],
    advantage: advantages[index],
  });
});
await policy.close();
