import { TradeR1Error } from '@trade-r1/core';

/**
 * Check the input of `Embedder.embed()`: an array of non-blank strings. Every embedder validates the same way, so
 * a bad batch fails identically whichever model is behind it.
 * @throws {TradeR1Error} `INVALID_INPUT` naming the first offending index.
 */
export function assertEmbedTexts(texts: unknown): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) {
    throw new TradeR1Error('INVALID_INPUT', 'embed() expects an array of strings', {
      details: { received: typeof texts },
    });
  }
  texts.forEach((text: unknown, index) => {
    if (typeof text !== 'string' || text.trim().length === 0) {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `embed() text ${index} is ${typeof text === 'string' ? 'blank' : `a ${typeof text}`}`,
        { details: { index, type: typeof text } },
      );
    }
  });
}
