import { z } from 'zod';

/**
 * zod schemas of the check building blocks' records (`TextFacts`, `PreparedEvidence`, `Period`, `Quantity`), for
 * the public boundary of `checkClaim`, `periodRelation`, `compareQuantities` and friends: every field those
 * functions read, typed, so a JavaScript caller passing a hand-built or truncated record gets a `TradeR1Error`
 * naming the field instead of a `TypeError` from inside. Other fields are allowed (loose objects). The pipeline's
 * own calls never go through these (they pass records the functions themselves produced).
 */

const int = z.number();
const nullableInt = z.number().nullable();

/** Schema of a `Period`. */
export const periodSchema = z.looseObject({
  kind: z.enum(['date', 'month', 'quarter', 'half', 'year']),
  year: nullableInt,
  quarter: nullableInt,
  half: nullableInt,
  month: nullableInt,
  day: nullableInt,
  fiscal: z.boolean(),
  raw: z.string(),
  start: int,
  end: int,
});

/** Schema of a `Quantity`. */
export const quantitySchema = z.looseObject({
  value: z.number(),
  high: z.number().nullable(),
  unit: z.enum(['percent', 'pp', 'currency', 'multiple', 'count', 'points']),
  currency: z.string().nullable(),
  tolerance: z.number(),
  qualifier: z.enum(['exact', 'approx', 'atLeast', 'atMost']),
  sign: z.union([z.literal(1), z.literal(-1)]),
  verbal: z.boolean().optional(),
  raw: z.string(),
  start: int,
  end: int,
});

const tokenSchema = z.looseObject({
  raw: z.string(),
  lower: z.string(),
  norm: z.string(),
  start: int,
  end: int,
  stop: z.boolean(),
});

const metricSchema = z.looseObject({
  id: z.string(),
  parent: z.string().nullable(),
  qualifier: z.string().nullable(),
  start: int,
  end: int,
});

const anchoredQuantitySchema = quantitySchema.extend({
  metric: metricSchema.nullable(),
  estimate: z.boolean(),
  role: z.enum(['level', 'change', 'prior', 'tolerance']).nullable(),
  periods: z.array(periodSchema),
  horizon: z.string().nullable(),
});

const directionSchema = z.looseObject({
  word: z.string(),
  polarity: z.union([z.literal(1), z.literal(-1)]),
  axis: z.enum(['change', 'expectation', 'revision', 'rating', 'position']),
  negated: z.boolean(),
  metric: metricSchema.nullable(),
  horizon: z.string().nullable(),
  start: int,
  derived: z.literal(true).optional(),
});

const entitySchema = z.looseObject({
  key: z.string(),
  raw: z.string(),
  kind: z.enum(['company', 'name']),
  start: int,
});

/** Schema of `TextFacts` (as `analyzeText` returns them). */
export const textFactsSchema = z.looseObject({
  tokens: z.array(tokenSchema),
  terms: z.array(z.string()),
  periods: z.array(periodSchema),
  metrics: z.array(metricSchema),
  quantities: z.array(anchoredQuantitySchema),
  directions: z.array(directionSchema),
  entities: z.array(entitySchema),
  negatedTerms: z.array(z.string()),
  source: z.string(),
});

const stringSet = z.instanceof(Set);

const evidenceSentenceSchema = z.looseObject({
  text: z.string(),
  start: int,
  facts: textFactsSchema,
  termSet: stringSet,
  negated: z.boolean(),
  negatedTerms: stringSet,
  cell: z.looseObject({ table: int, column: z.string(), rowTerms: z.array(z.string()) }).nullable(),
});

/** Schema of `PreparedEvidence` (as `prepareEvidence` returns it). */
export const preparedEvidenceSchema = z.looseObject({
  chunkId: z.string(),
  documentId: z.string(),
  chunkIndex: int,
  publishedAt: z.string(),
  tickers: z.array(z.string()),
  title: z.string(),
  text: z.string(),
  sentences: z.array(evidenceSentenceSchema),
  documentPeriods: z.array(periodSchema),
  titlePeriods: z.array(periodSchema),
  publishedPeriod: periodSchema.nullable(),
  entityKeys: stringSet,
  lowerText: z.string(),
  termSet: stringSet,
  termCounts: z.instanceof(Map),
});

/** Schema of a retrieved chunk as `prepareEvidence` reads it (a `SearchHit`'s fields). */
export const evidenceHitSchema = z.looseObject({
  chunkId: z.string(),
  documentId: z.string(),
  chunkIndex: int,
  publishedAt: z.string(),
  tickers: z.array(z.string()),
  title: z.string(),
  text: z.string(),
  tableHead: z.string().optional(),
});

const termSimilaritySchema = z.custom<{ similarity: unknown; vector: unknown; dimension: number }>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { similarity?: unknown }).similarity === 'function' &&
    typeof (value as { vector?: unknown }).vector === 'function' &&
    typeof (value as { dimension?: unknown }).dimension === 'number',
  'expected a TermSimilarity { similarity(), vector(), dimension }',
);

/** Schema of `CheckClaimInput`. Strict: a misspelled key is an error, not an ignored option. */
export const checkClaimInputSchema = z.strictObject({
  claim: textFactsSchema,
  claimNegated: z.boolean(),
  evidence: z.array(preparedEvidenceSchema),
  admissible: z.custom<() => unknown>((value) => typeof value === 'function', 'expected a function').optional(),
  idf: z.instanceof(Map),
  defaultIdf: z.number(),
  subjectTicker: z.string().optional(),
  similarity: termSimilaritySchema.nullable().optional(),
});
