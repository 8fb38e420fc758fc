import { describe, expect, it } from 'vitest';
import { checkableCore, extractClaims, findDecisionTag, isMetaStatement } from './extract.ts';

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
    expect(claims.map((claim) => claim.kind)).toEqual([
      'sentence',
      'bullet',
      'quote',
      'bullet',
      'quote',
      'table-row',
      'conclusion',
    ]);
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
    expect(claims[1]?.text).toBe('Services revenue grew 14% year over year.');
    expect(claims[2]).toMatchObject({ kind: 'quote', text: 'Services revenue reached a record $24.2 billion' });
    expect(THESIS.slice(claims[2]?.start, claims[2]?.end)).toBe('Services revenue reached a record $24.2 billion');
    expect(claims[3]).toMatchObject({
      text: 'Gross margin expanded to 46.3%.',
      quote: 'gross margin was 46.3 percent',
      source: 'Apple press release, 2024-08-01',
    });
    expect(claims[4]?.text).toBe('gross margin was 46.3 percent');
    expect(claims[5]?.text).toBe('Revenue, Q3 FY24 $85.8B, YoY +5%');
    expect(claims[6]).toMatchObject({ section: 'conclusion', opinion: true, category: 'opinion' });
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

  it('extracts text written after the decision tag as claims of their own', () => {
    const text =
      'On balance the news flow is positive, so we lean bullish. [[BUY]] Oculus cools Committee firm annual news Tuesday weekend vowed.';
    const { claims, decisionTag } = extractClaims(text);
    expect(decisionTag?.decision).toBe('BUY');
    const after = claims.find((claim) => claim.text.startsWith('Oculus'));
    expect(after?.text).toBe('Oculus cools Committee firm annual news Tuesday weekend vowed.');
    expect(text.slice(after?.start, after?.end)).toBe(after?.text);
    expect(claims.map((claim) => claim.text).join(' ')).not.toMatch(/BUY/);
    // A tag that ends the text changes nothing.
    expect(extractClaims('Revenue rose 5% in the quarter, a solid result. [[BUY]]').claims).toHaveLength(1);
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

describe('atomic claims of template theses', () => {
  const TEMPLATE = `<technical>
**The technical picture for NVDA is constructive.**
- NVDA trades above its 20-day average by 16.6%, which supports a short-term uptrend. This reading uses only NVDA prices available on 2024-06-14, so it carries no look-ahead. *close 131.82 vs SMA20 113.03* \`indicators:sma20\`
- Momentum as measured by the 14-day RSI is overbought. *RSI14 80.8* \`indicators:rsi14\`
**Technical score: 0.84 on a scale from -1 to 1.**
</technical>
<news>
**No news about NVDA was available at the decision time.**
- Without dated news or filings the decision rests on price behaviour alone. *2024-06-14 close 131.82* \`prices:NVDA\`
</news>`;

  it('splits a multi-sentence bullet into sentences and its quote, with exact spans', () => {
    const { claims } = extractClaims(TEMPLATE);
    for (const claim of claims) {
      const written = TEMPLATE.slice(claim.start, claim.end).replace(/\*\*/g, '');
      expect(written.length).toBeGreaterThan(0);
      if (claim.kind === 'quote') expect(written).toBe(claim.text);
    }
    const bullet = claims.filter((claim) => claim.source === 'indicators:sma20');
    expect(bullet.map((claim) => [claim.kind, claim.category])).toEqual([
      ['bullet', 'factual'],
      ['bullet', 'meta'],
      ['quote', 'factual'],
    ]);
    // The checkable core drops the interpretive tail, the span keeps the whole sentence.
    expect(bullet[0]?.text).toBe('NVDA trades above its 20-day average by 16.6%.');
    expect(TEMPLATE.slice(bullet[0]?.start, bullet[0]?.end)).toBe(
      'NVDA trades above its 20-day average by 16.6%, which supports a short-term uptrend.',
    );
    expect(bullet[2]?.text).toBe('close 131.82 vs SMA20 113.03');
    // A short quote with a figure is still a claim.
    expect(claims.some((claim) => claim.kind === 'quote' && claim.text === 'RSI14 80.8')).toBe(true);
  });

  it('classes bold intro/summary lines and statements about the analysis as non-factual', () => {
    const { claims } = extractClaims(TEMPLATE);
    const byText = (fragment: string) => claims.find((claim) => claim.text.includes(fragment));
    expect(byText('technical picture')).toMatchObject({ kind: 'summary', category: 'opinion', opinion: true });
    expect(byText('Technical score')).toMatchObject({ kind: 'summary', category: 'meta' });
    expect(byText('No news about NVDA')).toMatchObject({ category: 'meta' });
    expect(byText('Without dated news')).toMatchObject({ category: 'meta' });
    expect(claims.filter((claim) => claim.category === 'factual').map((claim) => claim.text)).toEqual([
      'NVDA trades above its 20-day average by 16.6%.',
      'close 131.82 vs SMA20 113.03',
      'Momentum as measured by the 14-day RSI is overbought.',
      'RSI14 80.8',
      '2024-06-14 close 131.82',
    ]);
  });
});

describe('isMetaStatement', () => {
  it('recognises statements about the analysis itself', () => {
    for (const text of [
      'Technical score: 0.84 on a scale from -1 to 1.',
      'Macro view: neutral by default.',
      'Weighing the evidence for NVDA as of 2024-06-14.',
      'No volatility damping applied.',
      'No macro documents were provided.',
      'This reading uses only NVDA prices available on 2024-06-14, so it carries no look-ahead.',
      'The combined score is 0.84, which maps to STRONG BUY under thresholds -0.45 / -0.15 / 0.15 / 0.45.',
      'Evidence polarity: n/a.',
      'With no dated news or filings, the call depends only on price.',
    ]) {
      expect(isMetaStatement(text), text).toBe(true);
    }
  });

  it('leaves claims about the world alone', () => {
    for (const text of [
      'Revenue rose 8% to $12.4 billion.',
      'No dividend cut was announced in 2023 despite $2 billion of losses.',
      'The Fed held rates at 5.25% to 5.50%.',
      'Services revenue hit a record $24.2 billion.',
      'The report showed revenue of $5 billion.',
      'NVDA trades above its 20-day average by 16.6%.',
    ]) {
      expect(isMetaStatement(text), text).toBe(false);
    }
  });
});

describe('checkableCore', () => {
  it('drops a trailing interpretive clause without figures, keeps figures', () => {
    expect(checkableCore('The MACD line is positive relative to price, so the fast trend is running ahead.')).toBe(
      'The MACD line is positive relative to price.',
    );
    expect(checkableCore('Revenue rose 6%, which beat the 5% consensus.')).toBe(
      'Revenue rose 6%, which beat the 5% consensus.',
    );
    expect(checkableCore('Margins expanded sharply this year.')).toBe('Margins expanded sharply this year.');
  });
});

describe('findDecisionTag', () => {
  it('reads double and triple brackets and keeps the last tag', () => {
    expect(findDecisionTag('x [[BUY]] y [[[strong sell]]]')?.decision).toBe('STRONG_SELL');
    expect(findDecisionTag('[[HOLD]]')?.decision).toBe('HOLD');
    expect(findDecisionTag('no tag here')).toBeNull();
  });
});
