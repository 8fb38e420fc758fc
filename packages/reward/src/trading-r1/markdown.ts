/**
 * Text analysis shared by the Trading-R1 rewards: XML sections, markdown bullets, quotes and sources. The paper
 * (papers.md §2.3, §2.5) names the features but not the detection rules; the rules below are this project's and are
 * documented in the README.
 */
import { z } from 'zod';
import { assertString, parseOptions } from '../validate.ts';

/** One top-level XML section `<name>…</name>` of a thesis. */
export interface ThesisSection {
  /** Tag name, lower-cased. */
  name: string;
  /** The text between the opening and the closing tag. */
  body: string;
}

const SECTION = /<([A-Za-z][\w-]*)(?:\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g;

/** All top-level `<tag>…</tag>` sections in document order (a section must be closed to count). */
export function extractSections(text: string): ThesisSection[] {
  assertString(text, 'text');
  const sections: ThesisSection[] = [];
  for (const match of text.matchAll(SECTION)) {
    sections.push({ name: (match[1] as string).toLowerCase(), body: match[2] as string });
  }
  return sections;
}

const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/u;

// The characters of the regex class `\s`, by code point.
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return (
    code === 160 ||
    code === 5760 ||
    (code >= 8192 && code <= 8202) ||
    code === 8232 ||
    code === 8233 ||
    code === 8239 ||
    code === 8287 ||
    code === 12288 ||
    code === 65279
  );
}

function isWordChar(text: string, index: number, code: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  const point = text.codePointAt(index) as number;
  return NON_ASCII_WORD_CHAR.test(String.fromCodePoint(point));
}

/**
 * Number of whitespace-separated tokens containing at least one letter or digit (Unicode-aware). A single pass over
 * the characters: this runs on every section and bullet of long theses.
 */
export function countWords(text: string): number {
  assertString(text, 'text');
  let count = 0;
  let inToken = false;
  let tokenCounted = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (isSpace(code)) {
      inToken = false;
      continue;
    }
    if (!inToken) {
      inToken = true;
      tokenCounted = false;
    }
    if (!tokenCounted && isWordChar(text, index, code)) {
      tokenCounted = true;
      count += 1;
    }
  }
  return count;
}

/** A list-item marker at the start of a line: `-`, `*`, `+`, `•`, `1.` or `1)` followed by a space. */
export const BULLET_LINE = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+/;
const HEADING_LINE = /^\s{0,3}#{1,6}\s+\S/;
// Multiline forms of the line rules, to test a whole section without splitting it ([ \t] keeps them on one line).
const HEADING_ANYWHERE = /^[ \t]{0,3}#{1,6}[ \t]+\S/m;
const BULLET_ANYWHERE = /^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+/m;
const TABLE_ANYWHERE = /^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*\r?$/m;
const BOLD = /\*\*[^*\n]*[^*\s][^*\n]*\*\*|__[^_\n]*[^_\s][^_\n]*__/;

/** True when the text has a markdown ATX heading line (`# …` to `###### …`). */
export function hasHeading(text: string): boolean {
  return HEADING_ANYWHERE.test(text);
}

/** True when the text has at least one list item. */
export function hasBullets(text: string): boolean {
  return BULLET_ANYWHERE.test(text);
}

/** True when the text has bold markup (`**…**` or `__…__`). */
export function hasBold(text: string): boolean {
  return BOLD.test(text);
}

/** True when the text has a markdown table (a header separator row like `|---|---|`). */
export function hasTable(text: string): boolean {
  return TABLE_ANYWHERE.test(text);
}

/**
 * The bullets of a section: each list-item line plus the indented, non-empty lines that continue it. The list
 * marker is removed from the returned text.
 */
