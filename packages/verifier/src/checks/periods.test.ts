import { describe, expect, it } from 'vitest';
import { extractPeriods, periodLabel, periodRelation } from './periods.ts';

function only(text: string) {
  const periods = extractPeriods(text);
  expect(periods).toHaveLength(1);
  return periods[0] as NonNullable<(typeof periods)[0]>;
}

describe('extractPeriods', () => {
  it('reads quarters in their common spellings', () => {
    for (const text of ['Q3 2024', '3Q24', "Q3'24", 'third quarter of 2024']) {
      expect(only(text)).toMatchObject({ kind: 'quarter', quarter: 3, year: 2024 });
    }
    expect(only('Q3 FY24')).toMatchObject({ kind: 'quarter', quarter: 3, year: 2024, fiscal: true });
  });

  it('reads fiscal years, halves, months and dates', () => {
    expect(only('FY2025')).toMatchObject({ kind: 'year', year: 2025, fiscal: true });
    expect(only('fiscal 2024')).toMatchObject({ kind: 'year', year: 2024, fiscal: true });
    expect(only('H1 2024')).toMatchObject({ kind: 'half', half: 1, year: 2024 });
    expect(only('first half of 2024')).toMatchObject({ kind: 'half', half: 1, year: 2024 });
    expect(only('March 2024')).toMatchObject({ kind: 'month', month: 3, year: 2024 });
    expect(only('2024-08-01')).toMatchObject({ kind: 'date', month: 8, day: 1 });
    expect(only('August 1, 2024')).toMatchObject({ kind: 'date', month: 8, day: 1, year: 2024 });
  });

  it('marks quarters fiscal in a fiscal context and borrows the fiscal year', () => {
    const quarter = extractPeriods('its fiscal 2024 third quarter').find((period) => period.kind === 'quarter');
    expect(quarter).toMatchObject({ kind: 'quarter', quarter: 3, fiscal: true, year: 2024 });
    expect(periodLabel(quarter as NonNullable<typeof quarter>)).toBe('Q3 FY2024');
  });
});

describe('periodRelation', () => {
  const relation = (left: string, right: string) => periodRelation(only(left), only(right));

  it('compares quarters, halves and years', () => {
    expect(relation('Q3 2024', 'third quarter of 2024')).toBe('same');
    expect(relation('Q3 2024', 'Q2 2024')).toBe('disjoint');
    expect(relation('Q3 2024', 'Q3 2023')).toBe('disjoint');
    expect(relation('Q2 2024', 'H1 2024')).toBe('contains');
    expect(relation('Q3 2024', 'H1 2024')).toBe('disjoint');
    expect(relation('Q3 2024', '2024')).toBe('contains');
  });

  it('does not compare calendar dates with quarters (fiscal calendars differ)', () => {
    expect(relation('March 2024', 'Q3 2024')).toBe('unknown');
  });
});
