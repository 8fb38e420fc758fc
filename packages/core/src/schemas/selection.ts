import { z } from 'zod';
import { finiteNumberSchema, tickerSchema } from './common.ts';

/** One chosen asset in a selection decision. */
export const selectionItemSchema = z.object({
  ticker: tickerSchema,
  /** Portfolio weight in [0, 1]. */
  weight: finiteNumberSchema.refine((value) => value >= 0 && value <= 1, 'weight must be in [0, 1]').optional(),
  /** Model score or rank signal (higher is more attractive). */
  score: finiteNumberSchema.optional(),
});
/** One chosen asset in a selection decision. */
export type SelectionItem = z.infer<typeof selectionItemSchema>;

/**
 * A cross-sectional selection (Trade-R1's asset-selection task): the chosen tickers, each with an optional
 * weight and score. Tickers are unique; when weights are given they sum to at most 1 (the rest is cash).
 */
export const selectionDecisionSchema = z
  .object({
    selections: z.array(selectionItemSchema),
  })
  .superRefine((decision, context) => {
    const seen = new Set<string>();
    let total = 0;
    decision.selections.forEach((item, index) => {
      if (seen.has(item.ticker)) {
        context.addIssue({
          code: 'custom',
          path: ['selections', index, 'ticker'],
          message: `duplicate ticker ${item.ticker}`,
        });
      }
      seen.add(item.ticker);
      total += item.weight ?? 0;
    });
    if (total > 1 + 1e-9) {
      context.addIssue({ code: 'custom', path: ['selections'], message: `weights sum to ${total}, more than 1` });
    }
  });
/** A cross-sectional selection decision. */
export type SelectionDecision = z.infer<typeof selectionDecisionSchema>;
