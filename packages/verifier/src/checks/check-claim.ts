/**
 * Deterministic checks of one claim against its retrieved evidence: figures (metric-aware, unit- and
 * rounding-tolerant), entities, periods, direction words with negation, and negated predicates. A figure or a
 * direction that disagrees with the evidence about the same metric (and a compatible period) is a conflict, which
 * makes the claim `contradicted` rather than merely weakly supported.
 */

import { softCoverage, type TermSimilarity } from '../scoring/soft-match.ts';
import { tokenize } from '../scoring/text.ts';
import { boundToAnotherParty, clauseIds } from './binding.ts';
import { derivedQuantities } from './derived.ts';
import { type EventType, eventTypesOf } from './events.ts';
import type { EvidenceSentence, PreparedEvidence } from './evidence.ts';
import type { AnchoredQuantity, DirectionMention, MetricMention, TextFacts } from './facts.ts';
import { impliedDirection } from './implied-direction.ts';
import { type DirectionAxis, NEGATIONS } from './lexicon.ts';
import { type Period, periodLabel, periodRelation } from './periods.ts';
import { compareQuantities, scaleMisquote } from './quantities.ts';

/** Outcome of one check. */
export type CheckStatus = 'matched' | 'conflict' | 'missing';

/** A figure of the claim and what the evidence says about it. */
export interface NumberCheck {
  /** The figure as written in the claim. */
  claimed: string;
  /** Metric the figure is about (canonical id), if recognised. */
  metric: string | null;
  /** Matched by an evidence figure, contradicted by one about the same metric and period, or not found. */
  status: CheckStatus;
  /** The evidence figure that matched or conflicted. */
  evidence: string | null;
  /** Chunk holding that figure. */
  chunkId: string | null;
  /** Why it conflicts (`value`, `period`), or `derived` for a match by arithmetic on evidence figures. */
  reason: 'value' | 'period' | 'derived' | null;
}

/** A named entity of the claim. */
export interface EntityCheck {
  /** As written in the claim. */
  name: string;
  /** A known company (alias table or ticker) or another proper name. */
  kind: 'company' | 'name';
  /** Found in the evidence; `conflict` when the matching evidence sentence names another company instead. */
  status: CheckStatus;
  /** True when no admissible evidence (not only the claim's best chunks) names it at all. */
  absent?: boolean;
}

/** A period of the claim. */
export interface PeriodCheck {
  /** Canonical label (`Q3 FY2024`). */
  period: string;
  /** Found (same or containing period), contradicted by the matching evidence, or not stated there. */
  status: CheckStatus;
}

/** A direction word of the claim. */
export interface DirectionCheck {
  /** As written. */
  word: string;
  /** +1 or −1 after negation. */
  polarity: 1 | -1;
  /** Metric it describes. */
  metric: string | null;
  /** Same direction in the evidence, opposite direction, or not found. */
  status: CheckStatus;
  /** The evidence word. */
  evidence: string | null;
  /** Chunk of the evidence word. */
  chunkId: string | null;
}

/** A discrete corporate event the claim reports (an acquisition, a recall, a buyback …). */
export interface EventCheck {
  /** Its type. */
  event: EventType;
  /** `matched` when some admissible evidence (the whole pool) names an event of this type, else `missing`. */
  status: 'matched' | 'missing';
}

/** All checks of one claim. */
export interface ClaimChecks {
  numbers: NumberCheck[];
  entities: EntityCheck[];
  periods: PeriodCheck[];
  directions: DirectionCheck[];
  /**
   * Event types the claim reports, each looked up in the whole admissible pool (absent from reports written before
   * this check existed).
   */
  events?: EventCheck[];
  /** `conflict` when the claim negates what the best-matching evidence sentence asserts (or vice versa). */
  negation: 'conflict' | null;
  /** Human-readable reasons for every conflict. */
  conflicts: string[];
}

/** Inputs of {@link checkClaim}. */
export interface CheckClaimInput {
  /** Facts of the claim. */
  claim: TextFacts;
  /** True when the claim contains a negation cue. */
  claimNegated: boolean;
  /** Evidence chunks to check against (the claim's top-k). */
  evidence: readonly PreparedEvidence[];
  /**
   * All admissible evidence (the whole pool), read only when the top-k evidence conflicts with a figure or a
   * direction: the conflict stands only when none of it states the claimed value (or direction) for the same slot.
   * Without it, conflicts are judged on `evidence` alone.
   */
  admissible?: () => readonly PreparedEvidence[];
  /** Inverse document frequency of terms over the candidate pool (missing terms weigh `defaultIdf`). */
  idf: ReadonlyMap<string, number>;
  /** Weight of terms absent from the pool. */
  defaultIdf: number;
  /** The ticker under verification: its company names count as matched when the evidence is about it. */
  subjectTicker?: string;
  /**
   * Word-vector similarity: a figure equal to an evidence figure is also confirmed when the words around it say
   * the same in other words (soft coverage ≥ the context bar). Only ever confirms; never makes a conflict.
   */
  similarity?: TermSimilarity | null;
}

type MetricRelation = 'same' | 'related' | 'different' | 'unknown';

/** Qualifiers relate by their words: equal sets are the same segment, a subset refines it, anything else differs. */
function qualifierRelation(left: string | null, right: string | null): 'same' | 'related' | 'different' {
  if (left === right) return 'same';
  if (left === null || right === null) return 'related';
  const leftWords = new Set(left.split(' '));
  const rightWords = new Set(right.split(' '));
  const leftInRight = [...leftWords].every((word) => rightWords.has(word));
  const rightInLeft = [...rightWords].every((word) => leftWords.has(word));
  return leftInRight || rightInLeft ? 'related' : 'different';
}

function metricRelation(left: MetricMention | null, right: MetricMention | null): MetricRelation {
  if (left === null || right === null) return 'unknown';
  const qualifiers = qualifierRelation(left.qualifier, right.qualifier);
  const qualifiersDiffer = qualifiers === 'different';
  if (left.id === right.id) {
    if (qualifiersDiffer) return 'different';
    return qualifiers;
  }
  if (left.parent === right.id || right.parent === left.id) {
    return qualifiersDiffer ? 'different' : 'related';
  }
  return 'different';
}

type PeriodsRelation = 'compatible' | 'disjoint' | 'unknown';

const GRANULARITY = { date: 0, month: 1, quarter: 2, half: 3, year: 4 } as const;

/**
 * The periods a text reports on, at its finest granularity: dates inside a text that also names a quarter, half
 * or year describe it (the quarter's end) and are dropped; a year next to a quarter ("Q3 fiscal 2024") only
 * qualifies the quarter and is dropped too.
 */
