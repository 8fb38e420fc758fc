import { z } from 'zod';
import { instantSchema, tickerSchema } from './common.ts';

/** Where a piece of evidence comes from. */
export const SOURCE_KINDS = [
  'news',
  'filing',
  'fundamentals',
  'insider',
  'analyst',
  'macro',
  'technical',
  'social',
  'other',
] as const;
/** Where a piece of evidence comes from. */
export const sourceKindSchema = z.enum(SOURCE_KINDS);
/** Where a piece of evidence comes from. */
export type SourceKind = z.infer<typeof sourceKindSchema>;

/**
 * A dated document that a decision may cite: a news article, a filing, a fundamentals table, an insider
 * report… `publishedAt` is required (undated evidence cannot be placed in time, so it is never admissible) and
 * is normalised to a UTC instant; a date-only value means the end of that UTC day.
 */
export const evidenceDocumentSchema = z.object({
  /** Stable identifier, unique within a store. */
  id: z.string().trim().min(1, 'id must not be empty').max(512),
  /** Tickers the document is about (may be empty for macro or market-wide documents). */
  tickers: z.array(tickerSchema).default([]),
  /** When the document became public. */
  publishedAt: instantSchema,
  /** What kind of source it is. */
  sourceKind: sourceKindSchema,
  /** Headline or title (may be empty). */
  title: z.string().default(''),
  /** Body text. */
  text: z.string().refine((value) => value.trim().length > 0, 'text must not be empty'),
  /** Where it came from. */
  url: z.string().url().optional(),
  /** Free-form JSON metadata kept alongside the document. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});
/** A validated evidence document (output of {@link evidenceDocumentSchema}). */
export type EvidenceDocument = z.output<typeof evidenceDocumentSchema>;
/** What {@link evidenceDocumentSchema} accepts (dates not yet normalised, defaults not yet applied). */
export type EvidenceDocumentInput = z.input<typeof evidenceDocumentSchema>;
