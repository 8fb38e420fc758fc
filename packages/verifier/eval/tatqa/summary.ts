/**
 * Aggregate figures of a TAT-QA split (pure functions): factuality AUROC of faithful claims against each negative
 * kind, per origin and pooled; the false-alarm rate of faithful reasonings (any of the false-alarm flags), single-
 * and multi-claim apart; and the share of negatives caught at the flag threshold.
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
import { TATQA_NEGATIVES, type TatqaCase, type TatqaNegative, type TatqaOrigin } from './cases.ts';

/** What the summary reads of a report (a contradicted-claim count besides the scores and flags). */
export interface TatqaReport extends ScoredReport {
  counts: { contradicted: number };
}

/** Aggregate figures of one TAT-QA split. */
export interface TatqaSummary {
  split: string;
  usedForDevelopment: boolean;
  status: string;
  cases: number;
  contexts: number;
  sampled: boolean;
  factualityAuroc: {
    pooled: number | null;
    singleClaim: number | null;
    multiClaim: number | null;
    byKind: Partial<Record<TatqaNegative, { n: number; auroc: number | null; caught: Share }>>;
    byOrigin: Partial<Record<TatqaOrigin, number | null>>;
  };
  faithfulFlagged: {
    all: Share;
    singleClaim: Share;
    multiClaim: Share;
    byOrigin: Partial<Record<TatqaOrigin, Share>>;
    withContradictedClaim: Share;
  };
  negativesCaught: Share;
}

/**
 * Summarise a split; `reports[i]` is the report of `cases[i]`.
 * @throws {Error} when the two arrays differ in length.
 */
export function summariseTatqa(
  cases: readonly TatqaCase[],
  reports: readonly TatqaReport[],
  split: { name: string; usedForDevelopment: boolean; status: string; contexts: number; sampled: boolean },
): TatqaSummary {
  if (cases.length !== reports.length) {
    throw new Error(`summariseTatqa: ${cases.length} cases but ${reports.length} reports`);
  }
  const rows = cases.map((item, index) => ({ item, report: reports[index] as TatqaReport }));
  type Row = (typeof rows)[number];
  const fact = ({ report }: Row) => report.scores.factuality;
  const faithful = rows.filter(({ item }) => item.truth.factual);
  const negatives = rows.filter(({ item }) => !item.truth.factual);
  const flagged = (items: readonly Row[]) => share(items, (index) => isFlagged((items[index] as Row).report));
  const single = (row: Row) => row.item.truth.claims === 1;
  const origins = [...new Set(rows.map(({ item }) => item.truth.origin))].sort() as TatqaOrigin[];

  const byKind: TatqaSummary['factualityAuroc']['byKind'] = {};
  for (const kind of TATQA_NEGATIVES) {
    const ofKind = negatives.filter(({ item }) => item.truth.kind === kind);
    if (ofKind.length === 0) continue;
    byKind[kind] = {
      n: ofKind.length,
      auroc: round(auroc(faithful.map(fact), ofKind.map(fact))),
      caught: flagged(ofKind),
    };
  }
  const byOrigin: TatqaSummary['factualityAuroc']['byOrigin'] = {};
  const flaggedByOrigin: TatqaSummary['faithfulFlagged']['byOrigin'] = {};
  for (const origin of origins) {
    const inOrigin = (row: Row) => row.item.truth.origin === origin && single(row);
    byOrigin[origin] = round(auroc(faithful.filter(inOrigin).map(fact), negatives.filter(inOrigin).map(fact)));
    flaggedByOrigin[origin] = flagged(faithful.filter(inOrigin));
  }
  const multi = (row: Row) => !single(row);
  return {
    split: split.name,
    usedForDevelopment: split.usedForDevelopment,
    status: split.status,
    cases: rows.length,
    contexts: split.contexts,
    sampled: split.sampled,
    factualityAuroc: {
      pooled: round(auroc(faithful.map(fact), negatives.map(fact))),
      singleClaim: round(auroc(faithful.filter(single).map(fact), negatives.filter(single).map(fact))),
      multiClaim: round(auroc(faithful.filter(multi).map(fact), negatives.filter(multi).map(fact))),
      byKind,
      byOrigin,
    },
    faithfulFlagged: {
      all: flagged(faithful),
      singleClaim: flagged(faithful.filter(single)),
      multiClaim: flagged(faithful.filter(multi)),
      byOrigin: flaggedByOrigin,
      withContradictedClaim: share(faithful, (index) => (faithful[index] as Row).report.counts.contradicted > 0),
    },
    negativesCaught: flagged(negatives),
  };
}

/** The summary as report lines, each naming the split and its development status. */
export function formatTatqa(summary: TatqaSummary): string[] {
  const tag = `[${summary.split} · ${summary.status}]`;
  const auc = summary.factualityAuroc;
  const alarms = summary.faithfulFlagged;
  const lines = [
    `${tag} ${summary.cases} cases from ${summary.contexts} contexts${summary.sampled ? ' (a seeded sample of the contexts: --tatqa-limit)' : ''}`,
    `${tag} factuality AUROC pooled ${formatScore(auc.pooled)}; single-claim ${formatScore(auc.singleClaim)}; multi-claim ${formatScore(auc.multiClaim)}; by origin (single-claim) ${Object.entries(
      auc.byOrigin,
    )
      .map(([origin, value]) => `${origin} ${formatScore(value)}`)
      .join(', ')}`,
    `${tag} faithful flagged (${FALSE_ALARM_FLAGS.join(' | ')}): all ${formatShare(alarms.all)}, single-claim ${formatShare(alarms.singleClaim)}, multi-claim ${formatShare(alarms.multiClaim)}; with a contradicted claim ${formatShare(alarms.withContradictedClaim)}`,
    `${tag} faithful flagged by origin (single-claim): ${Object.entries(alarms.byOrigin)
      .map(([origin, value]) => `${origin} ${formatShare(value)}`)
      .join(', ')}`,
    `${tag} negative kind      n   fact AUROC  caught at flag threshold`,
  ];
  for (const [kind, entry] of Object.entries(auc.byKind)) {
    lines.push(
      `${tag} ${kind.padEnd(14)} ${String(entry.n).padStart(4)}   ${formatScore(entry.auroc)}       ${formatShare(entry.caught)}`,
    );
  }
  lines.push(`${tag} all negatives caught at flag threshold ${formatShare(summary.negativesCaught)}`);
  return lines;
}