function reportingPeriods(periods: readonly Period[]): readonly Period[] {
  const coarse = periods.filter((period) => period.kind !== 'date');
  const candidates = coarse.length > 0 ? coarse : periods;
  const finest = Math.min(...candidates.map((period) => GRANULARITY[period.kind]));
  return candidates.filter((period) => GRANULARITY[period.kind] === finest);
}

function periodsRelation(leftAll: readonly Period[], rightAll: readonly Period[]): PeriodsRelation {
  const left = reportingPeriods(leftAll);
  const right = reportingPeriods(rightAll);
  if (left.length === 0 || right.length === 0) return 'unknown';
  let disjoint = 0;
  for (const a of left) {
    for (const b of right) {
      const relation = periodRelation(a, b);
      if (relation === 'same' || relation === 'contains') return 'compatible';
      if (relation === 'disjoint') disjoint += 1;
    }
  }
  return disjoint === left.length * right.length ? 'disjoint' : 'unknown';
}

function axisGroup(axis: DirectionAxis): string {
  return axis === 'revision' ? 'change' : axis;
}

/** A text's distinct terms with their IDF weights (precompute once, then measure coverage against many sets). */
export interface WeightedTerms {
  terms: string[];
  weights: number[];
  total: number;
}

/** Weigh the distinct terms of a text by IDF (`defaultIdf` for terms the pool does not contain). */
export function weightTerms(
  terms: readonly string[],
  idf: ReadonlyMap<string, number>,
  defaultIdf: number,
): WeightedTerms {
  const unique = [...new Set(terms)];
  const weights = unique.map((term) => idf.get(term) ?? defaultIdf);
  return { terms: unique, weights, total: weights.reduce((sum, weight) => sum + weight, 0) };
}

/** IDF-weighted share of the terms present in a set. */
export function weightedCoverage(weighted: WeightedTerms, present: ReadonlySet<string>): number {
  if (weighted.total === 0) return 0;
  let found = 0;
  for (let index = 0; index < weighted.terms.length; index += 1) {
    if (present.has(weighted.terms[index] as string)) found += weighted.weights[index] as number;
  }
  return found / weighted.total;
}

/** Weighted fraction of the claim's terms found in a term set. */
export function termCoverage(
  terms: readonly string[],
  present: ReadonlySet<string>,
  idf: ReadonlyMap<string, number>,
  defaultIdf: number,
): number {
  return weightedCoverage(weightTerms(terms, idf, defaultIdf), present);
}

/** Period kinds that name a reporting period (a date or month names an event). */
const REPORTING_KINDS: ReadonlySet<Period['kind']> = new Set(['quarter', 'half', 'year']);
/** Overlap (sentence or words around the figure) a sentence needs before its different value contradicts one. */
const VALUE_CONFLICT_OVERLAP = 0.35;
/** Overlap a sentence needs before its opposite direction contradicts a claim. */
const DIRECTION_SLOT_OVERLAP = 0.35;
/** Overlap a sentence without a metric on both sides needs before its opposite direction contradicts a claim. */
const DIRECTION_CONFLICT_OVERLAP = 0.7;
/** Overlap with the claim a sentence needs before arithmetic on its figures can confirm a claimed figure. */
const DERIVED_OVERLAP = 0.35;
/** Share of a claim's (other) terms one evidence sentence must hold for the claim to count as its near copy. */
const NEAR_COPY_COVERAGE = 0.8;
/** Distinct content terms (besides the subject's name) a claim needs before the subject-swap rule applies. */
const SUBJECT_SWAP_MIN_TERMS = 6;

interface ScoredSentence {
  sentence: EvidenceSentence;
  evidence: PreparedEvidence;
  overlap: number;
}

function sentencePeriods(scored: ScoredSentence): Period[] {
  return scored.sentence.facts.periods.length > 0 ? scored.sentence.facts.periods : scored.evidence.documentPeriods;
}

function quantityPeriods(quantity: AnchoredQuantity, scored: ScoredSentence): Period[] {
  return quantity.periods.length > 0 ? quantity.periods : scored.evidence.documentPeriods;
}

/** A figure unlikely to appear by chance: a range, decimals, or a two-digit-plus value that is not a multiple of 5. */
function distinctive(quantity: AnchoredQuantity): boolean {
  if (quantity.high !== null || /\.\d/.test(quantity.raw)) return true;
  const digits = quantity.raw.replace(/[^\d]/g, '');
  return digits.length >= 2 && Number(digits) % 5 !== 0;
}

/** A rival table row: the claim names at least this share of its label, and this much more than of the cell's row. */
const RIVAL_ROW_NAMED = 0.8;
const RIVAL_ROW_MARGIN = 0.3;

const SCALE_WORDS =
  /^(?:bn|mn|mm|k|m|b|t|tn|thousand|million|billion|trillion|percent|pct|pp|bps|points?|pts|dollars?|cents|x|times)$/;

/** The content words around a claim's figure (six before it, five after). */
function figureWindow(claim: TextFacts, quantity: AnchoredQuantity): TextFacts['tokens'] {
  const index = claim.tokens.findIndex((token) => token.start >= quantity.end);
  const from = Math.max(0, (index < 0 ? claim.tokens.length : index) - 6);
  return claim.tokens
    .slice(from, (index < 0 ? claim.tokens.length : index) + 5)
    .filter(
      (token) => !token.stop && token.norm.length > 1 && !/^\d/.test(token.norm) && !SCALE_WORDS.test(token.lower),
    );
}

/** Share of the content words around a claim's figure found in an evidence sentence. */
function localOverlap(claim: TextFacts, quantity: AnchoredQuantity, present: ReadonlySet<string>): number {
  const window = figureWindow(claim, quantity);
  if (window.length === 0) return 0;
  return window.filter((token) => present.has(token.norm)).length / window.length;
}

/** Soft coverage of the words around a claim's figure by an evidence sentence (0 without word vectors). */
function softLocalOverlap(
  claim: TextFacts,
  quantity: AnchoredQuantity,
  scored: ScoredSentence,
  similarity: TermSimilarity | null | undefined,
): number {
  if (!similarity) return 0;
  const window = figureWindow(claim, quantity);
  if (window.length === 0) return 0;
  return softCoverage(window, scored.sentence.facts.tokens, scored.sentence.termSet, () => 1, similarity);
}

/** Share of a table row label's terms the claim names. */
function rowPrecision(scored: ScoredSentence, claimTerms: ReadonlySet<string>): number {
  const terms = scored.sentence.cell?.rowTerms ?? [];
  return terms.length === 0 ? 0 : terms.filter((term) => claimTerms.has(term)).length / terms.length;
}

