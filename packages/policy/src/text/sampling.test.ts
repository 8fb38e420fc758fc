import { createRng } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  feedableHalf,
  halfBits,
  halfToFloat32,
  logSumExp,
  type SampledToken,
  type SamplingSettings,
  sampleToken,
} from './sampling.ts';

const logits = Float32Array.from([2, 1, 0.5, -1, 3, 0]);
const probabilities = (() => {
  const normalizer = logSumExp(logits);
  return Array.from(logits, (value) => Math.exp(value - normalizer));
})();

describe('sampleToken', () => {
  it('is greedy at temperature 0 with log-prob 0 and the raw model log-prob', () => {
    const sampled = sampleToken(logits, 0, 6, { temperature: 0, topP: 1, topK: 0 }, 0.99);
    expect(sampled.token).toBe(4);
    expect(sampled.logprob).toBe(0);
    expect(sampled.modelLogprob).toBeCloseTo(Math.log(probabilities[4] as number), 10);
  });

  it('reads the row at the given offset', () => {
    const padded = Float32Array.from([9, 9, ...logits]);
    expect(sampleToken(padded, 2, 6, { temperature: 0, topP: 1, topK: 0 }, 0).token).toBe(4);
  });

  it('samples with the softmax frequencies at temperature 1', () => {
    const rng = createRng(123);
    const counts = new Array(6).fill(0);
    const draws = 20_000;
    for (let draw = 0; draw < draws; draw += 1) {
      counts[sampleToken(logits, 0, 6, { temperature: 1, topP: 1, topK: 0 }, rng.next()).token] += 1;
    }
    counts.forEach((count, token) => {
      expect(count / draws).toBeCloseTo(probabilities[token] as number, 1);
    });
  });

  it('restricts to the nucleus and top-k and renormalises', () => {
    // sorted probabilities: token 4 (~0.61), token 0 (~0.22), token 1 (~0.08) …
    for (let draw = 0; draw < 50; draw += 1) {
      const uniform = draw / 50;
      const nucleus = sampleToken(logits, 0, 6, { temperature: 1, topP: 0.7, topK: 0 }, uniform);
      expect([4, 0]).toContain(nucleus.token);
      const mass = (probabilities[4] as number) + (probabilities[0] as number);
      expect(nucleus.logprob).toBeCloseTo(Math.log((probabilities[nucleus.token] as number) / mass), 6);
      expect(sampleToken(logits, 0, 6, { temperature: 1, topP: 1, topK: 1 }, uniform).token).toBe(4);
    }
    // top-p smaller than the top token's mass still keeps one token
    expect(sampleToken(logits, 0, 6, { temperature: 1, topP: 0.01, topK: 0 }, 0.5)).toMatchObject({
      token: 4,
      logprob: 0,
    });
  });

  it('never samples banned tokens unless everything is banned', () => {
    const banned = new Set([4, 0]);
    for (let draw = 0; draw < 20; draw += 1) {
      expect(banned.has(sampleToken(logits, 0, 6, { temperature: 1, topP: 1, topK: 0 }, draw / 20, banned).token)).toBe(
        false,
      );
    }
    expect(sampleToken(logits, 0, 6, { temperature: 0, topP: 1, topK: 0 }, 0, banned).token).toBe(1);
    const all = new Set([0, 1, 2, 3, 4, 5]);
    expect(sampleToken(logits, 0, 6, { temperature: 0, topP: 1, topK: 0 }, 0, all).token).toBe(4);
  });

  it('returns valid tokens and log-probs for arbitrary logits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (values, uniform, temperature, topP) => {
          const row = Float32Array.from(values);
          const sampled = sampleToken(row, 0, row.length, { temperature, topP, topK: 0 }, uniform);
          expect(sampled.token).toBeGreaterThanOrEqual(0);
          expect(sampled.token).toBeLessThan(row.length);
          expect(sampled.logprob).toBeLessThanOrEqual(1e-9);
          expect(sampled.modelLogprob).toBeLessThanOrEqual(1e-9);
          expect(Number.isFinite(sampled.logprob)).toBe(true);
        },
      ),
      { seed: 99, numRuns: 300 },
    );
  });
});

describe('halfToFloat32', () => {
  it('decodes IEEE half floats', () => {
    expect(Array.from(halfToFloat32(Uint16Array.from([0x3c00, 0xc000, 0x0000, 0x7c00, 0x3555])))).toEqual([
      1,
      -2,
      0,
      Number.POSITIVE_INFINITY,
      expect.closeTo(0.33325, 4),
    ]);
  });
});

