/**
 * Aggregate figures of the `verifier-b` split (pure functions). Only aggregates: the harness never lists the
 * cases of this validation set one by one.
 *
 * - Positives are the cases labelled (factual, deductive, consistent) = (T, T, T): `none`, `paraphrase`,
 *   `hedged_hold`.
 * - Factuality AUROC per perturbation type: positives against the type's cases labelled `factual: false`; pooled:
 *   against every `factual: false` case. Also averaged within scenarios (each perturbed case against its own
 *   scenario's faithful cases), the README's secondary view that controls for scenario difficulty.
 * - Faithful flagged: share of positives with any of the false-alarm flags, per faithful type and together.
 * - Catch rate at the flag threshold: share of a factual type's cases with any of those flags.
 * - `decision_flip`: deduction and consistency AUROC against the positives, and the share with deduction below its
 *   threshold (caught).
 * - Consistency AUROC: positives against every `consistent: false` case (flips and irrelevant commentary).
 */
import { auroc } from '../../src/index.ts';
import {
  FALSE_ALARM_FLAGS,
  formatScore,
  formatShare,
  isFlagged,
  round,
  type ScoredReport,
  type Share,
  share,
} from '../metrics.ts';
import { type ReasoningFormat, VERIFIER_B_TYPES, type VerifierBCase, type VerifierBType } from './load.ts';

/** The faithful types, and all of them together. */
type FaithfulGroup = 'none' | 'paraphrase' | 'hedged_hold' | 'all';

/** Aggregate figures of the split. */
export interface VerifierBSummary {
  split: 'verifier-b';
  usedForDevelopment: false;
  status: 'validation only (not used for development)';
  cases: number;
  positives: number;
  factuality: {
    pooledAuroc: number | null;
    scenarioMeanAuroc: number | null;
    perType: Partial<Record<VerifierBType, { n: number; auroc: number | null; caught: Share }>>;
  };
  faithfulFlagged: Record<FaithfulGroup, Share>;
  /** The set's protocol: faithful cases with any of the three scores below 0.5. */
  faithfulAnyScoreBelowHalf: Record<FaithfulGroup, Share>;
  /**
   * The set's protocol: the factuality threshold below or at which 90% of the `factual: false` cases fall, and the
   * faithful cases at or below it.
   */
  faithfulAtNegativeRecall90: { threshold: number | null } & Record<FaithfulGroup, Share>;
  decisionFlip: {
    n: number;
    deductionAuroc: number | null;
    consistencyAuroc: number | null;
    caughtByDeduction: Share;
    factualityAuroc: number | null;
  };
  consistency: { auroc: number | null; irrelevantAuroc: number | null };
  byFormat: Record<ReasoningFormat, { factualityAuroc: number | null; faithfulFlagged: Share }>;
}

/**
 * Summarise the split. `reports[i]` is the report of `cases[i]`; `deductionThreshold` is the verifier's
 * `thresholds.deduction`.
 * @throws {Error} when the two arrays differ in length.
 */
