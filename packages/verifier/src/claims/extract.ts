import { type Decision, parseWith } from '@trade-r1/core';
import { z } from 'zod';
import { assertString } from '../arguments.ts';
import { splitSentences } from '../scoring/text.ts';

/**
 * How a claim was found in the reasoning: a sentence of a paragraph, a sentence of a bullet, the quoted evidence
 * of a Trading-R1 bullet (`*quote*`, `Supporting evidence: "…"`), a table row, a sentence of the conclusion, or a
 * stand-alone bold line (a section's intro or summary).
 */
export type ClaimKind = 'sentence' | 'bullet' | 'quote' | 'table-row' | 'conclusion' | 'summary';

/**
 * What a claim states: a checkable fact about the world (`factual`), an evaluation without checkable specifics
 * (`opinion`), or a statement about the analysis itself (`meta`: its method, scores, labels, defaults, or the
 * absence of inputs — "No news was available", "Technical score: 0.84", "This reading uses only prices up to…").
 * Only factual claims are scored for factuality.
 */
export type ClaimCategory = 'factual' | 'opinion' | 'meta';

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
  /** What the claim states (see {@link ClaimCategory}). */
  category: ClaimCategory;
  /** True when the claim is not factual (`category` is `opinion` or `meta`). */
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
  /**
   * Claims found after `maxClaims` was reached: they are not in `claims`, and a caller that scores claims must
   * count them against the result (the verifier treats each as an unsupported factual claim).
   */
  droppedClaims: number;
}

