import type { Decision } from '@trade-r1/core';

/** Options for {@link parseDecisionTag}. */
export interface ParseDecisionTagOptions {
  /**
   * How many lines at the end of the text to search (Trading-R1's parser looks at the last 3). Trailing blank lines
   * are dropped first so a final newline does not hide the decision. Use `Infinity` to search everywhere.
   * @default 3
   */
  lastLines?: number;
}

// `[[BUY]]`, `[[[STRONG BUY]]]`, `[[ strong_sell ]]`, `[[Strong-Buy]]`: 2 or 3 brackets, any case, space/_/- between
// words. The last match wins (a model may restate the format before its final answer).
const DECISION_TAG = /\[{2,3}\s*(strong[\s_-]*buy|strong[\s_-]*sell|buy|sell|hold)\s*\]{2,3}/gi;

/**
 * Parse the final decision of a Trading-R1 style completion: a `[[DECISION]]` or `[[[DECISION]]]` tag in the last
 * lines, case and whitespace tolerant. Returns `null` when no tag is found (the reward then treats the decision as
 * unparseable). A minimal parser kept inside the reward package so rewards do not depend on the policy package.
 *
 * @example
 * parseDecisionTag({ text: 'analysis…\n\nFinal: [[[STRONG BUY]]]' }) // 'STRONG_BUY'
 */
export function parseDecisionTag(options: { text: string } & ParseDecisionTagOptions): Decision | null {
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
  let found: string | undefined;
  for (const match of tail.matchAll(DECISION_TAG)) found = match[1];
  if (found === undefined) return null;
  const compact = found.toUpperCase().replace(/[\s_-]+/g, '');
  return compact.startsWith('STRONG') ? (`STRONG_${compact.slice(6)}` as Decision) : (compact as Decision);
}
