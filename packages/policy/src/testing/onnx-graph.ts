import { TradeR1Error } from '@trade-r1/core';
import { type OnnxProtoModule, onnx } from '../onnx-proto.ts';

/** ONNX element types used by the generators. */
export const ONNX_FLOAT = onnx.TensorProto.DataType.FLOAT;
/** ONNX float16 element type. */
export const ONNX_FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
/** ONNX int64 element type. */
export const ONNX_INT64 = onnx.TensorProto.DataType.INT64;
/** ONNX bool element type. */
export const ONNX_BOOL = onnx.TensorProto.DataType.BOOL;

type Dim = number | string;

/** A graph input or output declaration. */
export interface ValueDeclaration {
  name: string;
  elementType: number;
  dims: Dim[];
}

type AttributeValue = number | number[] | string | { ints: number[] } | { float: number };

/**
 * A minimal ONNX graph builder over onnx-proto (protobufjs): named nodes, float/int64 initializers stored as raw
 * little-endian bytes, and `toBytes()` producing a serialised ModelProto (IR 8, default-domain opset 14).
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxProtoModule.onnx.INodeProto[] = [];
  private readonly initializers: OnnxProtoModule.onnx.ITensorProto[] = [];
  private readonly inputs: ValueDeclaration[] = [];
  private readonly outputs: ValueDeclaration[] = [];
  private counter = 0;

  constructor(
    private readonly name: string,
    private readonly opset = 14,
  ) {}

  /** A fresh value name. */
  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Declare a graph input. */
  input(name: string, elementType: number, dims: Dim[]): string {
    this.inputs.push({ name, elementType, dims });
    return name;
  }

  /** Declare a graph output (the value `name` must be produced by a node). */
  output(name: string, elementType: number, dims: Dim[]): void {
    this.outputs.push({ name, elementType, dims });
  }

  /** Add a float32 initializer. */
  float(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({
      name,
      dataType: ONNX_FLOAT,
      dims,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** Add an int64 initializer (values must be safe integers). */
  int64(values: readonly number[], dims: number[] = [values.length], name = this.fresh('const')): string {
    const data = new BigInt64Array(values.map((value) => BigInt(value)));
    this.initializers.push({
      name,
      dataType: ONNX_INT64,
      dims,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number, name = this.fresh('scalar')): string {
    return this.float(name, new Float32Array([value]), []);
  }

  /** Add a node; returns its output names (`outputs` fresh names by default). */
  op(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    outputs: number | string[] = 1,
  ): string[] {
    const outputNames =
      typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    this.nodes.push({
      opType,
      input: inputs,
      output: outputNames,
      name: this.fresh(`node_${opType}`),
      attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
    });
    return outputNames;
  }

  /** Add a single-output node and return its output name. */
  one(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    return this.op(opType, inputs, attributes, output ? [output] : 1)[0] as string;
  }

  /** Serialise the model. */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: '@trade-r1/policy/testing',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: this.opset }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(toValueInfo),
        output: this.outputs.map(toValueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttribute(name: string, value: AttributeValue): OnnxProtoModule.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: value };
  if (typeof value === 'object' && 'ints' in value) return { name, type: types.INTS, ints: value.ints };
  if (typeof value === 'object' && 'float' in value) return { name, type: types.FLOAT, f: value.float };
  return { name, type: types.INT, i: value };
}

function toValueInfo(declaration: ValueDeclaration): OnnxProtoModule.onnx.IValueInfoProto {
  return {
    name: declaration.name,
    type: {
      tensorType: {
        elemType: declaration.elementType,
        shape: {
          dim: declaration.dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })),
        },
      },
    },
  };
}

/**
 * A fast seeded generator for weights (mulberry32 → Box–Muller). Test weights are not statistics, so speed wins
 * over core's `createRng` here; the stream is still fully determined by the seed.
 */
export function createWeightRng(seed: number): { normal(): number; uniform(): number } {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TradeR1Error('INVALID_INPUT', 'createWeightRng: seed must be a finite number', {
      details: { function: 'createWeightRng', field: 'seed' },
    });
  }
  let state = seed >>> 0 || 0x9e3779b9;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  let spare: number | undefined;
  return {
    uniform,
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u = Math.max(uniform(), 1e-12);
      const v = uniform();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}
