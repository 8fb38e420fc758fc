import { exchangeDateOf, parseWith } from '@trade-r1/core';
import { z } from 'zod';
import { assertInteger } from '../arguments.ts';
import {
  contextCutoff,
  contextExchange,
  type DecisionContext,
  type DecisionContextInput,
  parseDecisionContext,
} from '../context.ts';
import { computePromptIndicators, PROMPT_INDICATOR_NAMES } from '../indicators.ts';
import type { ChatMessage, PromptParts } from './types.ts';

/** Section topics of a Trading-R1 thesis (papers.md §2.3). */
export const THESIS_SECTIONS = [
  'fundamentals',
  'balance_sheet',
  'technical',
  'news',
  'valuation',
  'risk_assessment',
  'analyst_coverage',
  'macro',
] as const;
/** A Trading-R1 thesis section topic. */
export type ThesisSection = (typeof THESIS_SECTIONS)[number];

/** Options of {@link buildTradingR1Prompt} besides the context (misspelled keys are rejected). */
export const tradingR1PromptOptionsSchema = z.strictObject({
  /** Sections to ask for (5–7, Trading-R1's range). @default ['technical','news','fundamentals','valuation','risk_assessment','macro'] */
  sections: z
    .array(z.enum(THESIS_SECTIONS))
    .min(1)
    .default(['technical', 'news', 'fundamentals', 'valuation', 'risk_assessment', 'macro']),
  /** Ask for a `<think>` planning block first (as in Trading-R1's traces). @default true */
  think: z.boolean().default(true),
  /** How many most recent bars to show. @default 20 */
  priceWindow: z.number().int().min(1).max(500).default(20),
  /** How many evidence items to include (most recent first). @default 20 */
  maxEvidence: z.number().int().min(0).max(500).default(20),
  /** Characters of each evidence text to include. @default 600 */
  maxEvidenceChars: z.number().int().min(20).max(100_000).default(600),
});
/** Options of {@link buildTradingR1Prompt}. */
export type TradingR1PromptOptions = z.input<typeof tradingR1PromptOptionsSchema>;

/** The system message used by {@link buildTradingR1Prompt}. */
export const TRADING_R1_SYSTEM_PROMPT = [
  'You are a professional equity research analyst. You write an evidence-based investment thesis and end it with',
  'one trading decision. You only use the data given to you; you never invent numbers, quotes or sources.',
].join(' ');

function formatNumber(value: number | null, digits = 4): string {
  if (value === null) return 'n/a';
  return Number(value.toPrecision(digits)).toString();
}

/**
 * Render the market-data block shared by the Trading-R1 and selection prompts.
 * @throws {TradeR1Error} `INVALID_INPUT` (malformed context or window), `LOOKAHEAD` (anything after `asOf`).
 */
export function renderMarketData(context: DecisionContext, priceWindow: number): string {
  const parsed = parseDecisionContext(context);
  assertInteger(priceWindow, 'renderMarketData', 'priceWindow');
  return marketDataBlock(parsed, priceWindow);
}

/** {@link renderMarketData} of a context validated by {@link parseDecisionContext}. */
export function marketDataBlock(context: DecisionContext, priceWindow: number): string {
  const lines: string[] = [];
  const recent = priceWindow > 0 ? context.bars.slice(-priceWindow) : [];
  if (recent.length > 0) {
    lines.push('date | open | high | low | close | volume');
    for (const bar of recent) {
      lines.push(
        `${bar.timestamp} | ${formatNumber(bar.open, 6)} | ${formatNumber(bar.high, 6)} | ${formatNumber(bar.low, 6)} | ${formatNumber(bar.close, 6)} | ${Math.round(bar.volume)}`,
      );
    }
  } else {
    lines.push('(no price history available)');
  }
  const indicators = computePromptIndicators(
    context.bars.map((bar) => bar.close),
    context.indicators ?? {},
  );
  const extra = Object.entries(context.indicators ?? {}).filter(
    ([name]) => !(PROMPT_INDICATOR_NAMES as readonly string[]).includes(name),
  );
  lines.push('', 'Indicators:');
  for (const name of PROMPT_INDICATOR_NAMES) lines.push(`- ${name}: ${formatNumber(indicators[name])}`);
  for (const [name, value] of extra) lines.push(`- ${name}: ${formatNumber(value)}`);
  return lines.join('\n');
}

