import { TradeR1Error } from './errors.ts';

/**
 * Escape text for HTML (and SVG) element content and quoted attribute values: `&`, `<`, `>`, `"` and `'`. The one
 * implementation behind the backtest report and the verification page.
 * @throws {TradeR1Error} `INVALID_INPUT` (field `text`) when `text` is not a string.
 * @example
 * escapeHtml('<b>"AT&T"</b>') // '&lt;b&gt;&quot;AT&amp;T&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  if (typeof text !== 'string') {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `escapeHtml() needs a string, got ${text === null ? 'null' : typeof text}`,
      {
        details: { function: 'escapeHtml', field: 'text' },
      },
    );
  }
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
