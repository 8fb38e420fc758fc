import { parseWith, toIsoInstant } from '@trade-r1/core';
import { z } from 'zod';
import { decisionContextSchema, parseDecisionContext } from '../context.ts';
import { evidenceBlock, marketDataBlock } from './trading-r1.ts';
import type { ChatMessage, PromptParts } from './types.ts';

/** Input of {@link buildSelectionPrompt} (misspelled keys are rejected). */
export const selectionPromptInputSchema = z.strictObject({
  /** The decision time shared by every candidate. */
  asOf: z.string().trim().min(1),
  /** Candidate assets, each with its own bars, evidence and indicators (its `asOf` is taken from above). */
  candidates: z.array(decisionContextSchema.omit({ asOf: true })).min(1),
  /** The most assets the model may choose. @default 3 */
  maxSelections: z.number().int().min(1).default(3),
  /** Ask for portfolio weights (summing to at most 1) besides the tickers. @default true */
  weights: z.boolean().default(true),
  /** Bars shown per candidate. @default 10 */
  priceWindow: z.number().int().min(1).max(500).default(10),
  /** Evidence items shown per candidate. @default 5 */
  maxEvidence: z.number().int().min(0).max(100).default(5),
  /** Characters of each evidence text. @default 400 */
  maxEvidenceChars: z.number().int().min(20).max(100_000).default(400),
});
/** Input of {@link buildSelectionPrompt}. */
export type SelectionPromptInput = z.input<typeof selectionPromptInputSchema>;

/** The system message used by {@link buildSelectionPrompt}. */
export const SELECTION_SYSTEM_PROMPT = [
  'You are a portfolio manager selecting assets from a candidate list. You reason from the evidence given,',
  'cite it by source id, and never use information that is not in the prompt.',
].join(' ');

/**
 * Build a Trade-R1 asset-selection prompt: every candidate's market data and evidence (validated point-in-time,
 * LOOKAHEAD on anything after `asOf`), then the answer format `<selection>{"selections":[…]}</selection>` that
 * `parseSelectionText` reads. Trade-R1's own prompt is not public (papers.md §1.6), so this format is ours.
 */
export function buildSelectionPrompt(input: SelectionPromptInput): PromptParts & { tickers: string[] } {
  const parsed = parseWith(selectionPromptInputSchema, input, { label: 'selection prompt input' });
  const contexts = parsed.candidates.map((candidate) => parseDecisionContext({ ...candidate, asOf: parsed.asOf }));
  const tickers = contexts.map((context) => context.ticker);
  const blocks = contexts.map((context) =>
    [
      `### ${context.ticker}`,
      marketDataBlock(context, parsed.priceWindow),
      '',
      'Documents:',
      evidenceBlock(context, parsed.maxEvidence, parsed.maxEvidenceChars),
    ].join('\n'),
  );
  const example = parsed.weights
    ? '{"selections": [{"ticker": "AAA", "weight": 0.5}, {"ticker": "BBB", "weight": 0.3}]}'
    : '{"selections": [{"ticker": "AAA"}, {"ticker": "BBB"}]}';
  const user = [
    `As of ${toIsoInstant(parsed.asOf).slice(0, 10)}, choose at most ${parsed.maxSelections} of these assets to hold over the next period: ${tickers.join(', ')}.`,
    'Reason step by step, citing evidence as `source-id`. Choose none if no asset is attractive.',
    parsed.weights
      ? 'Give each chosen asset a weight in [0, 1]; weights sum to at most 1 (the rest stays in cash).'
      : '',
    `End with the answer in exactly this form: <selection>${example}</selection>`,
    '',
    ...blocks,
  ]
    .filter((line, index) => line !== '' || index > 3)
    .join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: SELECTION_SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
  return { system: SELECTION_SYSTEM_PROMPT, user, messages, text: `${SELECTION_SYSTEM_PROMPT}\n\n${user}`, tickers };
}