/** Terms that place a figure (numbers, years, months, scale and period words) rather than name what it measures. */
const PLACING_TERM =
  /^(?:\d.*|jan|januari|feb|februari|mar|march|apr|april|may|jun|june|jul|juli|aug|august|sep|septemb|oct|octob|nov|novemb|dec|decemb|fiscal|year|yr|quarter|half|month|ended|end|thousand|million|billion|trillion|bn|mn|percent)$/;

/**
 * True when a claim is about a table cell's row and nothing else: it names every content word of the row's label,
 * the label has content words of its own (not a bare "At 31 December"), at least three quarters of the claim's own
 * content words are the label's, and the claim states no change ("The increase in FCC licenses was $15.6 million"
 * is about a difference, not the row's level).
 */
function claimIsRow(claim: TextFacts, scored: ScoredSentence): boolean {
  const row = (scored.sentence.cell?.rowTerms ?? []).filter((term) => !PLACING_TERM.test(term));
  if (row.length === 0) return false;
  if (claim.directions.length > 0 || claim.terms.some((term) => term.startsWith('+') || term.startsWith('-')))
    return false;
  const own = new Set(claim.terms.filter((term) => !PLACING_TERM.test(term)));
  const rowSet = new Set(row);
  if (row.some((term) => !own.has(term))) return false;
  let named = 0;
  for (const term of own) if (rowSet.has(term)) named += 1;
  return named / own.size >= 0.75;
}

/**
 * For a figure found in a table cell: another row of the same table and column whose label the claim names much
 * more completely ("Value added tax receivables" vs "Other") — the row the claim is about — with the figure stated
 * there, or null. A value read off another row is not the claimed row's value.
 */
function rivalRow(
  scored: ScoredSentence,
  claimQuantity: AnchoredQuantity,
  claimTerms: ReadonlySet<string>,
  sentences: readonly ScoredSentence[],
): { scored: ScoredSentence; quantity: AnchoredQuantity; named: number } | null {
  const cell = scored.sentence.cell;
  if (cell === null) return null;
  const own = rowPrecision(scored, claimTerms);
  let best: { scored: ScoredSentence; quantity: AnchoredQuantity; named: number } | null = null;
  for (const other of sentences) {
    const otherCell = other.sentence.cell;
    if (other === scored || otherCell === null || other.evidence !== scored.evidence) continue;
    if (otherCell.table !== cell.table || otherCell.column !== cell.column) continue;
    const named = rowPrecision(other, claimTerms);
    if (named < RIVAL_ROW_NAMED || named < own + RIVAL_ROW_MARGIN || (best !== null && named <= best.named)) continue;
    const quantity = other.sentence.facts.quantities.find(
      (candidate) => compareQuantities(claimQuantity, candidate) !== 'incomparable',
    );
    if (quantity) best = { scored: other, quantity, named };
  }
  return best;
}

