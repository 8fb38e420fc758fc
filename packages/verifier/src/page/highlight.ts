import { z } from 'zod';
import { assertString, parseArgument } from '../arguments.ts';
import type { ClaimVerdict } from '../pipeline/report.ts';

const markSchema = z.looseObject({
  opinion: z.boolean(),
  verdict: z.enum(['supported', 'contradicted', 'unsupported']),
});
const spansSchema = z.array(z.looseObject({ start: z.number(), end: z.number() }));

/** How a claim is coloured on the page. */
export type ClaimMark = 'supported' | 'unsupported' | 'contradicted' | 'opinion';

/** The mark of a claim: opinion and meta claims are not judged for factuality. */
export function claimMark(claim: Pick<ClaimVerdict, 'opinion' | 'verdict'>): ClaimMark {
  parseArgument(markSchema, claim, 'claimMark()', 'claim');
  return claim.opinion ? 'opinion' : claim.verdict;
}

/** A stretch of the reasoning, plain or covered by one claim. */
export interface Segment {
  text: string;
  /** Index of the claim in the report's `claims`, or null for plain text. */
  claim: number | null;
}

/** Result of {@link segmentReasoning}. */
export interface Segmentation {
  segments: Segment[];
  /** Claims whose span lies outside the text or overlaps an earlier claim: listed, not highlighted. */
  notHighlighted: number[];
}

/**
 * Cut the reasoning into plain and claim segments by the claims' `start`/`end` spans (earliest first; a claim that
 * overlaps an earlier one or lies outside the text is reported in `notHighlighted`, never dropped silently).
 */
export function segmentReasoning(
  reasoning: string,
  claims: readonly Pick<ClaimVerdict, 'start' | 'end'>[],
): Segmentation {
  assertString(reasoning, 'segmentReasoning()', 'reasoning');
  parseArgument(spansSchema, claims, 'segmentReasoning()', 'claims');
  const order = claims
    .map((claim, index) => ({ index, start: claim.start, end: claim.end }))
    .sort((left, right) => left.start - right.start || left.end - right.end || left.index - right.index);
  const segments: Segment[] = [];
  const notHighlighted: number[] = [];
  let cursor = 0;
  for (const { index, start, end } of order) {
    const valid = Number.isInteger(start) && Number.isInteger(end) && start >= cursor && end > start;
    if (!valid || end > reasoning.length) {
      notHighlighted.push(index);
      continue;
    }
    if (start > cursor) segments.push({ text: reasoning.slice(cursor, start), claim: null });
    segments.push({ text: reasoning.slice(start, end), claim: index });
    cursor = end;
  }
  if (cursor < reasoning.length) segments.push({ text: reasoning.slice(cursor), claim: null });
  return { segments, notHighlighted: notHighlighted.sort((left, right) => left - right) };
}
