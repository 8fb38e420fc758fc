import { mkdir, writeFile } from 'node:fs/promises';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/helpers.ts';
import { bytesToUnicode, createTestTokenizer } from './tokenizer.ts';

let workspace: { dir: string; cleanup: () => Promise<void> };
let tokenizer: PreTrainedTokenizer;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  const files = createTestTokenizer({ vocabSize: 400 });
  await mkdir(workspace.dir, { recursive: true });
  await writeFile(`${workspace.dir}/tokenizer.json`, JSON.stringify(files.tokenizer));
  await writeFile(`${workspace.dir}/tokenizer_config.json`, JSON.stringify(files.tokenizerConfig));
  tokenizer = await AutoTokenizer.from_pretrained(workspace.dir, { local_files_only: true });
});

afterAll(async () => {
  await workspace.cleanup();
});

describe('createTestTokenizer', () => {
  it('is deterministic, sized exactly and maps all 256 bytes', () => {
    const first = createTestTokenizer({ vocabSize: 400 });
    expect(JSON.stringify(createTestTokenizer({ vocabSize: 400 }))).toBe(JSON.stringify(first));
    const vocab = (first.tokenizer.model as { vocab: Record<string, number> }).vocab;
    expect(Object.keys(vocab)).toHaveLength(400);
    expect(new Set(Object.values(vocab)).size).toBe(400);
    expect(new Set(bytesToUnicode()).size).toBe(256);
    expect(() => createTestTokenizer({ vocabSize: 100 })).toThrow(/259/);
  });

  it('loads in transformers.js, merges common words and round-trips any text (property)', () => {
    const ids = tokenizer.encode('The stock rose after earnings.', { add_special_tokens: false });
    expect(ids.length).toBeLessThan('The stock rose after earnings.'.length);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), (text) => {
        const encoded = tokenizer.encode(text, { add_special_tokens: false });
        expect(tokenizer.decode(encoded, { skip_special_tokens: false })).toBe(text);
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it('renders the ChatML template with special tokens', () => {
    const text = tokenizer.apply_chat_template([{ role: 'user', content: 'Buy?' }], {
      tokenize: false,
      add_generation_prompt: true,
    });
    expect(text).toBe('<|im_start|>user\nBuy?<|im_end|>\n<|im_start|>assistant\n');
    const ids = tokenizer.encode(String(text), { add_special_tokens: false });
    expect(ids[0]).toBe(1);
    expect(ids).toContain(2);
  });
});