function checkNumber(
  claimQuantity: AnchoredQuantity,
  claim: TextFacts,
  sentences: ScoredSentence[],
  matchedIn: Set<ScoredSentence>,
  similarity?: TermSimilarity | null,
  subject?: string,
): NumberCheck {
  let conflict: NumberCheck | null = null;
  let periodConflict: NumberCheck | null = null;
  const claimTerms = new Set(claim.terms);
  const claimPeriods = claimQuantity.periods.length > 0 ? claimQuantity.periods : claim.periods;
  // A claim that names no period is about the latest state: for its metric (and window), an older document's
  // figure is superseded by a newer one and cannot contradict it.
  let latest = '';
  if (claimPeriods.length === 0 && claimQuantity.metric !== null) {
    for (const scored of sentences) {
      const states = scored.sentence.facts.quantities.some(
        (quantity) =>
          metricRelation(quantity.metric, claimQuantity.metric) === 'same' &&
          quantity.unit === claimQuantity.unit &&
          (quantity.horizon === null || claimQuantity.horizon === null || quantity.horizon === claimQuantity.horizon),
      );
      if (states && scored.evidence.publishedAt > latest) latest = scored.evidence.publishedAt;
    }
  }
  for (const scored of sentences) {
    for (const evidenceQuantity of scored.sentence.facts.quantities) {
      if (claimQuantity.role === 'tolerance' || evidenceQuantity.role === 'tolerance') continue;
      let comparison = compareQuantities(claimQuantity, evidenceQuantity);
      // An amount written without its currency sign ("2,493 million" for "$2,493 million") can confirm, never
      // conflict: it is compared as the evidence's currency and only a match counts.
      if (comparison === 'incomparable' && claimQuantity.unit === 'count' && evidenceQuantity.unit === 'currency') {
        const asCurrency = { ...claimQuantity, unit: 'currency' as const, currency: evidenceQuantity.currency };
        if (compareQuantities(asCurrency, evidenceQuantity) === 'match') comparison = 'match';
      }
      // The same figure in another scale, each side writing its own scale word in prose: a misquoted scale, which
      // the slot rules below may count as a conflict (never a table cell, whose scale comes from its caption).
      if (
        comparison === 'incomparable' &&
        scored.sentence.cell === null &&
        scaleMisquote(claimQuantity, evidenceQuantity)
      )
        comparison = 'conflict';
      if (comparison === 'incomparable') continue;
      if (comparison === 'match' && scored.sentence.cell !== null) {
        // A cell of another row than the one the claim names is no confirmation; when the claim names that row in
        // full and its cell states another value, the claim misreads the table.
        const rival = rivalRow(scored, claimQuantity, claimTerms, sentences);
        if (rival) {
          if (rival.named === 1 && compareQuantities(claimQuantity, rival.quantity) === 'conflict') {
            conflict ??= {
              claimed: claimQuantity.raw,
              metric: claimQuantity.metric?.id ?? null,
              evidence: rival.quantity.raw,
              chunkId: rival.scored.evidence.chunkId,
              status: 'conflict',
              reason: 'value',
            };
          }
          continue;
        }
      }
      // Figures over different look-back windows ("20-day" vs "5-day" return) describe different metrics.
      const horizonsDiffer =
        claimQuantity.horizon !== null &&
        evidenceQuantity.horizon !== null &&
        claimQuantity.horizon !== evidenceQuantity.horizon;
      if (horizonsDiffer) continue;
      const relation = metricRelation(claimQuantity.metric, evidenceQuantity.metric);
      const periods = periodsRelation(claimPeriods, quantityPeriods(evidenceQuantity, scored));
      // The same figure in a sentence about the claim confirms it even when metric attachment differs (it is
      // fuzzy); a conflict needs the same metric, role, estimate status and a compatible period.
      // Context: the claim's sentence overlap, or the words around the figure ("$60bn takeover of Pioneer").
      const local = Math.max(scored.overlap, localOverlap(claim, claimQuantity, scored.sentence.termSet));
      const context = distinctive(claimQuantity) ? 0.15 : 0.3;
      // Across metrics only a figure equal within rounding counts (no recomputation tolerance).
      const exact =
        Math.abs(claimQuantity.value - evidenceQuantity.value) <=
        Math.max(claimQuantity.tolerance, evidenceQuantity.tolerance) +
          1e-9 * Math.max(1, Math.abs(claimQuantity.value));
      // The same figure bound to another party in the evidence sentence's clauses ("…, while Europe rose 10%").
      const boundElsewhere = (): boolean =>
        scored.sentence.cell === null &&
        boundToAnotherParty(claim, claimQuantity, scored.sentence.facts, evidenceQuantity, subject);
      if (
        comparison === 'match' &&
        relation === 'different' &&
        exact &&
        periods !== 'disjoint' &&
        local >= context &&
        !boundElsewhere()
      ) {
        matchedIn.add(scored);
        return {
          claimed: claimQuantity.raw,
          metric: claimQuantity.metric?.id ?? null,
          evidence: evidenceQuantity.raw,
          chunkId: scored.evidence.chunkId,
          status: 'matched',
          reason: null,
        };
      }
      if (relation === 'different') continue;
      if (comparison === 'conflict' && claimQuantity.estimate !== evidenceQuantity.estimate) continue;
      if (claimQuantity.role !== null && evidenceQuantity.role !== null && claimQuantity.role !== evidenceQuantity.role)
        continue;
      // A prior-period figure ("slower than the 12.5% growth of a year earlier", "from 27% last quarter") is the
      // comparison base, not the current value: it only ever conflicts with another prior-period figure.
      if (comparison === 'conflict' && (claimQuantity.role === 'prior') !== (evidenceQuantity.role === 'prior'))
        continue;
      const result = {
        claimed: claimQuantity.raw,
        metric: claimQuantity.metric?.id ?? null,
        evidence: evidenceQuantity.raw,
        chunkId: scored.evidence.chunkId,
      };
      if (comparison === 'match') {
        if (periods === 'disjoint') {
          // Words ("doubled") and arithmetic are too loose to place a figure in the wrong period.
          if (claimQuantity.verbal || evidenceQuantity.verbal) continue;
          // Precision first: the evidence sentence itself must state a reporting period (quarter, half, year) for its
          // figure, and the claim must name one too. A period only inherited from the title (which may cover another
          // part of the document) leaves the claim unsupported rather than contradicted.
          const own = evidenceQuantity.periods.length > 0 ? evidenceQuantity.periods : scored.sentence.facts.periods;
          const stated =
            own.some((period) => REPORTING_KINDS.has(period.kind)) &&
            claimPeriods.some((period) => REPORTING_KINDS.has(period.kind)) &&
            periodsRelation(claimPeriods, own) === 'disjoint';
          // The claimed value stated for another period is not a contradiction by itself (the evidence may not state
          // the claimed period at all): the figure stays unconfirmed, with the reason recorded. A different value
          // stated for the claimed period is a value conflict (below).
          if (relation !== 'unknown' && stated) periodConflict ??= { ...result, status: 'missing', reason: 'period' };
          continue;
        }
        // A figure with no metric on either side only counts when the sentence is clearly about the claim — in the
        // claim's words or, by word vectors, in other words ("sales climbed 12%" for "revenue rose 12%").
        if (
          relation === 'unknown' &&
          local < context &&
          softLocalOverlap(claim, claimQuantity, scored, similarity) < context
        )
          continue;
        if (boundElsewhere()) continue;
        matchedIn.add(scored);
        return { ...result, status: 'matched', reason: null };
      }
      // A table cell is its own slot: row = metric, column = period. A claim that names the cell's row in full, for
      // the cell's period, with another value misreads the table even where the metric lexicon knows no name for
      // the row ("Total other non-current assets"); the claimed value stated in another column (another year) does
      // not make it right. Any cell or sentence that states the claimed value for the claimed period still confirms
      // it (a match returns first).
      if (
        comparison === 'conflict' &&
        scored.sentence.cell !== null &&
        periods === 'compatible' &&
        !claimQuantity.verbal &&
        !evidenceQuantity.verbal &&
        claimQuantity.estimate === evidenceQuantity.estimate &&
        (claimQuantity.role === 'prior') === (evidenceQuantity.role === 'prior') &&
        claimIsRow(claim, scored)
      ) {
        conflict ??= { ...result, status: 'conflict', reason: 'value' };
        continue;
      }
      if (relation === 'unknown' || periods === 'disjoint') continue;
      // A figure written in words is approximate by nature: it confirms, never contradicts.
      if (claimQuantity.verbal || evidenceQuantity.verbal) continue;
      // A conflict needs the same metric: not a parent or child metric ("share price" vs "close"), and a metric
      // qualified on one side only ("revenue" vs "Data Center revenue") only when the sentence is about the claim.
      if (claimQuantity.metric?.id !== evidenceQuantity.metric?.id) continue;
      if (relation === 'related' && scored.overlap < 0.4) continue;
      // Role must be known on at least one side or the units must be levels (currency, multiples) to conflict.
      if (claimQuantity.role === null && evidenceQuantity.role === null && claimQuantity.unit === 'percent') {
        if (scored.overlap < 0.4) continue;
      }
      if (latest !== '' && scored.evidence.publishedAt < latest) continue;
      // Precision first: a different value contradicts only in a sentence about the claim (the same slot), not a
      // figure of the same metric in an unrelated sentence (another segment, product or deal).
      if (local < VALUE_CONFLICT_OVERLAP) continue;
      conflict ??= { ...result, status: 'conflict', reason: 'value' };
    }
  }
  if (conflict === null && periodConflict === null) {
    // Arithmetic the evidence implies (a midpoint, a difference, a change or ratio of two of its figures) in a
    // sentence about the claim confirms the figure.
    for (const scored of sentences) {
      if (scored.overlap < DERIVED_OVERLAP) continue;
      const implied = derivedQuantities(scored.sentence.facts.quantities).find(
        (quantity) => compareQuantities(claimQuantity, quantity) === 'match',
      );
      if (implied) {
        matchedIn.add(scored);
        return {
          claimed: claimQuantity.raw,
          metric: claimQuantity.metric?.id ?? null,
          evidence: implied.raw,
          chunkId: scored.evidence.chunkId,
          status: 'matched',
          reason: 'derived',
        };
      }
    }
  }
  return (
    conflict ??
    periodConflict ?? {
      claimed: claimQuantity.raw,
      metric: claimQuantity.metric?.id ?? null,
      status: 'missing',
      evidence: null,
      chunkId: null,
      reason: null,
    }
  );
}

