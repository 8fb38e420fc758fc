import { describe, expect, it } from 'vitest';
import { generateSupportPairs } from '../scripts/support-pairs.ts';

describe('generateSupportPairs (real TAT-QA tables and FNSPID news from ../shared)', () => {
  it('is deterministic for a seed and yields both labels from both sources', async () => {
    const first = await generateSupportPairs({ seed: 7, newsArticles: 20 });
    const second = await generateSupportPairs({ seed: 7, newsArticles: 20 });
    expect(second).toEqual(first);
    for (const source of ['tatqa', 'news'] as const) {
      const pairs = first.filter((pair) => pair.source === source);
      expect(pairs.some((pair) => pair.label === 1)).toBe(true);
      expect(pairs.some((pair) => pair.label === 0)).toBe(true);
    }
    const cell = first.find((pair) => pair.rewrite === 'cell');
    expect(cell?.documents[0]?.text).toMatch(/^Table/);
    expect(cell?.claim).toMatch(/\d/);
  });
});
