import { createRng, deriveSeed, type Rng } from '@trade-r1/core';

/**
 * A fresh random stream for one step of a sequential process (an environment step, a call), from `seed` and a
 * key such as `${step}:${index}`: `createRng(deriveSeed(seed, key))`, whose first draws are independent and
 * uniform across neighbouring keys (a policy's first draw per step is the one that picks the action).
 */
export function stepStream(seed: number, key: string): Rng {
  return createRng(deriveSeed(seed, key));
}
