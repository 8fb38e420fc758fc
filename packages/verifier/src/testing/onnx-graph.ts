import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';

/**
 * Load `onnx-proto` (CommonJS, protobufjs). protobufjs finds the `long` package through a dynamic require; some
 * loaders (vite/vitest) hand it an ES-module namespace `{ default: Long }` instead of the class, which breaks int64
 * fields. Repair that before `onnx-proto` builds its message classes.
 */
function loadOnnxProto(): typeof OnnxNamespace {
  const require = createRequire(import.meta.url);
  const fromOnnxProto = createRequire(require.resolve('onnx-proto'));
  const protobuf = fromOnnxProto('protobufjs/minimal') as {
    util: { Long?: unknown };
    configure(): void;
  };
  const long = protobuf.util.Long as { fromBits?: unknown; default?: { fromBits?: unknown } } | undefined;
  if (long && typeof long.fromBits !== 'function' && typeof long.default?.fromBits === 'function') {
    protobuf.util.Long = long.default;
    protobuf.configure();
  }
  return (fromOnnxProto('onnx-proto') as { onnx: typeof OnnxNamespace }).onnx;
}

const onnx = loadOnnxProto();

/** ONNX tensor element types used by the builders. */
export const ONNX_FLOAT = onnx.TensorProto.DataType.FLOAT;
/** ONNX int64 element type. */
export const ONNX_INT64 = onnx.TensorProto.DataType.INT64;

/** An attribute value: a number (int or float by `kind`), a list of ints, or a string. */
type AttributeValue = { int: number } | { float: number } | { ints: number[] } | { string: string };

/**
 * A tiny helper that assembles an ONNX graph node by node and encodes it with `onnx-proto` (protobufjs). Tensor
 * names are generated (`t0`, `t1`, …) unless given. Only what the test-model builders need.
 */
export class OnnxGraphBuilder {
  readonly #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly #initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  readonly #inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  readonly #outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  #counter = 0;
  /** Number of float parameters added through {@link OnnxGraphBuilder.floatTensor}. */
  parameterCount = 0;

  /** A fresh tensor name. */
  name(prefix = 't'): string {
    this.#counter += 1;
    return `${prefix}${this.#counter}`;
  }

  /** Declare a graph input; dimensions are numbers or symbolic names (`'batch'`). */
  input(name: string, elementType: number, dims: ReadonlyArray<number | string>): string {
    this.#inputs.push(valueInfo(name, elementType, dims));
    return name;
  }

  /** Declare a graph output. */
  output(name: string, elementType: number, dims: ReadonlyArray<number | string>): void {
    this.#outputs.push(valueInfo(name, elementType, dims));
  }

  /** A float32 initializer. */
  floatTensor(dims: readonly number[], values: Float32Array, name = this.name('w')): string {
    this.parameterCount += values.length;
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: ONNX_FLOAT,
        rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      }),
    );
    return name;
  }

  /** An int64 initializer (scalars with `dims = []`). */
  int64Tensor(dims: readonly number[], values: readonly number[], name = this.name('c')): string {
    const data = BigInt64Array.from(values, (value) => BigInt(value));
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [...dims],
        dataType: ONNX_INT64,
        rawData: new Uint8Array(data.buffer),
      }),
    );
    return name;
  }

  /** A float32 scalar constant. */
  floatScalar(value: number): string {
    const name = this.name('s');
    this.#initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [],
        dataType: ONNX_FLOAT,
        rawData: new Uint8Array(Float32Array.of(value).buffer),
      }),
    );
    return name;
  }

  /** Add a node; returns its output name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    output?: string,
  ): string {
    const result = output ?? this.name(opType.toLowerCase());
    this.#nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: [result],
        name: this.name(`${opType}_`),
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return result;
  }

  /** Encode the model (IR version 8, default opset `opset`). */
  encode(options: { graphName: string; opset?: number; producer?: string }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: options.producer ?? '@trade-r1/verifier/testing',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: options.opset ?? 17 })],
      graph: onnx.GraphProto.create({
        name: options.graphName,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(
  name: string,
  elementType: number,
  dims: ReadonlyArray<number | string>,
): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: elementType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((dim) =>
            typeof dim === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: dim })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: dim }),
          ),
        }),
      }),
    }),
  });
}

function attribute(name: string, value: AttributeValue): InstanceType<typeof onnx.AttributeProto> {
  const { AttributeType } = onnx.AttributeProto;
  if ('int' in value) return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value.int });
  if ('float' in value) return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value.float });
  if ('ints' in value) return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: value.ints });
  return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) });
}
