import { describe, expect, it } from 'vitest';
import { countQuotes, findStaleQuotes } from '../scripts/docs-quotes.ts';

describe('docs', () => {
  it('quote the recipe files exactly (run `pnpm --filter @trade-r1/example-recipes docs:sync` after editing one)', async () => {
    expect(await countQuotes()).toBeGreaterThanOrEqual(3);
    expect(await findStaleQuotes()).toEqual([]);
  });
});
