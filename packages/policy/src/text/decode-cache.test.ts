import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CACHE_GROWTH, type CacheEntry, DecodeCache } from './decode-cache.ts';

// A value that names its (row, head, position, element): prompt positions count from 0, fed tokens from 1000.
const code = (row: number, head: number, position: number, element: number) =>
  row * 1e6 + head * 1e5 + position * 10 + element;

function promptTensor(row: number, length: number, heads: number, headDim: number): ort.Tensor {
  const data = new Float32Array(heads * length * headDim);
  for (let head = 0; head < heads; head += 1)
    for (let position = 0; position < length; position += 1)
      for (let element = 0; element < headDim; element += 1)
        data[(head * length + position) * headDim + element] = code(row, head, position, element);
  return new ort.Tensor('float32', data, [1, heads, length, headDim]);
}

function newPositions(batch: number, heads: number, headDim: number, step: number): ort.Tensor {
  const data = new Float32Array(batch * heads * headDim);
  for (let row = 0; row < batch; row += 1)
    for (let head = 0; head < heads; head += 1)
      for (let element = 0; element < headDim; element += 1)
        data[(row * heads + head) * headDim + element] = code(row, head, 1000 + step, element);
  return new ort.Tensor('float32', data, [batch, heads, 1, headDim]);
}

// The straightforward reference: row r's cache is its prompt positions, then one position per fed token, in order.
function expectedSlots(row: number, head: number, length: number, fed: number, headDim: number): number[] {
  const values: number[] = [];
  for (let position = 0; position < length; position += 1)
    for (let element = 0; element < headDim; element += 1) values.push(code(row, head, position, element));
  for (let step = 0; step < fed; step += 1)
    for (let element = 0; element < headDim; element += 1) values.push(code(row, head, 1000 + step, element));
  return values;
}

// The slots a step attends to, read from the fed past through its mask (the last mask column is the new token).
function attendedSlots(past: ort.Tensor, mask: BigInt64Array, row: number, head: number): number[] {
  const [, heads, slots, headDim] = past.dims as [number, number, number, number];
  const data = past.data as Float32Array;
  const values: number[] = [];
  for (let slot = 0; slot < slots; slot += 1) {
    if (mask[row * (slots + 1) + slot] !== 1n) continue;
    const start = ((row * heads + head) * slots + slot) * headDim;
    values.push(...data.subarray(start, start + headDim));
  }
  return values;
}

describe('DecodeCache', () => {
  it('feeds every row exactly its prompt and fed positions, in place or returned (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 2 * CACHE_GROWTH + 5 }),
        fc.boolean(),
        (lengths, heads, headDim, maxNewTokens, inPlace) => {
          const batch = lengths.length;
          const width = Math.max(...lengths);
          const entry: CacheEntry = {
            input: 'past_key_values.0.key',
            output: 'present.0.key',
            type: 'float32',
            heads,
            headDim,
          };
          const cache = new DecodeCache(
            [entry],
            batch,
            width,
            width + maxNewTokens - 1,
            inPlace ? new Map([['present.0.key', 'new.0.key']]) : undefined,
          );
          expect(cache.inPlace).toBe(inPlace);
          lengths.forEach((length, row) => {
            cache.setPrompt(row, {
              length,
              tensors: new Map([[entry.input, promptTensor(row, length, heads, headDim)]]),
            });
          });
          // The returned mode's "present" is what the graph would give: the fed past plus the new position.
          for (let step = 0; step + 1 < maxNewTokens; step += 1) {
            const filled = width + step;
            const { past, mask, fetches } = cache.step(filled, lengths);
            const tensor = past.get(entry.input) as ort.Tensor;
            const slots = tensor.dims[2] as number;
            expect(mask.length).toBe(batch * (slots + 1));
            if (inPlace) {
              expect(slots).toBeGreaterThanOrEqual(filled + 1);
              expect(slots).toBeLessThanOrEqual(Math.max(width + 1, filled + CACHE_GROWTH));
              expect(Object.keys(fetches)).toEqual(['logits', 'new.0.key']);
            } else {
              expect(slots).toBe(filled);
              expect(Object.keys(fetches)).toEqual(['logits', 'present.0.key']);
            }
            for (let row = 0; row < batch; row += 1) {
              expect(mask[row * (slots + 1) + slots]).toBe(1n);
              for (let head = 0; head < heads; head += 1) {
                expect(attendedSlots(tensor, mask, row, head)).toEqual(
                  expectedSlots(row, head, lengths[row] as number, step, headDim),
                );
              }
            }
            const fresh = newPositions(batch, heads, headDim, step);
            if (inPlace) {
              cache.update(filled, { 'new.0.key': fresh });
            } else {
              // present = past ++ new along the position axis, as Concat(past, new, axis 2) gives.
              const data = new Float32Array(batch * heads * (filled + 1) * headDim);
              for (let block = 0; block < batch * heads; block += 1) {
                const old = (tensor.data as Float32Array).subarray(
                  block * filled * headDim,
                  (block + 1) * filled * headDim,
                );
                data.set(old, block * (filled + 1) * headDim);
                data.set(
                  (fresh.data as Float32Array).subarray(block * headDim, (block + 1) * headDim),
                  (block * (filled + 1) + filled) * headDim,
                );
              }
              cache.update(filled, {
                'present.0.key': new ort.Tensor('float32', data, [batch, heads, filled + 1, headDim]),
              });
            }
          }
        },
      ),
      { seed: 15, numRuns: 150 },
    );
  });

  it('rejects new positions of an unexpected shape with UNSUPPORTED', () => {
    const entry: CacheEntry = {
      input: 'past_key_values.0.key',
      output: 'present.0.key',
      type: 'float32',
      heads: 2,
      headDim: 4,
    };
    const cache = new DecodeCache([entry], 1, 3, 10, new Map([['present.0.key', 'new.0.key']]));
    cache.step(3, [3]);
    const wrong = new ort.Tensor('float32', new Float32Array(16), [1, 2, 2, 4]);
    try {
      cache.update(3, { 'new.0.key': wrong });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error) && error.code).toBe('UNSUPPORTED');
    }
  });
});
