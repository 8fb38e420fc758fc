import { evidenceDocumentSchema } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { buildTatqaCases } from './cases.ts';
import type { TatContext } from './read.ts';

const question = (
  uid: string,
  text: string,
  answer: unknown,
  extra: Partial<TatContext['questions'][number]> = {},
) => ({
  uid,
  question: text,
  answer,
  answer_type: 'span',
  answer_from: 'table',
  scale: 'million',
  ...extra,
});

const context: TatContext = {
  table: {
    uid: 't1',
    table: [
      ['', '', 'Years Ended September 30,', ''],
      ['', '2019', '2018', '2017'],
      ['Fixed Price', '$ 1,452.4', '$ 1,146.2', '$ 1,036.9'],
      ['Other', '44.1', '56.7', '70.8'],
      ['Total sales', '$1,496.5', '$1,202.9', '$1,107.7'],
    ],
  },
  paragraphs: [{ uid: 'p1', order: 1, text: 'The backlog was $2.3 billion at year end.' }],
  questions: [
    question('q1', 'What was the total sales in 2019?', ['$1,496.5']),
    question('q2', 'What was the Fixed Price in 2018?', ['1,146.2']),
    question('q3', 'What was the backlog at year end?', ['$2.3 billion'], { answer_from: 'text', scale: '' }),
    question('q4', 'Which types of contract are there?', ['Fixed Price', 'Other'], { answer_type: 'multi-span' }),
    question('q5', 'What is the change in total sales?', 293.6, { answer_type: 'arithmetic' }),
  ],
};

describe('buildTatqaCases', () => {
  const built = buildTatqaCases([context], { seed: 5, prefix: 'TQX' });
  const byKind = (kind: string, origin?: string) =>
    built.cases
      .filter(
        (item) => item.truth.kind === kind && item.truth.claims === 1 && (!origin || item.truth.origin === origin),
      )
      .map((item) => item.input.reasoning);

  it('states table answers as "<row> in <period> was <value>" with the column unit', () => {
    expect(byKind('faithful', 'table')).toEqual([
      'Total sales in 2019 was $1,496.5 million.',
      'Fixed Price in 2018 was $1,146.2 million.',
    ]);
    expect(byKind('faithful', 'text')).toEqual(['The backlog at year end was $2.3 billion.']);
    // Multi-span and arithmetic answers make no claim.
    expect(built.cases.some((item) => /293\.6|Other in/.test(item.input.reasoning))).toBe(false);
  });

  it('makes negatives from the same table: another period, another row, another scale, another value', () => {
    const negatives = built.cases.filter((item) => item.id.startsWith('TQX0-c0~')).map((item) => item.input.reasoning);
    // Another period (one of two, a seeded choice) and another row of the same period.
    expect(negatives.some((text) => /^Total sales in 2019 was \$(?:1,107\.7|1,202\.9) million\.$/.test(text))).toBe(
      true,
    );
    expect(negatives.some((text) => /^Total sales in 2019 was \$(?:1,452\.4|44\.1) million\.$/.test(text))).toBe(true);
    expect(negatives).toContain('Total sales in 2019 was $1,496.5 billion.');
    for (const item of built.cases.filter((entry) => !entry.truth.factual)) {
      expect(item.input.reasoning).not.toBe('Total sales in 2019 was $1,496.5 million.');
    }
    expect(byKind('scale_swap', 'text')).toEqual(['The backlog at year end was $2.3 million.']);
  });

  it('states a direction between two periods and negates it', () => {
    expect(byKind('faithful', 'direction')).toContain(
      'Total sales rose to $1,496.5 million in 2019 from $1,202.9 million in 2018.',
    );
    expect(byKind('negation', 'direction')).toContain(
      'Total sales fell to $1,496.5 million in 2019 from $1,202.9 million in 2018.',
    );
  });

  it('adds one multi-claim reasoning and the same with its last claim replaced', () => {
    const multi = built.cases.filter((item) => item.truth.claims > 1);
    expect(multi.map((item) => item.truth.factual)).toEqual([true, false]);
    expect(multi[0]?.input.reasoning).toBe(
      'Total sales in 2019 was $1,496.5 million. Fixed Price in 2018 was $1,146.2 million. The backlog at year end was $2.3 billion.',
    );
    expect(multi[1]?.input.reasoning.startsWith('Total sales in 2019 was $1,496.5 million. Fixed Price')).toBe(true);
  });

  it('gives the verifier only ticker, asOf, reasoning and decision, and valid dated documents before asOf', () => {
    for (const item of built.cases) {
      expect(Object.keys(item.input).sort()).toEqual(['asOf', 'decision', 'reasoning', 'ticker']);
      expect(item.input.ticker).toBe('TQX0');
    }
    expect(built.documents.map((document) => document.id)).toEqual(['TQX0-table', 'TQX0-text']);
    for (const document of built.documents) {
      const parsed = evidenceDocumentSchema.parse(document);
      expect(parsed.publishedAt < '2020-06-30').toBe(true);
      expect(parsed.metadata?.source).toMatch(/TAT-QA \(CC BY 4\.0\)/);
    }
  });

  it('is deterministic for a seed and samples contexts when limited', () => {
    expect(buildTatqaCases([context], { seed: 5, prefix: 'TQX' })).toEqual(built);
    const many = Array.from({ length: 10 }, () => context);
    const sampled = buildTatqaCases(many, { seed: 9, prefix: 'TQX', limit: 3 });
    expect(sampled.contexts).toBe(3);
    expect(sampled.sampled).toBe(true);
    expect(new Set(sampled.cases.map((item) => item.input.ticker)).size).toBe(3);
    expect(buildTatqaCases(many, { seed: 9, prefix: 'TQX', limit: 3 })).toEqual(sampled);
  });
});
