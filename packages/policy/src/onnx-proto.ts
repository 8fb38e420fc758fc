import { createRequire } from 'node:module';
import type * as OnnxProtoModule from 'onnx-proto';

// onnx-proto is protobufjs-generated CommonJS that reads `util.Long` at load time. Some loaders (vitest, bundlers)
// hand protobufjs an ES-module wrapper of `long` without `fromBits`, which crashes the load; int64 values work as
// plain numbers without Long, so drop a broken Long before onnx-proto loads. Node's own require keeps one instance.
const requireHere = createRequire(import.meta.url);
const onnxProtoPath = requireHere.resolve('onnx-proto');
const protobuf = createRequire(onnxProtoPath)('protobufjs/minimal') as {
  util: { Long?: { fromBits?: unknown } | null };
  configure(): void;
};
if (protobuf.util.Long && typeof protobuf.util.Long.fromBits !== 'function') {
  protobuf.util.Long = null;
  protobuf.configure();
}

/** The ONNX protobuf messages (onnx-proto), loaded once for the model generators and the graph reader. */
export const { onnx } = requireHere(onnxProtoPath) as typeof OnnxProtoModule;
/** The onnx-proto module type (for `OnnxProto.onnx.INodeProto` and friends). */
export type { OnnxProtoModule };
