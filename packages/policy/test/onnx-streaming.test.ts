import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { createTestTokenizer } from '../src/testing/tokenizer.ts';
import { createOnnxPolicy, type OnnxTextPolicy } from '../src/text/onnx-policy.ts';
import type { GenerateOptions, GenerationEvent } from '../src/text/types.ts';
import { temporaryDirectory } from './helpers.ts';

let workspace: { dir: string; cleanup: () => Promise<void> };
let policy: OnnxTextPolicy;

// A tokenizer with `clean_up_tokenization_spaces: true` (BERT/GPT-2-era configs, and transformers.js' default when
// the key is missing) rewrites " ." → "." and " n't" → "n't" when decoding: a longer prefix of tokens can decode to a
// text that does not start with what a shorter prefix decoded to.
beforeAll(async () => {
  workspace = await temporaryDirectory();
  // Make the random model write lone spaces, punctuation and the letters of "n't"/"'s" often.
  const vocab = (createTestTokenizer().tokenizer.model as { vocab: Record<string, number> }).vocab;
  const bias = { Ġ: 3.5, '.': 3, ',': 2.5, "'": 2.5, '?': 1.5, n: 2, t: 2, s: 2, m: 1.5 };
  const logitBias = Object.fromEntries(Object.entries(bias).map(([token, value]) => [String(vocab[token]), value]));
  const model = await writeLlamaTestModel({ dir: join(workspace.dir, 'cleanup'), initStd: 0.25, seed: 3, logitBias });
  const configPath = join(model.dir, 'tokenizer_config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  await writeFile(configPath, JSON.stringify({ ...config, clean_up_tokenization_spaces: true }));
  policy = await createOnnxPolicy({ model: model.dir, device: 'cpu' });
});

afterAll(async () => {
  await policy?.close();
  await workspace?.cleanup();
});

async function streamedAndFinal(options: GenerateOptions): Promise<Array<{ streamed: string; text: string }>> {
  const events: GenerationEvent[] = [];
  for await (const event of policy.stream(options)) events.push(event);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('no done event');
  return done.result.completions.flat().map((completion) => ({
    text: completion.text,
    streamed: events
      .map((event) =>
        event.type === 'token' &&
        event.promptIndex === completion.promptIndex &&
        event.sampleIndex === completion.sampleIndex
          ? event.text
          : '',
      )
      .join(''),
  }));
}

describe('streaming with clean_up_tokenization_spaces', () => {
  it('streams exactly the final text of every row (96 rows)', async () => {
    const prompts = [
      'The stock fell .',
      "Margins don't",
      'Decision :',
      'Revenue , guidance',
      'A',
      'B ?',
      'C !',
      "it 's",
    ];
    const rows = await streamedAndFinal({ prompts, numSamples: 12, maxNewTokens: 24, seed: 11, temperature: 1.5 });
    expect(rows).toHaveLength(96);
    // The random model does write the patterns clean-up rewrites, so the test exercises them (in most rows).
    expect(rows.filter((row) => /[.,!?]|n't|'s/.test(row.text)).length).toBeGreaterThan(48);
    expect(rows.filter((row) => row.streamed !== row.text).map((row) => JSON.stringify(row))).toEqual([]);
  });

  it('does so with stop strings too', async () => {
    const rows = await streamedAndFinal({
      prompts: ['The stock fell .', 'Decision :'],
      numSamples: 8,
      maxNewTokens: 24,
      seed: 4,
      temperature: 1.5,
      stop: [' .', 'e'],
    });
    expect(rows.filter((row) => row.streamed !== row.text).map((row) => JSON.stringify(row))).toEqual([]);
  });
});
