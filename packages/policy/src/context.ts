import {
  assertAvailableAt,
  barSchema,
  instantSchema,
  parseWith,
  sourceKindSchema,
  tickerSchema,
  toIsoInstant,
} from '@trade-r1/core';
import { z } from 'zod';

/**
 * One dated piece of evidence a prompt or template may cite. Structurally compatible with core's
 * `EvidenceDocument` (and with what `@trade-r1/data` retrieves), so those can be passed directly.
 */
export const contextEvidenceSchema = z.object({
  /** Stable identifier, cited as the `source`. */
  id: z.string().trim().min(1),
  /** Headline. @default '' */
  title: z.string().default(''),
  /** Body text. */
  text: z.string(),
  /** When it became public (ISO date or date-time; a date means the end of that UTC day). */
  publishedAt: instantSchema,
  /** What kind of source it is. @default 'other' */
  sourceKind: sourceKindSchema.default('other'),
  /** Where it came from. */
  url: z.string().optional(),
});
/** One dated piece of evidence (see {@link contextEvidenceSchema}). */
export type ContextEvidence = z.output<typeof contextEvidenceSchema>;
/** What {@link contextEvidenceSchema} accepts. */
export type ContextEvidenceInput = z.input<typeof contextEvidenceSchema>;

/**
 * A point-in-time decision context: one ticker, the decision time `asOf`, its daily bars up to `asOf`, optional
 * evidence and optional precomputed indicators. Nothing in it may be published after `asOf`. Misspelled keys are
 * rejected (an `evidences` list would otherwise be dropped unseen); evidence items may carry extra fields.
 */
export const decisionContextSchema = z.strictObject({
  /** The ticker the decision is about. */
  ticker: tickerSchema,
  /** The decision time (ISO date or date-time). */
  asOf: z.string().trim().min(1),
  /** Bars in increasing time order, none after `asOf`. */
  bars: z.array(barSchema),
  /** Evidence published at or before `asOf`. @default [] */
  evidence: z.array(contextEvidenceSchema).default([]),
  /** Precomputed indicators by name (`rsi14`, `sma20`…); missing ones are computed from `bars`. */
  indicators: z.record(z.string(), z.number().nullable()).optional(),
});
/** A validated point-in-time context. */
export type DecisionContext = z.output<typeof decisionContextSchema>;
/** What {@link decisionContextSchema} accepts. */
export type DecisionContextInput = z.input<typeof decisionContextSchema>;

/**
 * Validate a context and enforce point-in-time discipline: every bar and every evidence item must be available at
 * `asOf`. Items from the future are a bug upstream, so they are rejected rather than filtered.
 * @throws {TradeR1Error} `INVALID_INPUT` for malformed input, `LOOKAHEAD` for anything after `asOf`.
 */
export function parseDecisionContext(value: unknown): DecisionContext {
  const context = parseWith(decisionContextSchema, value, { label: 'point-in-time context' });
  const asOf = toIsoInstant(context.asOf);
  context.bars.forEach((bar, index) => {
    assertAvailableAt(bar.timestamp, asOf, { ticker: context.ticker, bar: index });
  });
  for (const item of context.evidence) assertAvailableAt(item.publishedAt, asOf, { evidenceId: item.id });
  return context;
}
