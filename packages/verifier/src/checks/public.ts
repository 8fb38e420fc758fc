import { z } from 'zod';
import { assertArray, assertString, parseArgument } from '../arguments.ts';
import type { Embedder } from '../embedders/types.ts';
import { type EvidencePool, preparePool as preparePoolUnchecked } from '../pipeline/pool.ts';
import { DEFAULT_RRF_K, type FusedItem, reciprocalRankFusion as fuseUnchecked } from '../store/rrf.ts';
import type { SearchHit } from '../store/types.ts';
import { type CheckClaimInput, type ClaimChecks, checkClaim as checkClaimUnchecked } from './check-claim.ts';
import { type PreparedEvidence, prepareEvidence as prepareEvidenceUnchecked } from './evidence.ts';
import { analyzeText as analyzeTextUnchecked, type TextFacts } from './facts.ts';
import {
  extractPeriods as extractPeriodsUnchecked,
  type Period,
  type PeriodRelation,
  periodRelation as periodRelationUnchecked,
} from './periods.ts';
import {
  compareQuantities as compareQuantitiesUnchecked,
  extractQuantities as extractQuantitiesUnchecked,
  type Quantity,
  type QuantityComparison,
} from './quantities.ts';
import {
  checkClaimInputSchema,
  evidenceHitSchema,
  periodSchema,
  preparedEvidenceSchema,
  quantitySchema,
} from './schemas.ts';
import { type ReadTables, readTables as readTablesUnchecked } from './tables.ts';

/*
 * The public boundary of the check building blocks. The pipeline calls the functions in their own modules directly
 * (per sentence and per claim, on records they produced); a package user calls these, which validate every argument
 * first and throw `TradeR1Error` (`INVALID_INPUT`, with `details.function` and `details.field`) on a wrong type,
 * `undefined` or a hand-built record missing a field, and then run the same function.
 */

const spansSchema = z.array(z.looseObject({ start: z.number(), end: z.number() }));

/** Read the language-neutral facts of a text (English reader by default): terms, figures, periods, directions. */
export function analyzeText(text: string): TextFacts {
  assertString(text, 'analyzeText()', 'text');
  return analyzeTextUnchecked(text);
}

/** Find the periods (`Q3 2024`, `FY2023`, `March 2024`, …) written in a text; offsets shifted by `offset`. */
export function extractPeriods(text: string, offset = 0): Period[] {
  assertString(text, 'extractPeriods()', 'text');
  parseArgument(z.number().int().nonnegative(), offset, 'extractPeriods()', 'offset');
  return extractPeriodsUnchecked(text, offset);
}

/** How two periods relate: `same`, `contains` (either way), `disjoint`, or `unknown` (a side has no year). */
export function periodRelation(left: Period, right: Period): PeriodRelation {
  parseArgument(periodSchema, left, 'periodRelation()', 'left');
  parseArgument(periodSchema, right, 'periodRelation()', 'right');
  return periodRelationUnchecked(left, right);
}

/** Find the figures written in a text, skipping the `exclude` spans (dates already read as periods, ids). */
export function extractQuantities(text: string, exclude: Array<{ start: number; end: number }> = []): Quantity[] {
  assertString(text, 'extractQuantities()', 'text');
  parseArgument(spansSchema, exclude, 'extractQuantities()', 'exclude');
  return extractQuantitiesUnchecked(text, exclude);
}

/** Compare a claimed figure with an evidence figure: `match`, `conflict` or `incomparable` (other unit or currency). */
export function compareQuantities(claim: Quantity, evidence: Quantity): QuantityComparison {
  parseArgument(quantitySchema, claim, 'compareQuantities()', 'claim');
  parseArgument(quantitySchema, evidence, 'compareQuantities()', 'evidence');
  return compareQuantitiesUnchecked(claim, evidence);
}

/** Read the tables of a text (pipe, markdown and whitespace-aligned) cell by cell into statements. */
export function readTables(text: string): ReadTables {
  assertString(text, 'readTables()', 'text');
  return readTablesUnchecked(text);
}

/** Split and analyse one retrieved chunk (a `SearchHit`'s fields) for `checkClaim`. */
export function prepareEvidence(hit: {
  chunkId: string;
  documentId: string;
  chunkIndex: number;
  publishedAt: string;
  tickers: readonly string[];
  title: string;
  text: string;
  /** Head lines of the table the chunk starts inside (`SearchHit.tableHead`), when the store kept them. */
  tableHead?: string;
}): PreparedEvidence {
  parseArgument(evidenceHitSchema, hit, 'prepareEvidence()', 'hit');
  return prepareEvidenceUnchecked(hit);
}

/**
 * The deterministic checks of one claim against its evidence (figures, entities, periods, directions, negation):
 * the part that decides *contradicted*. `claim` comes from `analyzeText`, `evidence` (and `admissible()`) from
 * `prepareEvidence`; the input is strict, so a misspelled key is an error.
 */
export function checkClaim(input: CheckClaimInput): ClaimChecks {
  const parsed = parseArgument(checkClaimInputSchema, input, 'checkClaim()', 'input');
  const admissible = parsed.admissible;
  if (admissible === undefined) return checkClaimUnchecked(input);
  // `admissible` is read lazily, only on a conflict: its result is validated when it is first read.
  let pool: readonly PreparedEvidence[] | undefined;
  return checkClaimUnchecked({
    ...input,
    admissible: () => {
      pool ??= parseArgument(
        z.array(preparedEvidenceSchema),
        admissible(),
        'checkClaim()',
        'admissible()',
      ) as unknown as readonly PreparedEvidence[];
      return pool;
    },
  });
}

const embedderSchema = z.custom<Embedder>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Embedder).dimension === 'number' &&
    typeof (value as Embedder).embed === 'function',
  'expected an embedder { dimension, embed() }',
);

const hitsSchema = z.array(
  evidenceHitSchema.extend({
    vector: z
      .union([z.instanceof(Float32Array), z.array(z.number())])
      .optional()
      .nullable(),
  }),
);

/**
 * Prepare a retrieved pool for verification: analysed chunks, vectors (chunks retrieved without one are embedded
 * with `embedder`), term weights. Warms the shared analysis cache, so verifications of these chunks skip the work.
 */
export async function preparePool(hits: SearchHit[], embedder: Embedder, signal?: AbortSignal): Promise<EvidencePool> {
  parseArgument(hitsSchema, hits, 'preparePool()', 'hits');
  parseArgument(embedderSchema, embedder, 'preparePool()', 'embedder');
  if (signal !== undefined) parseArgument(z.instanceof(AbortSignal), signal, 'preparePool()', 'signal');
  return preparePoolUnchecked(hits, embedder, signal);
}

/**
 * Fuse ranked lists of keys (best first) by reciprocal rank: score = Σ 1 / (k + rank). Ties are broken by the best
 * single rank, then by key, so the output is deterministic.
 */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k: number = DEFAULT_RRF_K): FusedItem[] {
  assertArray(lists, 'reciprocalRankFusion()', 'lists');
  parseArgument(z.array(z.array(z.string())), lists, 'reciprocalRankFusion()', 'lists');
  parseArgument(z.number().finite().nonnegative(), k, 'reciprocalRankFusion()', 'k');
  return fuseUnchecked(lists, k);
}