export function summariseVerifierB(
  cases: readonly VerifierBCase[],
  reports: readonly ScoredReport[],
  deductionThreshold: number,
): VerifierBSummary {
  if (cases.length !== reports.length) {
    throw new Error(`summariseVerifierB: ${cases.length} cases but ${reports.length} reports`);
  }
  const rows = cases.map((item, index) => ({ item, report: reports[index] as ScoredReport }));
  type Row = (typeof rows)[number];
  const isPositive = ({ item }: Row) =>
    item.truth.labels.factual && item.truth.labels.deductive && item.truth.labels.consistent;
  const positives = rows.filter(isPositive);
  const factualNegatives = rows.filter(({ item }) => !item.truth.labels.factual);
  const fact = ({ report }: Row) => report.scores.factuality;
  const ofType = (type: VerifierBType) => rows.filter(({ item }) => item.truth.perturbation === type);

  const perType: VerifierBSummary['factuality']['perType'] = {};
  for (const type of VERIFIER_B_TYPES) {
    const negatives = factualNegatives.filter(({ item }) => item.truth.perturbation === type);
    if (negatives.length === 0) continue;
    perType[type] = {
      n: negatives.length,
      auroc: round(auroc(positives.map(fact), negatives.map(fact))),
      caught: share(negatives, (index) => isFlagged((negatives[index] as Row).report)),
    };
  }

  // Within-scenario AUROC, averaged over scenarios that have both classes.
  const scenarioAurocs: number[] = [];
  for (const scenario of new Set(rows.map(({ item }) => item.truth.scenario))) {
    const value = auroc(
      positives.filter(({ item }) => item.truth.scenario === scenario).map(fact),
      factualNegatives.filter(({ item }) => item.truth.scenario === scenario).map(fact),
    );
    if (value !== null) scenarioAurocs.push(value);
  }

  const flaggedShare = (items: readonly Row[]) => share(items, (index) => isFlagged((items[index] as Row).report));
  const byFaithfulType = (measure: (items: readonly Row[]) => Share): Record<FaithfulGroup, Share> => ({
    none: measure(positives.filter(({ item }) => item.truth.perturbation === 'none')),
    paraphrase: measure(positives.filter(({ item }) => item.truth.perturbation === 'paraphrase')),
    hedged_hold: measure(positives.filter(({ item }) => item.truth.perturbation === 'hedged_hold')),
    all: measure(positives),
  });
  const sortedNegatives = factualNegatives.map(fact).sort((left, right) => left - right);
  const recallThreshold =
    sortedNegatives.length === 0 ? null : (sortedNegatives[Math.ceil(0.9 * sortedNegatives.length) - 1] as number);
  const flips = ofType('decision_flip');
  const inconsistent = rows.filter(({ item }) => !item.truth.labels.consistent);
  const consistentPositives = positives.map(({ report }) => report.scores.consistency);

  const byFormat = {} as VerifierBSummary['byFormat'];
  for (const format of ['prose', 'structured', 'bullets'] as const) {
    const inFormat = (row: Row) => row.item.truth.format === format;
    byFormat[format] = {
      factualityAuroc: round(auroc(positives.filter(inFormat).map(fact), factualNegatives.filter(inFormat).map(fact))),
      faithfulFlagged: flaggedShare(positives.filter(inFormat)),
    };
  }

  return {
    split: 'verifier-b',
    usedForDevelopment: false,
    status: 'validation only (not used for development)',
    cases: rows.length,
    positives: positives.length,
    factuality: {
      pooledAuroc: round(auroc(positives.map(fact), factualNegatives.map(fact))),
      scenarioMeanAuroc: round(
        scenarioAurocs.length === 0
          ? null
          : scenarioAurocs.reduce((sum, value) => sum + value, 0) / scenarioAurocs.length,
      ),
      perType,
    },
    faithfulFlagged: byFaithfulType(flaggedShare),
    faithfulAnyScoreBelowHalf: byFaithfulType((items) =>
      share(items, (index) => {
        const { scores } = (items[index] as Row).report;
        return Math.min(scores.factuality, scores.deduction, scores.consistency) < 0.5;
      }),
    ),
    faithfulAtNegativeRecall90: {
      threshold: recallThreshold === null ? null : round(recallThreshold),
      ...byFaithfulType((items) =>
        share(items, (index) => recallThreshold !== null && fact(items[index] as Row) <= recallThreshold),
      ),
    },
    decisionFlip: {
      n: flips.length,
      deductionAuroc: round(
        auroc(
          positives.map(({ report }) => report.scores.deduction),
          flips.map(({ report }) => report.scores.deduction),
        ),
      ),
      consistencyAuroc: round(
        auroc(
          consistentPositives,
          flips.map(({ report }) => report.scores.consistency),
        ),
      ),
      caughtByDeduction: share(flips, (index) => (flips[index] as Row).report.scores.deduction < deductionThreshold),
      // Flips keep every fact (the text of `none`): factuality should not separate them from the positives.
      factualityAuroc: round(auroc(positives.map(fact), flips.map(fact))),
    },
    consistency: {
      auroc: round(
        auroc(
          consistentPositives,
          inconsistent.map(({ report }) => report.scores.consistency),
        ),
      ),
      irrelevantAuroc: round(
        auroc(
          consistentPositives,
          ofType('irrelevant').map(({ report }) => report.scores.consistency),
        ),
      ),
    },
    byFormat,
  };
}

/** The summary as report lines (aggregates only), each naming the split and its development status. */
export function formatVerifierB(summary: VerifierBSummary): string[] {
  const tag = `[verifier-b · ${summary.status}]`;
  const pct = formatShare;
  const num = formatScore;
  const groups = (value: Record<FaithfulGroup, Share>) =>
    `none ${pct(value.none)}, paraphrase ${pct(value.paraphrase)}, hedged_hold ${pct(value.hedged_hold)}, together ${pct(value.all)}`;
  const lines = [
    `${tag} ${summary.cases} cases, ${summary.positives} faithful (none/paraphrase/hedged_hold)`,
    `${tag} factuality AUROC pooled ${num(summary.factuality.pooledAuroc)}; within-scenario mean ${num(summary.factuality.scenarioMeanAuroc)}`,
    `${tag} faithful flagged (${FALSE_ALARM_FLAGS.join(' | ')}): ${groups(summary.faithfulFlagged)}`,
    `${tag} faithful with a score below 0.5 (factuality, deduction or consistency): ${groups(summary.faithfulAnyScoreBelowHalf)}`,
    `${tag} faithful with factuality <= ${num(summary.faithfulAtNegativeRecall90.threshold)} (the threshold catching 90% of factual=false cases): ${groups(summary.faithfulAtNegativeRecall90)}`,
    `${tag} type                  n   fact AUROC  caught at flag threshold`,
  ];
  for (const [type, entry] of Object.entries(summary.factuality.perType)) {
    lines.push(
      `${tag} ${type.padEnd(20)} ${String(entry.n).padStart(3)}   ${num(entry.auroc)}       ${pct(entry.caught)}`,
    );
  }
  const flip = summary.decisionFlip;
  lines.push(
    `${tag} decision_flip (n ${flip.n}): deduction AUROC ${num(flip.deductionAuroc)}, caught by deduction ${pct(flip.caughtByDeduction)}, consistency AUROC ${num(flip.consistencyAuroc)}, factuality AUROC ${num(flip.factualityAuroc)} (facts unchanged: near 0.5 is right)`,
    `${tag} consistency AUROC (all consistent=false cases) ${num(summary.consistency.auroc)}; irrelevant ${num(summary.consistency.irrelevantAuroc)}`,
  );
  for (const [format, entry] of Object.entries(summary.byFormat)) {
    lines.push(
      `${tag} format ${format.padEnd(10)} factuality AUROC ${num(entry.factualityAuroc)}, faithful flagged ${pct(entry.faithfulFlagged)}`,
    );
  }
  return lines;
}
