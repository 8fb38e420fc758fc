/**
 * What `clean_up_tokenization_spaces` rewrites when a tokenizer decodes (transformers and transformers.js:
 * `" ."` → `"."`, `" n't"` → `"n't"`…). A decoded tail that could still grow into one of these may change once
 * more tokens arrive, so streaming holds it back.
 */
export const CLEAN_UP_PATTERNS: readonly string[] = Object.freeze([
  ' .',
  ' ?',
  ' !',
  ' ,',
  " ' ",
  " n't",
  " 'm",
  " 's",
  " 've",
  " 're",
]);

/**
 * The part of a partial decode that later tokens can no longer change, for streaming text whose pieces add up to
 * the final decode: it holds back an incomplete UTF-8 character (a trailing U+FFFD), and any tail that is a
 * proper prefix of one of `holdBack` (stop strings, which may still complete and cut the text, and
 * {@link CLEAN_UP_PATTERNS}, which may still be rewritten).
 */
export function stablePrefix(decoded: string, holdBack: readonly string[]): string {
  let end = decoded.endsWith('\uFFFD') ? decoded.length - 1 : decoded.length;
  let changed = true;
  // Repeat until no pattern prefix ends at `end`: cutting one tail can expose another (" ." held after " n").
  while (changed && end > 0) {
    changed = false;
    for (const pattern of holdBack) {
      for (let length = Math.min(pattern.length - 1, end); length > 0; length -= 1) {
        if (decoded.endsWith(pattern.slice(0, length), end)) {
          end -= length;
          changed = true;
          break;
        }
      }
    }
  }
  return decoded.slice(0, end);
}
