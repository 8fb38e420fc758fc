/** A small least-recently-used map (insertion order of `Map` as the recency list). */
export class LruMap<Key, Value> {
  readonly #limit: number;
  readonly #entries = new Map<Key, Value>();

  /** @param limit maximum number of entries kept (≥ 0; 0 keeps nothing). */
  constructor(limit: number) {
    this.#limit = Math.max(0, Math.floor(limit));
  }

  /** Number of entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value for `key`, marking it most recently used. */
  get(key: Key): Value | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Store `value`, evicting the least recently used entries beyond the limit. */
  set(key: Key, value: Value): void {
    if (this.#limit === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Remove every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
