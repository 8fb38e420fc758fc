import { type Decision, parseWith } from '@trade-r1/core';
import { z } from 'zod';
import { splitSentences } from '../scoring/text.ts';

/** How a claim was found in the reasoning. */
export type ClaimKind = 'sentence' | 'bullet' | 'table-row' | 'conclusion';

/** One atomic claim of a reasoning text, with its character span in the original string. */
export interface Claim {
  /** Stable id within one reasoning (`c0`, `c1`, …, in reading order). */
  id: string;
  /** The claim's text for matching: markdown, the source reference and the decision tag removed. */
  text: string;
  /** Offset of the claim's first character in the reasoning. */
  start: number;
  /** Offset one past the claim's last character in the reasoning. */
  end: number;
  /** The XML section it belongs to (`fundamentals`, `conclusion`, …), or `null` outside sections. */
  section: string | null;
  /** How it was found. */
  kind: ClaimKind;
  /** The quoted supporting evidence of a Trading-R1 bullet (`*…*` or `Supporting evidence: "…"`), if any. */
  quote: string | null;
  /** The cited source of a Trading-R1 bullet (`` `…` `` or `SOURCES: …`), if any. */
  source: string | null;
  /** True for evaluative statements without checkable specifics (no figure, period or named entity). */
  opinion: boolean;
}

/** The decision tag written in a reasoning (`[[BUY]]`, `[[[STRONG SELL]]]`). */
export interface DecisionTag {
  /** The decision the tag names. */
  decision: Decision;
  /** Offset of the tag's first character. */
  start: number;
  /** Offset one past the tag's last character. */
  end: number;
}

/** The result of {@link extractClaims}. */
export interface ExtractedClaims {
  /** Claims in reading order. */
  claims: Claim[];
  /** The last decision tag in the text, if any. */
  decisionTag: DecisionTag | null;
  /** Spans of the conclusion section(s) (`<conclusion>` or a "Conclusion"/"Recommendation" heading). */
  conclusionSpans: Array<{ start: number; end: number }>;
}

/** Options of {@link extractClaims}. */
export const extractClaimsOptionsSchema = z.object({
  /** Also extract claims from `<think>` planning blocks. @default false */
  includeThink: z.boolean().default(false),
  /** Drop claims with fewer words than this. @default 3 */
  minWords: z.number().int().min(1).max(50).default(3),
  /** Keep at most this many claims (the rest are dropped, in reading order). @default 200 */
  maxClaims: z.number().int().min(1).max(10_000).default(200),
});
/** Options of {@link extractClaims}. */
export type ExtractClaimsOptions = z.input<typeof extractClaimsOptionsSchema>;

