import { type Decision, parseDecisionText } from '@trade-r1/core';
import { z } from 'zod';
import { lastLinesSchema, parseOptions } from './validate.ts';

/** Options for {@link parseDecisionTag}. */
export interface ParseDecisionTagOptions {
  /**
   * How many lines at the end of the text to search (Trading-R1's parser looks at the last 3). Trailing blank lines
   * are dropped first so a final newline does not hide the decision. Use `Infinity` to search everywhere.
   * @default 3
   */
  lastLines?: number;
}

const parseDecisionTagSchema = z.strictObject({ text: z.string(), lastLines: lastLinesSchema.optional() });

/**
 * Parse the final decision of a Trading-R1 style completion: a `[[DECISION]]` or `[[[DECISION]]]` tag in the last
 * lines, case and whitespace tolerant. Returns `null` when no tag is found (the reward then treats the decision as
 * unparseable). Reads the tail with core's shared `parseDecisionText` in `'strict'` mode (reasoning blocks are set
 * aside; among several tags the last wins).
 *
 * @throws {TradeR1Error} `INVALID_INPUT` when `text` is not a string, `lastLines` is not a number >= 0 or a key is unknown.
 * @example
 * parseDecisionTag({ text: 'analysis…\n\nFinal: [[[STRONG BUY]]]' }) // 'STRONG_BUY'
 */
export function parseDecisionTag(options: { text: string } & ParseDecisionTagOptions): Decision | null {
  parseOptions(parseDecisionTagSchema, options, 'parseDecisionTag()');
  const lastLines = options.lastLines ?? 3;
  const text = options.text.trimEnd();
  let tail = text;
  if (Number.isFinite(lastLines)) {
    // Walk back over `lastLines` line breaks instead of splitting a long completion into lines.
    const wanted = Math.max(0, Math.floor(lastLines));
    let start = text.length;
    for (let found = 0; found < wanted && start > 0; found += 1) {
      start = text.lastIndexOf('\n', start - 1);
      if (start < 0) break;
    }
    tail = wanted === 0 ? '' : start < 0 ? text : text.slice(start + 1);
  }
  if (tail.trim().length === 0) return null;
  const result = parseDecisionText(tail, { mode: 'strict', tailLines: Number.MAX_SAFE_INTEGER });
  return result.ok ? result.decision : null;
}
