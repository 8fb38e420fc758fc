import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { assertFinite, assertNonNegative, assertUnitInterval, parseOptions, safeString } from './validate.ts';

// Keys only: r, s and λ are checked by the asserts (INVALID_INPUT / INVALID_CONFIG naming the field).
const dsrInputSchema = z.strictObject({ r: z.unknown(), s: z.unknown() });
const fsrInputSchema = z.strictObject({ r: z.unknown(), s: z.unknown(), lambda: z.unknown().optional() });
const resolveGateOptionsSchema = z.strictObject({ gate: z.unknown(), lambda: z.unknown().optional() });

/** Inputs of an Asymmetric Semantic Gating function. */
export interface SemanticGateInput {
  /** Market reward r (any finite real, e.g. a 10-day excess return). */
  r: number;
  /** Semantic (triangular-consistency) score s ∈ [0, 1]. */
  s: number;
}

/**
 * A function fusing the market reward r with the semantic score s into the training reward G(r, s).
 * Supply your own to replace the built-in {@link dsrReward} / {@link fsrReward}.
 */
export type SemanticGate = (input: SemanticGateInput) => number;

/**
 * Trade-R1's Dynamic-effect Semantic Reward (DSR), exactly as published (papers.md §1.4, emergentmind DSR page):
 *
 * `G(r, s) = r · (0.5 + s)` if r > 0, `G(r, s) = r · (2 − s)` if r ≤ 0.
 *
 * Gains are scaled by 0.5…1.5 and losses by 1…2, so a poorly grounded loss is punished up to twice.
 * G is continuous at r = 0 (G(0, s) = 0).
 *
 * @throws {TradeR1Error} `INVALID_INPUT` when r is not finite or s is outside [0, 1].
 */
export function dsrReward(input: SemanticGateInput): number {
  parseOptions(dsrInputSchema, input, 'dsrReward()');
  const { r, s } = input;
  assertFinite(r, 'r');
  assertUnitInterval(s, 's');
  return r > 0 ? r * (0.5 + s) : r * (2 - s);
}

/** Options for {@link fsrReward}. */
export interface FsrRewardInput extends SemanticGateInput {
  /** Size of the fixed semantic term, λ ≥ 0. @default 0.5 */
  lambda?: number;
}

/** Default λ of {@link fsrReward}. */
export const DEFAULT_FSR_LAMBDA = 0.5;

/**
 * Trade-R1's Fixed-effect Semantic Reward (FSR) — **an interpretation, not the paper's formula.** The paper's
 * exact FSR is NOT FOUND (papers.md §1.4); only its description ("fixed-effect … stable alignment signals", as
 * opposed to DSR's "coupled magnitude") is public. This project implements it as an additive, asymmetric term that
 * does not scale with |r|:
 *
 * `FSR(r, s; λ) = r + λ·s` if r > 0, `r − λ·(1 − s)` if r ≤ 0.
 *
 * Replace it with the paper's form once published by passing your own {@link SemanticGate}
 * (e.g. to `semanticGatedReward({ gate })`).
 *
 * @throws {TradeR1Error} `INVALID_INPUT` for a non-finite r or s outside [0, 1]; `INVALID_CONFIG` for λ < 0.
 */
export function fsrReward(input: FsrRewardInput): number {
  parseOptions(fsrInputSchema, input, 'fsrReward()');
  const { r, s } = input;
  const lambda = input.lambda ?? DEFAULT_FSR_LAMBDA;
  assertFinite(r, 'r');
  assertUnitInterval(s, 's');
  assertNonNegative(lambda, 'lambda');
  return r > 0 ? r + lambda * s : r - lambda * (1 - s);
}

/** Built-in gates by name, or a user function. */
export type SemanticGateSpec = 'dsr' | 'fsr' | SemanticGate;

/**
 * Resolve a gate spec to a function. `'fsr'` uses `lambda` (default {@link DEFAULT_FSR_LAMBDA}).
 * @throws {TradeR1Error} `INVALID_CONFIG` for an unknown name.
 */
export function resolveSemanticGate(options: { gate: SemanticGateSpec; lambda?: number }): SemanticGate {
  parseOptions(resolveGateOptionsSchema, options, 'resolveSemanticGate()', 'INVALID_CONFIG');
  const { gate } = options;
  if (typeof gate === 'function') return gate;
  if (gate === 'dsr') return dsrReward;
  if (gate === 'fsr') {
    const lambda = options.lambda ?? DEFAULT_FSR_LAMBDA;
    assertNonNegative(lambda, 'lambda');
    return (input) => fsrReward({ ...input, lambda });
  }
  throw new TradeR1Error(
    'INVALID_CONFIG',
    `unknown semantic gate ${typeof gate === 'string' ? JSON.stringify(gate) : safeString(gate)}; use 'dsr', 'fsr' or a function`,
    {
      details: { gate: safeString(gate) },
    },
  );
}
