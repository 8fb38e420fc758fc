import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDecisionTextOrThrow } from '@trade-r1/core';
import { createDefaultEmbedder, createVerifier, openEvidenceStore } from '@trade-r1/verifier';
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
    const calls: Array<{ input: unknown; signal: AbortSignal | undefined }> = [];
    const verifier: VerifierLike<{ ticker: string; asOf: string; reasoning: string }> = {
      async verify(input, options) {
        calls.push({ input, signal: options?.signal });
        return { scores: { s: 0.8 } };
      },
    };
    const scorer = scorerFromVerifier({
      verifier, // the sample's abort signal reaches verify(input, { signal })
      toVerifyInput: (input: Sample) => ({ ticker: input.ticker, asOf: input.asOf, reasoning: input.response }),
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
    expect(calls[0]?.input).toEqual({ ticker: 'NVDA', asOf: sample.asOf, reasoning: sample.response });
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('a timed-out sample aborts the verification it started', async () => {
    let aborted: unknown = null;
    const verifier: VerifierLike<{ reasoning: string }> = {
      verify: (_input, options) =>
        new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            aborted = options.signal?.reason;
            reject(options.signal?.reason);
          });
        }),
    };
    const reward = semanticGatedReward({
      input: sampleSchema,
      marketReward: () => 0.05,
      scorer: scorerFromVerifier({ verifier, toVerifyInput: (input: Sample) => ({ reasoning: input.response }) }),
      gate: 'dsr',
      timeoutMs: 20,
      fallback: { value: 0 },
    });
    const result = await reward.evaluate(sample);
    expect(result.flagged).toBe(true);
    expect(aborted).not.toBeNull();
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

describe('scorerFromVerifier with @trade-r1/verifier (real LanceDB store in a temp folder)', () => {
  it('scores s from the verifier and rejects a misspelled verify input key', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'trade-r1-scorer-'));
    try {
      const embedder = await createDefaultEmbedder();
      const store = await openEvidenceStore({ uri: join(directory, 'evidence'), embedder });
      await store.add([
        {
          id: 'nvda-q1',
          tickers: ['NVDA'],
          publishedAt: '2024-05-22T20:20:00Z',
          sourceKind: 'filing',
          title: 'NVIDIA first quarter results',
          text: 'NVIDIA reported record quarterly revenue of $26.0 billion, up 262% from a year ago.',
        },
      ]);
      const faithful = 'Revenue reached a record $26.0 billion, up 262%. [[BUY]]';
      const wrong = 'Revenue reached a record $19.0 billion, up 262%. [[BUY]]';
      // #region verifier-real
      const verifier = createVerifier({ store, embedder });
      const scorer = scorerFromVerifier({
        verifier, // the sample's abort signal reaches verifier.verify(input, { signal })
        toVerifyInput: (input: Sample) => ({
          ticker: input.ticker,
          asOf: input.asOf,
          reasoning: input.response,
          decision: parseDecisionTextOrThrow(input.response), // verify() needs the decision
        }),
      });
      // #endregion verifier-real
      const context = { signal: new AbortController().signal };
      const good = await scoreWith(scorer, { ...sample, response: faithful }, context);
      const bad = await scoreWith(scorer, { ...sample, response: wrong }, context);
      expect(good).toBeGreaterThan(bad);
      const misspelled = scorerFromVerifier({
        verifier,
        // a JavaScript caller's typo: `decison` is rejected by name, not ignored
        toVerifyInput: ((input: Sample) => ({
          ticker: input.ticker,
          asOf: input.asOf,
          reasoning: input.response,
          decison: 'BUY',
        })) as never,
      });
      await expect(scoreWith(misspelled as never, sample, context)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await store.close();
      await embedder.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