/** The claim's content terms in the clause around a position (a direction word's own statement). */
function clauseTerms(claim: TextFacts, position: number): string[] {
  const tokens = claim.tokens;
  const at = tokens.findIndex((token) => token.start >= position);
  const index = at < 0 ? tokens.length - 1 : at;
  let from = index;
  while (from > 0) {
    if (/[;,:]/.test(textBetween(claim, from - 1, from))) break;
    if (/^(?:while|whereas|but|although)$/.test(tokens[from - 1]?.lower ?? '')) break;
    from -= 1;
  }
  let to = index;
  while (to + 1 < tokens.length) {
    const gap = textBetween(claim, to, to + 1);
    if (/[;,:]/.test(gap) || /^(?:while|whereas|but|although)$/i.test(tokens[to + 1]?.lower ?? '')) break;
    to += 1;
  }
  return tokens
    .slice(from, to + 1)
    .filter((token) => !token.stop && token.norm.length > 1)
    .map((token) => token.norm);
}

function textBetween(claim: TextFacts, left: number, right: number): string {
  const a = claim.tokens[left];
  const b = claim.tokens[right];
  return a && b ? claim.source.slice(a.end, b.start) : '';
}

/** The unsigned percentage change a direction word governs ("lost 20.9%"), or null. */
function governedFigure(direction: DirectionMention, claim: TextFacts): AnchoredQuantity | null {
  return (
    claim.quantities.find(
      (quantity) =>
        quantity.start > direction.start &&
        quantity.start - direction.start <= 40 &&
        quantity.unit === 'percent' &&
        !/^[+\-−–]/.test(quantity.raw) &&
        !/[.;]/.test(claim.source.slice(direction.start, quantity.start)),
    ) ?? null
  );
}

/** Words before a signed change figure that make its sign its direction ("20-day return -6.2%", "change: +3%"). */
const SIGNED_CHANGE_CONTEXT = /\b(?:return|returns|change|performance|move|chg)\s*[:=]?\s*$/i;

/**
 * The direction of the evidence figure that confirmed the change figure a claim's direction word governs ("lost
 * 20.9%" confirmed by "20-day return 20.9%"): its sign, when the evidence sentence states the change as a signed
 * figure and uses no direction word itself. Null when no such figure confirmed it.
 */
function signedChange(
  direction: DirectionMention,
  claim: TextFacts,
  numbers: readonly NumberCheck[],
  sentences: readonly ScoredSentence[],
): { polarity: 1 | -1; evidence: string; chunkId: string } | null {
  const governed = governedFigure(direction, claim);
  if (!governed) return null;
  const check = numbers.find((number) => number.claimed === governed.raw && number.status === 'matched');
  if (!check?.chunkId || check.evidence === null) return null;
  for (const scored of sentences) {
    if (scored.evidence.chunkId !== check.chunkId || scored.sentence.facts.directions.some((other) => !other.derived))
      continue;
    const quantity = scored.sentence.facts.quantities.find((candidate) => candidate.raw === check.evidence);
    if (quantity?.unit !== 'percent') continue;
    const explicit = /^[+\-−–]/.test(quantity.raw);
    const before = scored.sentence.text.slice(Math.max(0, quantity.start - 24), quantity.start);
    if (!explicit && !SIGNED_CHANGE_CONTEXT.test(before)) continue;
    return { polarity: quantity.sign, evidence: quantity.raw, chunkId: scored.evidence.chunkId };
  }
  return null;
}

/** True when a text states directions of both polarities on the axis group of `axis`. */
function bothWays(facts: TextFacts, axis: DirectionAxis): boolean {
  const group = axisGroup(axis);
  let up = false;
  let down = false;
  for (const mention of facts.directions) {
    if (axisGroup(mention.axis) !== group) continue;
    if (mention.polarity > 0) up = true;
    else down = true;
  }
  return up && down;
}

