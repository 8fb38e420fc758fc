import { assertString } from '../../arguments.ts';

/**
 * Word tokeniser of the static (word-vector) embedder. Pure functions, no I/O.
 *
 * Steps: Unicode NFKC, typographic apostrophes to `'`, lowercase; then tokens are matched with
 * {@link WORD_TOKEN_PATTERN}:
 * - numbers `\p{N}+` with inner `.` or `,` groups (`3.5`, `1,000`),
 * - words: a letter then letters/digits, with inner `'` or `-` joins (`year-over-year`, `apple's`, `don't`, `q3`),
 * - currency and percent symbols `$ % € £ ¥ #`.
 * Everything else (punctuation, emoji) is dropped.
 */
export const WORD_TOKEN_PATTERN = /\p{N}+(?:[.,]\p{N}+)*|\p{L}[\p{L}\p{N}]*(?:['-][\p{L}\p{N}]+)*|[$%€£¥#]/gu;

/** Split text into lowercase word tokens (see {@link WORD_TOKEN_PATTERN}). */
export function tokenizeWords(text: string): string[] {
  assertString(text, 'tokenizeWords()', 'text');
  const normalised = text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .toLowerCase();
  return normalised.match(WORD_TOKEN_PATTERN) ?? [];
}

/** True for a numeric token such as `8`, `3.5` or `1,000`. */
export function isNumberToken(token: string): boolean {
  return /^\p{N}/u.test(token);
}

/**
 * Canonical form of a number token, so that `1,000`, `1000` and `1000.00` match: group separators removed,
 * trailing fractional zeros removed.
 */
export function canonicalNumber(token: string): string {
  let value = token.replace(/,(?=\p{N}{3}(?:\D|$))/gu, '');
  if (value.includes('.')) value = value.replace(/0+$/, '').replace(/\.$/, '');
  return value;
}

const NEGATION_BASES: Record<string, string> = { ca: 'can', wo: 'will', sha: 'shall', ai: 'is' };

/**
 * Split a clitic token as the GloVe corpus was tokenised: `apple's` → `apple`, `don't` → `do not`,
 * `won't` → `will not`. Returns the token unchanged (one element) when it has no apostrophe.
 */
export function splitClitics(token: string): string[] {
  const apostrophe = token.indexOf("'");
  if (apostrophe < 0) return [token];
  const base = token.slice(0, apostrophe);
  const suffix = token.slice(apostrophe + 1);
  if (suffix === 't' && base.endsWith('n')) {
    const stem = base.slice(0, -1);
    return [NEGATION_BASES[stem] ?? stem, 'not'].filter((part) => part.length > 0);
  }
  if (suffix === 's' || suffix === '') return base.length > 0 ? [base] : [];
  if (['re', 've', 'll', 'd', 'm'].includes(suffix)) return base.length > 0 ? [base] : [];
  return [token.replace(/'/g, '')];
}

const SUFFIX_RULES: ReadonlyArray<readonly [suffix: string, replacement: string]> = [
  ['ies', 'y'],
  ['sses', 'ss'],
  ['es', ''],
  ['s', ''],
  ['ied', 'y'],
  ['ed', ''],
  ['ed', 'e'],
  ['ing', ''],
  ['ing', 'e'],
  ['ly', ''],
  ['ness', ''],
];

/**
 * Light inflectional back-off candidates for an out-of-vocabulary word (`rallies` → `rally`, `repurchased` →
 * `repurchase`), most specific first. Only for words of 4+ letters; a candidate keeps at least 3 letters.
 */
export function stemCandidates(word: string): string[] {
  if (word.length < 4 || !/^\p{L}+$/u.test(word)) return [];
  const candidates: string[] = [];
  for (const [suffix, replacement] of SUFFIX_RULES) {
    if (!word.endsWith(suffix)) continue;
    const candidate = word.slice(0, word.length - suffix.length) + replacement;
    if (candidate.length >= 3 && candidate !== word && !candidates.includes(candidate)) candidates.push(candidate);
  }
  // Doubled final consonant before -ed/-ing (`slipped` → `slip`).
  const doubled = /^(.*?)([b-df-hj-np-tv-z])\2(?:ed|ing)$/u.exec(word);
  if (doubled) candidates.push(`${doubled[1]}${doubled[2]}`);
  return candidates;
}
