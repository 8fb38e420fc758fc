import { z } from 'zod';
import { parseArgument } from '../validate.ts';

/**
 * A deterministic, dependency-free token estimate for prompt budgets.
 *
 * Rules (applied to the text split into runs): a run of Latin letters counts `ceil(length / 5)` tokens, a run of
 * digits `ceil(length / 3)` (BPE vocabularies such as cl100k split numbers into groups of up to three digits), each
 * CJK ideograph, kana or hangul syllable 1, and every other non-space character (punctuation, symbols) 1.
 * Whitespace is free. Measured on 200 lines of English financial news (the FNSPID sample) it counts 1.20× the
 * tokens of BERT WordPiece (all-MiniLM-L6-v2; 1.13–1.31× per line, p10–p90); large BPE vocabularies use about as
 * many or fewer tokens on English, so it errs high — budget-safe. It was not checked against a BPE tokenizer. It is
 * an approximation for budgeting: pass your tokenizer's counter where exact counts matter.
 */
const TOKEN_RUN =
  /[A-Za-z\u00C0-\u024F]+|\p{Nd}+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s]/gu;

/** Estimate the token count of `text` (see the module notes for the rules). @throws {TradeR1Error} `INVALID_INPUT` */
export function estimateTokens(text: string): number {
  parseArgument(z.string(), text, { fn: 'estimateTokens()', field: 'text' });
  let tokens = 0;
  for (const match of text.matchAll(TOKEN_RUN)) {
    const run = match[0];
    const code = run.charCodeAt(0);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 0xc0 && code <= 0x24f)) {
      tokens += Math.ceil(run.length / 5);
    } else if (run.length > 1 || (code >= 48 && code <= 57)) {
      tokens += /^\p{Nd}+$/u.test(run) ? Math.ceil(run.length / 3) : 1;
    } else {
      tokens += 1;
    }
  }
  return tokens;
}