function checkDirection(
  direction: DirectionMention,
  claim: TextFacts,
  sentences: ScoredSentence[],
  weigh: (terms: string[]) => WeightedTerms,
): DirectionCheck {
  const clause = weigh(clauseTerms(claim, direction.start));
  // The most relevant evidence sentence with a comparable direction word decides: same polarity confirms it,
  // the opposite contradicts it.
  const candidates: Array<{ other: DirectionMention; scored: ScoredSentence; rank: number }> = [];
  for (const scored of sentences) {
    const overlap = Math.max(scored.overlap, weightedCoverage(clause, scored.sentence.termSet));
    if (overlap < 0.25) continue;
    for (const other of scored.sentence.facts.directions) {
      if (axisGroup(other.axis) !== axisGroup(direction.axis)) continue;
      // Moves over different windows ("lost 8% over 20 sessions" vs "gained 2% over 5") are different facts.
      if (direction.horizon !== null && other.horizon !== null && direction.horizon !== other.horizon) continue;
      const relation = metricRelation(direction.metric, other.metric);
      if (relation === 'different') continue;
      if (relation === 'unknown' && overlap < 0.5) continue;
      if (periodsRelation(claim.periods, sentencePeriods(scored)) === 'disjoint') continue;
      // Within a sentence, the direction whose own clause matches the claim's clause best ("the 20-day average
      // was below the 50-day average" rather than "the close was 3.8% above the 20-day average").
      const otherTerms = clauseTerms(scored.sentence.facts, other.start);
      const claimTerms = new Set(clause.terms);
      const precision =
        otherTerms.length === 0 ? 0 : otherTerms.filter((term) => claimTerms.has(term)).length / otherTerms.length;
      const local = 0.5 * (weightedCoverage(clause, new Set(otherTerms)) + precision);
      candidates.push({ other, scored, rank: overlap + 0.5 * local + (relation === 'same' ? 0.2 : 0) });
    }
  }
  // The most relevant candidate decides. A claim that names no period is about the latest state, so among
  // equally relevant candidates (within 0.05: the same kind of report on different days) the most recent
  // document supersedes older ones.
  const topRank = candidates.reduce((max, candidate) => Math.max(max, candidate.rank), Number.NEGATIVE_INFINITY);
  const eligible =
    claim.periods.length === 0 ? candidates.filter((candidate) => candidate.rank >= topRank - 0.05) : candidates;
  let best: { other: DirectionMention; scored: ScoredSentence; rank: number } | null = null;
  for (const candidate of eligible) {
    const published = candidate.scored.evidence.publishedAt;
    if (
      best === null ||
      (claim.periods.length === 0 && published > best.scored.evidence.publishedAt) ||
      ((claim.periods.length > 0 || published === best.scored.evidence.publishedAt) && candidate.rank > best.rank) ||
      // One evidence sentence with both directions equally close to the claim's clause ("fell 14% and missed a
      // rebound") is ambiguous about which one the claim's word restates: it confirms the claim, never refutes it.
      (candidate.scored === best.scored &&
        Math.abs(candidate.rank - best.rank) < 1e-9 &&
        candidate.other.polarity === direction.polarity &&
        best.other.polarity !== direction.polarity)
    ) {
      best = candidate;
    }
  }
  const base = { word: direction.word, polarity: direction.polarity, metric: direction.metric?.id ?? null };
  if (best === null) return { ...base, status: 'missing', evidence: null, chunkId: null };
  const agrees = best.other.polarity === direction.polarity;
  // Precision first: an opposite direction contradicts only about the same slot — a sentence about the claim, with
  // a metric known on both sides or restating the claim's clause almost word for word; otherwise the claim is
  // merely unconfirmed.
  if (!agrees) {
    const overlap = Math.max(best.scored.overlap, weightedCoverage(clause, best.scored.sentence.termSet));
    const threshold =
      metricRelation(direction.metric, best.other.metric) === 'unknown'
        ? DIRECTION_CONFLICT_OVERLAP
        : DIRECTION_SLOT_OVERLAP;
    // The same move over the same window with the same size ("lost 20.9% over 20 sessions" against "over the last
    // 20 sessions it gained 20.9%") is the same slot whatever the other words.
    const governed =
      direction.horizon !== null && direction.horizon === best.other.horizon ? governedFigure(direction, claim) : null;
    const sameMove =
      governed !== null &&
      best.scored.sentence.facts.quantities.some(
        (quantity) => quantity.horizon === direction.horizon && compareQuantities(governed, quantity) === 'match',
      );
    if (overlap < threshold && !sameMove) return { ...base, status: 'missing', evidence: null, chunkId: null };
    // A claim that moves things both ways ("the cuts are working: sales rose 46%", "added 1.4 million users,
    // reversing the prior quarter's decline") ties each direction word to its own clause, and the sentence's overlap
    // with the evidence may come from the other clauses: the opposite word contradicts this one only when the
    // evidence sentence restates this word's clause.
    if (
      !sameMove &&
      bothWays(claim, direction.axis) &&
      weightedCoverage(clause, best.scored.sentence.termSet) < threshold
    ) {
      return { ...base, status: 'missing', evidence: null, chunkId: null };
    }
  }
  return {
    ...base,
    status: agrees ? 'matched' : 'conflict',
    evidence: best.other.word,
    chunkId: best.scored.evidence.chunkId,
  };
}

/**
 * A sentence of the admissible evidence that states the claim's direction for the same slot: closely about the
 * claim (overlap ≥ 0.5 with its clause or sentence), the same axis, metric and window, a compatible period, and the
 * claimed polarity. Used to overturn a conflict (precision first), never to create one.
 */
function confirmDirection(
  direction: DirectionMention,
  claim: TextFacts,
  sentences: ScoredSentence[],
  weigh: (terms: string[]) => WeightedTerms,
): DirectionCheck | null {
  const clause = weigh(clauseTerms(claim, direction.start));
  for (const scored of sentences) {
    const overlap = Math.max(scored.overlap, weightedCoverage(clause, scored.sentence.termSet));
    if (overlap < 0.5) continue;
    for (const other of scored.sentence.facts.directions) {
      if (other.polarity !== direction.polarity || axisGroup(other.axis) !== axisGroup(direction.axis)) continue;
      if (direction.horizon !== null && other.horizon !== null && direction.horizon !== other.horizon) continue;
      const relation = metricRelation(direction.metric, other.metric);
      if (relation === 'different' || (relation === 'unknown' && overlap < 0.6)) continue;
      if (periodsRelation(claim.periods, sentencePeriods(scored)) === 'disjoint') continue;
      return {
        word: direction.word,
        polarity: direction.polarity,
        metric: direction.metric?.id ?? null,
        status: 'matched',
        evidence: other.word,
        chunkId: scored.evidence.chunkId,
      };
    }
  }
  return null;
}

function scoreSentences(evidence: readonly PreparedEvidence[], weighted: WeightedTerms): ScoredSentence[] {
  const sentences: ScoredSentence[] = [];
  for (const chunk of evidence) {
    for (const sentence of chunk.sentences) {
      sentences.push({ sentence, evidence: chunk, overlap: weightedCoverage(weighted, sentence.termSet) });
    }
  }
  return sentences.sort((left, right) => right.overlap - left.overlap);
}

const chunkEvents = new WeakMap<PreparedEvidence, ReadonlySet<EventType>>();

/** The event types a chunk (with its title) names, computed once per prepared chunk. */
function eventsOf(chunk: PreparedEvidence): ReadonlySet<EventType> {
  let events = chunkEvents.get(chunk);
  if (!events) {
    events = new Set(eventTypesOf(chunk.lowerText));
    chunkEvents.set(chunk, events);
  }
  return events;
}

/**
 * Check a claim against evidence chunks. Returns per-figure, per-entity, per-period, per-direction and per-event
 * outcomes and the list of conflicts (empty when nothing in the evidence disagrees with the claim).
 */
