import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickJob, planChunks, stableHash } from './batch-plan.ts';

describe('planChunks', () => {
  it('covers every item once, keeps input order within chunks, respects chunkSize and never mixes workers (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('AAPL', 'MSFT', 'NVDA', 'TSLA', 'T001', 'T002', '600519.SH'), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        (keys, workers, chunkSize, affinity) => {
          const chunks = planChunks(keys, workers, chunkSize, affinity);
          const seen = chunks.flatMap((chunk) => chunk.indices);
          expect([...seen].sort((left, right) => left - right)).toEqual(keys.map((_, index) => index));
          for (const chunk of chunks) {
            expect(chunk.indices.length).toBeGreaterThan(0);
            expect(chunk.indices.length).toBeLessThanOrEqual(chunkSize);
            expect(chunk.indices).toEqual([...chunk.indices].sort((left, right) => left - right));
            expect(chunk.preferred).toBeGreaterThanOrEqual(0);
            expect(chunk.preferred).toBeLessThan(workers);
            if (affinity) {
              for (const index of chunk.indices) {
                expect(stableHash(keys[index] as string) % workers).toBe(chunk.preferred);
              }
            }
          }
          if (!affinity) expect(seen).toEqual(keys.map((_, index) => index));
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });

  it('sends a ticker to one worker in every batch, and spreads tickers over the workers', () => {
    const tickers = Array.from({ length: 100 }, (_, index) => `T${String(index).padStart(3, '0')}`);
    const first = planChunks([...tickers, ...tickers], 2, 8, true);
    const owner = new Map<string, number>();
    for (const chunk of first) {
      for (const index of chunk.indices) {
        const ticker = [...tickers, ...tickers][index] as string;
        expect(owner.get(ticker) ?? chunk.preferred).toBe(chunk.preferred);
        owner.set(ticker, chunk.preferred);
      }
    }
    const share = [...owner.values()].filter((worker) => worker === 0).length / owner.size;
    expect(share).toBeGreaterThan(0.35);
    expect(share).toBeLessThan(0.65);
    expect(stableHash('AAPL')).toBe(stableHash('AAPL'));
    expect(stableHash('AAPL')).not.toBe(stableHash('MSFT'));
    // Chunks of the two workers alternate in queue order.
    expect(first.slice(0, 4).map((chunk) => chunk.preferred)).toEqual([0, 1, 0, 1]);
  });
});

describe('pickJob', () => {
  it('takes own chunks first, then orphans of dead workers, then the last chunk of another worker', () => {
    const queue = [{ preferred: 1 }, { preferred: 0 }, { preferred: 2 }, { preferred: 1 }];
    const all = () => true;
    expect(pickJob(queue, 0, all)).toBe(1);
    expect(pickJob(queue, 1, all)).toBe(0);
    expect(pickJob(queue, 3, all)).toBe(3);
    expect(pickJob(queue, 3, (worker) => worker !== 2)).toBe(2);
    expect(pickJob([], 0, all)).toBe(-1);
  });
});
