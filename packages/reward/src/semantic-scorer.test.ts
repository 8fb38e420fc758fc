import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { marketReward } from './market.ts';
import { dsrReward } from './semantic-gate.ts';
import {
  type SemanticScorer,
  scorerFromVerifier,
  scoreWith,
  semanticGatedReward,
  type VerifierLike,
} from './semantic-scorer.ts';

const sampleSchema = z.object({
  ticker: z.string(),
  asOf: z.string(),
  response: z.string(),
  entryPrice: z.number(),
  exitPrice: z.number(),
});
type Sample = z.infer<typeof sampleSchema>;

const sample: Sample = {
  ticker: 'NVDA',
  asOf: '2024-06-03',
  response: 'Buy on data-centre demand. [[BUY]]',
  entryPrice: 100,
  exitPrice: 105,
};

describe('SemanticScorer', () => {
  it('accepts a function or an object with score() and checks the range', async () => {
    const context = { signal: new AbortController().signal };
    expect(await scoreWith(() => 0.3, sample, context)).toBe(0.3);
    expect(await scoreWith({ score: async () => 0.7 }, sample, context)).toBe(0.7);
    await expect(scoreWith(() => 1.5, sample, context)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await expect(scoreWith(() => Number.NaN, sample, context)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('semanticGatedReward wired to a verifier (structural, no dependency)', () => {
  it('feeds verify().scores.s into DSR with the market return', async () => {
    // #region verifier-wiring
    // Anything with verify(input) → { scores: { s } } fits, e.g. @trade-r1/verifier's verifier.
    const calls: unknown[] = [];
    const verifier: VerifierLike<{ ticker: string; asOf: string; reasoning: string; signal: AbortSignal }> = {
      async verify(input) {
        calls.push(input);
        return { scores: { s: 0.8 } };
      },
    };
    const scorer = scorerFromVerifier({
      verifier,
      toVerifyInput: (input: Sample, { signal }) => ({
        ticker: input.ticker,
        asOf: input.asOf,
        reasoning: input.response,
        signal,
      }),
    });
    const reward = semanticGatedReward({
      name: 'dsr',
      input: sampleSchema,
      marketReward: (input) => marketReward({ entryPrice: input.entryPrice, exitPrice: input.exitPrice }).reward,
      scorer,
      gate: 'dsr',
    });
    const result = await reward.evaluate(sample);
    // #endregion verifier-wiring
    expect(result.value).toBeCloseTo(dsrReward({ r: 0.05, s: 0.8 }), 12);
    expect(result.details.r).toBeCloseTo(0.05, 12);
    expect(result.details.s).toBe(0.8);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ ticker: 'NVDA', reasoning: sample.response });
    expect((calls[0] as { signal: unknown }).signal).toBeInstanceOf(AbortSignal);
  });

  it('supports FSR, custom gates, and a flagged fallback when the scorer hangs', async () => {
    const scorer: SemanticScorer<Sample> = () => 0.25;
    const fsr = semanticGatedReward({ input: sampleSchema, marketReward: () => -0.1, scorer, gate: 'fsr', lambda: 1 });
    expect((await fsr.evaluate(sample)).value).toBeCloseTo(-0.1 - 0.75, 12);
    const custom = semanticGatedReward({
      input: sampleSchema,
      marketReward: () => 2,
      scorer,
      gate: ({ r, s }) => r * s,
    });
    expect((await custom.evaluate(sample)).value).toBe(0.5);
    let aborted = false;
    const hanging = semanticGatedReward({
      input: sampleSchema,
      marketReward: () => 0.1,
      scorer: (_input, { signal }) =>
        new Promise<number>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
      gate: 'dsr',
      timeoutMs: 20,
      fallback: { value: 0 },
    });
    expect(await hanging.evaluate(sample)).toMatchObject({ value: 0, flagged: true, status: 'timeout' });
    expect(aborted).toBe(true);
  });
});
