import { createRng, evidenceDocumentSchema, TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import type { TatContext } from '../tatqa/read.ts';
import { generateSupportPairs, type SupportPair, sentencePairs, tatqaContextPairs } from './generate.ts';

const context: TatContext = {
  table: {
    uid: 't1',
    table: [
      ['', '2019', '2018'],
      ['Fixed Price', '$ 1,452.4', '$ 726.2'],
      ['Other', '44.1', '56.7'],
      ['Total sales', '$1,496.5', '$782.9'],
    ],
  },
  paragraphs: [
    {
      uid: 'p1',
      order: 1,
      text: 'Total sales increased to $1,496.5 million in 2019, and backlog rose 12.4% over the year.',
    },
  ],
  questions: [
    {
      uid: 'q',
      question: 'What was the total sales in 2019?',
      answer: ['1,496.5'],
      answer_type: 'span',
      answer_from: 'table',
      scale: 'million',
    },
  ],
};

describe('tatqaContextPairs', () => {
  const pairs = tatqaContextPairs(context, 0, createRng(2), 'Revenue in 2019 was $9.');
  const claims = (label: string, rewrite: string) =>
    pairs.filter((pair) => pair.label === label && pair.rewrite === rewrite).map((pair) => pair.claim);

  it('states table cells as supported sentences and other cells, periods and scales as contradicted', () => {
    expect(claims('supported', 'cell')).toContain('Total sales in 2019 was $1,496.5 million.');
    expect(claims('supported', 'cell')).toContain('Other in 2018 was $56.7 million.');
    for (const claim of claims('contradicted', 'other-period')) expect(claim).toMatch(/ was /);
    expect(claims('contradicted', 'other-period')).toContain('Total sales in 2019 was $782.9 million.');
    expect(claims('contradicted', 'scale')).toContain('Total sales in 2019 was $1,496.5 billion.');
    expect(claims('supported', 'direction')).toContain(
      'Total sales rose to $1,496.5 million in 2019 from $782.9 million in 2018.',
    );
    expect(claims('contradicted', 'direction')).toContain(
      'Total sales fell to $1,496.5 million in 2019 from $782.9 million in 2018.',
    );
    expect(claims('supported', 'verbal')).toContain('Fixed Price roughly doubled in 2019 from 2018.');
    // Another value: a table sentence or the paragraph with its figure changed (a seeded choice), never a true figure.
    const values = claims('contradicted', 'value');
    expect(values.length).toBeGreaterThan(0);
    for (const claim of values) {
      expect(claim).toMatch(/\$\d{1,3}(?:,\d{3})*\.\d million\b/);
      expect(claim).not.toMatch(/\$(?:1,496\.5|782\.9|1,452\.4|726\.2) million/);
    }
    expect(claims('unsupported', 'foreign')).toEqual(['Revenue in 2019 was $9.']);
  });

  it('never labels a claim both ways and keeps the evidence valid and attributed', () => {
    const byClaim = new Map<string, Set<string>>();
    for (const pair of pairs) byClaim.set(pair.claim, (byClaim.get(pair.claim) ?? new Set()).add(pair.label));
    for (const labels of byClaim.values()) expect(labels.size).toBe(1);
    for (const pair of pairs) {
      expect(pair.group).toBe('tatqa-t1');
      for (const document of pair.evidenceDocuments) {
        expect(evidenceDocumentSchema.parse(document).metadata?.source).toBe('TAT-QA (CC BY 4.0)');
      }
    }
  });
});

describe('sentencePairs', () => {
  it('makes up to two positives and two negatives of a sentence, deterministically', () => {
    const run = (seed: number) => {
      const out: Array<[string, string, string]> = [];
      sentencePairs(
        'Apple reported revenue of $119.6 billion in the quarter, and services revenue increased 11.3% from a year earlier.',
        'Apple reported revenue of $119.6 billion in the quarter.',
        createRng(seed),
        (claim, label, rewrite) => out.push([claim, label, rewrite]),
      );
      return out;
    };
    const first = run(4);
    expect(run(4)).toEqual(first);
    expect(
      first.filter(([, label]) => label === 'supported').filter(([, , rewrite]) => rewrite !== 'verbatim').length,
    ).toBeLessThanOrEqual(2);
    expect(first.filter(([, label]) => label !== 'supported').length).toBe(2);
    for (const [claim] of first.filter(([, , rewrite]) => rewrite !== 'verbatim')) {
      expect(claim).not.toBe(
        'Apple reported revenue of $119.6 billion in the quarter, and services revenue increased 11.3% from a year earlier.',
      );
    }
  });
});

describe('generateSupportPairs', () => {
  it('is deterministic, counts what the limit drops, and reads TAT-QA and market documents', async () => {
    const set = await generateSupportPairs({ seed: 11, limit: 500, sources: ['tatqa', 'market'], marketDocuments: 40 });
    expect(set.pairs).toHaveLength(500);
    expect(set.dropped).toBe(set.generated - 500);
    expect(set.missingSources).toEqual([]);
    expect(Object.keys(set.counts.source).sort()).toEqual(['market', 'tatqa']);
    expect(Object.keys(set.counts.label).sort()).toEqual(['contradicted', 'supported', 'unsupported']);
    const again = await generateSupportPairs({
      seed: 11,
      limit: 500,
      sources: ['tatqa', 'market'],
      marketDocuments: 40,
    });
    expect(again.pairs.map((pair: SupportPair) => pair.claim)).toEqual(set.pairs.map((pair) => pair.claim));
    const other = await generateSupportPairs({
      seed: 12,
      limit: 500,
      sources: ['tatqa', 'market'],
      marketDocuments: 40,
    });
    expect(other.pairs.map((pair) => pair.claim)).not.toEqual(set.pairs.map((pair) => pair.claim));
    const market = set.pairs.find((pair) => pair.source === 'market' && pair.rewrite === 'period');
    expect(market?.label).toBe('contradicted');
  });

  it('rejects invalid and misspelled options with the field', async () => {
    await expect(generateSupportPairs({ seed: 1.5 })).rejects.toThrow(TradeR1Error);
    await expect(generateSupportPairs({ seed: 1, limt: 3 } as never)).rejects.toThrow(/limt/);
    await expect(generateSupportPairs({ seed: 1, sources: ['tweets'] } as never)).rejects.toThrow(/sources/);
    await expect(generateSupportPairs(undefined as never)).rejects.toThrow(TradeR1Error);
  });
});