export function checkClaim(input: CheckClaimInput): ClaimChecks {
  const { claim, evidence, idf, defaultIdf } = input;
  const weighted = weightTerms(claim.terms, idf, defaultIdf);
  const sentences = scoreSentences(evidence, weighted);
  let admissibleSentences: ScoredSentence[] | null = null;
  /** The whole pool's sentences (read only to confirm a claimed value before a conflict stands). */
  const everywhere = (): ScoredSentence[] => {
    admissibleSentences ??= input.admissible ? scoreSentences(input.admissible(), weighted) : sentences;
    return admissibleSentences;
  };
  const conflicts: string[] = [];

  const matchedIn = new Set<ScoredSentence>();
  const numbers = claim.quantities
    .filter((quantity) => quantity.role !== 'tolerance')
    .map((quantity) => {
      const check = checkNumber(quantity, claim, sentences, matchedIn, input.similarity, input.subjectTicker);
      if (check.status === 'missing' && check.reason === null && input.admissible) {
        // Retrieval ranks whole chunks: the sentence stating the figure may sit in an admissible chunk outside the
        // top k. The same figure in a sentence about the claim confirms it there too.
        const found = checkNumber(quantity, claim, everywhere(), matchedIn, input.similarity, input.subjectTicker);
        return found.status === 'matched' ? found : check;
      }
      if (check.status !== 'conflict' || !input.admissible) return check;
      // Precision first: a figure stated for the same slot anywhere in the admissible evidence is not contradicted.
      const confirmed = checkNumber(quantity, claim, everywhere(), new Set(), null, input.subjectTicker);
      return confirmed.status === 'matched' ? confirmed : check;
    });
  for (const check of numbers) {
    if (check.status === 'conflict') {
      conflicts.push(
        check.reason === 'period'
          ? `${check.claimed} (${check.metric ?? 'figure'}) appears in the evidence for a different period`
          : `${check.claimed} (${check.metric ?? 'figure'}) conflicts with ${check.evidence} in ${check.chunkId}`,
      );
    }
  }

  const subjectAliases = new Set<string>();
  if (input.subjectTicker) subjectAliases.add(input.subjectTicker);
  const anchor = sentences[0];
  const entities: EntityCheck[] = [];
  const seenEntities = new Set<string>();
  // Entities must appear where the claim is supported: in the chunks of its best-matching sentences.
  const supporting = [...new Set(sentences.slice(0, 3).map((scored) => scored.evidence))];
  for (const entity of claim.entities) {
    // The subject company is the premise of every claim (its evidence was retrieved by ticker): not a specific.
    if (seenEntities.has(entity.key) || entity.key === input.subjectTicker) continue;
    seenEntities.add(entity.key);
    const initials = entity.raw
      .split(/\s+/)
      .filter((word) => /^[A-Z]/.test(word))
      .map((word) => word[0])
      .join('')
      .toLowerCase();
    const namedIn = (chunks: readonly PreparedEvidence[]): boolean =>
      chunks.some((chunk) => chunk.entityKeys.has(entity.key)) ||
      (entity.kind === 'name' && chunks.some((chunk) => containsWord(chunk.lowerText, entity.key))) ||
      (initials.length >= 2 && entity.raw.includes(' ') && chunks.some((chunk) => chunk.entityKeys.has(initials)));
    // The supporting chunks, or another chunk of the same documents (a release names the company in full in its
    // first paragraph and by "the company" after it).
    const found =
      namedIn(supporting) || (input.admissible !== undefined && namedIn(sameDocuments(supporting, input.admissible())));
    // The overlap with evidence sentences is measured without the entity's own words.
    const entityWords = new Set(analyzeEntityTerms(entity.raw));
    const rest = claim.terms.filter((term) => !entityWords.has(term));
    // A company named somewhere in the chunk is not enough when the claim nearly copies one evidence sentence: that
    // sentence says who did it. If it names other companies and not this one, the claim put the right sentence on
    // the wrong company ("Meta Platforms MSFT.O … fell" for "Meta Platforms META.O … fell").
    const swapped =
      found &&
      entity.kind === 'company' &&
      anchor !== undefined &&
      termCoverage(rest, anchor.sentence.termSet, idf, defaultIdf) >= NEAR_COPY_COVERAGE &&
      anchor.sentence.facts.entities.some((other) => other.kind === 'company' && other.key !== entity.key) &&
      !anchor.sentence.facts.entities.some((other) => other.key === entity.key) &&
      !containsWord(anchor.sentence.text.toLowerCase(), entity.raw.toLowerCase());
    if (swapped) {
      entities.push({ name: entity.raw, kind: entity.kind, status: 'conflict' });
      conflicts.push(`${entity.raw} is not the company the matching evidence sentence is about`);
      continue;
    }
    if (found) {
      entities.push({ name: entity.raw, kind: entity.kind, status: 'matched' });
      continue;
    }
    // Another company in a sentence that otherwise matches the claim, in place of the claimed one: a wrong
    // attribution.
    const replaced =
      entity.kind === 'company' &&
      sentences
        .slice(0, 5)
        .some(
          (scored) =>
            termCoverage(rest, scored.sentence.termSet, idf, defaultIdf) >= 0.5 &&
            scored.sentence.facts.entities.some((other) => other.kind === 'company' && other.key !== entity.key),
        );
    const absent = !replaced && input.admissible !== undefined && !namedIn(input.admissible());
    entities.push({
      name: entity.raw,
      kind: entity.kind,
      status: replaced ? 'conflict' : 'missing',
      ...(absent ? { absent: true } : {}),
    });
    if (replaced) conflicts.push(`${entity.raw} is not the company the evidence attributes this to`);
  }
  // The subject company put on another company's sentence ("Apple also lost 1.3% after it forecast higher costs"
  // nearly copying "Microsoft also lost 1.3% …" in Apple's news): the subject's own evidence is no proof when the
  // sentence the claim copies names only companies the claim leaves out. Long claims only (a short claim such as
  // "Apple lost 2%" may well match a sentence that names the subject by description: "the iPhone maker").
  const subject = input.subjectTicker;
  const namedSubject = subject
    ? claim.entities.find((entity) => entity.kind === 'company' && entity.key === subject)
    : undefined;
  if (namedSubject && anchor) {
    const claimKeys = new Set(claim.entities.map((entity) => entity.key));
    const subjectWords = new Set(
      claim.entities.filter((entity) => entity.key === subject).flatMap((entity) => analyzeEntityTerms(entity.raw)),
    );
    const rest = claim.terms.filter((term) => !subjectWords.has(term));
    const others = anchor.sentence.facts.entities.filter((entity) => entity.kind === 'company');
    const misattributed =
      new Set(rest).size >= SUBJECT_SWAP_MIN_TERMS &&
      others.length > 0 &&
      others.every((entity) => entity.key !== subject && !claimKeys.has(entity.key)) &&
      termCoverage(rest, anchor.sentence.termSet, idf, defaultIdf) >= NEAR_COPY_COVERAGE;
    if (misattributed) {
      entities.push({ name: namedSubject.raw, kind: 'company', status: 'conflict' });
      conflicts.push(`${namedSubject.raw} is not the company the matching evidence sentence is about`);
    }
  }

  // Periods are confirmed by sentences about the claim (not by any period anywhere in the evidence), and
  // contradicted when the sentences that best match the claim name only other periods.
  // Relevant: sentences about the claim, and the sentences where one of its figures was found.
  const relevant = sentences.filter((scored) => scored.overlap >= 0.25 || matchedIn.has(scored));
  const periods: PeriodCheck[] = [];
  for (const period of claim.periods) {
    let status: CheckStatus = 'missing';
    for (const scored of relevant) {
      const published = scored.evidence.publishedPeriod;
      const candidates =
        published && scored.overlap >= 0.3 ? [...sentencePeriods(scored), published] : sentencePeriods(scored);
      if (candidates.some((other) => ['same', 'contains'].includes(periodRelation(period, other)))) {
        status = 'matched';
        break;
      }
    }
    if (status === 'missing') {
      const closest = relevant
        .slice(0, 3)
        .filter((scored) => scored.overlap >= 0.4 && sentencePeriods(scored).length > 0);
      const named = closest.flatMap((scored) => reportingPeriods(sentencePeriods(scored)));
      if (named.length > 0 && named.every((other) => periodRelation(period, other) === 'disjoint')) {
        status = 'conflict';
        conflicts.push(
          `${period.raw} does not match the period of the evidence (${named.map((p) => p.raw).join(', ')})`,
        );
      }
    }
    periods.push({ period: periodLabel(period), status });
  }

  const weigh = (terms: string[]) => weightTerms(terms, idf, defaultIdf);
  const directions = claim.directions.map((direction): DirectionCheck => {
    // The claim's own figures ("to $12 million from $9 million") fix its direction: a verb against them is wrong
    // whatever the evidence says, and figures both confirmed by the evidence confirm the verb by arithmetic.
    const implied = impliedDirection(direction, claim);
    const base = { word: direction.word, polarity: direction.polarity, metric: direction.metric?.id ?? null };
    if (implied && implied.polarity !== direction.polarity) {
      const figures = implied.movement ? implied.current.raw : `${implied.current.raw} from ${implied.prior.raw}`;
      return { ...base, status: 'conflict', evidence: figures, chunkId: null };
    }
    const check = checkDirection(direction, claim, sentences, weigh);
    if (direction.derived) {
      // A direction the claim's figures imply is as right as the figures: the number checks judge them, and two
      // confirmed figures confirm it.
      const confirmed = numbers.length >= 2 && numbers.every((number) => number.status === 'matched');
      if (confirmed)
        return { ...base, status: 'matched', evidence: direction.word, chunkId: numbers[0]?.chunkId ?? null };
      return check.status === 'conflict' ? { ...base, status: 'missing', evidence: null, chunkId: null } : check;
    }
    if (check.status === 'missing' && direction.axis === 'change' && !direction.derived) {
      // The evidence states the move as a signed figure only ("20-day return -6.2%"): its sign is its direction.
      // The confirming figure's sentence is usually among the top-k ones; the whole pool is scored only otherwise.
      const signed =
        signedChange(direction, claim, numbers, sentences) ??
        (input.admissible ? signedChange(direction, claim, numbers, everywhere()) : null);
      if (signed)
        return {
          ...base,
          status: signed.polarity === direction.polarity ? 'matched' : 'conflict',
          evidence: signed.evidence,
          chunkId: signed.chunkId,
        };
    }
    if (implied && !implied.movement && check.status !== 'matched') {
      const confirmed = (quantity: typeof implied.current) =>
        numbers.find((number) => number.claimed === quantity.raw && number.status === 'matched');
      const current = confirmed(implied.current);
      if (current && confirmed(implied.prior))
        return {
          ...base,
          status: 'matched',
          evidence: `${implied.current.raw} from ${implied.prior.raw}`,
          chunkId: current.chunkId,
        };
    }
    if (check.status !== 'conflict' || !input.admissible) return check;
    // Precision first: the claimed direction stated for the same slot elsewhere in the admissible evidence.
    const confirmation = confirmDirection(direction, claim, everywhere(), weigh);
    return confirmation ?? check;
  });
  for (const check of directions) {
    if (check.status === 'conflict') {
      conflicts.push(
        check.chunkId === null
          ? `"${check.word}" contradicts the claim's own figures (${check.evidence})`
          : `"${check.word}" (${check.metric ?? 'direction'}) contradicts "${check.evidence}" in ${check.chunkId}`,
      );
    }
  }

  // A negated predicate: the claim negates a word the matching evidence sentence asserts, or the reverse.
  let negation: 'conflict' | null = null;
  const directionsResolved = directions.some((check) => check.status !== 'missing');
  if (!directionsResolved && anchor !== undefined && anchor.overlap >= 0.5) {
    const claimNegated = new Set(claim.negatedTerms);
    const claimTerms = new Set(claim.terms);
    const evidenceNegated = anchor.sentence.negatedTerms;
    // A term under a negation of the other side's own ("gave no outlook" against "did not issue an outlook") is not
    // asserted there, whichever word the two negations govern.
    const claimSide = [...claimNegated].some(
      (term) =>
        anchor.sentence.termSet.has(term) && !evidenceNegated.has(term) && !negationCovers(anchor.sentence.facts, term),
    );
    const evidenceSide = [...evidenceNegated].some(
      (term) => claimTerms.has(term) && !claimNegated.has(term) && !negationCovers(claim, term),
    );
    if (claimSide || evidenceSide) {
      negation = 'conflict';
      conflicts.push(
        claimSide
          ? `the claim negates what ${anchor.evidence.chunkId} states`
          : `${anchor.evidence.chunkId} negates what the claim states`,
      );
    }
  }
  const pool = input.admissible ? input.admissible() : evidence;
  const events: EventCheck[] = eventTypesOf(claim.source).map((event) => ({
    event,
    status: pool.some((chunk) => eventsOf(chunk).has(event)) ? 'matched' : 'missing',
  }));
  return { numbers, entities, periods, directions, events, negation, conflicts };
}