// Node ≥ 24's built-in Float16Array, simulated on this Node: a view over the same bytes whose elements read as
// numbers (not bits), which is not a Uint16Array. onnxruntime-common wraps float16 data in it when it exists.
const FakeFloat16Prototype = Object.create(null) as object;
function simulatedFloat16Array(bits: Uint16Array): HalfView {
  const values = halfToFloat32(bits);
  return new Proxy(bits, {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) return values[Number(key)];
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
    getPrototypeOf: () => FakeFloat16Prototype,
  }) as unknown as HalfView;
}
type HalfView = {
  readonly buffer: ArrayBuffer;
  readonly byteOffset: number;
  readonly byteLength: number;
  [index: number]: number;
  length: number;
};

describe('float16 data from Node ≥ 24 (built-in Float16Array, simulated)', () => {
  const bytes = new Uint16Array([0x1234, 0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0xabcd]);
  const bits = bytes.subarray(1, 6); // a view with an offset, like a row of a logits tensor
  const builtIn = simulatedFloat16Array(bits);

  it('is read through its bytes: the same numbers as from the Uint16Array bits, without a copy', () => {
    expect(builtIn instanceof Uint16Array).toBe(false);
    expect(builtIn[0]).toBe(1); // elements read as numbers…
    expect(Array.from(halfToFloat32(builtIn))).toEqual(Array.from(halfToFloat32(bits)));
    const view = halfBits(builtIn);
    expect(Array.from(view)).toEqual(Array.from(bits));
    expect(view.buffer).toBe(bytes.buffer);
    expect(halfBits(bits)).toBe(bits);
    expect(() => halfBits({} as never)).toThrow(/Float16Array/);
  });

  it('is garbage when its elements are taken for bits (what broke fp16 models on Node 24)', () => {
    const misread = Array.from({ length: builtIn.length }, (_, index) => builtIn[index] as number);
    expect(Array.from(halfToFloat32(Uint16Array.from(misread)))).not.toEqual(Array.from(halfToFloat32(bits)));
    // Copying it into a Uint16Array cache converts numbers, not bits: 1.0 becomes 1, -2.0 becomes 65534.
    const cache = new Uint16Array(5);
    cache.set(misread);
    expect(Array.from(cache.subarray(0, 2))).toEqual([1, 65534]);
  });

  it('is fed to onnxruntime as its bits in a Uint16Array over the same bytes (feedableHalf)', () => {
    const tensor = { type: 'float16', data: builtIn as unknown };
    expect(feedableHalf(tensor)).toBe(tensor);
    expect(tensor.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(tensor.data as Uint16Array)).toEqual(Array.from(bits));
    expect((tensor.data as Uint16Array).buffer).toBe(bytes.buffer);
    // Bits, other element types and tensors fed once already are left as they are.
    const uint16 = { type: 'float16', data: bits };
    const float32 = { type: 'float32', data: new Float32Array(2) };
    const before = float32.data;
    expect(feedableHalf(uint16).data).toBe(bits);
    expect(feedableHalf(float32).data).toBe(before);
    expect(feedableHalf(feedableHalf(tensor)).data).toBe(tensor.data);
  });
});

/**
 * Independent reference written the way Hugging Face's warpers compute it: TemperatureLogitsWarper, then
 * TopKLogitsWarper (scores below the k-th largest → -inf), then TopPLogitsWarper (sort ascending, softmax,
 * cumulative sum, remove where cumsum <= 1 - top_p, always keep the largest), then softmax.
 */
