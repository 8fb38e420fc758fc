/**
 * How a pool batch is cut into chunks: items of one ticker prefer one worker (a stable hash of the ticker), so a
 * ticker's evidence is analysed — and its prepared facts cached — in one worker rather than in each; every chunk
 * holds items of one preferred worker, in input order, at most `chunkSize` of them. Idle workers take their own
 * chunks first and then take over other workers' queued chunks (see `pickJob`), so affinity never leaves a core idle.
 */

/** One chunk of a batch: the input positions it holds and the worker it prefers. */
export interface PlannedChunk {
  /** Worker index (0-based) whose cache this chunk's tickers belong to. */
  preferred: number;
  /** Positions in the batch, ascending. */
  indices: number[];
}

/** 32-bit FNV-1a of a string: a stable, platform-independent worker assignment. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Cut a batch into chunks. With `affinity` each item's preferred worker is `stableHash(key) % workers` and a chunk
 * never mixes preferred workers; without it the batch is cut in input order and chunks prefer workers in turn.
 */
export function planChunks(
  keys: readonly string[],
  workers: number,
  chunkSize: number,
  affinity: boolean,
): PlannedChunk[] {
  const size = Math.max(1, Math.floor(chunkSize));
  const count = Math.max(1, Math.floor(workers));
  const chunks: PlannedChunk[] = [];
  if (!affinity) {
    for (let offset = 0; offset < keys.length; offset += size) {
      const indices = Array.from({ length: Math.min(size, keys.length - offset) }, (_, index) => offset + index);
      chunks.push({ preferred: chunks.length % count, indices });
    }
    return chunks;
  }
  const groups: number[][] = Array.from({ length: count }, () => []);
  keys.forEach((key, index) => {
    (groups[stableHash(key) % count] as number[]).push(index);
  });
  // Interleave the workers' chunks, so that chunks taken in queue order still alternate between workers.
  const perWorker = groups.map((indices, preferred) => {
    const own: PlannedChunk[] = [];
    for (let offset = 0; offset < indices.length; offset += size) {
      own.push({ preferred, indices: indices.slice(offset, offset + size) });
    }
    return own;
  });
  for (let round = 0; perWorker.some((own) => round < own.length); round += 1) {
    for (const own of perWorker) {
      const chunk = own[round];
      if (chunk) chunks.push(chunk);
    }
  }
  return chunks;
}

/**
 * The queued chunk an idle worker takes: its own first (queue order), else one whose preferred worker is gone,
 * else the last queued chunk of another worker (the one its owner would reach last). -1 when the queue is empty.
 */
export function pickJob(
  queue: ReadonlyArray<{ preferred: number }>,
  worker: number,
  alive: (worker: number) => boolean,
): number {
  const own = queue.findIndex((job) => job.preferred === worker);
  if (own >= 0) return own;
  const orphan = queue.findIndex((job) => !alive(job.preferred));
  if (orphan >= 0) return orphan;
  return queue.length - 1;
}