/** True when a negation cue stands before an occurrence of `term` in the same clause. */
function negationCovers(facts: TextFacts, term: string): boolean {
  const ids = clauseIds(facts);
  return facts.tokens.some(
    (token, index) =>
      token.norm === term &&
      facts.tokens
        .slice(0, index)
        .some(
          (other, before) => ids[before] === ids[index] && (NEGATIONS.test(other.lower) || other.lower.endsWith("n't")),
        ),
  );
}

/** The admissible chunks of the documents the given chunks belong to. */
function sameDocuments(
  chunks: readonly PreparedEvidence[],
  admissible: readonly PreparedEvidence[],
): PreparedEvidence[] {
  const documents = new Set(chunks.map((chunk) => chunk.documentId));
  return admissible.filter((chunk) => documents.has(chunk.documentId) && !chunks.includes(chunk));
}

function analyzeEntityTerms(raw: string): string[] {
  return tokenize(raw).map((token) => token.norm);
}

function containsWord(haystack: string, needle: string): boolean {
  let from = 0;
  for (let index = haystack.indexOf(needle, from); index >= 0; index = haystack.indexOf(needle, from)) {
    const before = haystack[index - 1] ?? ' ';
    const after = haystack[index + needle.length] ?? ' ';
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
    from = index + 1;
  }
  return false;
}
