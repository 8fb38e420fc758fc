/** Options accepted by {@link Embedder.embed}. */
export interface EmbedOptions {
  /** Cancels the call between batches; the promise then rejects with `ABORTED`. */
  signal?: AbortSignal;
}

/**
 * Turns texts into fixed-size, L2-normalised vectors. Every embedder in this package (the offline default, the
 * transformers.js one, the cache wrapper) implements it, and so can a user's own (an HTTP embedding API, …).
 *
 * Contract: `embed` returns one `Float32Array` of length `dimension` per input text, in input order, each with unit
 * L2 norm; the same text gives the same vector for the same `modelId`; `close()` is idempotent and a call after it
 * rejects with `CLOSED`.
 */
export interface Embedder {
  /**
   * Identifies the model and its version, e.g. `'trade-r1/wink-sg100d-fin@1'`. Vector stores record it and refuse
   * to mix vectors of different models (`MODEL_MISMATCH`).
   */
  readonly modelId: string;
  /** Length of every vector. */
  readonly dimension: number;
  /** Embed a batch of texts (L2-normalised vectors, input order). */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** Release resources (ONNX sessions, caches). Idempotent. */
  close(): Promise<void>;
}
