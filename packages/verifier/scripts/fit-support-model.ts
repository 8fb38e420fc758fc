/**
 * Fits the default support model: an L2-regularised logistic regression over the alignment features of
 * `judgeClaim`, on claim–evidence pairs generated from real text (`support-pairs.ts`: TAT-QA dev tables and
 * paragraphs, FNSPID news), and writes `src/scoring/default-support-model.ts`. Deterministic (fixed seed, batch
 * gradient descent). A validation share of the pairs (every fifth document) measures the fit; the support threshold
 * is chosen on the development splits of \`pnpm eval:verifier\` (see \`supportThreshold\`), never on a test split.
 *
 *   pnpm --filter @trade-r1/verifier fit:support            # fit and write the model
 *   pnpm --filter @trade-r1/verifier fit:support --dry-run  # print the fit only
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeText } from '../src/checks/facts.ts';
import type { Claim } from '../src/claims/extract.ts';
import { createDefaultEmbedder } from '../src/embedders/static/default-embedder.ts';
import { judgeClaim } from '../src/pipeline/judge.ts';
import { preparePool } from '../src/pipeline/pool.ts';
import { auroc, fitLogistic } from '../src/scoring/metrics.ts';
import { loadTermSimilarity } from '../src/scoring/soft-match.ts';
import { SUPPORT_FEATURES, type SupportModel } from '../src/scoring/support.ts';
import type { SearchHit } from '../src/store/types.ts';
import { verifierOptionsSchema } from '../src/verify/options.ts';
import { generateSupportPairs, type SupportPair } from './support-pairs.ts';

const SEED = 20261203;
const here = dirname(fileURLToPath(import.meta.url));
const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Features of each pair as the verifier computes them (claims judged against their pair's documents). */
async function featureRows(pairs: readonly SupportPair[]): Promise<{ rows: number[][]; keep: boolean[] }> {
  const embedder = await createDefaultEmbedder();
  const similarity = await loadTermSimilarity();
  const settings = verifierOptionsSchema.parse({});
  // Flat scoring model: every weight 0 (only the features matter here).
  const flat: SupportModel = {
    bias: 0,
    weights: Object.fromEntries(SUPPORT_FEATURES.map((name) => [name, 0])) as SupportModel['weights'],
  };
  const pools = new Map<string, Awaited<ReturnType<typeof preparePool>>>();
  const claimVectors = await embedder.embed(pairs.map((pair) => pair.claim));
  const rows: number[][] = [];
  const keep: boolean[] = [];
  for (const [index, pair] of pairs.entries()) {
    const key = pair.documents.map((document) => document.id).join('|');
    let pool = pools.get(key);
    if (!pool) {
      const documents = pair.documents.filter((document) => document.text.trim() !== '');
      const vectors = await embedder.embed(documents.map((document) => `${document.title}\n${document.text}`));
      const hits: SearchHit[] = documents.map((document, position) => ({
        documentId: document.id,
        chunkIndex: 0,
        chunkId: `${document.id}#0`,
        text: document.text,
        title: document.title,
        tickers: ['FIT'],
        publishedAt: document.publishedAt,
        sourceKind: 'news',
        score: 1,
        vector: vectors[position] as Float32Array,
        charStart: 0,
        charEnd: document.text.length,
      })) as SearchHit[];
      pool = await preparePool(hits, embedder);
      pools.set(key, pool);
    }
    const claim: Claim = {
      id: 'c0',
      text: pair.claim,
      start: 0,
      end: pair.claim.length,
      section: null,
      kind: 'sentence',
      quote: null,
      source: null,
      category: 'factual',
      opinion: false,
    };
    const { verdict } = judgeClaim(
      {
        claim,
        facts: analyzeText(pair.claim),
        negated: /\bnot\b|n't/.test(pair.claim),
        vector: claimVectors[index] as Float32Array,
      },
      pool,
      { settings, supportModel: flat, subjectTicker: 'FIT', asOfMs: Date.parse('2030-01-01'), similarity },
    );
    rows.push(SUPPORT_FEATURES.map((name) => verdict.features[name]));
    // Contradicted claims get no support whatever the model says, and a flipped direction is the checks' call (the
    // support model measures whether the content is stated at all): both are left out of the fit.
    keep.push(verdict.checks.conflicts.length === 0 && pair.rewrite !== 'direction');
  }
  await embedder.close();
  return { rows, keep };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

async function main(): Promise<void> {
  const dryRun = process.argv.includes('--dry-run');
  const pairs = await generateSupportPairs({ seed: SEED, tatqa: 'dev' });
  if (pairs.length === 0) throw new Error('No training pairs: ../shared/data (TAT-QA, FNSPID news) is missing');
  const { rows, keep } = await featureRows(pairs);
  // Validation: every fifth evidence document (by its id's position), never seen by the fit.
  const documentIds = [...new Set(pairs.map((pair) => pair.documents[0]?.id ?? ''))];
  const validationDocuments = new Set(documentIds.filter((_, index) => index % 5 === 4));
  const train = pairs.map((pair, index) => ({ pair, row: rows[index] as number[], keep: keep[index] as boolean }));
  const fitSet = train.filter((item) => item.keep && !validationDocuments.has(item.pair.documents[0]?.id ?? ''));
  const validation = train.filter((item) => item.keep && validationDocuments.has(item.pair.documents[0]?.id ?? ''));
  // Balance the classes by weighting through repetition-free resampling: the gradient sees both equally.
  // Each (source, label) group weighs the same in the fit (by repetition), so neither the larger source nor the
  // larger class decides the weights alone.
  const groups = new Map<string, typeof fitSet>();
  for (const item of fitSet) {
    const key = `${item.pair.source}:${item.pair.label}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const largest = Math.max(...[...groups.values()].map((group) => group.length));
  const balanced = [...groups.values()].flatMap((group) => {
    const repeat = Math.max(1, Math.round(largest / group.length));
    return group.flatMap((item) => Array.from({ length: repeat }, () => item));
  });
  const fitted = fitLogistic(
    balanced.map((item) => item.row),
    balanced.map((item) => item.pair.label),
    { iterations: 3000, learningRate: 0.8, l2: 0.001 },
  );
  const model: SupportModel = {
    bias: Math.round(fitted.bias * 1000) / 1000,
    weights: Object.fromEntries(
      SUPPORT_FEATURES.map((name, index) => [name, Math.round((fitted.weights[index] ?? 0) * 1000) / 1000]),
    ) as SupportModel['weights'],
  };
  const score = (row: number[]): number =>
    sigmoid(
      model.bias + SUPPORT_FEATURES.reduce((sum, name, index) => sum + model.weights[name] * (row[index] ?? 0), 0),
    );
  const validationScores = validation.map((item) => ({ label: item.pair.label, score: score(item.row) }));
  const validationAuroc = auroc(
    validationScores.filter((item) => item.label === 1).map((item) => item.score),
    validationScores.filter((item) => item.label === 0).map((item) => item.score),
  );
  // Where the faithful validation claims fall: the support threshold itself (`supportThreshold`) is chosen by
  // evaluating candidates on the development splits of `pnpm eval:verifier`, since these pairs are mostly close
  // restatements and their low tail says little about other writers' paraphrases.
  const positiveScores = validationScores
    .filter((item) => item.label === 1)
    .map((item) => item.score)
    .sort((a, b) => a - b);
  const quantile = (share: number): string =>
    (positiveScores[Math.floor(share * positiveScores.length)] ?? 0).toFixed(3);
  const byRewrite = new Map<string, { n: number; mean: number }>();
  for (const item of validation) {
    const entry = byRewrite.get(`${item.pair.source}:${item.pair.rewrite}`) ?? { n: 0, mean: 0 };
    entry.mean = (entry.mean * entry.n + score(item.row)) / (entry.n + 1);
    entry.n += 1;
    byRewrite.set(`${item.pair.source}:${item.pair.rewrite}`, entry);
  }
  print(
    `pairs: ${pairs.length} (fit ${fitSet.length}, validation ${validation.length}, contradicted left out ${keep.filter((k) => !k).length})`,
  );
  print(
    `validation AUROC ${validationAuroc?.toFixed(3)}; faithful validation claims' support at the 5th/10th/25th percentile: ${quantile(0.05)}/${quantile(0.1)}/${quantile(0.25)}`,
  );
  for (const [rewrite, entry] of [...byRewrite.entries()].sort())
    print(`  ${rewrite}: n=${entry.n} mean support ${entry.mean.toFixed(3)}`);
  print(JSON.stringify(model, null, 2));
  if (dryRun) return;
  const target = join(here, '../src/scoring/default-support-model.ts');
  writeFileSync(
    target,
    `/**
 * The default support model, written by \`scripts/fit-support-model.ts\` (do not edit by hand): a logistic regression
 * over the alignment features, fitted on ${fitSet.length} claim–evidence pairs generated from real text — TAT-QA dev
 * tables and paragraphs (CC BY 4.0; Zhu et al., "TAT-QA: A Question Answering Benchmark on a Hybrid of Tabular and
 * Textual Content in Finance", ACL 2021) and FNSPID news sentences — with meaning-preserving rewrites as positives and
 * meaning-changing ones as negatives. Validation AUROC ${validationAuroc?.toFixed(3)} on ${validation.length} held-back pairs.
 */
import type { SupportModel } from './support.ts';

/** Fitted weights (seed ${SEED}). */
export const FITTED_SUPPORT_MODEL: SupportModel = ${JSON.stringify(model, null, 2)};
`,
  );
  print(`written ${target}`);
}

await main();
