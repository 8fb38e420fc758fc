import { z } from 'zod';
import { decisionSchema } from './decision.ts';
import { selectionDecisionSchema } from './selection.ts';

/**
 * One sampled completion for a prompt, as an RL trainer sees it: the prompt, the completion text, the decision
 * parsed from it (`null` when the completion had no parseable decision) and free-form metadata
 * (ticker, asOf, group id, sampling parameters…).
 */
export const rolloutSchema = z.object({
  prompt: z.string(),
  completion: z.string(),
  decision: z.union([decisionSchema, selectionDecisionSchema]).nullable(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
/** One sampled completion (see {@link rolloutSchema}). */
export type Rollout = z.output<typeof rolloutSchema>;
