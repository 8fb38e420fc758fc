import { createRng } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import {
  changeValue,
  extractClause,
  figuresOf,
  flipDirection,
  reorderClauses,
  roundFigure,
  shiftPeriod,
  swapEntity,
  swapScale,
  swapUnit,
  synonyms,
  verbalFigure,
} from './rewrites.ts';

describe('figures', () => {
  it('finds amounts, not years, dates, quarters or windows', () => {
    const sentence = 'In 2023, on January 5 Apple sold $1,496.5 million in Q3 over the last 20 sessions, up 12.4%.';
    expect(figuresOf(sentence).map((figure) => figure.text)).toEqual(['$1,496.5 million', '12.4%']);
  });
});

describe('meaning-preserving rewrites', () => {
  it('rounds into the next scale or to a close integer, never stacking hedges', () => {
    expect(roundFigure('Total sales were $1,496.5 million in 2019.')).toBe(
      'Total sales were about $1.5 billion in 2019.',
    );
    expect(roundFigure('AAPL closed at 191.46 on 2024-06-10.')).toBe('AAPL closed at about 191 on 2024-06-10.');
    expect(roundFigure('The euro was at $1.0834 after the data.')).toBeNull(); // $1 would be 8% off
    expect(roundFigure('Costs will fall by approximately $4.2 million.')).toBeNull();
  });

  it('writes verbal figures', () => {
    expect(verbalFigure('Net income rose 96% to $2.1 billion.')).toBe('Net income nearly doubled to $2.1 billion.');
    expect(verbalFigure('Services made up 33.4% of revenue.')).toBe('Services made up about a third of revenue.');
    expect(verbalFigure('Sales rose 12% in the year.')).toBeNull();
    expect(verbalFigure('This represents a 50% increase from its low.')).toBeNull();
    expect(verbalFigure('The stock surged about 25% over three months.')).toBeNull();
  });

  it('reorders clauses and moves a lone trailing period to the front', () => {
    expect(reorderClauses('Services revenue grew 11% to a record, while iPhone sales fell 2% in China.')).toBe(
      'iPhone sales fell 2% in China, while services revenue grew 11% to a record.',
    );
    expect(reorderClauses('Total operating expenses rose to $4.1 million in 2019.')).toBe(
      'In 2019, total operating expenses rose to $4.1 million.',
    );
    expect(reorderClauses('Costs rose to $4.1 million from 2017 levels in 2019.')).toBeNull();
    expect(reorderClauses('Royal Caribbean rose 3.9% on its outlook, while Align Technology jumped 14.3%.')).toBe(
      'Align Technology jumped 14.3%, while Royal Caribbean rose 3.9% on its outlook.',
    );
    expect(
      reorderClauses('Over the last 5 sessions MSFT gained 6.3%, and over the last 20 sessions it gained 3.1%.'),
    ).toBeNull();
  });

  it('replaces synonyms and extracts a clause', () => {
    expect(synonyms('The company reported revenue of $5 billion.')).toBe('The firm posted sales of $5 billion.');
    expect(synonyms('Nothing to change here.')).toBeNull();
    expect(extractClause('Apple sold 45 million iPhones in the quarter, and analysts expect more next year.')).toBe(
      'Apple sold 45 million iPhones in the quarter.',
    );
    expect(extractClause('It rose, and fell.')).toBeNull();
  });
});

describe('meaning-changing rewrites', () => {
  it('changes the value with the same precision, deterministically', () => {
    const sentence = 'Revenue was $1,496.5 million in 2019.';
    const changed = changeValue(sentence, createRng(3));
    expect(changed).toMatch(/^Revenue was \$\d{1,3}(?:,\d{3})*\.\d million in 2019\.$/);
    expect(changed).not.toBe(sentence);
    expect(changeValue(sentence, createRng(3))).toBe(changed);
    expect(changeValue('Nothing in 2019.', createRng(3))).toBeNull();
  });

  it('swaps scale, unit, period, entity and direction', () => {
    expect(swapScale('Sales were $4.1 million.')).toBe('Sales were $4.1 billion.');
    expect(swapUnit('Margins rose 5.2% in the year.')).toBe('Margins rose $5.2 in the year.');
    expect(swapUnit('Sales rose $958.1 million.')).toBe('Sales rose 958.1%.');
    expect(shiftPeriod('Sales in the third quarter rose.')).toBe('Sales in the second quarter rose.');
    expect(shiftPeriod('Profit in 2023 rose.')).toBe('Profit in 2022 rose.');
    const swapped = swapEntity('Apple sold more phones.', 'Apple and Samsung sold phones.', createRng(1));
    expect(swapped).toMatch(/^(?!Apple|Samsung)[A-Z][A-Za-z]+ sold more phones\.$/);
    expect(flipDirection('The close was 3% above the average and sales rose.')).toBe(
      'The close was 3% below the average and sales rose.',
    );
    expect(flipDirection('Nothing moved.')).toBeNull();
  });
});
