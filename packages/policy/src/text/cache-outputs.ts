import { onnx } from '../onnx-proto.ts';

/** A KV-cache input and the output that returns it grown by the new positions. */
export interface CachePair {
  /** Graph input, e.g. `past_key_values.0.key`. */
  input: string;
  /** Graph output, e.g. `present.0.key`. */
  output: string;
}

/** What {@link exposeNewCachePositions} changed. */
export interface NewPositionOutputs {
  /** The model with the extra graph outputs (a new buffer; the input is not modified). */
  bytes: Uint8Array;
  /** For each present output, the graph output that holds only the new positions ([batch, kvHeads, seq, headDim]). */
  outputs: Map<string, string>;
}

// Protobuf wire format: a field key is (number << 3 | wire type); 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
function readVarint(bytes: Uint8Array, start: number): { value: number; end: number } {
  let value = 0;
  let scale = 1;
  let offset = start;
  for (;;) {
    if (offset >= bytes.length || scale > 2 ** 49) throw new RangeError('truncated or oversized varint');
    const byte = bytes[offset] as number;
    offset += 1;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, end: offset };
    scale *= 128;
  }
}

function writeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

interface Field {
  number: number;
  /** Offset of the field key. */
  start: number;
  /** Payload of a length-delimited field. */
  payloadStart: number;
  end: number;
}

// The top-level fields of a message, without decoding their payloads.
function fields(bytes: Uint8Array, from: number, to: number): Field[] {
  const found: Field[] = [];
  let offset = from;
  while (offset < to) {
    const start = offset;
    const key = readVarint(bytes, offset);
    const number = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    offset = key.end;
    let payloadStart = offset;
    if (wireType === 0) offset = readVarint(bytes, offset).end;
    else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else if (wireType === 2) {
      const length = readVarint(bytes, offset);
      payloadStart = length.end;
      offset = length.end + length.value;
    } else throw new RangeError(`unsupported protobuf wire type ${wireType}`);
    if (offset > to) throw new RangeError('truncated protobuf field');
    found.push({ number, start, payloadStart, end: offset });
  }
  return found;
}

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;

/**
 * Add graph outputs for the new positions of every KV-cache entry of a decoder in the Optimum export layout, where
 * `present.{i}.*` is `Concat(past_key_values.{i}.*, new, axis = 2)`: the `new` operand becomes an output too.
 *
 * Why: onnxruntime-node copies every fetched output into a fresh JavaScript buffer, pre-allocated ones included, so
 * fetching `present.*` costs a copy (and an allocation) of the whole cache every decode step. With the new positions
 * as outputs, a step fetches `batch × kvHeads × headDim` numbers per entry and the caller appends them to its own
 * cache. The graph computes exactly what it computed before (same nodes, same inputs), only more of it is returned.
 *
 * The model is read at the protobuf wire level: only node and output entries are decoded, initializers (the
 * weights) are copied as bytes. Returns `undefined` when some entry is not such a Concat (a merged decoder's `If`,
 * GroupQueryAttention, casts around the cache) — the caller then fetches `present.*` as before.
 */
export function exposeNewCachePositions(
  model: Uint8Array,
  cache: readonly CachePair[],
): NewPositionOutputs | undefined {
  let top: Field[];
  try {
    top = fields(model, 0, model.length);
  } catch {
    return undefined;
  }
  const graphs = top.filter((field) => field.number === MODEL_GRAPH);
  if (graphs.length !== 1 || cache.length === 0) return undefined;
  const graph = graphs[0] as Field;
  let graphFields: Field[];
  try {
    graphFields = fields(model, graph.payloadStart, graph.end);
  } catch {
    return undefined;
  }
  const producers = new Map<string, ReturnType<typeof onnx.NodeProto.decode>>();
  const outputTypes = new Map<string, ReturnType<typeof onnx.ValueInfoProto.decode>>();
  for (const field of graphFields) {
    const payload = model.subarray(field.payloadStart, field.end);
    if (field.number === GRAPH_NODE) {
      const node = onnx.NodeProto.decode(payload);
      for (const output of node.output) producers.set(output, node);
    } else if (field.number === GRAPH_OUTPUT) {
      const info = onnx.ValueInfoProto.decode(payload);
      outputTypes.set(info.name, info);
    }
  }
  const outputs = new Map<string, string>();
  const added: Uint8Array[] = [];
  for (const { input, output } of cache) {
    const node = producers.get(output);
    const present = outputTypes.get(output);
    if (!node || !present || node.opType !== 'Concat' || (node.domain !== '' && node.domain !== 'ai.onnx')) {
      return undefined;
    }
    const axis = node.attribute.find((attribute) => attribute.name === 'axis');
    const axisValue = axis ? Number(axis.i) : Number.NaN;
    if (node.input.length !== 2 || node.input[0] !== input || (axisValue !== 2 && axisValue !== -2)) return undefined;
    const fresh = node.input[1] as string;
    outputs.set(output, fresh);
    if (outputTypes.has(fresh)) continue;
    const elemType = present.type?.tensorType?.elemType;
    if (typeof elemType !== 'number') return undefined;
    const info = onnx.ValueInfoProto.encode({ name: fresh, type: { tensorType: { elemType } } }).finish();
    added.push(Uint8Array.of((GRAPH_OUTPUT << 3) | 2), writeVarint(info.length), info);
    outputTypes.set(fresh, onnx.ValueInfoProto.decode(info));
  }
  const addedLength = added.reduce((sum, part) => sum + part.length, 0);
  const graphLength = graph.end - graph.payloadStart + addedLength;
  const parts = [
    model.subarray(0, graph.start),
    Uint8Array.of((MODEL_GRAPH << 3) | 2),
    writeVarint(graphLength),
    model.subarray(graph.payloadStart, graph.end),
    ...added,
    model.subarray(graph.end),
  ];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, outputs };
}
