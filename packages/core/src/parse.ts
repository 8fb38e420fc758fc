import type { z } from 'zod';
import { parseWith } from './errors.ts';
import { type Bar, barSchema, type PriceSeries, priceSeriesSchema } from './schemas/bar.ts';
import { type Decision, decisionSchema } from './schemas/decision.ts';
import { type EvidenceDocument, evidenceDocumentSchema } from './schemas/evidence.ts';
import { type Rollout, rolloutSchema } from './schemas/rollout.ts';
import { type SelectionDecision, selectionDecisionSchema } from './schemas/selection.ts';

/** Validate one bar. @throws {TradeR1Error} `INVALID_BAR` */
export function parseBar(value: unknown, details?: Record<string, unknown>): Bar {
  return parseWith(barSchema, value, { code: 'INVALID_BAR', label: 'bar', ...(details && { details }) });
}

/** Validate a price series (each bar and the ordering). @throws {TradeR1Error} `INVALID_SERIES` */
export function parsePriceSeries(value: unknown, details?: Record<string, unknown>): PriceSeries {
  return parseWith(priceSeriesSchema, value, {
    code: 'INVALID_SERIES',
    label: 'price series',
    ...(details && { details }),
  });
}

/** Validate and normalise an evidence document. @throws {TradeR1Error} `INVALID_DOCUMENT` */
export function parseEvidenceDocument(value: unknown, details?: Record<string, unknown>): EvidenceDocument {
  return parseWith(evidenceDocumentSchema, value, {
    code: 'INVALID_DOCUMENT',
    label: 'evidence document',
    ...(details && { details }),
  });
}

/** Validate a decision value. @throws {TradeR1Error} `INVALID_DECISION` */
export function parseDecision(value: unknown): Decision {
  return parseWith(decisionSchema, value, { code: 'INVALID_DECISION', label: 'decision' });
}

/** Validate a selection decision. @throws {TradeR1Error} `INVALID_DECISION` */
export function parseSelectionDecision(value: unknown): SelectionDecision {
  return parseWith(selectionDecisionSchema, value, { code: 'INVALID_DECISION', label: 'selection decision' });
}

/** Validate a rollout. @throws {TradeR1Error} `INVALID_INPUT` */
export function parseRollout(value: unknown): Rollout {
  return parseWith(rolloutSchema, value, { label: 'rollout' });
}

/** The input type of a zod schema (what callers may pass before defaults and normalisation). */
export type SchemaInput<Schema extends z.ZodType> = z.input<Schema>;
