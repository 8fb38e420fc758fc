import { z } from 'zod';
import { parseDecisionTag } from './decision-tag.ts';
import { lastLinesSchema, parseOptions } from './validate.ts';

/** A named regular-expression check (e.g. a required markdown heading). */
export interface FormatPattern {
  /** Name reported in `checks`. */
  name: string;
  /** Must match somewhere in the completion. */
  pattern: RegExp;
}

/** Options for {@link formatReward}. */
export interface FormatRewardOptions {
  /** The model's completion. */
  completion: string;
  /** XML tags that must appear opened and closed (`<tag>…</tag>`). @default ['conclusion'] */
  requiredTags?: readonly string[];
  /** Extra required patterns (sections, headings, markers). @default [] */
  requiredPatterns?: readonly FormatPattern[];
  /** Require a parseable `[[DECISION]]` tag in the last lines. @default true */
  requireDecision?: boolean;
  /** Lines searched for the decision tag. @default 3 */
  lastLines?: number;
  /**
   * `'all'`: 1 when every check passes, else 0 (the usual binary format reward). `'fraction'`: the share of
   * checks that pass. @default 'all'
   */
  mode?: 'all' | 'fraction';
}

/** The format reward and every check's outcome. */
export interface FormatRewardResult {
  /** 0/1 in `'all'` mode, the pass fraction in `'fraction'` mode (1 when there are no checks). */
  reward: number;
  /** Outcome per check: `tag:<name>`, `pattern:<name>`, `decision`. */
  checks: Record<string, boolean>;
}

const formatRewardOptionsSchema = z.strictObject({
  completion: z.string(),
  requiredTags: z.array(z.string()).optional(),
  requiredPatterns: z.array(z.strictObject({ name: z.string(), pattern: z.instanceof(RegExp) })).optional(),
  requireDecision: z.boolean().optional(),
  lastLines: lastLinesSchema.optional(),
  mode: z.enum(['all', 'fraction']).optional(),
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Format reward: required XML tags and patterns are present and the decision tag parses. Pure and cheap; use it
 * as a gating or shaping component next to the outcome rewards.
 * @throws {TradeR1Error} `INVALID_INPUT` naming the field for a missing completion, wrong types or unknown keys.
 */
export function formatReward(options: FormatRewardOptions): FormatRewardResult {
  parseOptions(formatRewardOptionsSchema, options, 'formatReward()');
  const checks: Record<string, boolean> = {};
  for (const tag of options.requiredTags ?? ['conclusion']) {
    const name = escapeRegExp(tag);
    checks[`tag:${tag}`] = new RegExp(`<${name}(?:\\s[^>]*)?>[\\s\\S]*?</${name}\\s*>`, 'i').test(options.completion);
  }
  for (const { name, pattern } of options.requiredPatterns ?? []) {
    pattern.lastIndex = 0;
    checks[`pattern:${name}`] = pattern.test(options.completion);
  }
  if (options.requireDecision ?? true) {
    checks.decision = parseDecisionTag({ text: options.completion, lastLines: options.lastLines ?? 3 }) !== null;
  }
  const values = Object.values(checks);
  const passed = values.filter(Boolean).length;
  const reward =
    (options.mode ?? 'all') === 'all'
      ? passed === values.length
        ? 1
        : 0
      : values.length === 0
        ? 1
        : passed / values.length;
  return { reward, checks };
}
