import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FSR_LAMBDA, dsrReward, fsrReward, resolveSemanticGate } from './semantic-gate.ts';

const SEED = 1601;
const r = fc.double({ min: -10, max: 10, noNaN: true });
const s = fc.double({ min: 0, max: 1, noNaN: true });

describe('dsrReward (Trade-R1 DSR)', () => {
  it('is r·(0.5+s) for r > 0 and r·(2−s) for r ≤ 0', () => {
    fc.assert(
      fc.property(r, s, (rValue, sValue) => {
        const expected = rValue > 0 ? rValue * (0.5 + sValue) : rValue * (2 - sValue);
        expect(dsrReward({ r: rValue, s: sValue })).toBe(expected);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('scales gains by 0.5..1.5 and losses by 1..2, keeping the sign', () => {
    fc.assert(
      fc.property(r, s, (rValue, sValue) => {
        const g = dsrReward({ r: rValue, s: sValue });
        if (rValue > 0) {
          expect(g).toBeGreaterThanOrEqual(0.5 * rValue - 1e-12);
          expect(g).toBeLessThanOrEqual(1.5 * rValue + 1e-12);
        } else {
          expect(g).toBeLessThanOrEqual(rValue + 1e-12);
          expect(g).toBeGreaterThanOrEqual(2 * rValue - 1e-12);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never decreases when the semantic score rises, and keeps the order of r', () => {
    fc.assert(
      fc.property(r, s, s, (rValue, s1, s2) => {
        const [low, high] = s1 <= s2 ? [s1, s2] : [s2, s1];
        expect(dsrReward({ r: rValue, s: high })).toBeGreaterThanOrEqual(dsrReward({ r: rValue, s: low }));
        expect(fsrReward({ r: rValue, s: high })).toBeGreaterThanOrEqual(fsrReward({ r: rValue, s: low }));
      }),
      { seed: SEED, numRuns: 300 },
    );
    fc.assert(
      fc.property(r, r, s, (r1, r2, sValue) => {
        const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(dsrReward({ r: high, s: sValue })).toBeGreaterThanOrEqual(dsrReward({ r: low, s: sValue }));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('matches the worked values and is continuous at r = 0', () => {
    expect(dsrReward({ r: 0.1, s: 0.5 })).toBeCloseTo(0.1, 15);
    expect(dsrReward({ r: -0.1, s: 0.5 })).toBeCloseTo(-0.15, 15);
    expect(dsrReward({ r: -0.1, s: 0 })).toBeCloseTo(-0.2, 15);
    expect(dsrReward({ r: 0.1, s: 1 })).toBeCloseTo(0.15, 15);
    expect(Math.abs(dsrReward({ r: 0, s: 0.3 }))).toBe(0);
  });

  it('validates r and s with typed errors', () => {
    for (const input of [
      { r: Number.NaN, s: 0.5 },
      { r: Number.POSITIVE_INFINITY, s: 0.5 },
      { r: 0.1, s: 1.01 },
      { r: 0.1, s: -0.01 },
      { r: 0.1, s: Number.NaN },
    ]) {
      expect(() => dsrReward(input)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});

describe('fsrReward (documented interpretation)', () => {
  it('is r + λ·s for r > 0 and r − λ·(1 − s) for r ≤ 0', () => {
    fc.assert(
      fc.property(r, s, fc.double({ min: 0, max: 5, noNaN: true }), (rValue, sValue, lambda) => {
        const expected = rValue > 0 ? rValue + lambda * sValue : rValue - lambda * (1 - sValue);
        expect(fsrReward({ r: rValue, s: sValue, lambda })).toBe(expected);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('uses λ = 0.5 by default and a semantic term independent of |r|', () => {
    expect(DEFAULT_FSR_LAMBDA).toBe(0.5);
    expect(fsrReward({ r: 0.01, s: 1 }) - 0.01).toBeCloseTo(fsrReward({ r: 5, s: 1 }) - 5, 12);
    expect(fsrReward({ r: -0.2, s: 0.2 })).toBeCloseTo(-0.2 - 0.5 * 0.8, 15);
  });

  it('rejects λ < 0', () => {
    expect(() => fsrReward({ r: 1, s: 0.5, lambda: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('resolveSemanticGate', () => {
  it('resolves names and passes user functions through', () => {
    expect(resolveSemanticGate({ gate: 'dsr' })({ r: -1, s: 0 })).toBe(-2);
    expect(resolveSemanticGate({ gate: 'fsr', lambda: 1 })({ r: -1, s: 0 })).toBe(-2);
    const custom = ({ r: rValue, s: sValue }: { r: number; s: number }) => rValue * sValue;
    expect(resolveSemanticGate({ gate: custom })({ r: 2, s: 0.25 })).toBe(0.5);
    expect(() => resolveSemanticGate({ gate: 'nope' as 'dsr' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
