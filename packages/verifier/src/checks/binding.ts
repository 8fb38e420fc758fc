import type { AnchoredQuantity, TextFacts } from './facts.ts';
import { compareQuantities } from './quantities.ts';

/**
 * Which party a figure belongs to, read from clause structure. A sentence that states two figures for two parties
 * ("Americas revenue rose 10%, while Europe fell 5%") binds each figure to the names in its own clause. A claim
 * that moves one party's figure onto the other ("Europe revenue rose 10%") finds the figure in the sentence, but
 * the name it attaches the figure to sits in the other figure's clause: the figure is not confirmed there.
 *
 * Clauses are cut at sentence ends, `;`, a comma followed by a space, and before `while`, `whereas`, `but`,
 * `although`, `compared with`/`to`, `versus` (not at `:`, which introduces what the words before it name). Names are capitalised words that do not open the sentence.
 */

const CLAUSE_WORD = /^(?:while|whereas|but|although|versus|vs)$/;
const COMPARED = /^(?:compared|relative)$/;
const NOT_A_NAME =
  /^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|q[1-4]|h[12]|fy\d*|the|this|its|our|we|i|us|usd|eur|gbp|cny|rmb|gaap|non)$/;

/** Clause number of each token of a text (see the module doc). */
export function clauseIds(facts: TextFacts): number[] {
  const ids: number[] = [];
  let clause = 0;
  facts.tokens.forEach((token, index) => {
    if (index > 0) {
      const previous = facts.tokens[index - 1] as TextFacts['tokens'][number];
      const gap = facts.source.slice(previous.end, token.start);
      if (
        /[;.!?]\s|;|,\s/.test(gap) ||
        CLAUSE_WORD.test(token.lower) ||
        (COMPARED.test(token.lower) && /\S/.test(gap))
      ) {
        clause += 1;
      }
    }
    ids.push(clause);
  });
  return ids;
}

/** Index of the first token at or after a character offset (the token count when none). */
export function tokenAt(facts: TextFacts, offset: number): number {
  const index = facts.tokens.findIndex((token) => token.end > offset);
  return index < 0 ? facts.tokens.length : index;
}

/** The content terms of the clause around a character offset. */
export function clauseTermsAt(facts: TextFacts, offset: number, ids: readonly number[] = clauseIds(facts)): string[] {
  if (facts.tokens.length === 0) return [];
  const clause = ids[Math.min(tokenAt(facts, offset), facts.tokens.length - 1)];
  return facts.tokens
    .filter((token, index) => ids[index] === clause && !token.stop && token.norm.length > 1)
    .map((token) => token.norm);
}

function isName(facts: TextFacts, index: number): boolean {
  const token = facts.tokens[index];
  if (!token || index === 0 || token.stop || token.norm.length <= 1) return false;
  if (!/^\p{Lu}/u.test(token.raw) || /^\d/.test(token.raw)) return false;
  // A capital after a sentence break inside the text ("… rose. Revenue …") opens a sentence, it is not a name.
  const before = facts.source.slice(0, token.start).trimEnd();
  if (/[.!?]$/.test(before)) return false;
  return !NOT_A_NAME.test(token.lower);
}

/**
 * True when the evidence sentence binds `evidenceQuantity` (which matches the claimed figure) to another party than
 * the claim does: a name of the claim's clause stands in the clause of a different figure of the same kind in the
 * evidence, and no name of the claim's clause stands in the matched figure's own clause. Names of the `subject`
 * company (the ticker under verification) do not count.
 */
export function boundToAnotherParty(
  claim: TextFacts,
  claimQuantity: AnchoredQuantity,
  evidence: TextFacts,
  evidenceQuantity: AnchoredQuantity,
  subject?: string,
): boolean {
  const rivals = evidence.quantities.filter(
    (quantity) => quantity !== evidenceQuantity && compareQuantities(claimQuantity, quantity) === 'conflict',
  );
  if (rivals.length === 0) return false;
  // A claim that states the rival figure in the same clause ("EPS of $2.40 was up from $2.15" against "EPS was
  // $2.40, up from $2.15") binds both figures to the same names, as the evidence does: nothing is moved between
  // parties.
  const claimIds = clauseIds(claim);
  const clauseOfClaim = (offset: number): number | undefined =>
    claimIds[Math.min(tokenAt(claim, offset), claim.tokens.length - 1)];
  const claimClause = clauseOfClaim(claimQuantity.start);
  const statesRival = claim.quantities.some(
    (quantity) =>
      quantity !== claimQuantity &&
      clauseOfClaim(quantity.start) === claimClause &&
      rivals.some((rival) => compareQuantities(quantity, rival) === 'match'),
  );
  if (statesRival) return false;
  const claimTerms = new Set(clauseTermsAt(claim, claimQuantity.start, claimIds));
  const ids = clauseIds(evidence);
  const clauseOf = (offset: number): number | undefined =>
    ids[Math.min(tokenAt(evidence, offset), evidence.tokens.length - 1)];
  const own = clauseOf(evidenceQuantity.start);
  const rivalClauses = new Set(rivals.map((quantity) => clauseOf(quantity.start)));
  rivalClauses.delete(own);
  if (rivalClauses.size === 0) return false;
  // The subject company is every claim's premise (a sentence names it once and says "it" after): not a party.
  const key = subject?.toLowerCase();
  const subjectSpans = evidence.entities
    .filter((entity) => key !== undefined && entity.key.toLowerCase() === key)
    .map((entity) => [entity.start, entity.start + entity.raw.length] as const);
  const isSubject = (token: TextFacts['tokens'][number]): boolean =>
    token.lower === key || subjectSpans.some(([start, end]) => token.start >= start && token.start < end);
  let against = false;
  for (let index = 0; index < evidence.tokens.length; index += 1) {
    const token = evidence.tokens[index] as TextFacts['tokens'][number];
    if (!claimTerms.has(token.norm) || !isName(evidence, index) || isSubject(token)) continue;
    if (ids[index] === own) return false;
    if (rivalClauses.has(ids[index] as number)) against = true;
  }
  return against;
}
