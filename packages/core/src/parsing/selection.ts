import { z } from 'zod';
import { parseWith, TradeR1Error } from '../errors.ts';
import { tickerSchema } from '../schemas/common.ts';
import { type SelectionDecision, selectionDecisionSchema } from '../schemas/selection.ts';
import { splitReasoning } from './reasoning.ts';

/** Why no selection could be parsed. */
export type SelectionParseFailureReason =
  /** The text is empty or whitespace. */
  | 'empty'
  /** No selection block (JSON, `<selection>` tag, `[[[A, B]]]` tag or `Selected: A, B` line) was found. */
  | 'no_selection'
  /** A selection block was found but is not valid (bad JSON, bad ticker, bad weights, duplicates). */
  | 'invalid'
  /** A ticker is not in `candidates`. */
  | 'unknown_ticker'
  /** More than `maxSelections` tickers were chosen. */
  | 'too_many';

/** A successful selection parse. */
export interface SelectionParseSuccess {
  ok: true;
  /** The selection, validated with core's `selectionDecisionSchema` (tickers upper-cased). */
  selection: SelectionDecision;
  /** Which syntax it was written in. */
  format: 'json' | 'tag' | 'labelled';
  /** The matched text. */
  text: string;
}

/** A typed selection parse failure. */
export interface SelectionParseFailure {
  ok: false;
  /** Always `'PARSE_FAILED'`. */
  code: 'PARSE_FAILED';
  /** Machine-readable reason. */
  reason: SelectionParseFailureReason;
  /** Human-readable explanation. */
  message: string;
}

/** Result of {@link parseSelectionText}. */
export type SelectionParseResult = SelectionParseSuccess | SelectionParseFailure;

/** Options of {@link parseSelectionText}. */
export const selectionParseOptionsSchema = z
  .object({
    /** The allowed universe; tickers outside it fail with `'unknown_ticker'`. @default undefined (any ticker) */
    candidates: z.array(z.string()).optional(),
    /** The most tickers that may be selected. @default undefined (no limit) */
    maxSelections: z.number().int().min(1).optional(),
    /** Accept an empty selection (all cash). @default true */
    allowEmpty: z.boolean().default(true),
  })
  .strict();
/** Options of {@link parseSelectionText}. */
export type SelectionParseOptions = z.input<typeof selectionParseOptionsSchema>;

const jsonItemSchema = z.union([
  z.string(),
  z.looseObject({
    ticker: z.string().optional(),
    symbol: z.string().optional(),
    weight: z.union([z.number(), z.string()]).optional(),
    score: z.union([z.number(), z.string()]).optional(),
  }),
]);
const jsonSelectionSchema = z.union([
  z.array(jsonItemSchema),
  z.looseObject({
    selections: z.array(jsonItemSchema).optional(),
    selection: z.array(jsonItemSchema).optional(),
    tickers: z.array(jsonItemSchema).optional(),
    stocks: z.array(jsonItemSchema).optional(),
    assets: z.array(jsonItemSchema).optional(),
  }),
]);

interface Found {
  format: SelectionParseSuccess['format'];
  text: string;
  items: Array<{ ticker: string; weight?: unknown; score?: unknown }>;
}

function fail(reason: SelectionParseFailureReason, message: string): SelectionParseFailure {
  return { ok: false, code: 'PARSE_FAILED', reason, message };
}

// Every top-level balanced {...} or [...] block, last first (the final answer is usually at the end). Blocks nested
// inside another (`"reasons": [...]`, `"rejected": ["TSLA"]`) are never candidates of their own.
function jsonBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (let start = 0; start < text.length; start += 1) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const stack: string[] = [];
    let inString: string | undefined;
    const end = Math.min(text.length, start + 20_000);
    for (let index = start; index < end; index += 1) {
      const char = text[index] as string;
      if (inString) {
        if (char === '\\') index += 1;
        else if (char === inString) inString = undefined;
        continue;
      }
      if (char === '"') inString = char;
      else if (char === '{' || char === '[') stack.push(char === '{' ? '}' : ']');
      else if (char === '}' || char === ']') {
        if (stack.pop() !== char) break;
        if (stack.length === 0) {
          blocks.push(text.slice(start, index + 1));
          start = index;
          break;
        }
      }
    }
  }
  return blocks.reverse();
}

