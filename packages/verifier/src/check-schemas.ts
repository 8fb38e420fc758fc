import { z } from 'zod';

/**
 * zod schemas of a claim's checks and citations as they appear in a `VerificationReport`, for the functions that
 * read them from a caller (the page helpers, `checkFeatures`): the fields they read, typed; other fields allowed.
 */
const status = z.enum(['matched', 'conflict', 'missing']);
const nullableString = z.string().nullable();

/** Schema of `ClaimChecks` (the fields the readers use). */
export const claimChecksSchema = z.looseObject({
  numbers: z.array(
    z.looseObject({
      claimed: z.string(),
      status,
      evidence: nullableString,
      chunkId: nullableString,
      reason: z.string().nullable().optional(),
    }),
  ),
  entities: z.array(z.looseObject({ name: z.string(), kind: z.string(), status })),
  periods: z.array(z.looseObject({ period: z.string(), status })),
  directions: z.array(z.looseObject({ word: z.string(), status, evidence: nullableString, chunkId: nullableString })),
  events: z.array(z.looseObject({ event: z.string(), status: z.enum(['matched', 'missing']) })).optional(),
  negation: z.enum(['conflict']).nullable(),
  conflicts: z.array(z.string()),
});

/** Schema of a `Citation`. */
export const citationSchema = z.looseObject({
  documentId: z.string(),
  chunkId: z.string(),
  publishedAt: z.string(),
  title: z.string(),
});
