import { z } from 'zod';
import { assertCount, assertFiniteArray, parseOptions } from '../validate.ts';
import { analyzeBullet, type BulletAnalysisOptions, extractBullets, extractSections } from './markdown.ts';

const countSchema = z.number().min(0);
const opinionScoreSchema = z.strictObject({ opinionWords: countSchema, complete: z.boolean() });
const bulletScoreSchema = z.strictObject({
  opinionWords: countSchema,
  quoteCount: countSchema,
  sourceCount: countSchema,
});
const evidenceRewardOptionsSchema = z.strictObject({
  completion: z.string(),
  conclusionTag: z.string().optional(),
  ignoredTags: z.array(z.string()).optional(),
  acceptPlainTextEvidence: z.boolean().optional(),
});

/** Lower and upper bounds of the optimal opinion length w_op (words before the first quote). */
export const OPINION_WORDS_RANGE = Object.freeze([15, 90] as const);

/**
 * Trading-R1's opinion score (papers.md §2.5, Stage II), with C = 1 when the bullet has both a quote and a source:
 * `1` if 15 ≤ w_op ≤ 90 and C = 1; `w_op/15` if w_op < 15 and C = 1; `max(0.5, 1 − 0.02·(w_op − 90))` if w_op > 90
 * and C = 1; `min(0.3, (w_op/15)·0.3)` if C = 0.
 */
export function opinionScore(options: { opinionWords: number; complete: boolean }): number {
  parseOptions(opinionScoreSchema, options, 'opinionScore()');
  const { opinionWords: words, complete } = options;
  if (!complete) return Math.min(0.3, (words / 15) * 0.3);
  if (words < 15) return words / 15;
  if (words <= 90) return 1;
  return Math.max(0.5, 1 - 0.02 * (words - 90));
}

/** `R_bullet(b) = 0.4·R_opinion + 0.35·1[|Q| > 0] + 0.25·1[|S| > 0]` (papers.md §2.5). */
export function bulletScore(options: { opinionWords: number; quoteCount: number; sourceCount: number }): number {
  parseOptions(bulletScoreSchema, options, 'bulletScore()');
  const hasQuote = options.quoteCount > 0;
  const hasSource = options.sourceCount > 0;
  const opinion = opinionScore({ opinionWords: options.opinionWords, complete: hasQuote && hasSource });
  return 0.4 * opinion + 0.35 * (hasQuote ? 1 : 0) + 0.25 * (hasSource ? 1 : 0);
}

/** Bullet-count score per section: `1` if 4 ≤ |B| ≤ 7; `|B|/4` if |B| < 4; `max(0.3, 1 − 0.1·(|B| − 7))` if |B| > 7. */
export function bulletCountScore(bulletCount: number): number {
  assertCount(bulletCount, 'bulletCount');
  if (bulletCount >= 4 && bulletCount <= 7) return 1;
  if (bulletCount < 4) return bulletCount / 4;
  return Math.max(0.3, 1 - 0.1 * (bulletCount - 7));
}

/** Floor applied to each term inside the harmonic means (`max(x, 0.01)`). */
export const HARMONIC_FLOOR = 0.01;

/**
 * Harmonic mean with each value floored at 0.01, as in the paper: `n / Σ 1/max(x_i, 0.01)`. 0 for an empty list
 * (the paper leaves 0/0 undefined; no bullets means no evidence).
 */
export function flooredHarmonicMean(values: readonly number[]): number {
  assertFiniteArray(values, 'values');
  if (values.length === 0) return 0;
  let denominator = 0;
  for (const value of values) denominator += 1 / Math.max(value, HARMONIC_FLOOR);
  return values.length / denominator;
}

/** `R_section = 0.3·R_count_bullet + 0.7·( |B| / Σ_b 1/max(R_bullet(b), 0.01) )` (papers.md §2.5). */
export function evidenceSectionScore(bulletScores: readonly number[]): number {
  assertFiniteArray(bulletScores, 'bulletScores');
  return 0.3 * bulletCountScore(bulletScores.length) + 0.7 * flooredHarmonicMean(bulletScores);
}

/** Options for {@link evidenceReward}. */
export interface EvidenceRewardOptions extends BulletAnalysisOptions {
  /** The model's completion (a thesis with XML sections). */
  completion: string;
  /** The section excluded from R_evidence. @default 'conclusion' */
  conclusionTag?: string;
  /** Sections ignored entirely. @default ['think'] */
  ignoredTags?: readonly string[];
}

/** Per-bullet detail of R_evidence. */
export interface EvidenceBullet {
  /** R_bullet. */
  score: number;
  /** w_op. */
  opinionWords: number;
  /** |Q(b)|. */
  quoteCount: number;
  /** |S(b)|. */
  sourceCount: number;
}

/** R_evidence and its parts. */
export interface EvidenceRewardResult {
  /** Harmonic mean of R_section over analysis sections, `|S| / Σ_c 1/max(R_section(c), 0.01)`; 0 with none. */
  reward: number;
  /** Per analysis section: its R_section and bullets. */
  sections: { name: string; score: number; bullets: EvidenceBullet[] }[];
}

/**
 * Trading-R1's Stage II reward (papers.md §2.5): opinion–quote–source grounding of every bullet in the
 * non-conclusion sections, combined by harmonic means so that one ungrounded section drags the whole score down.
 */
export function evidenceReward(options: EvidenceRewardOptions): EvidenceRewardResult {
  parseOptions(evidenceRewardOptionsSchema, options, 'evidenceReward()');
  const conclusionTag = (options.conclusionTag ?? 'conclusion').toLowerCase();
  const ignored = new Set((options.ignoredTags ?? ['think']).map((tag) => tag.toLowerCase()));
  const analysisOptions = { acceptPlainTextEvidence: options.acceptPlainTextEvidence ?? false };
  const sections = extractSections(options.completion)
    .filter((section) => !ignored.has(section.name) && section.name !== conclusionTag)
    .map((section) => {
      const bullets = extractBullets(section.body).map((bullet): EvidenceBullet => {
        const evidence = analyzeBullet(bullet, analysisOptions);
        const detail = {
          opinionWords: evidence.opinionWords,
          quoteCount: evidence.quotes.length,
          sourceCount: evidence.sources.length,
        };
        return { score: bulletScore(detail), ...detail };
      });
      return { name: section.name, score: evidenceSectionScore(bullets.map((bullet) => bullet.score)), bullets };
    });
  return { reward: flooredHarmonicMean(sections.map((section) => section.score)), sections };
}