export function extractBullets(text: string): string[] {
  assertString(text, 'text');
  const bullets: string[] = [];
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (BULLET_LINE.test(line)) {
      if (current) bullets.push(current.join(' '));
      current = [line.replace(BULLET_LINE, '')];
    } else if (current && line.trim() !== '' && /^\s{2,}\S/.test(line) && !HEADING_LINE.test(line)) {
      current.push(line.trim());
    } else {
      if (current) bullets.push(current.join(' '));
      current = undefined;
    }
  }
  if (current) bullets.push(current.join(' '));
  return bullets;
}

/** Quotes, sources and the opinion length of one bullet. */
export interface BulletEvidence {
  /** Quote texts found (italic markdown; also `"…"` / `“…”` with `acceptPlainTextEvidence`). */
  quotes: string[];
  /** Source texts found (inline code; also `SOURCES: …` with `acceptPlainTextEvidence`). */
  sources: string[];
  /** Words before the first quote marker (the whole bullet, sources removed, when there is no quote). */
  opinionWords: number;
}

const CODE_SPAN = /`([^`\n]+)`/g;
const ITALIC_STAR = /(?<![*\w\\])\*(?![*\s])([^*\n]*?[^*\s])\*(?!\*)/g;
const ITALIC_UNDERSCORE = /(?<![_\p{L}\p{N}\\])_(?![_\s])([^_\n]*?[^_\s])_(?![_\p{L}\p{N}])/gu;
const PLAIN_QUOTE = /"([^"\n]+)"|“([^”\n]+)”/g;
const SOURCES_LABEL = /\bSOURCES?\s*:\s*(\S[^\n]*)/gi;

/** Options for {@link analyzeBullet}. */
export interface BulletAnalysisOptions {
  /**
   * Also accept the plain-text form seen in Trading-R1's sample traces: `"…"` quotes and `SOURCES: …` labels.
   * The S4 formula names italic quotes and backtick sources only. @default false
   */
  acceptPlainTextEvidence?: boolean;
}

const bulletAnalysisOptionsSchema = z.strictObject({ acceptPlainTextEvidence: z.boolean().optional() });

/** Extract Q(b), S(b) and w_op of a bullet (papers.md §2.5, Stage II). @throws {TradeR1Error} `INVALID_INPUT` */
export function analyzeBullet(bullet: string, options: BulletAnalysisOptions = {}): BulletEvidence {
  assertString(bullet, 'bullet');
  parseOptions(bulletAnalysisOptionsSchema, options, 'analyzeBullet()');
  const sources: string[] = [];
  // Blank out code spans first so `*` or `"` inside a source never opens a quote; keep offsets unchanged.
  // The cheap `includes` checks skip regex scans that cannot match (most bullets have no `_`).
  const masked = bullet.includes('`')
    ? bullet.replace(CODE_SPAN, (whole, inner: string) => {
        sources.push(inner.trim());
        return ' '.repeat(whole.length);
      })
    : bullet;
  const quotes: { text: string; index: number }[] = [];
  if (masked.includes('*')) {
    for (const match of masked.matchAll(ITALIC_STAR)) quotes.push({ text: match[1] as string, index: match.index });
  }
  if (masked.includes('_')) {
    for (const match of masked.matchAll(ITALIC_UNDERSCORE))
      quotes.push({ text: match[1] as string, index: match.index });
  }
  let searchable = masked;
  if (options.acceptPlainTextEvidence) {
    for (const match of masked.matchAll(PLAIN_QUOTE))
      quotes.push({ text: (match[1] ?? match[2]) as string, index: match.index });
    for (const match of masked.matchAll(SOURCES_LABEL)) sources.push((match[1] as string).trim());
    searchable = masked.replace(SOURCES_LABEL, (whole) => ' '.repeat(whole.length));
  }
  quotes.sort((a, b) => a.index - b.index);
  const first = quotes[0];
  const opinionWords = countWords(first ? searchable.slice(0, first.index) : searchable);
  return { quotes: quotes.map((quote) => quote.text), sources, opinionWords };
}
