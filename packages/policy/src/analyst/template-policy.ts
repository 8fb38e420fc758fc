import { type Decision, parseWith, publicationInstant, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { assertNumber, assertRecord } from '../arguments.ts';
import {
  type ContextEvidence,
  contextCutoff,
  contextExchange,
  type DecisionContextInput,
  parseDecisionContext,
} from '../context.ts';
import { computePromptIndicators, PROMPT_INDICATOR_NAMES, type PromptIndicatorName } from '../indicators.ts';
import { mostPolarSentence, textPolarity } from './sentiment.ts';

/** Options of {@link createAnalystTemplatePolicy} (misspelled keys are rejected). */
export const analystTemplateOptionsSchema = z.strictObject({
  /** Weight of the technical score in the combined score. @default 0.6 */
  technicalWeight: z.number().min(0).default(0.6),
  /** Weight of the evidence-polarity score. @default 0.4 */
  evidenceWeight: z.number().min(0).default(0.4),
  /** Half-life in days of an evidence item's weight (older news counts less). @default 7 */
  evidenceHalfLifeDays: z.number().positive().default(7),
  /**
   * Score cut-offs, ascending: below `[0]` STRONG_SELL, below `[1]` SELL, below `[2]` HOLD, below `[3]` BUY,
   * else STRONG_BUY.
   * @default [-0.45, -0.12, 0.12, 0.45]
   */
  thresholds: z
    .tuple([z.number(), z.number(), z.number(), z.number()])
    .refine(
      (values) => values.every((value, index) => index === 0 || value > (values[index - 1] as number)),
      'thresholds must increase',
    )
    .default([-0.45, -0.12, 0.12, 0.45]),
  /** Most evidence items cited per section. @default 5 */
  maxBulletsPerSection: z.number().int().min(1).max(7).default(5),
  /** Annualised volatility above which conviction is damped by 25%. @default 0.5 */
  highVolatility: z.number().positive().default(0.5),
});
/** Options of {@link createAnalystTemplatePolicy}. */
export type AnalystTemplateOptions = z.input<typeof analystTemplateOptionsSchema>;

/** One opinion–quote–source bullet. */
export interface ThesisBullet {
  /** The opinion (15–90 words). */
  opinion: string;
  /** A verbatim quote from the data or an evidence document. */
  quote: string;
  /** The cited source id (an evidence id, `prices:<TICKER>` or `indicators:<name>`). */
  source: string;
}

/** One XML section of the thesis. */
export interface ThesisSectionContent {
  /** Tag name (`technical`, `news`…). */
  name: string;
  /** Bold intro sentence. */
  intro: string;
  /** Bullets. */
  bullets: ThesisBullet[];
  /** Bold summary sentence. */
  summary: string;
}

/** What the template produces for one context. */
export interface AnalystThesis {
  ticker: string;
  /** Canonical decision instant. */
  asOf: string;
  /** The decision. */
  decision: Decision;
  /** Combined score in [−1, 1] that the decision thresholds. */
  score: number;
  /** The score's parts: technical in [−1, 1], evidence in [−1, 1] (null without evidence), volatility damping. */
  components: { technical: number | null; evidence: number | null; damped: boolean };
  /** Indicators used (computed from bars unless given). */
  indicators: Record<PromptIndicatorName, number | null>;
  /** Structured sections (analysis sections, then the conclusion). */
  sections: ThesisSectionContent[];
  /** The full thesis text: `<think>`, 5–7 sections, `<conclusion>` ending in `[[[DECISION]]]`. */
  thesis: string;
  /** Every source id cited. */
  citations: string[];
}

const DECISION_LABEL: Record<Decision, string> = {
  STRONG_SELL: 'STRONG SELL',
  SELL: 'SELL',
  HOLD: 'HOLD',
  BUY: 'BUY',
  STRONG_BUY: 'STRONG BUY',
};

/** Map a score to a decision with ascending thresholds (see {@link analystTemplateOptionsSchema}). */
export function decisionFromScore(score: number, thresholds: readonly [number, number, number, number]): Decision {
  assertNumber(score, 'decisionFromScore', 'score');
  if (Number.isNaN(score)) {
    throw new TradeR1Error('INVALID_INPUT', 'decisionFromScore: score is NaN', {
      details: { function: 'decisionFromScore', field: 'score' },
    });
  }
  parseWith(analystTemplateOptionsSchema.shape.thresholds.unwrap(), thresholds, {
    label: 'decisionFromScore thresholds',
    details: { function: 'decisionFromScore', field: 'thresholds' },
  });
  if (score < thresholds[0]) return 'STRONG_SELL';
  if (score < thresholds[1]) return 'SELL';
  if (score < thresholds[2]) return 'HOLD';
  if (score < thresholds[3]) return 'BUY';
  return 'STRONG_BUY';
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const SECTION_FOR_KIND: Record<string, string> = {
  news: 'news',
  social: 'news',
  other: 'news',
  filing: 'fundamentals',
  fundamentals: 'fundamentals',
  insider: 'fundamentals',
  analyst: 'analyst_coverage',
  macro: 'macro',
  technical: 'technical',
};

/** The technical score in [−1, 1] from indicators (null when none is available). */
export function technicalScore(indicators: Record<PromptIndicatorName, number | null>): number | null {
  assertRecord(indicators, 'technicalScore', 'indicators');
  for (const name of PROMPT_INDICATOR_NAMES) {
    const value = indicators[name];
    if (value !== null && typeof value !== 'number') {
      throw new TradeR1Error('INVALID_INPUT', `technicalScore: indicators.${name} must be a number or null`, {
        details: { function: 'technicalScore', field: `indicators.${name}` },
      });
    }
  }
  const parts: Array<[number, number]> = [];
  const { close, sma20, sma50, rsi14, return20d, volatility20d, macdRatio } = indicators;
  if (close !== null && sma20 !== null) parts.push([Math.tanh((close / sma20 - 1) / 0.03), 1]);
  if (sma20 !== null && sma50 !== null) parts.push([Math.tanh((sma20 / sma50 - 1) / 0.03), 1]);
  if (return20d !== null) {
    const scale = volatility20d !== null && volatility20d > 0 ? volatility20d * Math.sqrt(20 / 252) * 1.5 : 0.05;
    parts.push([Math.tanh(return20d / scale), 1]);
  }
  if (macdRatio !== null) parts.push([Math.tanh(macdRatio / 0.01), 1]);
  if (rsi14 !== null) parts.push([rsi14 > 70 ? -(rsi14 - 70) / 30 : rsi14 < 30 ? (30 - rsi14) / 30 : 0, 0.5]);
  if (parts.length === 0) return null;
  const weight = parts.reduce((sum, [, part]) => sum + part, 0);
  return parts.reduce((sum, [value, part]) => sum + value * part, 0) / weight;
}

function pad(opinion: string, filler: string): string {
  // Trading-R1's evidence reward wants 15–90 words before the quote; pad short opinions with context.
  const words = opinion.split(/\s+/).filter(Boolean).length;
  return words >= 15 ? opinion : `${opinion} ${filler}`;
}

function trimQuote(sentence: string, maxChars = 220): string {
  if (sentence.length <= maxChars) return sentence;
  const cut = sentence.slice(0, maxChars);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).trim();
}

/**
 * An analyst-template policy: NOT a language model. From a point-in-time context (bars, optional evidence and
 * indicators) it computes a technical score and a recency-weighted lexicon polarity of the evidence, combines them
 * into a score in [−1, 1], thresholds it into a decision, and writes a Trading-R1-format thesis around the numbers
 * (`<think>`, 5–7 XML sections of opinion–*quote*–`source` bullets, `<conclusion>` ending in `[[[DECISION]]]`).
 * Deterministic: the same context always gives the same thesis. Use it as a baseline and as a model-free default.
 */
export function createAnalystTemplatePolicy(options: AnalystTemplateOptions = {}): {
  /** Analyse one context. @throws {TradeR1Error} `INVALID_INPUT`, `LOOKAHEAD` (anything after `asOf`). */
  analyze(context: DecisionContextInput): AnalystThesis;
  /** Describes the policy. */
  info(): {
    backend: 'analyst-template';
    isLanguageModel: false;
    options: z.output<typeof analystTemplateOptionsSchema>;
  };
} {
  const settings = parseWith(analystTemplateOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createAnalystTemplatePolicy options',
    details: { function: 'createAnalystTemplatePolicy', field: 'options' },
  });
  return {
    analyze: (context) => analyzeWithTemplate(context, settings),
    info: () => ({ backend: 'analyst-template', isLanguageModel: false, options: settings }),
  };
}