function hfProcessedLogprobs(row: number[], temperature: number, topK: number, topP: number): number[] {
  let scores = row.map((value) => value / temperature);
  if (topK > 0 && topK < scores.length) {
    const kth = [...scores].sort((a, b) => b - a)[topK - 1] as number;
    scores = scores.map((value) => (value < kth ? Number.NEGATIVE_INFINITY : value));
  }
  const softmax = (values: number[]) => {
    const max = Math.max(...values);
    const exps = values.map((value) => Math.exp(value - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((value) => value / sum);
  };
  if (topP < 1) {
    const probs = softmax(scores);
    const ascending = probs.map((p, index) => [p, index] as const).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let cumulative = 0;
    ascending.forEach(([p, index], position) => {
      cumulative += p;
      if (cumulative <= 1 - topP && position < ascending.length - 1) scores[index] = Number.NEGATIVE_INFINITY;
    });
  }
  return softmax(scores).map((p) => Math.log(p));
}

describe('top-k with top-p matches Hugging Face (top-p over the renormalised top-k set)', () => {
  it('keeps the same set and gives the same processed log-probs on 240 random steps', () => {
    const rng = createRng(2024);
    let mismatches = 0;
    let worst = 0;
    for (let step = 0; step < 240; step += 1) {
      const vocab = 50;
      const row = Array.from({ length: vocab }, () => (rng.next() - 0.5) * 8);
      const settings = { temperature: 0.7, topK: 20, topP: 0.9 };
      const reference = hfProcessedLogprobs(row, settings.temperature, settings.topK, settings.topP);
      const kept = new Set(reference.flatMap((value, index) => (Number.isFinite(value) ? [index] : [])));
      for (let draw = 0; draw < 20; draw += 1) {
        const sampled = sampleToken(row, 0, vocab, settings, (draw + 0.5) / 20);
        if (!kept.has(sampled.token)) mismatches += 1;
        else worst = Math.max(worst, Math.abs(sampled.logprob - (reference[sampled.token] as number)));
      }
      // Every kept token is reachable by some uniform draw: the kept sets are equal, not just nested.
      const reached = new Set<number>();
      for (let draw = 0; draw < 1000; draw += 1) reached.add(sampleToken(row, 0, vocab, settings, draw / 1000).token);
      for (const token of kept) {
        if (Math.exp(reference[token] as number) > 1 / 500 && !reached.has(token)) mismatches += 1;
      }
    }
    expect(mismatches).toBe(0);
    expect(worst).toBeLessThan(1e-9);
  });
});

/**
 * The previous sampler, verbatim (closure per token for bans, a sorted array of candidate ids for top-k / top-p),
 * kept as the reference the typed-array kernel must reproduce bit for bit: same token, same log-probs.
 */
function previousSampleToken(
  logits: ArrayLike<number>,
  offset: number,
  vocab: number,
  settings: SamplingSettings,
  uniform: number,
  banned?: ReadonlySet<number>,
): SampledToken {
  const end = offset + vocab;
  // At temperature 1 without bans the sampling weights below are exp(logit - max) over the whole vocabulary, so the
  // raw model normaliser falls out of the same pass; otherwise it needs its own.
  const fused = settings.temperature === 1 && banned === undefined;
  let modelLogNormalizer = fused ? Number.NaN : logSumExp(logits, offset, end);
  const allowed = (token: number): boolean => banned === undefined || !banned.has(token);
  const hasAllowed = banned === undefined || banned.size < vocab;
  const isAllowed = (token: number): boolean => !hasAllowed || allowed(token);

  if (settings.temperature === 0) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let token = 0; token < vocab; token += 1) {
      const value = logits[offset + token] as number;
      if (isAllowed(token) && (best < 0 || value > bestValue)) {
        best = token;
        bestValue = value;
      }
    }
    return { token: best, logprob: 0, modelLogprob: bestValue - modelLogNormalizer };
  }

  const inverseTemperature = 1 / settings.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let token = 0; token < vocab; token += 1) {
    if (!isAllowed(token)) continue;
    const value = (logits[offset + token] as number) * inverseTemperature;
    if (value > max) max = value;
  }
  const weights = new Float64Array(vocab);
  let total = 0;
  for (let token = 0; token < vocab; token += 1) {
    if (!isAllowed(token)) {
      weights[token] = 0;
      continue;
    }
    const weight = Math.exp((logits[offset + token] as number) * inverseTemperature - max);
    weights[token] = weight;
    total += weight;
  }
  if (fused) modelLogNormalizer = max + Math.log(total);

  const useTopK = settings.topK > 0 && settings.topK < vocab;
  const useTopP = settings.topP < 1;
  if (useTopK || useTopP) {
    // Candidates sorted by weight (descending, ties by id); only tokens with non-negligible mass are sorted.
    const floor = total * 1e-12;
    const candidates: number[] = [];
    for (let token = 0; token < vocab; token += 1) if ((weights[token] as number) > floor) candidates.push(token);
    candidates.sort((left, right) => (weights[right] as number) - (weights[left] as number) || left - right);
    let keep = useTopK ? Math.min(settings.topK, candidates.length) : candidates.length;
    if (useTopP) {
      // Top-p runs over the distribution that top-k left, renormalised (Hugging Face applies TopKLogitsWarper then
      // TopPLogitsWarper to the masked scores; vLLM's top-k/top-p sampler does the same): the threshold is a share
      // of the kept mass, not of the whole vocabulary's.
      let keptMass = 0;
      for (let index = 0; index < keep; index += 1) keptMass += weights[candidates[index] as number] as number;
      let mass = 0;
      for (let index = 0; index < keep; index += 1) {
        mass += weights[candidates[index] as number] as number;
        if (mass >= settings.topP * keptMass) {
          keep = index + 1;
          break;
        }
      }
    }
    const keptTokens = candidates.slice(0, keep);
    const keptWeights = keptTokens.map((token) => weights[token] as number);
    weights.fill(0);
    total = 0;
    keptTokens.forEach((token, index) => {
      const weight = keptWeights[index] as number;
      weights[token] = weight;
      total += weight;
    });
  }

  let threshold = uniform * total;
  let chosen = -1;
  for (let token = 0; token < vocab; token += 1) {
    const weight = weights[token] as number;
    if (weight <= 0) continue;
    chosen = token;
    threshold -= weight;
    if (threshold < 0) break;
  }
  const logprob = Math.log((weights[chosen] as number) / total);
  return { token: chosen, logprob, modelLogprob: (logits[offset + chosen] as number) - modelLogNormalizer };
}