function tryJson(block: string): unknown {
  for (const candidate of [block, block.replace(/'/g, '"').replace(/,\s*([}\]])/g, '$1')]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the relaxed form next
    }
  }
  return undefined;
}

function itemsFromJson(value: unknown): Found['items'] | undefined {
  const parsed = jsonSelectionSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const data = parsed.data;
  const list = Array.isArray(data)
    ? data
    : (data.selections ?? data.selection ?? data.tickers ?? data.stocks ?? data.assets ?? undefined);
  if (list === undefined) return undefined;
  const items: Found['items'] = [];
  for (const item of list) {
    if (typeof item === 'string') items.push({ ticker: item });
    else {
      const ticker = item.ticker ?? item.symbol;
      if (ticker === undefined) return undefined;
      items.push({ ticker, weight: item.weight, score: item.score });
    }
  }
  return items;
}

function splitTickers(list: string): Found['items'] {
  return list
    .split(/[,;\s]+/)
    .map((token) => token.replace(/^[`*'"$]+|[`*'".]+$/g, ''))
    .filter((token) => token.length > 0 && !/^(and|none|cash)$/i.test(token))
    .map((ticker) => ({ ticker }));
}

function find(fullText: string): Found | undefined {
  const text = splitReasoning(fullText).answer;
  const tagged = /<selection>([\s\S]*?)<\/selection>/i.exec(text);
  const scopes = tagged ? [tagged[1] ?? ''] : [text];
  for (const scope of scopes) {
    for (const block of jsonBlocks(scope)) {
      const items = itemsFromJson(tryJson(block));
      if (items) return { format: 'json', text: block, items };
    }
  }
  const tags = [...text.matchAll(/\[{2,3}\s*([^[\]\n]*?)\s*\]{2,3}/g)];
  const lastTag = tags.at(-1);
  if (lastTag) return { format: 'tag', text: lastTag[0], items: splitTickers(lastTag[1] ?? '') };
  const labelled = [
    ...text.matchAll(
      /\b(?:final\s+)?(?:selection|selected|picks?|chosen|portfolio|tickers)\s*(?:stocks|assets|tickers)?\s*[:=]\s*([^\n]*)/gi,
    ),
  ].at(-1);
  if (labelled) return { format: 'labelled', text: labelled[0], items: splitTickers(labelled[1] ?? '') };
  if (tagged) return { format: 'labelled', text: tagged[0], items: splitTickers(tagged[1] ?? '') };
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  return percent ? number / 100 : number;
}

/**
 * Parse a Trade-R1 asset-selection answer out of model text. Accepts, in this order: a JSON block inside
 * `<selection>…</selection>` or anywhere (the last valid one wins) shaped `{"selections":[{"ticker":"AAPL",
 * "weight":0.5}]}`, `{"tickers":["AAPL","MSFT"]}` or `["AAPL","MSFT"]` (single quotes and trailing commas are
 * tolerated; weights may be `"25%"`); a bracket tag `[[[AAPL, MSFT]]]`; a line `Selected: AAPL, MSFT`. Tickers are
 * upper-cased and validated; weights must lie in [0, 1] and sum to at most 1. Never throws.
 */
export function parseSelectionText(text: string, options: SelectionParseOptions = {}): SelectionParseResult {
  const parsedOptions = parseWith(selectionParseOptionsSchema, options ?? {}, { label: 'selection parse options' });
  if (typeof text !== 'string') {
    throw new TradeR1Error('INVALID_INPUT', 'parseSelectionText needs text as a string', {
      details: { field: 'text' },
    });
  }
  if (text.trim().length === 0) return fail('empty', 'The text is empty.');
  const found = find(text);
  if (!found) return fail('no_selection', 'No selection (JSON block, [[[A, B]]] tag or "Selected: …" line) found.');
  const selections: Array<{ ticker: string; weight?: number; score?: number }> = [];
  for (const item of found.items) {
    const ticker = tickerSchema.safeParse(item.ticker);
    if (!ticker.success) return fail('invalid', `"${item.ticker}" is not a valid ticker.`);
    const weight = toNumber(item.weight);
    const score = toNumber(item.score);
    selections.push({
      ticker: ticker.data,
      ...(weight !== undefined && { weight }),
      ...(score !== undefined && { score }),
    });
  }
  const validated = selectionDecisionSchema.safeParse({ selections });
  if (!validated.success) {
    return fail('invalid', validated.error.issues.map((issue) => issue.message).join('; '));
  }
  if (!parsedOptions.allowEmpty && validated.data.selections.length === 0) {
    return fail('no_selection', 'The selection is empty.');
  }
  if (parsedOptions.candidates) {
    const universe = new Set(parsedOptions.candidates.map((ticker) => ticker.trim().toUpperCase()));
    const unknown = validated.data.selections.filter((item) => !universe.has(item.ticker)).map((item) => item.ticker);
    if (unknown.length > 0) return fail('unknown_ticker', `Not among the candidates: ${unknown.join(', ')}.`);
  }
  if (parsedOptions.maxSelections !== undefined && validated.data.selections.length > parsedOptions.maxSelections) {
    return fail(
      'too_many',
      `${validated.data.selections.length} tickers selected, at most ${parsedOptions.maxSelections} allowed.`,
    );
  }
  return { ok: true, selection: validated.data, format: found.format, text: found.text };
}

/**
 * Like {@link parseSelectionText} but returns the selection or throws.
 * @throws {TradeR1Error} `PARSE_FAILED` with `details.reason`.
 */
export function parseSelectionTextOrThrow(text: string, options: SelectionParseOptions = {}): SelectionDecision {
  const result = parseSelectionText(text, options);
  if (result.ok) return result.selection;
  throw new TradeR1Error('PARSE_FAILED', `Could not parse a selection: ${result.message}`, {
    details: { reason: result.reason, excerpt: text.slice(-200) },
  });
}
