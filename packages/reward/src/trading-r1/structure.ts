import { z } from 'zod';
import { assertCount, assertString, parseOptions } from '../validate.ts';
import { countWords, extractSections, hasBold, hasBullets, hasHeading, hasTable } from './markdown.ts';

const sectionFeaturesSchema = z.strictObject({
  headers: z.boolean(),
  bullets: z.boolean(),
  bold: z.boolean(),
  tables: z.boolean(),
  words: z.number().min(0),
});
const structureRewardOptionsSchema = z.strictObject({
  completion: z.string(),
  conclusionTag: z.string().optional(),
  ignoredTags: z.array(z.string()).optional(),
  includeConclusionInMean: z.boolean().optional(),
  missingConclusionReward: z.number().optional(),
});

/**
 * Trading-R1's section-count score (papers.md §2.5, Stage I), S = number of analysis sections:
 * `1` if 5 ≤ S ≤ 7; `max(0.3, (S/5)·0.7)` if S < 5; `max(0.3, 1 − 0.15·(S − 7))` if S > 7.
 */
export function sectionCountScore(sectionCount: number): number {
  assertCount(sectionCount, 'sectionCount');
  if (sectionCount >= 5 && sectionCount <= 7) return 1;
  if (sectionCount < 5) return Math.max(0.3, (sectionCount / 5) * 0.7);
  return Math.max(0.3, 1 - 0.15 * (sectionCount - 7));
}

/** The features R_struct looks for in one section. */
export interface SectionFeatures {
  /** A markdown heading line. */
  headers: boolean;
  /** At least one list item. */
  bullets: boolean;
  /** Bold markup. */
  bold: boolean;
  /** A markdown table. */
  tables: boolean;
  /** Word count of the section body. */
  words: number;
}

/** Detect the R_struct features of a section body (detection rules: see `markdown.ts` and the README). */
export function sectionFeatures(body: string): SectionFeatures {
  assertString(body, 'body');
  return {
    headers: hasHeading(body),
    bullets: hasBullets(body),
    bold: hasBold(body),
    tables: hasTable(body),
    words: countWords(body),
  };
}

/** Minimum words for a section to be scored on its features; shorter sections score {@link SHORT_SECTION_SCORE}. */
export const MIN_SECTION_WORDS = 50;
/** R_struct of a section with fewer than {@link MIN_SECTION_WORDS} words. */
export const SHORT_SECTION_SCORE = 0.2;

/**
 * Trading-R1's per-section structure score (papers.md §2.5):
 * `R_struct(s) = 0.3·1[headers] + 0.4·1[bullets] + 0.2·1[bold] + 0.1·1[tables]`, or 0.2 when the section has fewer
 * than 50 words.
 */
export function sectionStructureScore(features: SectionFeatures): number {
  parseOptions(sectionFeaturesSchema, features, 'sectionStructureScore()');
  if (features.words < MIN_SECTION_WORDS) return SHORT_SECTION_SCORE;
  return (
    0.3 * (features.headers ? 1 : 0) +
    0.4 * (features.bullets ? 1 : 0) +
    0.2 * (features.bold ? 1 : 0) +
    0.1 * (features.tables ? 1 : 0)
  );
}

/** Options for {@link structureReward}. */
export interface StructureRewardOptions {
  /** The model's completion (a thesis with XML sections). */
  completion: string;
  /** Name of the mandatory closing section. @default 'conclusion' */
  conclusionTag?: string;
  /** Sections ignored entirely (the planning block). @default ['think'] */
  ignoredTags?: readonly string[];
  /** Whether `<conclusion>` is included in the mean of R_struct (the formula does not say). @default true */
  includeConclusionInMean?: boolean;
  /**
   * Reward when the mandatory `<conclusion>` is missing. The paper says it is required but gives no value; this
   * project scores it 0. @default 0
   */
  missingConclusionReward?: number;
}

/** R_structure and its parts. */
export interface StructureRewardResult {
  /** `0.6·R_count(S) + 0.4·mean_i R_struct(s_i)` (or `missingConclusionReward`). */
  reward: number;
  /** S: the number of analysis sections (excluding the planning block and the conclusion). */
  sectionCount: number;
  /** R_count(S). */
  countScore: number;
  /** Mean R_struct over the scored sections (0 when there are none). */
  meanSectionScore: number;
  /** R_struct per scored section, in order. */
  sections: { name: string; score: number; features: SectionFeatures }[];
  /** Whether the conclusion section was present. */
  hasConclusion: boolean;
}

/**
 * Trading-R1's Stage I reward (papers.md §2.5):
 * `R_structure(x) = 0.6·R_count(S) + 0.4·mean_i R_struct(s_i)`, where S = |XML sections excluding `<think>`| − 1
 * (the analysis sections, not counting the mandatory `<conclusion>`).
 */
export function structureReward(options: StructureRewardOptions): StructureRewardResult {
  parseOptions(structureRewardOptionsSchema, options, 'structureReward()');
  const conclusionTag = (options.conclusionTag ?? 'conclusion').toLowerCase();
  const ignored = new Set((options.ignoredTags ?? ['think']).map((tag) => tag.toLowerCase()));
  const includeConclusion = options.includeConclusionInMean ?? true;
  const sections = extractSections(options.completion).filter((section) => !ignored.has(section.name));
  const hasConclusion = sections.some((section) => section.name === conclusionTag);
  const analysis = sections.filter((section) => section.name !== conclusionTag);
  const scored = (includeConclusion ? sections : analysis).map((section) => {
    const features = sectionFeatures(section.body);
    return { name: section.name, score: sectionStructureScore(features), features };
  });
  const sectionCount = analysis.length;
  const countScore = sectionCountScore(sectionCount);
  const meanSectionScore = scored.length === 0 ? 0 : scored.reduce((sum, item) => sum + item.score, 0) / scored.length;
  const reward = hasConclusion ? 0.6 * countScore + 0.4 * meanSectionScore : (options.missingConclusionReward ?? 0);
  return { reward, sectionCount, countScore, meanSectionScore, sections: scored, hasConclusion };
}
