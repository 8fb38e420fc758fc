import { z } from 'zod';
import { assertNumberArray, parseArgument } from '../arguments.ts';

const fitOptionsSchema = z.strictObject({
  iterations: z.number().int().min(0).optional(),
  learningRate: z.number().positive().optional(),
  l2: z.number().min(0).optional(),
});

/**
 * Evaluation metrics for verifier scores (pure functions).
 */

/**
 * Area under the ROC curve: the probability that a random positive scores higher than a random negative (ties
 * count one half). `NaN`-free: returns `null` when either class is empty. Computed by rank sums, O(n log n).
 */
export function auroc(positives: readonly number[], negatives: readonly number[]): number | null {
  assertNumberArray(positives, 'auroc()', 'positives');
  assertNumberArray(negatives, 'auroc()', 'negatives');
  if (positives.length === 0 || negatives.length === 0) return null;
  const all = [
    ...positives.map((score) => ({ score: Number.isFinite(score) ? score : 0, positive: true })),
    ...negatives.map((score) => ({ score: Number.isFinite(score) ? score : 0, positive: false })),
  ].sort((left, right) => left.score - right.score);
  let rankSum = 0;
  let index = 0;
  while (index < all.length) {
    let end = index;
    while (
      end + 1 < all.length &&
      (all[end + 1] as { score: number }).score === (all[index] as { score: number }).score
    )
      end += 1;
    const averageRank = (index + end) / 2 + 1;
    for (let tie = index; tie <= end; tie += 1)
      if ((all[tie] as { positive: boolean }).positive) rankSum += averageRank;
    index = end + 1;
  }
  const p = positives.length;
  const n = negatives.length;
  return (rankSum - (p * (p + 1)) / 2) / (p * n);
}

/** Fit an L2-regularised logistic regression by gradient descent (deterministic; for small data sets). */
export function fitLogistic(
  features: ReadonlyArray<readonly number[]>,
  labels: readonly number[],
  options: { iterations?: number; learningRate?: number; l2?: number } = {},
): { bias: number; weights: number[] } {
  parseArgument(z.array(z.array(z.number())), features, 'fitLogistic()', 'features');
  parseArgument(
    z.array(z.number()).length(features.length, 'one label per feature row'),
    labels,
    'fitLogistic()',
    'labels',
  );
  parseArgument(fitOptionsSchema, options, 'fitLogistic()', 'options', 'INVALID_CONFIG');
  const iterations = options.iterations ?? 4000;
  const learningRate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 0.01;
  const dimension = features[0]?.length ?? 0;
  const weights = new Array<number>(dimension).fill(0);
  let bias = 0;
  const count = features.length;
  if (count === 0) return { bias, weights };
  for (let step = 0; step < iterations; step += 1) {
    const gradient = new Array<number>(dimension).fill(0);
    let gradientBias = 0;
    for (let row = 0; row < count; row += 1) {
      const x = features[row] as readonly number[];
      let z = bias;
      for (let column = 0; column < dimension; column += 1) z += (weights[column] as number) * (x[column] as number);
      const error = 1 / (1 + Math.exp(-z)) - (labels[row] as number);
      gradientBias += error;
      for (let column = 0; column < dimension; column += 1)
        gradient[column] = (gradient[column] as number) + error * (x[column] as number);
    }
    bias -= (learningRate * gradientBias) / count;
    for (let column = 0; column < dimension; column += 1) {
      weights[column] =
        (weights[column] as number) -
        learningRate * ((gradient[column] as number) / count + l2 * (weights[column] as number));
    }
  }
  return { bias, weights };
}
