import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

/** A temporary directory removed by the returned `cleanup`. */
export async function temporaryDirectory(
  prefix = 'trade-r1-policy-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Feeds for one forward pass of a generated LLaMA test model. */
export function llamaFeeds(options: {
  ids: number[][];
  mask?: number[][];
  positions?: number[][];
  past?: Record<string, ort.Tensor>;
  layers: number;
  kvHeads: number;
  headDim: number;
}): Record<string, ort.Tensor> {
  const batch = options.ids.length;
  const length = options.ids[0]?.length ?? 0;
  const pastLength = options.past ? ((options.past['past_key_values.0.key']?.dims[2] as number | undefined) ?? 0) : 0;
  const mask = options.mask ?? options.ids.map(() => new Array(pastLength + length).fill(1));
  const positions =
    options.positions ?? options.ids.map(() => Array.from({ length }, (_, index) => pastLength + index));
  const int64 = (rows: number[][]) =>
    new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]?.length ?? 0]);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(options.ids),
    attention_mask: int64(mask),
    position_ids: int64(positions),
  };
  for (let layer = 0; layer < options.layers; layer += 1) {
    for (const part of ['key', 'value']) {
      const name = `past_key_values.${layer}.${part}`;
      feeds[name] =
        options.past?.[name] ??
        new ort.Tensor('float32', new Float32Array(0), [batch, options.kvHeads, 0, options.headDim]);
    }
  }
  return feeds;
}

/** Logits row [vocab] of (batch, position) from a logits tensor [B, S, V]. */
export function logitsAt(tensor: ort.Tensor, batch: number, position: number): Float32Array {
  const [, length, vocab] = tensor.dims as [number, number, number];
  const data = tensor.data as Float32Array;
  const start = (batch * length + position) * vocab;
  return data.slice(start, start + vocab);
}

/** Present outputs renamed to past inputs. */
export function presentToPast(outputs: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = tensor;
  }
  return past;
}

/** Largest absolute difference between two arrays. */
export function maxAbsDiff(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let max = 0;
  for (let index = 0; index < left.length; index += 1)
    max = Math.max(max, Math.abs((left[index] as number) - (right[index] as number)));
  return left.length === right.length ? max : Number.POSITIVE_INFINITY;
}
