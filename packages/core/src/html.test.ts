import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TradeR1Error } from './errors.ts';
import { escapeHtml } from './html.ts';

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>AT&T</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;AT&amp;T&lt;/a&gt;',
    );
  });

  it('leaves no raw special character and round-trips through an HTML parser-like decode (property)', () => {
    const decode = (html: string): string =>
      html
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&#39;', "'")
        .replaceAll('&amp;', '&');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        expect(decode(escaped)).toBe(text);
      }),
      { seed: 16, numRuns: 300 },
    );
  });

  it('throws INVALID_INPUT naming the field for a non-string', () => {
    expect(() => escapeHtml(undefined as never)).toThrow(TradeR1Error);
    expect(() => escapeHtml(42 as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', details: expect.objectContaining({ field: 'text' }) }),
    );
  });
});