function analyzeWithTemplate(
  input: DecisionContextInput,
  settings: z.output<typeof analystTemplateOptionsSchema>,
): AnalystThesis {
  const context = parseDecisionContext(input);
  // The decision cutoff on the ticker's exchange clock (a date-only asOf is that day's close).
  const asOfInstant = contextCutoff(context);
  const asOf = new Date(asOfInstant).toISOString();
  const exchange = contextExchange(context);
  const ticker = context.ticker;
  const indicators = computePromptIndicators(
    context.bars.map((bar) => bar.close),
    context.indicators ?? {},
  );
  const technical = technicalScore(indicators);

  const scored = context.evidence.map((item) => {
    const polarity = textPolarity(`${item.title}. ${item.text}`);
    const ageDays = Math.max(
      0,
      (asOfInstant - publicationInstant({ publishedAt: item.publishedAt, exchange })) / 86_400_000,
    );
    return { item, polarity, weight: 0.5 ** (ageDays / settings.evidenceHalfLifeDays) };
  });
  const totalWeight = scored.reduce((sum, entry) => sum + entry.weight, 0);
  const evidence =
    totalWeight > 0 ? scored.reduce((sum, entry) => sum + entry.weight * entry.polarity.score, 0) / totalWeight : null;

  let weightSum = 0;
  let combined = 0;
  if (technical !== null) {
    combined += settings.technicalWeight * technical;
    weightSum += settings.technicalWeight;
  }
  if (evidence !== null) {
    combined += settings.evidenceWeight * evidence;
    weightSum += settings.evidenceWeight;
  }
  let score = weightSum > 0 ? combined / weightSum : 0;
  const damped = indicators.volatility20d !== null && indicators.volatility20d > settings.highVolatility;
  if (damped) score *= 0.75;
  const decision = decisionFromScore(score, settings.thresholds);

  const lastBar = context.bars.at(-1);
  const priceSource = `prices:${ticker}`;
  const priceQuote = lastBar ? `${lastBar.timestamp} close ${fixed(lastBar.close)}` : 'no price history available';
  const sections: ThesisSectionContent[] = [];

  // Technical section: one bullet per available indicator.
  const technicalBullets: ThesisBullet[] = [];
  const { close, sma20, sma50, rsi14, return5d, return20d, macdRatio, volatility20d } = indicators;
  const techFiller = `This reading uses only ${ticker} prices available on ${asOf.slice(0, 10)}, so it carries no look-ahead.`;
  if (close !== null && sma20 !== null) {
    technicalBullets.push({
      opinion: pad(
        `${ticker} trades ${close >= sma20 ? 'above' : 'below'} its 20-day average by ${percent(Math.abs(close / sma20 - 1))}, which ${close >= sma20 ? 'supports a short-term uptrend' : 'signals short-term weakness'}.`,
        techFiller,
      ),
      quote: `close ${fixed(close)} vs SMA20 ${fixed(sma20)}`,
      source: 'indicators:sma20',
    });
  }
  if (sma20 !== null && sma50 !== null) {
    technicalBullets.push({
      opinion: pad(
        `The 20-day average sits ${sma20 >= sma50 ? 'above' : 'below'} the 50-day average, a ${sma20 >= sma50 ? 'bullish' : 'bearish'} alignment of the medium-term trend.`,
        techFiller,
      ),
      quote: `SMA20 ${fixed(sma20)} vs SMA50 ${fixed(sma50)}`,
      source: 'indicators:sma50',
    });
  }
  if (rsi14 !== null) {
    technicalBullets.push({
      opinion: pad(
        `Momentum as measured by the 14-day RSI is ${rsi14 > 70 ? 'overbought, which raises the risk of a pullback' : rsi14 < 30 ? 'oversold, which often precedes a rebound' : 'neutral, neither stretched nor depressed'}.`,
        techFiller,
      ),
      quote: `RSI14 ${fixed(rsi14, 1)}`,
      source: 'indicators:rsi14',
    });
  }
  if (return20d !== null) {
    technicalBullets.push({
      opinion: pad(
        `Over the last 20 sessions the stock ${return20d >= 0 ? 'gained' : 'lost'} ${percent(Math.abs(return20d))}${return5d !== null ? `, and ${percent(return5d)} over the last 5` : ''}, which sets the recent price momentum.`,
        techFiller,
      ),
      quote: `20-day return ${percent(return20d)}`,
      source: 'indicators:return20d',
    });
  }
  if (macdRatio !== null) {
    technicalBullets.push({
      opinion: pad(
        `The MACD line is ${macdRatio >= 0 ? 'positive' : 'negative'} relative to price, so the fast trend is ${macdRatio >= 0 ? 'running ahead of' : 'lagging'} the slow trend.`,
        techFiller,
      ),
      quote: `MACD/price ${fixed(macdRatio * 100, 2)}%`,
      source: 'indicators:macdRatio',
    });
  }
  if (technicalBullets.length === 0) {
    technicalBullets.push({
      opinion: pad(
        `There is not enough price history for ${ticker} to compute trend or momentum indicators.`,
        techFiller,
      ),
      quote: priceQuote,
      source: priceSource,
    });
  }
  sections.push({
    name: 'technical',
    intro: `The technical picture for ${ticker} is ${technical === null ? 'undetermined' : technical > 0.1 ? 'constructive' : technical < -0.1 ? 'weak' : 'mixed'}.`,
    bullets: technicalBullets,
    summary: `Technical score: ${technical === null ? 'n/a' : fixed(technical)} on a scale from -1 to 1.`,
  });

  // Evidence sections, by source kind.
  const bySection = new Map<string, typeof scored>();
  for (const entry of [...scored].sort(
    (left, right) => right.weight - left.weight || left.item.id.localeCompare(right.item.id),
  )) {
    const name = SECTION_FOR_KIND[entry.item.sourceKind] ?? 'news';
    const list = bySection.get(name) ?? [];
    list.push(entry);
    bySection.set(name, list);
  }
  const evidenceBullet = (entry: {
    item: ContextEvidence;
    polarity: ReturnType<typeof textPolarity>;
  }): ThesisBullet => {
    const sign = entry.polarity.score > 0 ? 1 : entry.polarity.score < 0 ? -1 : 0;
    const tone = sign > 0 ? 'positive' : sign < 0 ? 'negative' : 'neutral';
    const title = entry.item.title ? `"${entry.item.title}"` : `document ${entry.item.id}`;
    return {
      opinion: pad(
        `The ${entry.item.sourceKind} item ${title} from ${entry.item.publishedAt.slice(0, 10)} reads ${tone} for ${ticker} (${entry.polarity.positive} positive and ${entry.polarity.negative} negative signals).`,
        `It was public before the decision time, so it is admissible evidence.`,
      ),
      quote: trimQuote(mostPolarSentence(entry.item.text, sign)),
      source: entry.item.id,
    };
  };
  const sectionTitles: Record<string, string> = {
    news: 'Recent news flow',
    fundamentals: 'Company filings and fundamentals',
    analyst_coverage: 'Analyst coverage',
    macro: 'The macro backdrop',
    technical: 'Third-party technical commentary',
  };
  for (const name of ['news', 'fundamentals', 'analyst_coverage', 'macro']) {
    const entries = bySection.get(name) ?? [];
    if (entries.length === 0) continue;
    const average = entries.reduce((sum, entry) => sum + entry.polarity.score, 0) / entries.length;
    sections.push({
      name,
      intro: `${sectionTitles[name]} for ${ticker} is ${average > 0.1 ? 'net positive' : average < -0.1 ? 'net negative' : 'balanced'}.`,
      bullets: entries.slice(0, settings.maxBulletsPerSection).map(evidenceBullet),
      summary: `${entries.length} document${entries.length === 1 ? '' : 's'}, average polarity ${fixed(average)}.`,
    });
  }
  const technicalDocs = bySection.get('technical') ?? [];
  if (technicalDocs.length > 0) {
    (sections[0] as ThesisSectionContent).bullets.push(
      ...technicalDocs.slice(0, Math.max(0, 7 - technicalBullets.length)).map(evidenceBullet),
    );
  }
  if (!sections.some((section) => section.name === 'news')) {
    sections.push({
      name: 'news',
      intro: `No news about ${ticker} was available at the decision time.`,
      bullets: [
        {
          opinion: pad(
            `Without dated news or filings the decision rests on price behaviour alone, so conviction is limited to what the technical indicators show.`,
            '',
          ),
          quote: priceQuote,
          source: priceSource,
        },
      ],
      summary: 'Evidence polarity: n/a.',
    });
  }

  // Risk assessment.
  const closes = context.bars.map((bar) => bar.close);
  let peak = Number.NEGATIVE_INFINITY;
  let drawdown = 0;
  for (const value of closes) {
    peak = Math.max(peak, value);
    drawdown = Math.max(drawdown, 1 - value / peak);
  }
  const riskBullets: ThesisBullet[] = [];
  if (volatility20d !== null) {
    riskBullets.push({
      opinion: pad(
        `Realised volatility is ${percent(volatility20d)} annualised, ${volatility20d > settings.highVolatility ? 'high enough to damp conviction in any directional call' : 'within a range that does not by itself argue against a position'}.`,
        techFiller,
      ),
      quote: `volatility20d ${percent(volatility20d)}`,
      source: 'indicators:volatility20d',
    });
  }
  riskBullets.push({
    opinion: pad(
      `The deepest peak-to-trough decline in the available ${closes.length}-bar window was ${percent(drawdown)}, a guide to the downside an investor should be prepared to sit through.`,
      techFiller,
    ),
    quote: priceQuote,
    source: priceSource,
  });
  const negatives = scored.filter((entry) => entry.polarity.score < 0);
  if (negatives.length > 0) {
    const worst = [...negatives].sort(
      (left, right) => left.polarity.score - right.polarity.score,
    )[0] as (typeof negatives)[number];
    riskBullets.push({
      opinion: pad(
        `The most negative document is the main event risk to monitor, because it could mark the start of a worse trend.`,
        '',
      ),
      quote: trimQuote(mostPolarSentence(worst.item.text, -1)),
      source: worst.item.id,
    });
  }
  sections.push({
    name: 'risk_assessment',
    intro: `Risk for ${ticker} is ${damped ? 'elevated' : 'moderate'}.`,
    bullets: riskBullets,
    summary: damped ? 'High volatility damps the score by 25%.' : 'No volatility damping applied.',
  });

  // Valuation from price position within the window (no fundamentals data is assumed).
  if (closes.length > 0 && close !== null) {
    const high = Math.max(...closes);
    const low = Math.min(...closes);
    const position = high > low ? (close - low) / (high - low) : 0.5;
    sections.push({
      name: 'valuation',
      intro: `On price alone, ${ticker} sits ${position > 0.8 ? 'near the top' : position < 0.2 ? 'near the bottom' : 'in the middle'} of its recent range.`,
      bullets: [
        {
          opinion: pad(
            `Relative to its ${closes.length}-bar range the stock is at the ${percent(position)} point between the low and the high, ${position > 0.8 ? 'so much of the good news may already be priced in' : position < 0.2 ? 'so expectations look depressed' : 'which implies no extreme in sentiment'}.`,
            'No earnings-based multiple is available to this template, so this is a price-only view.',
          ),
          quote: `range ${fixed(low)}–${fixed(high)}, close ${fixed(close)}`,
          source: priceSource,
        },
      ],
      summary: 'Valuation view: price-range based only.',
    });
  }
  // Keep Trading-R1's 5–7 analysis sections: add macro context when fewer than 5.
  if (sections.length < 5) {
    sections.push({
      name: 'macro',
      intro: 'No macro documents were provided.',
      bullets: [
        {
          opinion: pad(
            `No macroeconomic evidence was available at the decision time, so this thesis makes no assumption about rates, growth or the market regime.`,
            '',
          ),
          quote: priceQuote,
          source: priceSource,
        },
      ],
      summary: 'Macro view: neutral by default.',
    });
  }
  const analysis = sections.slice(0, 7);

  const label = DECISION_LABEL[decision];
  const conclusionText = [
    `**Weighing the evidence for ${ticker} as of ${asOf.slice(0, 10)}.**`,
    `- The combined score is ${fixed(score)} (technical ${technical === null ? 'n/a' : fixed(technical)}, evidence ${evidence === null ? 'n/a' : fixed(evidence)}${damped ? ', damped for high volatility' : ''}), which maps to ${label} under thresholds ${settings.thresholds.join(' / ')}. *combined score ${fixed(score)}* \`template:score\``,
    `**This is a rule-based analyst template, not a language model.**`,
    `[[[${label}]]]`,
  ].join('\n');
  const citations = [...new Set(analysis.flatMap((section) => section.bullets.map((bullet) => bullet.source)))];
  const think = [
    '<think>',
    `Data: ${context.bars.length} bars up to ${lastBar?.timestamp ?? 'n/a'}, ${context.evidence.length} documents published on or before ${asOf}.`,
    `Plan: ${analysis.map((section) => section.name).join(', ')}, then the conclusion.`,
    '</think>',
  ].join('\n');
  const body = analysis
    .map((section) =>
      [
        `<${section.name}>`,
        `**${section.intro}**`,
        ...section.bullets.map(
          (bullet) => `- ${bullet.opinion} *${bullet.quote.replace(/\*/g, '')}* \`${bullet.source}\``,
        ),
        `**${section.summary}**`,
        `</${section.name}>`,
      ].join('\n'),
    )
    .join('\n\n');
  const thesis = `${think}\n\n${body}\n\n<conclusion>\n${conclusionText}\n</conclusion>`;
  return {
    ticker,
    asOf,
    decision,
    score,
    components: { technical, evidence, damped },
    indicators,
    sections: [
      ...analysis,
      { name: 'conclusion', intro: `Weighing the evidence for ${ticker}.`, bullets: [], summary: label },
    ],
    thesis,
    citations,
  };
}
