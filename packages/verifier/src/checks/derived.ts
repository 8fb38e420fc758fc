/**
 * Figures implied by arithmetic on the figures of one evidence sentence: a guidance range's midpoint, the
 * difference of two amounts ("raised the outlook by 30 cents" from $2.45 → $2.75), the change between two levels in
 * percent ("up about 19%"), their ratio ("almost four-fold") and a share ("62 cents of every dollar"). A claim may
 * state such a figure instead of the ones written; it then confirms the claim — it never contradicts one.
 */
import type { AnchoredQuantity } from './facts.ts';
import type { Quantity } from './quantities.ts';

const cache = new WeakMap<readonly AnchoredQuantity[], Quantity[]>();

function derived(base: AnchoredQuantity, fields: Pick<Quantity, 'value' | 'unit'> & Partial<Quantity>): Quantity {
  return {
    high: null,
    currency: base.currency,
    tolerance: 0,
    qualifier: 'exact',
    sign: 1,
    raw: `${base.raw} (derived)`,
    start: base.start,
    end: base.end,
    verbal: true,
    ...fields,
  };
}

/** The figures implied by one sentence's figures (at most a few dozen; computed once per sentence). */
export function derivedQuantities(quantities: readonly AnchoredQuantity[]): Quantity[] {
  const cached = cache.get(quantities);
  if (cached) return cached;
  const found: Quantity[] = [];
  const levels = quantities.filter((quantity) => quantity.role !== 'tolerance' && quantity.unit !== 'pp');
  for (const quantity of levels) {
    if (quantity.high !== null) {
      found.push(derived(quantity, { value: (quantity.value + quantity.high) / 2, unit: quantity.unit }));
      if (quantity.unit === 'currency' || quantity.unit === 'count') {
        found.push(derived(quantity, { value: quantity.high - quantity.value, unit: quantity.unit }));
      }
    }
  }
  // Pairs of figures of one unit (and currency) in the sentence: at most the first eight figures.
  const pairs = levels.slice(0, 8);
  for (let left = 0; left < pairs.length; left += 1) {
    for (let right = left + 1; right < pairs.length; right += 1) {
      const a = pairs[left] as AnchoredQuantity;
      const b = pairs[right] as AnchoredQuantity;
      if (a.unit !== b.unit || a.currency !== b.currency || a.value <= 0 || b.value <= 0) continue;
      const [large, small] = a.value >= b.value ? [a, b] : [b, a];
      found.push(derived(a, { value: large.value - small.value, unit: a.unit }));
      if (a.unit === 'percent') continue;
      found.push(derived(a, { value: (large.value / small.value - 1) * 100, unit: 'percent' }));
      found.push(derived(a, { value: (1 - small.value / large.value) * 100, unit: 'percent' }));
      found.push(derived(a, { value: large.value / small.value, unit: 'multiple', currency: null }));
      found.push(derived(a, { value: (small.value / large.value) * 100, unit: 'percent', currency: null }));
    }
  }
  cache.set(quantities, found);
  return found;
}
