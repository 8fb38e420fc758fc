/**
 * @trade-r1/verifier/testing — offline test models: BERT-shaped ONNX graphs with seeded random weights and the
 * real MiniLM tokenizer, loadable by transformers.js (feature extraction or text classification). Needs the
 * `onnx-proto` package.
 * @packageDocumentation
 */
export {
  type BuildEncoderModelOptions,
  type BuiltEncoderModel,
  buildEncoderModel,
  type ClassificationHead,
  findMiniLmTokenizerDir,
  MINILM_SHAPE,
  TOKENIZER_FILES,
} from './encoder-model.ts';
export { ONNX_FLOAT, ONNX_INT64, OnnxGraphBuilder } from './onnx-graph.ts';
