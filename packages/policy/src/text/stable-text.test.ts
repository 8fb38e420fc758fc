import { PreTrainedTokenizer } from '@huggingface/transformers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToUnicode, createTestTokenizer } from '../testing/tokenizer.ts';
import { CLEAN_UP_PATTERNS, stablePrefix } from './stable-text.ts';

const files = createTestTokenizer();
const vocab = (files.tokenizer.model as { vocab: Record<string, number> }).vocab;
const tokenizer = new PreTrainedTokenizer(files.tokenizer, {
  ...files.tokenizerConfig,
  clean_up_tokenization_spaces: true,
});
const decode = (ids: number[]): string =>
  ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: true });
// Spaces, punctuation, the letters of the clean-up patterns, and the bytes of a three-byte character (€ = E2 82 AC).
const bytes = bytesToUnicode();
const euro = [0xe2, 0x82, 0xac].map((byte) => bytes[byte] as string);
const pool = ['Ġ', '.', ',', '?', '!', "'", 'n', 't', 's', 'm', 'v', 'e', 'r', 'a', ...euro].map((token) => {
  const id = vocab[token];
  if (id === undefined) throw new Error(`no token ${token}`);
  return id;
});

// What the ONNX policy streams: after each token the new part of the stable prefix, and the rest at the end.
function streamed(ids: number[], holdBack: readonly string[]): { pieces: string; final: string; violations: number } {
  let emitted = '';
  let violations = 0;
  for (let end = 1; end <= ids.length; end += 1) {
    const visible = stablePrefix(decode(ids.slice(0, end)), holdBack);
    if (!visible.startsWith(emitted)) violations += 1;
    else emitted = visible;
  }
  const final = decode(ids);
  if (!final.startsWith(emitted)) violations += 1;
  return { pieces: emitted + final.slice(emitted.length), final, violations };
}

describe('stablePrefix', () => {
  it('holds back incomplete characters and tails that could still become a pattern', () => {
    expect(stablePrefix('fell ', CLEAN_UP_PATTERNS)).toBe('fell');
    expect(stablePrefix("don '", CLEAN_UP_PATTERNS)).toBe('don');
    expect(stablePrefix('do n', CLEAN_UP_PATTERNS)).toBe('do');
    expect(stablePrefix('fell.', CLEAN_UP_PATTERNS)).toBe('fell.');
    expect(stablePrefix('price \uFFFD', CLEAN_UP_PATTERNS)).toBe('price');
    expect(stablePrefix('wait [[B', ['[[BUY]]'])).toBe('wait ');
    expect(stablePrefix('', CLEAN_UP_PATTERNS)).toBe('');
  });

  it('never retracts streamed text under clean_up_tokenization_spaces (property, real tokenizer)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 30 }), (ids) => {
        const result = streamed(ids, CLEAN_UP_PATTERNS);
        expect(result.violations).toBe(0);
        expect(result.pieces).toBe(result.final);
      }),
      { seed: 15, numRuns: 400 },
    );
  });

  it('is needed: without the clean-up patterns the same streams retract text', () => {
    let broken = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 30 }), (ids) => {
        if (streamed(ids, []).violations > 0) broken += 1;
      }),
      { seed: 15, numRuns: 400 },
    );
    expect(broken).toBeGreaterThan(10);
  });
});
