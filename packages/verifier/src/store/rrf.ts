/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): `score(d) = Σ_lists 1 / (k + rank_list(d))` with
 * 1-based ranks. The constant `k = 60` of the paper damps the influence of the very top ranks so that a document
 * ranked well by both lists beats one ranked first by only one. Pure function.
 */

/** Default RRF constant. */
export const DEFAULT_RRF_K = 60;

/** One fused item: its key, fused score and its 1-based rank in each input list (undefined when absent). */
export interface FusedItem {
  key: string;
  score: number;
  ranks: Array<number | undefined>;
}

/**
 * Fuse ranked lists of keys (best first; duplicates within a list keep their first rank). Ties are broken by
 * the best single rank, then by key, so the output is deterministic.
 */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k: number = DEFAULT_RRF_K): FusedItem[] {
  if (!(k >= 0) || !Number.isFinite(k)) throw new RangeError(`RRF constant must be a finite number ≥ 0, got ${k}`);
  const items = new Map<string, FusedItem>();
  lists.forEach((list, listIndex) => {
    list.forEach((key, position) => {
      let item = items.get(key);
      if (!item) {
        item = { key, score: 0, ranks: lists.map(() => undefined) };
        items.set(key, item);
      }
      if (item.ranks[listIndex] !== undefined) return;
      item.ranks[listIndex] = position + 1;
      item.score += 1 / (k + position + 1);
    });
  });
  const bestRank = (item: FusedItem): number => Math.min(...item.ranks.map((rank) => rank ?? Number.POSITIVE_INFINITY));
  return [...items.values()].sort(
    (left, right) =>
      right.score - left.score ||
      bestRank(left) - bestRank(right) ||
      (left.key < right.key ? -1 : left.key > right.key ? 1 : 0),
  );
}