describe('sampleToken (typed-array kernel) equals the previous sampler bit for bit', () => {
  const same = (left: SampledToken, right: SampledToken) =>
    Object.is(left.token, right.token) &&
    Object.is(left.logprob, right.logprob) &&
    Object.is(left.modelLogprob, right.modelLogprob);

  it('on random rows, with ties, bans, top-k, top-p and both together', () => {
    const rng = createRng(15);
    let compared = 0;
    const failures: string[] = [];
    for (let trial = 0; trial < 400; trial += 1) {
      const vocab = trial % 50 === 0 ? 4096 : 1 + Math.floor(rng.next() * 300);
      // Every third row is quantised so that many tokens share a weight (ties are broken by id).
      const quantum = trial % 3 === 0 ? 0.5 : 0;
      const spread = 1 + rng.next() * 12;
      const row = Float32Array.from({ length: vocab }, () => {
        const value = (rng.next() - 0.5) * spread;
        return quantum > 0 ? Math.round(value / quantum) * quantum : value;
      });
      const offsetRow = new Float32Array(vocab + 3);
      offsetRow.set(row, 3);
      const banSets: Array<ReadonlySet<number> | undefined> = [
        undefined,
        new Set<number>(),
        new Set([0]),
        new Set([row.indexOf(Math.max(...row))]),
        new Set(Array.from({ length: Math.floor(vocab / 2) }, (_, index) => index * 2)),
      ];
      for (let setting = 0; setting < 6; setting += 1) {
        const temperature = [0, 0.5, 0.7, 1, 1, 1.3][Math.floor(rng.next() * 6)] as number;
        const topK = [0, 0, 1, 2, 5, 20, vocab - 1, vocab, vocab + 3][Math.floor(rng.next() * 9)] as number;
        const topP = [1, 1, 0.99, 0.95, 0.9, 0.5, 0.1, 0.01][Math.floor(rng.next() * 8)] as number;
        const banned = banSets[Math.floor(rng.next() * banSets.length)];
        const settings = { temperature, topK: Math.max(0, topK), topP };
        for (const uniform of [0, 0.999999, rng.next(), rng.next(), rng.next()]) {
          const expected = previousSampleToken(offsetRow, 3, vocab, settings, uniform, banned);
          const actual = sampleToken(offsetRow, 3, vocab, settings, uniform, banned);
          compared += 1;
          if (!same(actual, expected) && failures.length < 5) {
            failures.push(JSON.stringify({ trial, vocab, settings, uniform, expected, actual }));
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(compared).toBe(400 * 6 * 5);
  });

  it('on a 49,152-token row (SmolLM2 vocabulary) at the settings the policy is used with', () => {
    const rng = createRng(49_152);
    const vocab = 49_152;
    const row = Float32Array.from({ length: vocab }, () => (rng.next() - 0.5) * 8 + (rng.next() < 0.001 ? 12 : 0));
    const settingsList = [
      { temperature: 1, topK: 0, topP: 1 },
      { temperature: 0.7, topK: 50, topP: 1 },
      { temperature: 1, topK: 0, topP: 0.9 },
      { temperature: 0.6, topK: 20, topP: 0.95 },
      { temperature: 0, topK: 0, topP: 1 },
    ];
    for (const settings of settingsList) {
      for (const banned of [undefined, new Set([2])]) {
        for (let draw = 0; draw < 10; draw += 1) {
          const uniform = rng.next();
          expect(
            same(
              sampleToken(row, 0, vocab, settings, uniform, banned),
              previousSampleToken(row, 0, vocab, settings, uniform, banned),
            ),
          ).toBe(true);
        }
      }
    }
  });

  it('on arbitrary rows (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.constantFrom(0, 0.3, 1, 2),
        fc.integer({ min: 0, max: 70 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 5 }),
        (values, uniform, temperature, topK, topP, ban) => {
          const row = Float32Array.from(values);
          const banned = ban.length > 0 ? new Set(ban) : undefined;
          const settings = { temperature, topK, topP };
          expect(
            same(
              sampleToken(row, 0, row.length, settings, uniform, banned),
              previousSampleToken(row, 0, row.length, settings, uniform, banned),
            ),
          ).toBe(true);
        },
      ),
      { seed: 15, numRuns: 2000 },
    );
  });
});