/** Options of {@link extractClaims}. */
export const extractClaimsOptionsSchema = z.object({
  /** Also extract claims from `<think>` planning blocks. @default false */
  includeThink: z.boolean().default(false),
  /** Drop claims with fewer words than this. @default 3 */
  minWords: z.number().int().min(1).max(50).default(3),
  /**
   * Keep at most this many claims; claims after it are counted in `droppedClaims` (never silently lost).
   * @default 10000
   */
  maxClaims: z.number().int().min(1).max(100_000).default(10_000),
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

const ABSENCE =
  /^(?:no|none|without|with no|in the absence of|absent|there (?:is|are|was|were) no|not enough|nothing)\b/i;
const SELF_REFERENCE =
  /\bthe score\b|\b(?:this|our|my) (?:thesis|analysis|reading|report|assessment|note|template|model|memo|write-up|framework|evaluation|view|call|rating|recommendation|score)\b|\bthe (?:thesis|template|decision rests|decision time|combined score|composite score)\b|\blook-?ahead\b|\brule-based\b|\blanguage model\b|\bby default\b|\bon a scale (?:from|of)\b|\b(?:maps|mapped) to\b/i;
const PROCESS_OPENING =
  /^(?:weighing|considering|taking (?:all|everything)|putting (?:it|this) (?:all )?together|summing up|to sum up|in summary|to summari[sz]e|based on (?:the|this|all) (?:above|evidence|analysis))\b/i;
const OWN_SCORE = /\b(?:combined|composite|overall|technical|sentiment|model|final|total|evidence) score\b/i;
const LABEL_LINE =
  /^[A-Za-z][\w /&()-]{0,40}\b(?:score|view|polarity|rating|signal|stance|verdict|confidence|conviction|decision|recommendation|sentiment)\s*:/i;

/**
 * True when a sentence is about the analysis itself rather than the world: its method or inputs ("This reading
 * uses only prices available on…", "Weighing the evidence for NVDA"), its own scores and labels ("Technical score:
 * 0.84 on a scale from -1 to 1", "Macro view: neutral by default"), or the absence of inputs ("No news about NVDA
 * was available", "Without dated filings…", "No volatility damping applied"). Such statements cannot be checked
 * against evidence and are excluded from factuality.
 */
export function isMetaStatement(text: string): boolean {
  assertString(text, 'isMetaStatement()', 'text');
  const trimmed = text.replace(/^[\s*_>#-]+/, '').trim();
  if (trimmed === '') return false;
  if (LABEL_LINE.test(trimmed) || PROCESS_OPENING.test(trimmed) || SELF_REFERENCE.test(trimmed)) return true;
  if (OWN_SCORE.test(trimmed)) return true;
  if (/\bn\/a\b/i.test(trimmed)) return true;
  // "No news was available", "No volatility damping applied": absence of an input, with no figure to check.
  return ABSENCE.test(trimmed) && !/\d/.test(trimmed);
}

const COMMENTARY =
  /,\s*(?:which|so|so that|suggesting|implying|meaning|signalling|signaling|indicating|a sign|a guide|a bullish|a bearish|a setup|consistent with|thus|hence|therefore|in line with what|within a range that)\b[^\d]*$/i;

/**
 * The checkable core of a sentence: a trailing interpretive clause without figures (", which supports an
 * uptrend", ", so the fast trend is running ahead") is commentary, not a fact to look up, and is left out of the
 * text that is matched against evidence (the claim's span still covers the whole sentence).
 */
export function checkableCore(text: string): string {
  assertString(text, 'checkableCore()', 'text');
  const match = COMMENTARY.exec(text);
  if (!match || match.index < 12) return text;
  const core = text.slice(0, match.index).trim();
  return core.split(/\s+/).length >= 3 ? `${core}.` : text;
}

/** True when a text carries an evaluative marker ("we believe", "bullish", "attractive", "neutral", "likely"…). */
export function isEvaluative(text: string): boolean {
  return OPINION_MARKERS.test(text);
}

function toDecision(raw: string): Decision {
  return raw.toUpperCase().replace(/[\s-]+/g, '_') as Decision;
}

/** Find the last decision tag (`[[BUY]]`, `[[[STRONG SELL]]]`) in a text. */
export function findDecisionTag(text: string): DecisionTag | null {
  assertString(text, 'findDecisionTag()', 'text');
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

function hasSpecifics(text: string, figuresOnly = false): boolean {
  if (/\d/.test(text)) return true;
  if (figuresOnly) return false;
  // A capitalised word that does not start the sentence: a name, a product, a ticker.
  return /(?<=[a-z,;]\s+)[A-Z][A-Za-z]+|\b[A-Z]{2,5}\b/.test(text.replace(/\b(?:I|We|Our|The)\b/g, ''));
}

interface BulletParts {
  body: string;
  quote: string | null;
  /** Offset of the quote in the bullet's raw text (-1 when none). */
  quoteAt: number;
  /** The raw text with the quote, `source` references and "Supporting evidence:"/"SOURCES:" parts blanked out. */
  masked: string;
  source: string | null;
}

const blank = (text: string): string => text.replace(/[^\n]/g, ' ');

/** A document id: `snake_case_with_20241029`, or letters and a numeric serial (`MSFT-008`, `DOC-1234`). */
const SOURCE_ID = String.raw`(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[A-Za-z]{2,}[A-Za-z0-9]*-\d{3,}(?:-[A-Za-z0-9]+)*)`;
/** Ids cited at the end of a bullet after a dash or in brackets: "… — pfe_pr_20241029, mac_fomc_20240918". */
const TRAILING_SOURCE_ID = new RegExp(
  String.raw`\s*(?:[—–]|-{1,2}|\(|\[)\s*((?:source[s]?\s*:?\s*)?${SOURCE_ID}(?:\s*[,;/&]\s*${SOURCE_ID})*)\s*[)\]]?[.\s]*$`,
  'i',
);

function splitBullet(raw: string): BulletParts {
  let source: string | null = null;
  let quote: string | null = null;
  let body = raw;
  const sources = [...body.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
  const sourceLine = /\bSOURCES?\s*:\s*(.+)$/i.exec(body);
  const trailingId = sourceLine ? null : TRAILING_SOURCE_ID.exec(body);
  if (trailingId) {
    // "… — pfe_pr_20241029", "… (MSFT-008)": a document id cited after the bullet.
    source = trailingId[1]?.trim() ?? null;
    body = body.slice(0, trailingId.index);
  } else if (sourceLine) {
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
  // The same parts blanked out of the raw text, so that sentence offsets stay exact.
  let masked = raw
    .replace(/\bSOURCES?\s*:\s*.+$/i, blank)
    .replace(TRAILING_SOURCE_ID, blank)
    .replace(/`[^`]+`/g, blank)
    .replace(/\bSupporting evidence\s*:\s*["“][^"”]+["”]/i, blank);
  masked = masked.replace(
    /(^|[\s(:])(\*(?!\*)[^*\n]{3,}\*(?!\*)|_(?!_)[^_\n]{3,}_(?!_))/,
    (_, lead: string, span: string) => `${lead}${blank(span)}`,
  );
  const quoteAt = quote === null ? -1 : raw.indexOf(quote);
  return { body, quote, quoteAt, masked, source };
}

/**
 * Split a reasoning text into atomic claims with character spans.
 *
 * Understands free text (sentences and paragraphs), markdown bullets and tables, and Trading-R1 theses: XML
 * sections such as `<fundamentals>` and `<conclusion>`, opinion–quote–source bullets (`*quote*`, `` `source` ``
 * or `Supporting evidence: "…" SOURCES: …`) and the decision tag (`[[BUY]]`, `[[[STRONG SELL]]]`). Headings,
 * table separators, disclaimers and lines with fewer than `minWords` words are skipped; `<think>` blocks are
 * skipped unless `includeThink`. Bullets and paragraphs are split into sentences (atomic claims); a bullet's quoted
 * evidence is a claim of its own (kind `quote`, checked like any other), and each sentence of the bullet carries
 * the bullet's quote and source. A stand-alone bold line is a section intro or summary (kind `summary`): an
 * opinion unless it states a figure. Each claim is classed `factual`, `opinion` or `meta` ({@link isMetaStatement}).
 *
 * @example
 * const { claims, decisionTag } = extractClaims('<fundamentals>\n- Revenue rose 6% *"revenue of $94.9B"* `10-Q`\n</fundamentals>\n<conclusion>Buy. [[BUY]]</conclusion>');
 */
export function extractClaims(reasoning: string, options: ExtractClaimsOptions = {}): ExtractedClaims {
  assertString(reasoning, 'extractClaims()', 'reasoning');
  const settings = parseWith(extractClaimsOptionsSchema, options, { label: 'extractClaims() options' });
  const claims: Claim[] = [];
  const conclusionSpans: Array<{ start: number; end: number }> = [];
  let inConclusionHeading = false;
  let tableHeader: string[] | null = null;
  let droppedClaims = 0;

  const addClaim = (
    raw: string,
    start: number,
    kind: ClaimKind,
    section: string | null,
    parts?: Pick<BulletParts, 'quote' | 'source'>,
    textOverride?: string,
  ): void => {
    if (claims.length >= settings.maxClaims) {
      droppedClaims += 1;
      return;
    }
    // Text after a decision tag in the same sentence ("…lean bullish. [[BUY]] Revenue tripled.") is a claim of its
    // own: otherwise it would be read as part of the sentence before and cut off with its trailing clause, and text
    // appended after the tag would never be checked.
    if (kind !== 'table-row' && kind !== 'quote') {
      const source = textOverride !== undefined && textOverride.length === raw.length ? textOverride : raw;
      DECISION_TAG.lastIndex = 0;
      for (const match of source.matchAll(DECISION_TAG)) {
        const cut = match.index + match[0].length;
        if (source.slice(cut).trim() === '' || source.slice(0, match.index).trim() === '') continue;
        addClaim(
          raw.slice(0, cut),
          start,
          kind,
          section,
          parts,
          textOverride === undefined ? undefined : source.slice(0, cut),
        );
        const rest = raw.slice(cut);
        const lead = rest.length - rest.trimStart().length;
        addClaim(
          rest.slice(lead),
          start + cut + lead,
          kind,
          section,
          parts,
          textOverride === undefined ? undefined : source.slice(cut + lead),
        );
        return;
      }
    }
    const stripped = stripMarkdown(textOverride ?? raw);
    const text = kind === 'table-row' || kind === 'quote' ? stripped : checkableCore(stripped);
    const words = text.split(/\s+/).filter((word) => /[A-Za-z0-9]/.test(word)).length;
    // A quote with a figure ("RSI14 80.8") is checkable even when short.
    const minWords = kind === 'quote' && /\d/.test(text) ? Math.min(2, settings.minWords) : settings.minWords;
    if (words < minWords || isBoilerplate(text)) return;
    let end = start + raw.length;
    while (end > start && /\s/.test(raw[end - start - 1] ?? '')) end -= 1;
    const isConclusion = section === 'conclusion' || inConclusionHeading;
    const category: ClaimCategory = isMetaStatement(text)
      ? 'meta'
      : kind === 'quote'
        ? 'factual'
        : (OPINION_MARKERS.test(text) || isConclusion || kind === 'summary') && !hasSpecifics(text, kind === 'summary')
          ? 'opinion'
          : 'factual';
    claims.push({
      id: `c${claims.length}`,
      text,
      start,
      end,
      section: section ?? (inConclusionHeading ? 'conclusion' : null),
      kind: isConclusion && kind === 'sentence' ? 'conclusion' : kind,
      quote: parts?.quote ?? null,
      source: parts?.source ?? null,
      category,
      opinion: category !== 'factual',
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
      // A stand-alone bold line ending in a sentence: a section's intro or summary.
      const bold = /^(?:\*\*|__)([^*_\n]+?)(?:\*\*|__)$/.exec(withoutTag);
      if (bold && /[.!?]$/.test(bold[1]?.trim() ?? '')) {
        flushParagraph();
        const leading = line.text.indexOf(withoutTag);
        addClaim(withoutTag, line.start + Math.max(0, leading), 'summary', region.section);
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
        const hasParts = parts.quote !== null || parts.source !== null;
        const claimParts = { quote: parts.quote, source: parts.source };
        for (const sentence of splitSentences(hasParts ? parts.masked : raw, start)) {
          if (sentence.text.trim() === '') continue;
          addClaim(
            reasoning.slice(sentence.start, sentence.start + sentence.text.length),
            sentence.start,
            'bullet',
            region.section,
            claimParts,
            sentence.text,
          );
        }
        if (parts.quote !== null && parts.quoteAt >= 0) {
          addClaim(parts.quote, start + parts.quoteAt, 'quote', region.section, claimParts);
        }
        continue;
      }
      if (paragraph === null) paragraph = { start: line.start, end: line.start + line.text.length };
      else paragraph.end = line.start + line.text.length;
    }
    flushParagraph();
  }
  return { claims, decisionTag: findDecisionTag(reasoning), conclusionSpans, droppedClaims };
}
