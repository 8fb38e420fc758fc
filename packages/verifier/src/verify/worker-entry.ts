/**
 * Worker-thread side of {@link createVerifierPool}: opens its own default embedder, evidence store handle (and
 * memory index, when asked) on the shared on-disk store, and answers batch messages with reports. Not a public
 * module; the pool starts it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toTradeR1Error } from '@trade-r1/core';
import { createDefaultEmbedder } from '../embedders/static/default-embedder.ts';
import { EVIDENCE_CACHE_LIMIT, prepareHit } from '../pipeline/pool.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import { createMemoryIndex } from '../store/memory-index.ts';
import { createVerifier } from './verifier.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';

const began = performance.now();
const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

const serialise = (error: unknown) => {
  const typed = toTradeR1Error(error);
  return { code: typed.code, message: typed.message, details: typed.details, issues: typed.issues };
};

try {
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({
    uri: init.storeUri,
    embedder,
    ...(init.tableName !== undefined && { tableName: init.tableName }),
    ...(init.storageOptions !== undefined && { storageOptions: init.storageOptions }),
  });
  const index = init.memoryIndex
    ? await createMemoryIndex({
        store,
        embedder,
        tickers: init.memoryIndex.tickers,
        sourceKinds: init.memoryIndex.sourceKinds,
        maxStalenessMs: init.memoryIndex.maxStalenessMs,
      })
    : undefined;
  // Analyse the loaded chunks' evidence now (facts, tables, stance) instead of on first retrieval; the cache of
  // prepared evidence holds EVIDENCE_CACHE_LIMIT chunks, so at most that many (the rest on first use).
  const chunks = index?.chunks() ?? [];
  const analysed = init.memoryIndex?.analyse ? Math.min(chunks.length, EVIDENCE_CACHE_LIMIT) : 0;
  for (const hit of chunks.slice(0, analysed)) prepareHit(hit);
  const verifier = createVerifier({ store: index ?? store, embedder, options: init.verifierOptions });
  const running = new Map<number, AbortController>();
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort();
      return;
    }
    if (message.type === 'close') {
      void (async () => {
        for (const controller of running.values()) controller.abort();
        await verifier.close();
        index?.close();
        await store.close();
        await embedder.close();
        port.postMessage({ type: 'closed' } satisfies WorkerReply);
      })();
      return;
    }
    const controller = new AbortController();
    running.set(message.id, controller);
    verifier
      .verifyBatch(message.items, { concurrency: init.concurrency, signal: controller.signal })
      .then(
        (reports) => port.postMessage({ type: 'result', id: message.id, reports } satisfies WorkerReply),
        (error: unknown) =>
          port.postMessage({ type: 'error', id: message.id, error: serialise(error) } satisfies WorkerReply),
      )
      .finally(() => running.delete(message.id));
  });
  const startup = {
    ms: Math.round(performance.now() - began),
    chunks: chunks.length,
    analysed,
    notAnalysed: init.memoryIndex?.analyse ? chunks.length - analysed : 0,
  };
  port.postMessage({ type: 'ready', startup } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ type: 'failed', error: serialise(error) } satisfies WorkerReply);
}