/**
 * Render evidence as numbered blocks, each with the `source` id the model must cite.
 * @throws {TradeR1Error} `INVALID_INPUT` (malformed context or counts), `LOOKAHEAD` (anything after `asOf`).
 */
export function renderEvidence(context: DecisionContext, maxEvidence: number, maxChars: number): string {
  const parsed = parseDecisionContext(context);
  assertInteger(maxEvidence, 'renderEvidence', 'maxEvidence');
  assertInteger(maxChars, 'renderEvidence', 'maxChars');
  return evidenceBlock(parsed, maxEvidence, maxChars);
}

/** {@link renderEvidence} of a context validated by {@link parseDecisionContext}. */
export function evidenceBlock(context: DecisionContext, maxEvidence: number, maxChars: number): string {
  const items = [...context.evidence]
    .sort((left, right) => right.publishedAt.localeCompare(left.publishedAt))
    .slice(0, Math.max(0, maxEvidence));
  if (items.length === 0) return '(no documents available)';
  return items
    .map((item) => {
      const body = item.text.length > maxChars ? `${item.text.slice(0, maxChars).trimEnd()}…` : item.text;
      return [
        `[source: ${item.id}] (${item.sourceKind}, published ${item.publishedAt.slice(0, 10)})`,
        item.title ? `Title: ${item.title}` : undefined,
        body.trim(),
      ]
        .filter((line) => line !== undefined)
        .join('\n');
    })
    .join('\n\n');
}

/**
 * Build the Trading-R1 thesis prompt (papers.md §2.3): the model plans in `<think>`, writes 5–7 XML sections
 * (`<technical>`, `<news>`…) of bullets in the opinion–*quote*–`source` format, and ends with `<conclusion>`
 * whose last line is `[[[DECISION]]]` (STRONG SELL / SELL / HOLD / BUY / STRONG BUY), which
 * `parseDecisionText` reads. The context is validated point-in-time (LOOKAHEAD on anything after `asOf`).
 */
export function buildTradingR1Prompt(
  context: DecisionContextInput,
  options: TradingR1PromptOptions = {},
): PromptParts & { evidenceIds: string[] } {
  const parsed = parseDecisionContext(context);
  const settings = parseWith(tradingR1PromptOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'buildTradingR1Prompt options',
    details: { function: 'buildTradingR1Prompt', field: 'options' },
  });
  // The decision date on the ticker's exchange (a date-time asOf is read on the exchange's clock, not in UTC).
  const asOf = exchangeDateOf(contextCutoff(parsed), contextExchange(parsed));
  const sectionTags = settings.sections.map((section) => `<${section}>`).join(', ');
  const instructions = [
    `Write an investment thesis for ${parsed.ticker} as of ${asOf}. Use only the data below.`,
    '',
    'Format:',
    settings.think
      ? '1. Start with a <think>…</think> block that organizes the data and plans the sections.'
      : '1. Do not write a planning block.',
    `2. Write these analysis sections as XML blocks, in this order: ${sectionTags}.`,
    '   Each section has a bold one-sentence intro, 4–7 bullets and a bold one-sentence summary.',
    '3. Every bullet follows the opinion–quote–source format: your opinion first (15–90 words), then a verbatim',
    '   quote from the data in italics *like this*, then the source id in backticks `like-this`.',
    '4. Finish with a <conclusion> section that weighs the evidence. Its last line is the decision, exactly one of',
    '   [[[STRONG SELL]]], [[[SELL]]], [[[HOLD]]], [[[BUY]]], [[[STRONG BUY]]].',
  ].join('\n');
  const user = [
    instructions,
    '',
    `## Market data for ${parsed.ticker}`,
    marketDataBlock(parsed, settings.priceWindow),
    '',
    '## Documents',
    evidenceBlock(parsed, settings.maxEvidence, settings.maxEvidenceChars),
  ].join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: TRADING_R1_SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
  const evidenceIds = [...parsed.evidence]
    .sort((left, right) => right.publishedAt.localeCompare(left.publishedAt))
    .slice(0, settings.maxEvidence)
    .map((item) => item.id);
  return {
    system: TRADING_R1_SYSTEM_PROMPT,
    user,
    messages,
    text: `${TRADING_R1_SYSTEM_PROMPT}\n\n${user}`,
    evidenceIds,
  };
}
