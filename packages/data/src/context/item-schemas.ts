import { finiteNumberSchema, instantSchema, isoDateSchema } from '@trade-r1/core';
import { z } from 'zod';
import type { FundamentalFact, InsiderSentiment, InsiderTransaction, MacroObservation, NewsItem } from '../sources.ts';

/**
 * zod schemas for the source item types of `sources.ts`. `publishedAt` is normalised to a canonical UTC ISO
 * instant (a date-only value becomes the end of that UTC day, the conservative reading).
 */
export const newsItemSchema = z.object({
  id: z.string().min(1),
  tickers: z.array(z.string()),
  publishedAt: instantSchema,
  headline: z.string(),
  summary: z.string(),
  source: z.string(),
  url: z.string().optional(),
}) satisfies z.ZodType<NewsItem, unknown>;

/** Schema of a {@link FundamentalFact}. */
export const fundamentalFactSchema = z.object({
  ticker: z.string().min(1),
  metric: z.string().min(1),
  value: finiteNumberSchema,
  unit: z.string(),
  periodEnd: isoDateSchema.optional(),
  periodStart: isoDateSchema.optional(),
  periodKind: z.enum(['instant', 'quarter', 'ytd', 'annual', 'other']).optional(),
  fiscalYear: z.number().int().optional(),
  fiscalPeriod: z.string().optional(),
  form: z.string().optional(),
  publishedAt: instantSchema,
  source: z.string(),
}) satisfies z.ZodType<FundamentalFact, unknown>;

/** Schema of an {@link InsiderSentiment}. */
export const insiderSentimentSchema = z.object({
  ticker: z.string().min(1),
  year: z.number().int(),
  month: z.number().int().min(1).max(12),
  change: finiteNumberSchema,
  mspr: finiteNumberSchema,
  publishedAt: instantSchema,
  source: z.string(),
}) satisfies z.ZodType<InsiderSentiment, unknown>;

/** Schema of an {@link InsiderTransaction}. */
export const insiderTransactionSchema = z.object({
  ticker: z.string().min(1),
  name: z.string(),
  share: finiteNumberSchema,
  change: finiteNumberSchema,
  transactionDate: isoDateSchema,
  transactionPrice: finiteNumberSchema.optional(),
  transactionCode: z.string().optional(),
  publishedAt: instantSchema,
  source: z.string(),
}) satisfies z.ZodType<InsiderTransaction, unknown>;

/** Schema of a {@link MacroObservation}. */
export const macroObservationSchema = z.object({
  seriesId: z.string().min(1),
  date: isoDateSchema,
  value: finiteNumberSchema.nullable(),
  publishedAt: instantSchema,
  source: z.string(),
}) satisfies z.ZodType<MacroObservation, unknown>;