const DECISION_TAG = /\[\[\[?\s*(STRONG[\s_-]+BUY|STRONG[\s_-]+SELL|BUY|SELL|HOLD)\s*\]?\]\]/gi;
const SECTION = /<([A-Za-z][\w-]*)(?:\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g;
const BOILERPLATE = [
  /\bnot (?:intended as |to be construed as )?(?:financial|investment) advice\b/i,
  /\bfor (?:informational|educational) purposes\b/i,
  /\bpast performance (?:is|does) not\b/i,
  /\bdo your own research\b/i,
  /^\s*(?:disclaimer|note|sources?|references?|final (?:decision|recommendation)|decision|recommendation)\s*:?\s*$/i,
  /\b(?:as an ai|i am an ai|language model)\b/i,
];
const CONCLUSION_HEADING =
  /^(?:#+\s*|\*\*\s*)?(?:conclusion|recommendation|final (?:decision|recommendation|verdict)|verdict|summary and recommendation)\b/i;
const OPINION_MARKERS =
  /\b(?:we|i) (?:believe|think|view|see|expect|prefer|like|remain|recommend|rate|favou?r|maintain|would)\b|\bwe (?:are|stay|remain|would)\b|\bin (?:our|my) (?:view|opinion)\b|\b(?:bullish|bearish|neutral|on balance|overall)\b|\b(?:attractive|compelling|appealing|unattractive|overvalued|undervalued|stretched|risk\/reward|risk-reward|upside|downside|likely|unlikely|could|might|may|should|appears?|seems?|suggests?|arguably|we rate|outlook remains)\b/i;

function toDecision(raw: string): Decision {
  return raw.toUpperCase().replace(/[\s-]+/g, '_') as Decision;
}

/** Find the last decision tag (`[[BUY]]`, `[[[STRONG SELL]]]`) in a text. */
export function findDecisionTag(text: string): DecisionTag | null {
  let found: DecisionTag | null = null;
  for (const match of text.matchAll(DECISION_TAG)) {
    found = { decision: toDecision(match[1] ?? ''), start: match.index, end: match.index + match[0].length };
  }
  return found;
}

interface Region {
  start: number;
  end: number;
  section: string | null;
}

function sectionRegions(text: string, includeThink: boolean): Region[] {
  const regions: Region[] = [];
  let cursor = 0;
  for (const match of text.matchAll(SECTION)) {
    const name = (match[1] ?? '').toLowerCase();
    if (match.index > cursor) regions.push({ start: cursor, end: match.index, section: null });
    const bodyStart = match.index + match[0].indexOf('>') + 1;
    const bodyEnd = bodyStart + (match[2]?.length ?? 0);
    if (name !== 'think' || includeThink) regions.push({ start: bodyStart, end: bodyEnd, section: name });
    cursor = match.index + match[0].length;
  }
  if (cursor < text.length) regions.push({ start: cursor, end: text.length, section: null });
  return regions;
}

function stripMarkdown(text: string): string {
  return text
    .replace(DECISION_TAG, ' ')
    .replace(/<\/?[A-Za-z][\w-]*[^>]*>/g, ' ')
    .replace(/\*\*|__/g, '')
    .replace(/(^|[\s(])[*_]([^*_\n]+)[*_](?=[\s.,;:)!?]|$)/g, '$1$2')
    .replace(/`/g, '')
    .replace(/^\s*(?:[-*+•▪◦]|\d+[.)])\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function isHeading(line: string): boolean {
  const trimmed = line.trim();
  if (/^#{1,6}\s/.test(trimmed)) return true;
  const words = trimmed.split(/\s+/).length;
  if (/^(?:\*\*|__)[^*_]+(?:\*\*|__):?$/.test(trimmed) && words <= 8 && !/[.!?]\W*$/.test(trimmed)) return true;
  if (/:$/.test(trimmed) && words <= 6) return true;
  return /^[A-Z][A-Za-z &/-]{0,60}$/.test(trimmed) && words <= 5 && !/[.!?]$/.test(trimmed);
}

function isBoilerplate(text: string): boolean {
  return BOILERPLATE.some((pattern) => pattern.test(text));
}

function hasSpecifics(text: string): boolean {
  if (/\d/.test(text)) return true;
  // A capitalised word that does not start the sentence: a name, a product, a ticker.
  return /(?<=[a-z,;]\s+)[A-Z][A-Za-z]+|\b[A-Z]{2,5}\b/.test(text.replace(/\b(?:I|We|Our|The)\b/g, ''));
}

interface BulletParts {
  body: string;
  quote: string | null;
  source: string | null;
}

function splitBullet(raw: string): BulletParts {
  let source: string | null = null;
  let quote: string | null = null;
  let body = raw;
  const sources = [...body.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
  const sourceLine = /\bSOURCES?\s*:\s*(.+)$/i.exec(body);
  if (sourceLine) {
    source = sourceLine[1]?.trim() ?? null;
    body = body.slice(0, sourceLine.index);
  } else if (sources.length > 0) {
    source = sources.join('; ');
    body = body.replace(/\(?\s*`[^`]+`\s*\)?/g, ' ');
  }
  const evidence = /\bSupporting evidence\s*:\s*["“]([^"”]+)["”]/i.exec(body);
  const italic = /(?:^|[\s(:])\*(?!\*)([^*\n]{3,})\*(?!\*)|(?:^|[\s(:])_(?!_)([^_\n]{3,})_(?!_)/.exec(body);
  if (evidence) quote = evidence[1]?.trim() ?? null;
  else if (italic) quote = (italic[1] ?? italic[2] ?? '').trim() || null;
  body = body.replace(/\bSupporting evidence\s*:\s*/i, ' ');
  return { body, quote, source };
}

/**
 * Split a reasoning text into atomic claims with character spans.
 *
 * Understands free text (sentences and paragraphs), markdown bullets and tables, and Trading-R1 theses: XML
 * sections such as `<fundamentals>` and `<conclusion>`, opinion–quote–source bullets (`*quote*`, `` `source` ``
 * or `Supporting evidence: "…" SOURCES: …`) and the decision tag (`[[BUY]]`, `[[[STRONG SELL]]]`). Headings,
 * table separators, disclaimers and lines with fewer than `minWords` words are skipped; `<think>` blocks are
 * skipped unless `includeThink`. A bullet with a quote or source stays one claim (its opinion with its quote);
 * other bullets and paragraphs are split into sentences.
 *
 * @example
 * const { claims, decisionTag } = extractClaims('<fundamentals>\n- Revenue rose 6% *"revenue of $94.9B"* `10-Q`\n</fundamentals>\n<conclusion>Buy. [[BUY]]</conclusion>');
 */
export function extractClaims(reasoning: string, options: ExtractClaimsOptions = {}): ExtractedClaims {
  const settings = parseWith(extractClaimsOptionsSchema, options, { label: 'extractClaims() options' });
  const claims: Claim[] = [];
  const conclusionSpans: Array<{ start: number; end: number }> = [];
  let inConclusionHeading = false;
  let tableHeader: string[] | null = null;

  const addClaim = (
    raw: string,
    start: number,
    kind: ClaimKind,
    section: string | null,
    parts?: BulletParts,
    textOverride?: string,
  ): void => {
    if (claims.length >= settings.maxClaims) return;
    const joined = parts
      ? `${parts.body}${parts.quote && !parts.body.includes(parts.quote) ? ` ${parts.quote}` : ''}`
      : (textOverride ?? raw);
    const text = stripMarkdown(joined);
    const words = text.split(/\s+/).filter((word) => /[A-Za-z0-9]/.test(word)).length;
    if (words < settings.minWords || isBoilerplate(text)) return;
    let end = start + raw.length;
    while (end > start && /\s/.test(raw[end - start - 1] ?? '')) end -= 1;
    const isConclusion = section === 'conclusion' || inConclusionHeading;
    claims.push({
      id: `c${claims.length}`,
      text,
      start,
      end,
      section: section ?? (inConclusionHeading ? 'conclusion' : null),
      kind: isConclusion && kind === 'sentence' ? 'conclusion' : kind,
      quote: parts?.quote ?? null,
      source: parts?.source ?? null,
      opinion: (OPINION_MARKERS.test(text) || isConclusion) && !hasSpecifics(text),
    });
  };

  for (const region of sectionRegions(reasoning, settings.includeThink)) {
    inConclusionHeading = false;
    const body = reasoning.slice(region.start, region.end);
    if (region.section === 'conclusion') conclusionSpans.push({ start: region.start, end: region.end });
    // Walk lines; bullets may continue on indented lines, paragraphs run until a blank line.
    const lines: Array<{ text: string; start: number }> = [];
    let lineStart = 0;
    for (const line of body.split('\n')) {
      lines.push({ text: line, start: region.start + lineStart });
      lineStart += line.length + 1;
    }
    let paragraph: { start: number; end: number } | null = null;
    const flushParagraph = (): void => {
      if (!paragraph) return;
      const paragraphText = reasoning.slice(paragraph.start, paragraph.end);
      for (const sentence of splitSentences(paragraphText, paragraph.start)) {
        addClaim(sentence.text, sentence.start, 'sentence', region.section);
      }
      paragraph = null;
    };
    for (let index = 0; index < lines.length; index += 1) {
      const line = lines[index] as { text: string; start: number };
      const trimmed = line.text.trim();
      if (trimmed === '') {
        flushParagraph();
        tableHeader = null;
        continue;
      }
      const withoutTag = trimmed.replace(DECISION_TAG, '').trim();
      if (withoutTag === '' || /^[-*_=]{3,}$/.test(withoutTag)) {
        flushParagraph();
        continue;
      }
      if (isHeading(withoutTag)) {
        flushParagraph();
        inConclusionHeading = CONCLUSION_HEADING.test(withoutTag) || (inConclusionHeading && !/^#/.test(withoutTag));
        if (inConclusionHeading) conclusionSpans.push({ start: line.start, end: region.end });
        continue;
      }
      if (/^\|.*\|$/.test(trimmed)) {
        flushParagraph();
        const cells = trimmed
          .slice(1, -1)
          .split('|')
          .map((cell) => stripMarkdown(cell));
        if (cells.every((cell) => /^:?-{2,}:?$/.test(cell) || cell === '')) continue;
        if (tableHeader === null) {
          tableHeader = cells;
          continue;
        }
        const header = tableHeader;
        const rowText = cells
          .map((cell, cellIndex) => (cellIndex === 0 || !header[cellIndex] ? cell : `${header[cellIndex]} ${cell}`))
          .filter((cell) => cell !== '')
          .join(', ');
        const leading = line.text.indexOf('|');
        addClaim(trimmed, line.start + leading, 'table-row', region.section, undefined, rowText);
        continue;
      }
      const bullet = /^(\s*)(?:[-*+•▪◦]|\d+[.)])\s+/.exec(line.text);
      if (bullet) {
        flushParagraph();
        let end = line.start + line.text.length;
        // Continuation lines: indented, not a new bullet, not blank.
        while (index + 1 < lines.length) {
          const next = lines[index + 1] as { text: string; start: number };
          if (next.text.trim() === '' || /^\s*(?:[-*+•▪◦]|\d+[.)])\s+/.test(next.text) || !/^\s{2,}/.test(next.text))
            break;
          end = next.start + next.text.length;
          index += 1;
        }
        const start = line.start + bullet[0].length;
        const raw = reasoning.slice(start, end);
        const parts = splitBullet(raw);
        if (parts.quote !== null || parts.source !== null) {
          addClaim(raw, start, 'bullet', region.section, parts);
        } else {
          for (const sentence of splitSentences(raw, start))
            addClaim(sentence.text, sentence.start, 'bullet', region.section);
        }
        continue;
      }
      if (paragraph === null) paragraph = { start: line.start, end: line.start + line.text.length };
      else paragraph.end = line.start + line.text.length;
    }
    flushParagraph();
  }
  return { claims, decisionTag: findDecisionTag(reasoning), conclusionSpans };
}
