import {
  barCloseInstant,
  barSchema,
  decisionInstant,
  type ExchangeId,
  exchangeForTicker,
  exchangeSchema,
  instantSchema,
  parseTimestamp,
  parseWith,
  publicationInstant,
  sourceKindSchema,
  TradeR1Error,
  tickerSchema,
  toExchangeId,
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
  /**
   * When it became public (ISO date-time, or a date: the end of that day on the ticker's exchange, so an item dated
   * on the decision day is not admissible at that day's close — it may have appeared after it).
   */
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
  /**
   * The decision time: a date means the cutoff of that date on the ticker's exchange (its close, core's decision
   * clock); a date-time with an offset is exact; one without an offset is read in the exchange's zone.
   */
  asOf: z.string().trim().min(1),
  /** The exchange whose clock places `asOf`, bars and dates (`XNYS`, `SSE`, …). @default from the ticker */
  exchange: exchangeSchema.optional(),
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

/** The exchange a context is on: the one named, else the ticker's (`exchangeForTicker`). */
export function contextExchange(context: Pick<DecisionContext, 'ticker' | 'exchange'>): ExchangeId {
  return context.exchange !== undefined ? toExchangeId(context.exchange) : exchangeForTicker(context.ticker);
}

/** The decision cutoff of a context (epoch ms) on its exchange's clock (see `asOf`). */
export function contextCutoff(context: Pick<DecisionContext, 'ticker' | 'exchange' | 'asOf'>): number {
  return decisionInstant({ asOf: context.asOf, exchange: contextExchange(context) });
}

/** When a bar is complete: a daily (date-only) bar at its session's close, a stamped bar at its stamp. */
function barInstant(timestamp: string, exchange: ExchangeId): number {
  return parseTimestamp(timestamp).dateOnly
    ? barCloseInstant(timestamp, exchange)
    : publicationInstant({ publishedAt: timestamp, exchange });
}

function lookahead(what: string, publishedAt: number, cutoff: number, details: Record<string, unknown>): never {
  throw new TradeR1Error(
    'LOOKAHEAD',
    `Look-ahead: ${what} public at ${new Date(publishedAt).toISOString()} reached a decision with cutoff ${new Date(cutoff).toISOString()}`,
    { details: { ...details, publishedAt: new Date(publishedAt).toISOString(), asOf: new Date(cutoff).toISOString() } },
  );
}

/**
 * Validate a context and enforce point-in-time discipline on the exchange's decision clock: every bar must be
 * complete (a daily bar at its close) and every evidence item public at or before the cutoff. Items from the
 * future are a bug upstream, so they are rejected rather than filtered.
 * @throws {TradeR1Error} `INVALID_INPUT` for malformed input (or a ticker whose exchange cannot be told without
 *   `exchange`), `LOOKAHEAD` for anything after the cutoff.
 */
export function parseDecisionContext(value: unknown): DecisionContext {
  const context = parseWith(decisionContextSchema, value, { label: 'point-in-time context' });
  const exchange = contextExchange(context);
  const cutoff = decisionInstant({ asOf: context.asOf, exchange });
  context.bars.forEach((bar, index) => {
    const at = barInstant(bar.timestamp, exchange);
    if (at > cutoff) lookahead('a bar', at, cutoff, { ticker: context.ticker, bar: index });
  });
  for (const item of context.evidence) {
    const at = publicationInstant({ publishedAt: item.publishedAt, exchange });
    if (at > cutoff) lookahead('an evidence item', at, cutoff, { evidenceId: item.id });
  }
  return context;
}
