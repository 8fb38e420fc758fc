/**
 * Verification throughput: verifications per second for 8-claim reasoning with k = 5 on the default embedder and
 * a real LanceDB table, beside the raw embedder time for the same claims (the embedding floor).
 * Writes bench-results/verify.json. Run: pnpm --filter @trade-r1/verifier bench
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultEmbedder } from '../src/embedders/static/default-embedder.ts';
import { openEvidenceStore } from '../src/store/evidence-store.ts';
import { createVerifier } from '../src/verify/verifier.ts';
import { benchCorpus, benchReasoning, TICKERS } from './verify-corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ITEMS = 400;

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-verify-bench-'));
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: directory, embedder });
  try {
    const { rng, tickers, documents, byTicker } = benchCorpus(2024);
    await store.add(documents);
    await store.optimize();

    // 8-claim reasoning: claims drawn from the ticker's documents (some with altered figures), a conclusion, a tag.
    const items = Array.from({ length: ITEMS }, (_, index) =>
      benchReasoning(rng, byTicker, tickers[index % TICKERS] as string, '2024-12-31', index),
    );

    const retrieval = (process.env.RETRIEVAL ?? 'hybrid') as 'hybrid' | 'vector' | 'text';
    const verifier = createVerifier({ store, embedder, options: { k: 5, retrieval } });
    await verifier.verifyBatch(items.slice(0, 20)); // warm-up (JIT, LanceDB caches)
    const claimCounts = (await verifier.verifyBatch(items.slice(0, 50))).map((report) => report.counts.claims);

    // Cold: a new verifier handle (empty search cache) and chunks not analysed before in this process (the first
    // epoch over a corpus). Warm: the same items again (search results cached by store version and request,
    // prepared evidence by content hash), as in later epochs over the same prompts.
    let searches = 0;
    let searchMs = 0;
    const timedStore = {
      search: async (request: Parameters<typeof store.search>[0]) => {
        const began = performance.now();
        try {
          return await store.search(request);
        } finally {
          searches += 1;
          searchMs += performance.now() - began;
        }
      },
      version: () => store.version(),
    };
    const coldVerifier = createVerifier({ store: timedStore, embedder, options: { k: 5, retrieval } });
    let started = performance.now();
    await coldVerifier.verifyBatch(items, { concurrency: 8 });
    const batchSeconds = (performance.now() - started) / 1000;
    const coldSearches = searches;
    const coldSearchMs = searchMs;
    searches = 0;
    started = performance.now();
    await coldVerifier.verifyBatch(items, { concurrency: 8 });
    const warmSeconds = (performance.now() - started) / 1000;
    const warmSearches = searches;

    const sequentialVerifier = createVerifier({ store, embedder, options: { k: 5, retrieval } });
    const sequentialItems = items.slice(0, 200);
    started = performance.now();
    for (const item of sequentialItems) await sequentialVerifier.verify(item);
    const sequentialSeconds = (performance.now() - started) / 1000;

    // GRPO-style workload: 50 prompts (ticker, asOf) x G = 8 different rollouts each, verified as one batch per
    // step; the default (each rollout retrieves its own pool) and poolCacheSize (the group shares one pool).
    const G = 8;
    const groupItems = Array.from({ length: 50 }, (_, prompt) => {
      const ticker = tickers[(prompt * 7) % TICKERS] as string;
      return Array.from({ length: G }, (_, rollout) =>
        benchReasoning(
          rng,
          byTicker,
          ticker,
          `2024-11-${String(1 + (prompt % 28)).padStart(2, '0')}`,
          prompt + rollout,
          false,
        ),
      );
    }).flat();
    const groupVerifier = createVerifier({ store, embedder, options: { k: 5, retrieval } });
    started = performance.now();
    await groupVerifier.verifyBatch(groupItems, { concurrency: 8 });
    const groupSeconds = (performance.now() - started) / 1000;
    const sharedVerifier = createVerifier({ store, embedder, options: { k: 5, retrieval, poolCacheSize: 1024 } });
    started = performance.now();
    await sharedVerifier.verifyBatch(groupItems, { concurrency: 8 });
    const sharedSeconds = (performance.now() - started) / 1000;

    // Pool cache: a GRPO-style loop that verifies the completions of each (ticker, asOf) prompt one call at a time;
    // the first call per prompt retrieves, later calls reuse the prepared pool (poolCacheSize).
    const cachedVerifier = createVerifier({ store, embedder, options: { k: 5, retrieval, poolCacheSize: 1024 } });
    started = performance.now();
    for (const item of sequentialItems) await cachedVerifier.verify(item);
    const cachedSequentialSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    for (const item of sequentialItems) await cachedVerifier.verify(item);
    const cachedSecondPassSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await cachedVerifier.verifyBatch(items, { concurrency: 8 });
    const cachedBatchSeconds = (performance.now() - started) / 1000;

    // Raw embedder time for the same claim texts (what verifyBatch embeds in one call).
    const { extractClaims } = await import('../src/claims/extract.ts');
    const claimTexts = items.flatMap((item) => extractClaims(item.reasoning).claims.map((claim) => claim.text));
    started = performance.now();
    await embedder.embed(claimTexts);
    const embedSeconds = (performance.now() - started) / 1000;

    const result = {
      benchmark: 'verify',
      embedder: embedder.modelId,
      machine: {
        cpus: cpus().length,
        parallelism: availableParallelism(),
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
      },
      setup: {
        tickers: TICKERS,
        documents: documents.length,
        items: ITEMS,
        claimsPerReasoning:
          Math.round((claimCounts.reduce((sum, count) => sum + count, 0) / claimCounts.length) * 10) / 10,
        k: 5,
        candidatePool: verifier.options.candidatePool,
        retrieval: verifier.options.retrieval,
      },
      verifyBatch: {
        concurrency: 8,
        note: 'each verification retrieves its own pool (one search per 12 claims); warm = the same items again on the same handle (search results cached by store version and request)',
        coldSeconds: Math.round(batchSeconds * 1000) / 1000,
        coldVerificationsPerSecond: Math.round(ITEMS / batchSeconds),
        coldSearches,
        coldSearchMsSum: Math.round(coldSearchMs),
        coldSearchMsMean: Math.round((coldSearchMs / Math.max(1, coldSearches)) * 100) / 100,
        warmSeconds: Math.round(warmSeconds * 1000) / 1000,
        warmVerificationsPerSecond: Math.round(ITEMS / warmSeconds),
        warmSearches,
      },
      grpoGroups: {
        prompts: 50,
        G,
        note: 'one verifyBatch of 50 prompts x 8 different rollouts sharing (ticker, asOf); fresh handles',
        defaultVerificationsPerSecond: Math.round(groupItems.length / groupSeconds),
        sharedPoolVerificationsPerSecond: Math.round(groupItems.length / sharedSeconds),
      },
      sequentialVerify: {
        items: sequentialItems.length,
        seconds: Math.round(sequentialSeconds * 1000) / 1000,
        verificationsPerSecond: Math.round(sequentialItems.length / sequentialSeconds),
        msPerVerification: Math.round((sequentialSeconds / sequentialItems.length) * 1000 * 100) / 100,
      },
      poolCache: {
        poolCacheSize: 1024,
        note: 'sequential verify() of the same 200 items (100 prompts, 2 completions each) with pools cached per (ticker, asOf); firstPass retrieves once per prompt, secondPass and batch reuse every pool',
        firstPassVerificationsPerSecond: Math.round(sequentialItems.length / cachedSequentialSeconds),
        secondPassVerificationsPerSecond: Math.round(sequentialItems.length / cachedSecondPassSeconds),
        secondPassMsPerVerification: Math.round((cachedSecondPassSeconds / sequentialItems.length) * 1000 * 100) / 100,
        batchVerificationsPerSecond: Math.round(ITEMS / cachedBatchSeconds),
      },
      rawEmbedder: {
        texts: claimTexts.length,
        seconds: Math.round(embedSeconds * 1000) / 1000,
        textsPerSecond: Math.round(claimTexts.length / embedSeconds),
        shareOfWarmBatchTime: Math.round((embedSeconds / warmSeconds) * 1000) / 1000,
      },
      target: '>= 200 verifications/s (8 claims, k = 5, 2 cores, default embedder)',
    };
    const output = join(here, '../bench-results');
    mkdirSync(output, { recursive: true });
    writeFileSync(join(output, 'verify.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await store.close();
    await embedder.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
