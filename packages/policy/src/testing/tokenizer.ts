/**
 * A deterministic byte-level BPE tokenizer (GPT-2 style) in Hugging Face `tokenizer.json` format, for test
 * models: 3 special tokens, the 256 byte symbols, merges learned greedily from a small built-in finance corpus,
 * then filler tokens up to `vocabSize` (decodable, never produced by encoding) so that a model of any vocabulary
 * size can be paired with it.
 */

import { parseWith } from '@trade-r1/core';
import { z } from 'zod';

/** Special tokens of the test tokenizer, ChatML style (as in SmolLM2). */
export const TEST_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

const CORPUS = `
The company reported revenue growth and raised its full year guidance. Shares rose after the earnings call.
Analysts upgraded the stock to buy; the price target implies upside. Margins expanded on lower costs.
The stock fell after the filing showed weaker cash flow and higher debt. Management cut the dividend.
Momentum is positive: the price is above the moving average and the relative strength index is rising.
Volatility increased as the market sold off; investors should hold until the trend is clear.
Decision: BUY. Decision: SELL. Decision: HOLD. STRONG BUY. STRONG SELL. technical news fundamentals valuation
risk assessment macro conclusion think evidence source quote opinion earnings revenue profit loss market trend
<technical> <news> <fundamentals> <valuation> <risk_assessment> <macro> <conclusion> [[[BUY]]] [[[SELL]]] [[[HOLD]]]
`;

/** GPT-2's reversible byte → printable-unicode map used by byte-level BPE. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let code = 33; code <= 126; code += 1) printable.push(code);
  for (let code = 161; code <= 172; code += 1) printable.push(code);
  for (let code = 174; code <= 255; code += 1) printable.push(code);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    if (printable.includes(byte)) table[byte] = String.fromCharCode(byte);
    else {
      table[byte] = String.fromCharCode(256 + extra);
      extra += 1;
    }
  }
  return table;
}

/** Options of {@link createTestTokenizer}. */
export interface TestTokenizerOptions {
  /** Total vocabulary size (special + 256 bytes + merges + fillers). Must be at least 259. @default 320 */
  vocabSize?: number;
  /** Most BPE merges to learn from the built-in corpus (the rest of the vocabulary is filler). @default 400 */
  maxMerges?: number;
}

const testTokenizerOptionsSchema = z.strictObject({
  vocabSize: z.number().int().min(259).max(1_000_000).optional(),
  maxMerges: z.number().int().min(0).max(1_000_000).optional(),
});

/** The files a Hugging Face tokenizer directory needs. */
export interface TestTokenizerFiles {
  /** `tokenizer.json` content. */
  tokenizer: Record<string, unknown>;
  /** `tokenizer_config.json` content (with a ChatML chat template). */
  tokenizerConfig: Record<string, unknown>;
  /** `special_tokens_map.json` content. */
  specialTokensMap: Record<string, unknown>;
  /** Ids of the special tokens. */
  ids: { endOfText: number; imStart: number; imEnd: number };
}

const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Build a deterministic byte-level BPE tokenizer (see the module docs). */
export function createTestTokenizer(options: TestTokenizerOptions = {}): TestTokenizerFiles {
  const settings = parseWith(testTokenizerOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createTestTokenizer options',
    details: { function: 'createTestTokenizer', field: 'options' },
  });
  const vocabSize = settings.vocabSize ?? 320;
  const maxMerges = settings.maxMerges ?? 400;
  if (!Number.isInteger(vocabSize) || vocabSize < 259)
    throw new RangeError(`vocabSize must be >= 259, got ${vocabSize}`);
  const byteTable = bytesToUnicode();
  const vocab = new Map<string, number>();
  for (const token of TEST_SPECIAL_TOKENS) vocab.set(token, vocab.size);
  for (const symbol of byteTable) vocab.set(symbol, vocab.size);

  // Pre-tokenise like GPT-2 (words keep their leading space, mapped to 'Ġ'), then learn merges greedily.
  const bytes = new TextEncoder();
  const words = (CORPUS.match(/ ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+/g) ?? []).map((word) =>
    Array.from(bytes.encode(word), (byte) => byteTable[byte] as string),
  );
  const merges: string[] = [];
  while (vocab.size < vocabSize && merges.length < maxMerges) {
    const counts = new Map<string, number>();
    for (const word of words) {
      for (let index = 0; index + 1 < word.length; index += 1) {
        const pair = `${word[index]} ${word[index + 1]}`;
        counts.set(pair, (counts.get(pair) ?? 0) + 1);
      }
    }
    let best: string | undefined;
    let bestCount = 1;
    for (const [pair, count] of counts) {
      // Ties break on the pair text so the result never depends on Map iteration order.
      if (count > bestCount || (count === bestCount && best !== undefined && pair < best)) {
        best = pair;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const [left, right] = best.split(' ') as [string, string];
    const merged = left + right;
    merges.push(best);
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const word of words) {
      for (let index = 0; index + 1 < word.length; index += 1) {
        if (word[index] === left && word[index + 1] === right) word.splice(index, 2, merged);
      }
    }
  }
  for (let filler = 0; vocab.size < vocabSize; filler += 1) {
    const token = `ĠzqX${filler.toString(36)}`;
    if (!vocab.has(token)) vocab.set(token, vocab.size);
  }

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: TEST_SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: '<|im_start|>',
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 8192,
    clean_up_tokenization_spaces: false,
    chat_template: CHATML_TEMPLATE,
  };
  const specialTokensMap = {
    bos_token: '<|im_start|>',
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
  };
  return { tokenizer, tokenizerConfig, specialTokensMap, ids: { endOfText: 0, imStart: 1, imEnd: 2 } };
}
