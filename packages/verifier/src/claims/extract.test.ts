import { describe, expect, it } from 'vitest';
import { extractClaims, findDecisionTag } from './extract.ts';

const THESIS = `<think>Plan: cover fundamentals, then conclude.</think>
<fundamentals>
**Fundamental Analysis**
Apple's fundamentals remain solid heading into the print.
- Services revenue grew 14% year over year. *Services revenue reached a record $24.2 billion* \`Apple 10-Q, 2024-08-02\`
- Gross margin expanded to 46.3%. Supporting evidence: "gross margin was 46.3 percent" SOURCES: Apple press release, 2024-08-01
| Metric | Q3 FY24 | YoY |
|---|---|---|
| Revenue | $85.8B | +5% |
</fundamentals>
<conclusion>
We believe the risk/reward is attractive. This is not financial advice.
[[[STRONG BUY]]]
</conclusion>`;

describe('extractClaims', () => {
  it('splits a Trading-R1 thesis into claims with exact spans', () => {
    const { claims, decisionTag, conclusionSpans } = extractClaims(THESIS);
    expect(claims.map((claim) => claim.kind)).toEqual(['sentence', 'bullet', 'bullet', 'table-row', 'conclusion']);
    for (const claim of claims) {
      expect(claim.start).toBeGreaterThanOrEqual(0);
      expect(claim.end).toBeLessThanOrEqual(THESIS.length);
      expect(claim.end).toBeGreaterThan(claim.start);
    }
    expect(THESIS.slice(claims[0]?.start, claims[0]?.end)).toBe(
      "Apple's fundamentals remain solid heading into the print.",
    );
    expect(claims[1]).toMatchObject({
      section: 'fundamentals',
      quote: 'Services revenue reached a record $24.2 billion',
      source: 'Apple 10-Q, 2024-08-02',
    });
    expect(claims[1]?.text).not.toContain('10-Q');
    expect(claims[2]).toMatchObject({
      quote: 'gross margin was 46.3 percent',
      source: 'Apple press release, 2024-08-01',
    });
    expect(claims[3]?.text).toBe('Revenue, Q3 FY24 $85.8B, YoY +5%');
    expect(claims[4]).toMatchObject({ section: 'conclusion', opinion: true });
    expect(decisionTag?.decision).toBe('STRONG_BUY');
    expect(conclusionSpans).toHaveLength(1);
  });

  it('skips think blocks, headings, disclaimers and the decision tag', () => {
    const texts = extractClaims(THESIS).claims.map((claim) => claim.text);
    expect(texts.join(' ')).not.toMatch(/Plan: cover|Fundamental Analysis|financial advice|STRONG BUY/);
    expect(extractClaims(THESIS, { includeThink: true }).claims[0]?.text).toContain('Plan: cover');
  });

  it('handles free text: sentences, abbreviations and decimals', () => {
    const text = 'Apple Inc. grew sales 5.2% to $85.8 bn in Q3. Shares rose 2%! Is the U.S. market cheap? We think so.';
    const claims = extractClaims(text, { minWords: 2 }).claims.map((claim) => claim.text);
    expect(claims).toEqual([
      'Apple Inc. grew sales 5.2% to $85.8 bn in Q3.',
      'Shares rose 2%!',
      'Is the U.S. market cheap?',
      'We think so.',
    ]);
  });

  it('returns nothing for empty or heading-only text', () => {
    expect(extractClaims('').claims).toEqual([]);
    expect(extractClaims('# Heading\n\n**Summary**\n').claims).toEqual([]);
  });

  it('caps the number of claims', () => {
    const text = Array.from({ length: 50 }, (_, index) => `Revenue rose ${index}% this year.`).join(' ');
    expect(extractClaims(text, { maxClaims: 10 }).claims).toHaveLength(10);
  });
});

describe('findDecisionTag', () => {
  it('reads double and triple brackets and keeps the last tag', () => {
    expect(findDecisionTag('x [[BUY]] y [[[strong sell]]]')?.decision).toBe('STRONG_SELL');
    expect(findDecisionTag('[[HOLD]]')?.decision).toBe('HOLD');
    expect(findDecisionTag('no tag here')).toBeNull();
  });
});
