/**
 * @trade-r1/policy/testing — generators of tiny random-weight ONNX models (a LLaMA-architecture decoder with the
 * exact KV-cache layout transformers.js expects, its byte-level BPE tokenizer, a FLAG-Trader action head), so the
 * full policy path runs in CI without downloading weights. Also emits the SmolLM2-135M shape for benchmarks.
 * @packageDocumentation
 */
export {
  type ActionHeadModelOptions,
  actionHeadModelOptionsSchema,
  buildActionHeadModel,
  writeActionHeadModel,
} from './action-head.ts';
export {
  buildLlamaTestModel,
  type LlamaTestModel,
  type LlamaTestModelConfig,
  type LlamaTestModelOptions,
  llamaTestModelOptionsSchema,
  resolveLlamaTestModelOptions,
  SMOLLM2_135M_SHAPE,
  type WriteLlamaTestModelOptions,
  type WrittenLlamaTestModel,
  writeLlamaTestModel,
} from './llama.ts';
export { createWeightRng, OnnxGraphBuilder } from './onnx-graph.ts';
export {
  bytesToUnicode,
  createTestTokenizer,
  TEST_SPECIAL_TOKENS,
  type TestTokenizerFiles,
  type TestTokenizerOptions,
} from './tokenizer.ts';
