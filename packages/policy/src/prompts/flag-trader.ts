import {
  type Decision,
  type DecisionParseFailure,
  type DecisionParseOptions,
  decisionDirection,
  finiteNumberSchema,
  parseDecisionText,
  parseWith,
  TradeR1Error,
} from '@trade-r1/core';
import { z } from 'zod';
import { assertInteger, assertNumber } from '../arguments.ts';
import type { ChatMessage, PromptParts } from './types.ts';

/** FLAG-Trader's three actions (papers.md §3.2: Sell −1, Hold 0, Buy 1). */
export const TRADE_ACTIONS = ['SELL', 'HOLD', 'BUY'] as const;
/** A FLAG-Trader action. */
export type TradeAction = (typeof TRADE_ACTIONS)[number];

/** The state FLAG-Trader renders into its prompt (papers.md §3.3; misspelled keys are rejected). */
export const flagTraderStateSchema = z.strictObject({
  /** Asset name shown in the task text. @default 'the stock' */
  asset: z.string().min(1).default('the stock'),
  /** Historical prices, oldest first (the prompt shows the last `priceWindow`). */
  prices: z.array(finiteNumberSchema).min(1),
  /** Cash balance C_t. */
  cash: finiteNumberSchema,
  /** Shares held H_t. */
  position: finiteNumberSchema,
  /** Past rewards (the prompt shows the last `historyLength`). @default [] */
  recentRewards: z.array(finiteNumberSchema).default([]),
  /** Past net account values. @default [] */
  netValues: z.array(finiteNumberSchema).default([]),
  /** Past actions. @default [] */
  actions: z.array(z.enum(TRADE_ACTIONS)).default([]),
  /** Extra market signals (news sentiment, macro indicators) rendered in the state. @default undefined */
  signals: z.record(z.string(), z.union([finiteNumberSchema, z.string()])).optional(),
});
/** What {@link flagTraderStateSchema} accepts. */
export type FlagTraderStateInput = z.input<typeof flagTraderStateSchema>;

/** Options of {@link buildFlagTraderPrompt} (misspelled keys are rejected). */
export const flagTraderPromptOptionsSchema = z.strictObject({
  /** Prices shown. @default 10 */
  priceWindow: z.number().int().min(1).max(1000).default(10),
  /** Entries of each history (rewards, net values, actions) shown; FLAG-Trader shows the last 10. @default 10 */
  historyLength: z.number().int().min(0).max(1000).default(10),
  /** Characters each number is truncated to; FLAG-Trader truncates prices to 6. @default 6 */
  numberChars: z.number().int().min(3).max(24).default(6),
});
/** Options of {@link buildFlagTraderPrompt}. */
export type FlagTraderPromptOptions = z.input<typeof flagTraderPromptOptionsSchema>;

/**
 * Truncate a number's decimal text to at most `chars` characters, as FLAG-Trader does with `str(p)[:6]`, but never
 * cutting into the integer part (a price of 1234567.8 stays 1234567) and never leaving a trailing dot.
 */
export function truncateNumber(value: number, chars = 6): string {
  assertNumber(value, 'truncateNumber', 'value');
  assertInteger(chars, 'truncateNumber', 'chars');
  if (chars < 1 || chars > 100) {
    throw new TradeR1Error('INVALID_INPUT', `truncateNumber: chars must be in [1, 100], got ${chars}`, {
      details: { function: 'truncateNumber', field: 'chars' },
    });
  }
  if (!Number.isFinite(value)) return String(value);
  const text = Math.abs(value) < 1e-6 && value !== 0 ? value.toFixed(chars) : String(value);
  if (/e/i.test(text)) return Number(value.toPrecision(Math.max(1, chars - 4))).toString();
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  const cut = text.slice(0, Math.max(chars, dot));
  return cut.endsWith('.') ? cut.slice(0, -1) : cut;
}

