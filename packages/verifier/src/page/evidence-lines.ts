import { z } from 'zod';
import { parseArgument } from '../arguments.ts';
import { citationSchema, claimChecksSchema } from '../check-schemas.ts';
import type { Citation, ClaimVerdict } from '../pipeline/report.ts';

const claimSchema = z.looseObject({
  checks: claimChecksSchema,
  citations: z.array(citationSchema),
  quoteFound: z.boolean().nullable().optional(),
});

/** One line of "what decided this claim": a check's outcome with the evidence document and its date. */
export interface DecisionLine {
  status: 'matched' | 'conflict';
  text: string;
}

function locate(citations: readonly Citation[], chunkId: string | null): string {
  if (chunkId === null) return '';
  const citation = citations.find((candidate) => candidate.chunkId === chunkId);
  const documentId = citation?.documentId ?? chunkId.replace(/#\d+$/, '');
  return citation ? ` in ${documentId} · ${citation.publishedAt.slice(0, 10)}` : ` in ${documentId}`;
}

/**
 * The checks that decided a claim, as sentences: "$42.4 billion matched in MSFT-008 · 2025-04-30",
 * "up conflicts with 'fell' in MSFT-003 · 2025-01-29", then period, entity and negation outcomes; a quotation first says
 * whether the evidence prints it word for word, and an event type no admissible document mentions is named (the
 * checks' own conflict reasons are in `checks.conflicts`).
 */
export function decisionLines(
  claim: Pick<ClaimVerdict, 'checks' | 'citations'> & Partial<Pick<ClaimVerdict, 'quoteFound'>>,
): DecisionLine[] {
  parseArgument(claimSchema, claim, 'decisionLines()', 'claim');
  const { checks, citations } = claim;
  const lines: DecisionLine[] = [];
  if (claim.quoteFound === true)
    lines.push({ status: 'matched', text: 'quotation found word for word in the evidence' });
  if (claim.quoteFound === false)
    lines.push({ status: 'conflict', text: 'quotation not found word for word in any admissible document' });
  for (const number of checks.numbers) {
    if (number.status === 'missing') continue;
    const status = number.status;
    const verb = status === 'matched' ? (number.reason === 'derived' ? 'derived from' : 'matched') : 'conflicts with';
    const evidence = number.evidence !== null && number.evidence !== number.claimed ? ` ${number.evidence}` : '';
    const prefix =
      status === 'matched' && evidence === '' ? `${number.claimed} matched` : `${number.claimed} ${verb}${evidence}`;
    const why = status === 'conflict' && number.reason ? ` (${number.reason})` : '';
    lines.push({ status, text: `${prefix}${locate(citations, number.chunkId)}${why}` });
  }
  for (const direction of checks.directions) {
    if (direction.status === 'missing') continue;
    const evidence = direction.evidence ? ` '${direction.evidence}'` : '';
    const verb = direction.status === 'matched' ? 'agrees with' : 'conflicts with';
    lines.push({
      status: direction.status,
      text: `'${direction.word}' ${verb}${evidence}${locate(citations, direction.chunkId)}`,
    });
  }
  for (const period of checks.periods) {
    if (period.status === 'missing') continue;
    lines.push({
      status: period.status,
      text: `period ${period.period} ${period.status === 'matched' ? 'found' : 'conflicts'}`,
    });
  }
  for (const entity of checks.entities) {
    if (entity.status === 'conflict')
      lines.push({ status: 'conflict', text: `${entity.name}: evidence names another company` });
  }
  for (const event of checks.events ?? []) {
    if (event.status === 'missing')
      lines.push({ status: 'conflict', text: `reports an event (${event.event}) no admissible document mentions` });
  }
  if (checks.negation === 'conflict') lines.push({ status: 'conflict', text: 'negation conflicts with the evidence' });
  return lines;
}
