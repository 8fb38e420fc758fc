import { parseWith } from '@trade-r1/core';
import { z } from 'zod';
import { assertString } from '../arguments.ts';
import { splitSentences, type TextSpan } from './sentences.ts';

/** Options of {@link chunkText}. */
export interface ChunkingOptions {
  /** Maximum chunk length in characters (UTF-16 code units). @default 1000 */
  size?: number;
  /**
   * Characters of context repeated from the end of one chunk at the start of the next, taken as whole sentences
   * (or words inside an over-long sentence); `0` disables overlap. Must be below `size`.
   * @default 150
   */
  overlap?: number;
}

/** One chunk of a document: its text and where it sits in the source. */
export interface TextChunk {
  /** Position of the chunk in the document, from 0. */
  index: number;
  /** The chunk text, exactly `source.slice(charStart, charEnd)`. */
  text: string;
  /** First character of the chunk in the source text. */
  charStart: number;
  /** One past the last character. */
  charEnd: number;
}

/** Schema of {@link ChunkingOptions} (with defaults applied). */
export const chunkingOptionsSchema = z
  .object({
    size: z.number().int().min(16).max(1_000_000).default(1000),
    overlap: z.number().int().min(0).default(150),
  })
  .refine((value) => value.overlap < value.size, { message: 'overlap must be smaller than size', path: ['overlap'] });

/** Resolved chunking settings. */
export type ResolvedChunkingOptions = z.output<typeof chunkingOptionsSchema>;

/** Validate chunking options and apply defaults. @throws {TradeR1Error} `INVALID_CONFIG` */
export function resolveChunkingOptions(options: ChunkingOptions = {}): ResolvedChunkingOptions {
  return parseWith(chunkingOptionsSchema, options, { code: 'INVALID_CONFIG', label: 'chunking options' });
}

/**
 * Split a document into sentence-aligned chunks of at most `size` characters. Sentences (see `splitSentences`)
 * are packed greedily; a chunk never cuts a sentence unless the sentence alone is longer than `size`, in which
 * case it is cut at whitespace (or hard-cut inside a longer word). Consecutive chunks share up to `overlap`
 * characters of whole trailing sentences. Every chunk's text equals the source slice of its span, so citations
 * can point back into the original document. Blank text gives no chunks.
 */
export function chunkText(text: string, options: ChunkingOptions = {}): TextChunk[] {
  assertString(text, 'chunkText()', 'text');
  return chunkTextResolved(text, resolveChunkingOptions(options));
}

/** {@link chunkText} with options already validated by {@link resolveChunkingOptions} (no per-call parsing). */
export function chunkTextResolved(text: string, options: ResolvedChunkingOptions): TextChunk[] {
  const { size, overlap } = options;
  const units: TextSpan[] = [];
  for (const sentence of splitSentences(text)) {
    if (sentence.end - sentence.start <= size) units.push(sentence);
    else units.push(...splitLongSpan(text, sentence, size, overlap));
  }
  const chunks: TextChunk[] = [];
  let first = 0;
  while (first < units.length) {
    const start = (units[first] as TextSpan).start;
    let last = first;
    while (last + 1 < units.length && (units[last + 1] as TextSpan).end - start <= size) last += 1;
    const end = (units[last] as TextSpan).end;
    chunks.push({ index: chunks.length, text: text.slice(start, end), charStart: start, charEnd: end });
    if (last === units.length - 1) break;
    let next = last + 1;
    for (let candidate = first + 1; candidate <= last; candidate += 1) {
      if (end - (units[candidate] as TextSpan).start <= overlap) {
        next = candidate;
        break;
      }
    }
    first = next;
  }
  return chunks;
}

/** Word-aligned windows of at most `size` characters over one over-long span, overlapping by ≤ `overlap`. */
function splitLongSpan(text: string, span: TextSpan, size: number, overlap: number): TextSpan[] {
  const windows: TextSpan[] = [];
  let start = span.start;
  while (start < span.end) {
    let end = Math.min(span.end, start + size);
    if (end < span.end) {
      const lastSpace = text.lastIndexOf(' ', end);
      if (lastSpace > start) end = lastSpace;
    }
    while (end > start && /\s/u.test(text[end - 1] as string)) end -= 1;
    if (end <= start) end = Math.min(span.end, start + size);
    windows.push({ start, end });
    if (end >= span.end) break;
    // Next window starts at a word boundary within `overlap` characters before `end`, always moving forward.
    let next = end;
    if (overlap > 0) {
      const space = text.indexOf(' ', Math.max(start + 1, end - overlap));
      if (space >= 0 && space < end) next = space + 1;
    }
    while (next < span.end && /\s/u.test(text[next] as string)) next += 1;
    start = next > start ? next : end;
  }
  return windows;
}