/** FLAG-Trader's task description (paraphrased from papers.md §3.3). */
export const FLAG_TRADER_TASK = [
  'You are a trading assistant. Help the trader make the optimal buy, hold or sell decision for {asset} to',
  'maximize long-term return while managing risk. Buy if the stock is undervalued relative to its historical',
  'trend; sell if it is overvalued or the risk is high; hold when conditions are uncertain. Minimize transaction',
  'costs and align with momentum.',
].join(' ');

/**
 * Build FLAG-Trader's prompt (papers.md §3.3): task description, the legible action space `{Buy, Sell, Hold}`,
 * the current state as a JSON block (prices truncated to 6 characters, last 10 rewards / net values / actions),
 * and the output format `{'Action': Buy}` (read it with `parseDecisionText`, or `parseTradeActionText`).
 */
export function buildFlagTraderPrompt(state: FlagTraderStateInput, options: FlagTraderPromptOptions = {}): PromptParts {
  const parsed = parseWith(flagTraderStateSchema, state, { label: 'FLAG-Trader state' });
  const settings = parseWith(flagTraderPromptOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'buildFlagTraderPrompt options',
    details: { function: 'buildFlagTraderPrompt', field: 'options' },
  });
  const truncate = (value: number): string => truncateNumber(value, settings.numberChars);
  const tail = <T>(items: readonly T[]): T[] =>
    settings.historyLength === 0 ? [] : items.slice(-settings.historyLength);
  const lastPrice = parsed.prices.at(-1) as number;
  const numbers = (values: readonly number[]): string => `[${values.map(truncate).join(', ')}]`;
  const stateLines = [
    '{',
    `  "historical_prices": ${numbers(parsed.prices.slice(-settings.priceWindow))},`,
    '  "account_status": {',
    `    "cash_balance": ${truncate(parsed.cash)},`,
    `    "asset_position": ${truncate(parsed.position)},`,
    `    "total_account_value": ${truncate(parsed.cash + parsed.position * lastPrice)}`,
    '  },',
    ...(parsed.signals
      ? [
          `  "market_signals": {${Object.entries(parsed.signals)
            .map(([key, value]) => `"${key}": ${typeof value === 'number' ? truncate(value) : JSON.stringify(value)}`)
            .join(', ')}},`,
        ]
      : []),
    '  "previous_decision_metrics": {',
    `    "recent_rewards": ${numbers(tail(parsed.recentRewards))},`,
    `    "net_values": ${numbers(tail(parsed.netValues))},`,
    `    "actions": [${tail(parsed.actions)
      .map((action) => `"${action[0]}${action.slice(1).toLowerCase()}"`)
      .join(', ')}]`,
    '  }',
    '}',
  ];
  const system = FLAG_TRADER_TASK.replace('{asset}', parsed.asset);
  const user = [
    'Legible actions: choose one from {Buy, Sell, Hold}.',
    '',
    'Current state:',
    ...stateLines,
    '',
    "Output format: answer with a JSON object and nothing else, e.g. {'Action': Buy}, {'Action': Sell} or {'Action': Hold}.",
  ].join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
  return { system, user, messages, text: `${system}\n\n${user}` };
}

/** Result of {@link parseTradeActionText}. */
export type TradeActionParseResult = { ok: true; action: TradeAction; decision: Decision } | DecisionParseFailure;

/**
 * Parse a FLAG-Trader action (`{'Action': Buy}`, `Action: sell`, `[[HOLD]]`…) from model text. Strong decisions
 * collapse to their side (STRONG_BUY → BUY). Same rules and failures as `parseDecisionText`.
 */
export function parseTradeActionText(text: string, options: DecisionParseOptions = {}): TradeActionParseResult {
  const result = parseDecisionText(text, options);
  if (!result.ok) return result;
  const direction = decisionDirection(result.decision);
  return { ok: true, action: direction < 0 ? 'SELL' : direction > 0 ? 'BUY' : 'HOLD', decision: result.decision };
}
